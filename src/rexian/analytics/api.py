"""The statistics API: the figures of a period per group, the metric definitions, the unit assessment of a
month and the period's hotspots, for a city's big screen, a data warehouse or a province's platform. The same
reads as the 统计 pages, with the same access: the centre's overseers and leaders, a unit's administrator
for the unit's own subtree."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from rexian.analytics import selectors
from rexian.analytics.metrics import METRICS
from rexian.analytics.models import ReportKind
from rexian.analytics.queries import LONGEST_PERIOD_DAYS, Group, Scope
from rexian.core import clock
from rexian.core.errors import PermissionDenied, ValidationError
from rexian.core.inputs import MONTH_PATTERN, ApiDate
from rexian.directory.models import Unit, UnitKind
from rexian.taxonomy.choices import AppealType, Channel
from rexian.taxonomy.models import Category

router = Router(tags=["statistics"])
GroupName = Literal["all", "unit", "member", "category", "leaf", "district", "channel", "appeal_type", "day", "month"]


class PeriodIn(Schema):
    start: ApiDate | None = Field(None, description="起始日期（含），默认本月 1 日")
    end: ApiDate | None = Field(None, description="截止日期（含），默认今天")
    unit: str = Field("", max_length=32, description="承办单位编码：该单位及其下级")
    channel: str = Field("", max_length=16, description="渠道代码")
    appeal_type: str = Field("", max_length=16, description="诉求类型代码")
    category: str = Field("", max_length=32, description="分类编码：该分类及其下级")
    district: str = Field("", max_length=32, description="区县编码")


class FiguresIn(PeriodIn):
    group: GroupName = Field("member", description="分组：成员单位、承办单位、分类、区县、渠道、类型、日、月或合计")


class RowOut(Schema):
    key: str | None = Field(description="单位或分类编码、渠道或类型代码、日期、月份；未派单或未填写时为空")
    name: str
    figures: dict[str, Any]


class FiguresOut(Schema):
    start: date
    end: date
    group: str
    rows: list[RowOut]
    total: dict[str, Any]


class MetricOut(Schema):
    code: str
    label: str
    kind: str
    better: str
    definition: str


class AssessedOut(Schema):
    unit: str
    name: str
    rank: int
    previous_rank: int | None
    score: float
    change: float | None
    card: int = Field(description="本月最重的牌：0 无，1 黄，2 橙，3 红")
    figures: dict[str, Any]


class AssessmentOut(Schema):
    month: str
    units: list[AssessedOut]


class HotspotOut(Schema):
    description: str
    place_people: str
    size: int
    heat: float
    first: str
    last: str
    ticket_ids: list[int]


def _reader(request: HttpRequest) -> Unit | None:
    """Refuse those who may not read the figures; the subtree a unit's administrator is confined to."""
    if request.auth.roles.isdisjoint(selectors.STATS_ROLES):
        raise PermissionDenied("您的角色不能查看统计数据。")
    return selectors.own_unit(request.auth)


def _scope(period: PeriodIn, own: Unit | None) -> Scope:
    today = clock.local_now().date()
    start, end = period.start or today.replace(day=1), period.end or today
    fields: dict[str, list[str]] = {}
    if end < start:
        fields["end"] = ["截止日期不能早于起始日期。"]
    elif (end - start).days > LONGEST_PERIOD_DAYS:
        fields["end"] = ["统计期间最长三年。"]
    for name, allowed in (("channel", Channel.values), ("appeal_type", AppealType.values)):
        if getattr(period, name) and getattr(period, name) not in allowed:
            fields[name] = [f"不是可选的值：{'、'.join(allowed)}。"]
    unit = own or _by_code(Unit.objects.exclude(kind=UnitKind.CENTRE), period.unit, "unit", fields)
    district = _by_code(Unit.objects.filter(kind=UnitKind.DISTRICT), period.district, "district", fields)
    category = _by_code(Category.objects.all(), period.category, "category", fields)
    if fields:
        raise ValidationError("统计条件有误，请检查标注的字段。", fields=fields)
    return Scope(start, end, unit=unit, channel=period.channel, appeal_type=period.appeal_type,
                 category=category, district=district)  # fmt: skip


