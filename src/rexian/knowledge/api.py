"""The knowledge base over JSON: search (what the workbench and a partner's agent desktop call as the caller
speaks), entries read, written and moved through review, and a citation recorded. The same access and the
same writes as the console pages (knowledge.selectors, knowledge.actions)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from rexian.core.errors import PermissionDenied, ValidationError
from rexian.directory.models import Unit
from rexian.directory.roles import CENTRE_ROLES, UNIT_ROLES
from rexian.knowledge import actions, selectors
from rexian.knowledge.models import Entry, Statuses, UseKind
from rexian.knowledge.rules import EntryStatus, Step
from rexian.knowledge.search import Filters, Hit, search
from rexian.taxonomy.models import Category
from rexian.tickets.access import get_ticket_for

router = Router(tags=["knowledge"])
SEARCH_LIMIT = 50


class EntryIn(Schema):
    title: str = Field(max_length=200, description="标题")
    variants: list[str] = Field(default_factory=list, description="群众的不同问法")
    answer: str = Field(description="标准答复")
    plain_answer: str = Field("", description="白话版")
    unit: str = Field(description="维护单位编码")
    categories: list[str] = Field(default_factory=list, description="分类编码")
    tags: list[str] = Field(default_factory=list, description="标签")
    links: list[str] = Field(default_factory=list, description="相关链接，每项“名称 网址”或网址")
    effective_from: date | None = None
    expires_on: date | None = Field(None, description="失效日期：当天起不再适用")


class EntryCreateIn(EntryIn):
    publish: bool = Field(False, description="中心知识库管理员新建时直接发布")


class EntryEditIn(EntryIn):
    version: int = Field(description="读取时的版本号：他人已修改时返回 409")
    note: str = Field("", max_length=500)


class StepIn(Schema):
    version: int
    note: str = Field("", max_length=500, description="说明；退回修改时必填")


class UseIn(Schema):
    ticket_id: int | None = Field(None, description="引用该条目的工单")


class EntryOut(Schema):
    id: int
    code: str = Field(description="工单引用时的编号，如 KB12")
    title: str
    variants: list[str]
    answer: str
    plain_answer: str
    unit: str
    unit_name: str
    categories: list[str]
    tags: list[str]
    links: list[str]
    effective_from: date | None
    expires_on: date | None
    status: str
    status_label: str
    version: int
    updated_at: str
    reviewed_at: str | None


class HitOut(Schema):
    score: float
    title_marked: list[tuple[str, bool]] = Field(description="标题，按命中词切分：[文字, 是否命中]")
    snippet: list[tuple[str, bool]] = Field(description="答复中命中处附近的片段")
    entry: EntryOut


class SearchIn(Schema):
    q: str = Field("", max_length=500, description="问题或关键词；为空时无结果")
    unit: str = Field("", max_length=64, description="维护单位编码")
    category: str = Field("", max_length=16, description="分类编码（含下级分类）")
    status: list[str] | None = Field(None, description="状态；默认已发布（单位人员另可查本单位各状态）")
    limit: int = Field(10, ge=1, le=SEARCH_LIMIT)


class EntryPage(Schema):
    items: list[EntryOut]
    count: int
    page: int
    page_size: int
    pages: int


class EntryFilters(Schema):
    status: list[str] | None = None
    unit: str = Field("", max_length=64)
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(50, ge=1, le=200)


class VersionOut(Schema):
    version: int
    step: str
    step_label: str
    status: str
    changed: list[str]
    note: str
    actor: str | None
    at: str
    snapshot: dict[str, Any]


def entry_out(entry: Entry) -> dict[str, Any]:
    return {
        "id": entry.pk,
        "code": entry.code,
        "title": entry.title,
        "variants": entry.variant_list,
        "answer": entry.answer,
        "plain_answer": entry.plain_answer,
        "unit": entry.unit.code,
        "unit_name": entry.unit.name,
        "categories": sorted(c.code for c in entry.categories.all()),
        "tags": entry.tag_list,
        "links": entry.links.splitlines(),
        "effective_from": entry.effective_from,
        "expires_on": entry.expires_on,
        "status": entry.status,
        "status_label": entry.get_status_display(),
        "version": entry.version,
        "updated_at": entry.updated_at.isoformat(),
        "reviewed_at": entry.reviewed_at.isoformat() if entry.reviewed_at else None,
    }


def _staff(request: HttpRequest) -> Any:
    user = request.auth
    if not user.roles & (CENTRE_ROLES | UNIT_ROLES):
        raise PermissionDenied("您的角色不能使用知识库。")
    return user


def _data(payload: EntryIn) -> dict[str, Any]:
    data = payload.dict()
    data["variants"] = "\n".join(data["variants"])
    data["tags"] = " ".join(data["tags"])
    data["links"] = "\n".join(data["links"])
    return data


@router.get("/knowledge/search", response=list[HitOut], summary="知识库检索")
def search_entries(request: HttpRequest, params: Query[SearchIn]) -> list[dict[str, Any]]:
    user = _staff(request)
    statuses = tuple(params.status or [EntryStatus.PUBLISHED.value])
    unknown = [s for s in statuses if s not in Statuses.values]
    if unknown:
        raise ValidationError("状态有误。", fields={"status": [f"没有这种状态：{unknown[0][:20]}"]})
    filters = Filters(statuses=statuses, unit_id=_unit_id(params.unit), category_ids=_category_ids(params.category))
    hits = search(params.q, filters, limit=params.limit)
    if statuses != (EntryStatus.PUBLISHED.value,):
        hits = selectors.only_visible(user, hits)  # other units' entries only once published
    return [_hit_out(h) for h in hits]


def _hit_out(hit: Hit) -> dict[str, Any]:
    return {"score": round(hit.score, 4), "title_marked": hit.title, "snippet": hit.snippet,
            "entry": entry_out(hit.entry)}  # fmt: skip


def _unit_id(code: str) -> int | None:
    if not code:
        return None
    unit = Unit.objects.filter(code=code).first()
    if unit is None:
        raise ValidationError("没有这个单位。", fields={"unit": [f"没有编码为 {code} 的单位。"]})
    return unit.pk


def _category_ids(code: str) -> tuple[int, ...]:
    if not code:
        return ()
    category = Category.objects.filter(code=code).first()
    if category is None:
        raise ValidationError("没有这个分类。", fields={"category": [f"没有编码为 {code} 的分类。"]})
    return selectors.category_and_below(category)


@router.get("/knowledge/entries", response=EntryPage, summary="知识条目列表")
def list_entries(request: HttpRequest, filters: Query[EntryFilters]) -> dict[str, Any]:
    entries = selectors.visible_entries(_staff(request)).prefetch_related("categories")
    if filters.status:
        entries = entries.filter(status__in=filters.status)
    if filters.unit:
        entries = entries.filter(unit__code=filters.unit)
    count = entries.count()
    pages = max(1, -(-count // filters.page_size))
    start = (filters.page - 1) * filters.page_size
    items = entries.order_by("-updated_at", "-pk")[start : start + filters.page_size]
    return {"items": [entry_out(e) for e in items], "count": count, "page": filters.page,
            "page_size": filters.page_size, "pages": pages}  # fmt: skip


@router.get("/knowledge/entries/{entry_id}", response=EntryOut, summary="知识条目详情")
def read_entry(request: HttpRequest, entry_id: int) -> dict[str, Any]:
    user = _staff(request)
    entry = selectors.get_entry_for(user, entry_id)
    actions.record_use(actor=user, entry_id=entry.pk, kind=UseKind.VIEW)
    return entry_out(entry)


@router.get("/knowledge/entries/{entry_id}/versions", response=list[VersionOut], summary="条目修改记录")
def entry_versions(request: HttpRequest, entry_id: int) -> list[dict[str, Any]]:
    entry = selectors.get_entry_for(_staff(request), entry_id)
    return [
        {"version": v.version, "step": v.step, "step_label": v.get_step_display(), "status": v.status,
         "changed": v.changed, "note": v.note, "actor": v.actor.username if v.actor else None,
         "at": v.at.isoformat(), "snapshot": v.snapshot}
        for v in entry.versions.select_related("actor").order_by("id")
    ]  # fmt: skip


@router.post("/knowledge/entries", response={201: EntryOut}, summary="新建知识条目")
def create_entry(request: HttpRequest, payload: EntryCreateIn) -> Any:
    entry = actions.create_entry(actor=_staff(request), data=_data(payload))
    return Status(201, entry_out(entry))


@router.put("/knowledge/entries/{entry_id}", response=EntryOut, summary="修改知识条目")
def edit_entry(request: HttpRequest, entry_id: int, payload: EntryEditIn) -> dict[str, Any]:
    user = _staff(request)
    selectors.get_entry_for(user, entry_id)
    data = _data(payload)
    entry = actions.edit_entry(actor=user, entry_id=entry_id, version=payload.version, data=data, note=payload.note)
    return entry_out(entry)


@router.post("/knowledge/entries/{entry_id}/steps/{step}", response=EntryOut, summary="提交、发布、退回、撤回或恢复")
def take_step(request: HttpRequest, entry_id: int, step: Step, payload: StepIn) -> dict[str, Any]:
    user = _staff(request)
    selectors.get_entry_for(user, entry_id)
    entry = actions.take_step(actor=user, entry_id=entry_id, version=payload.version, step=step, note=payload.note)
    return entry_out(entry)


@router.post("/knowledge/entries/{entry_id}/citations", response={201: dict}, summary="记录引用")
def cite_entry(request: HttpRequest, entry_id: int, payload: UseIn) -> Any:
    user = _staff(request)
    entry = selectors.get_entry_for(user, entry_id)
    ticket = get_ticket_for(user, payload.ticket_id) if payload.ticket_id else None
    actions.record_use(actor=user, entry_id=entry.pk, kind=UseKind.CITE, ticket=ticket)
    return Status(201, {"entry": entry.code, "ticket_id": ticket.pk if ticket else None})