def _by_code(rows: Any, code: str, field: str, fields: dict[str, list[str]]) -> Any:
    if not code:
        return None
    found = rows.filter(code=code).first()
    if found is None:
        fields[field] = [f"找不到编码为 {code} 的选项。"]
    return found


def _key(group: Group, key: Any, codes: dict[int, str]) -> str | None:
    if key is None:
        return None
    if group in (Group.UNIT, Group.MEMBER, Group.DISTRICT, Group.CATEGORY, Group.LEAF):
        return codes.get(key)
    return key.isoformat() if isinstance(key, date) else str(key)


def _codes(group: Group, keys: list[Any]) -> dict[int, str]:
    ids = [k for k in keys if isinstance(k, int)]
    if group in (Group.CATEGORY, Group.LEAF):
        return dict(Category.objects.filter(pk__in=ids).values_list("pk", "code"))
    return dict(Unit.objects.filter(pk__in=ids).values_list("pk", "code"))


@router.get("/stats/figures", response=FiguresOut, summary="分项统计")
def figures(request: HttpRequest, query: Query[FiguresIn]):
    """The period's figures (definitions: GET /stats/metrics) per group, largest volume first, and the total."""
    scope = _scope(query, _reader(request))
    group = Group(query.group)
    rows = selectors.rows(scope, group) if group is not Group.ALL else []
    codes = _codes(group, [r.key for r in rows])
    return {
        "start": scope.start,
        "end": scope.end,
        "group": group.value,
        "rows": [{"key": _key(group, r.key, codes), "name": r.name, "figures": r.figures} for r in rows],
        "total": selectors.overall(scope),
    }


@router.get("/stats/metrics", response=list[MetricOut], summary="指标口径")
def metrics(request: HttpRequest):
    """Every figure with its one definition (docs/metrics.md)."""
    _reader(request)
    return [{"code": m.code, "label": m.label, "kind": m.kind.value, "better": m.better, "definition": m.definition}
            for m in METRICS]  # fmt: skip


class MonthIn(Schema):
    month: str = Field("", pattern=MONTH_PATTERN, description="YYYY-MM，默认上月")


@router.get("/stats/assessment", response=AssessmentOut, summary="单位考核")
def assessment(request: HttpRequest, query: Query[MonthIn]):
    """The member units' scores for a month, ranked, with the previous month's rank; a unit's administrator
    gets the line of its own member unit only."""
    own = _reader(request)
    first = date.fromisoformat(f"{query.month}-01") if query.month else None
    if first is None:
        first, _ = selectors.last_complete(ReportKind.MONTHLY, clock.local_now().date())
    ranked = selectors.assessment(Scope(*selectors.period_of(ReportKind.MONTHLY, first)))
    if own is not None:
        ranked = [a for a in ranked if own.path.startswith(a.unit.path)]
    return {"month": f"{first:%Y-%m}", "units": [_assessed(a) for a in ranked]}


def _assessed(a: selectors.Assessed) -> dict[str, Any]:
    r = a.ranked
    return {"unit": a.unit.code, "name": a.unit.name, "rank": r.rank, "previous_rank": r.previous_rank,
            "score": r.score.total, "change": r.change, "card": a.worst_card, "figures": a.figures}  # fmt: skip


class HotspotsIn(PeriodIn):
    top: int = Field(5, ge=1, le=20)


@router.get("/stats/hotspots", response=list[HotspotOut], summary="热点问题")
def hotspots(request: HttpRequest, query: Query[HotspotsIn]):
    """The period's hottest groups of appeals on one problem at one place (docs/hotspots.md)."""
    scope = _scope(query, _reader(request))
    return [{"description": h.description, "place_people": h.place_people, "size": h.size, "heat": round(h.heat, 2),
             "first": h.first.isoformat(), "last": h.last.isoformat(), "ticket_ids": h.ticket_ids}
            for h in selectors.top_hotspots(scope, query.top)]  # fmt: skip
