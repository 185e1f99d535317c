"""Writes of the knowledge base: entries written, revised and moved through review (rules.MOVES), expired by
the machine, and their uses recorded. Every change is one transaction that saves the entry, writes its
version (who changed what) and re-indexes it, so that search, history and entry never disagree."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q, QuerySet

from rexian.core import clock
from rexian.core.errors import InvalidTransition, NotFound, PermissionDenied, StaleVersion, ValidationError
from rexian.directory.models import Unit
from rexian.directory.roles import Role
from rexian.knowledge import index
from rexian.knowledge.models import (
    NOTE_LIMIT,
    TAGS_LIMIT,
    TEXT_LIMIT,
    TITLE_LIMIT,
    AskedQuestion,
    Entry,
    EntryAttachment,
    EntryUse,
    EntryVersion,
    UseKind,
)
from rexian.knowledge.rules import STEP_LABELS, EntryStatus, Party, Step, is_expired, move, steps_open
from rexian.taxonomy.models import Category
from rexian.tickets.access import Actor
from rexian.tickets.files import refusal, safe_name
from rexian.tickets.models import Ticket
from rexian.tickets.validation import FieldErrors, clean_text

# The centre's knowledge editors: they publish, send back and withdraw, and may edit any entry.
EDITOR_ROLES = frozenset({Role.CENTRE_ADMIN, Role.QUALITY, Role.SHIFT_LEAD})
# A unit's members write their own unit's entries.
OWNER_ROLES = frozenset({Role.UNIT_ADMIN, Role.UNIT_HANDLER})
LEARNED_PER_ENTRY = 20  # the latest questions learned from agents' picks that an entry is indexed with
CONTENT_FIELDS = (
    "title", "variants", "answer", "plain_answer", "unit", "categories", "tags", "links", "effective_from",
    "expires_on",
)  # fmt: skip
FIELD_LABELS = {
    "title": "标题", "variants": "问法", "answer": "标准答复", "plain_answer": "白话版", "unit": "维护单位",
    "categories": "分类", "tags": "标签", "links": "相关链接", "effective_from": "生效日期", "expires_on": "失效日期",
    "attachments": "附件",
}  # fmt: skip


def parties(actor: Actor, entry_unit: Unit | None) -> frozenset[Party]:
    """What the actor is to an entry of this unit: the centre's editor, a member of the owning unit (or of a unit
    above it), both or neither."""
    roles = actor.roles if getattr(actor, "is_active", False) else frozenset()
    found: set[Party] = set()
    if roles & EDITOR_ROLES:
        found.add(Party.EDITOR)
    if Role.SYSTEM in roles:
        found.add(Party.SYSTEM)
    own_unit = getattr(actor, "unit", None)
    if roles & OWNER_ROLES and own_unit is not None and entry_unit is not None and _within(entry_unit, own_unit):
        found.add(Party.OWNER)
    return frozenset(found)


def _within(unit: Unit, ancestor: Unit) -> bool:
    return unit.path.startswith(ancestor.path)


def create_entry(*, actor: Actor, data: Mapping[str, Any], step: Step = Step.CREATE) -> Entry:
    """A new entry, as a draft (or published at once when an editor asks: `publish` in data)."""
    cleaned, categories = clean_entry(data)
    who = parties(actor, cleaned.get("unit"))
    if not who & {Party.EDITOR, Party.OWNER}:
        raise PermissionDenied("只有中心知识库管理员或本单位人员可以新建本单位的知识条目。")
    now = clock.now()
    with transaction.atomic():
        entry = Entry(**cleaned, status=EntryStatus.DRAFT, created_at=now, updated_at=now, updated_by=_user(actor))
        entry.save()
        entry.categories.set(categories)
        _version(entry, actor, step, list(CONTENT_FIELDS), "")
        index.index_entry(entry)
        if data.get("publish") and Party.EDITOR in who:
            return _step(entry, actor, Step.PUBLISH, "")
    return entry


def edit_entry(*, actor: Actor, entry_id: int, version: int, data: Mapping[str, Any], note: str = "") -> Entry:
    """Change an entry's content. An owner's edit of a published entry sends it back to review (改后重审)."""
    cleaned, categories = clean_entry(data)
    with transaction.atomic():
        entry = _locked(entry_id, version)
        who = parties(actor, entry.unit)
        if cleaned["unit"] != entry.unit:  # moving an entry to another unit: a party to both
            who &= parties(actor, cleaned["unit"])
        target = move(EntryStatus(entry.status), Step.EDIT, who)
        if target is None:
            raise _refusal(entry, Step.EDIT, who)
        changed = [f for f in CONTENT_FIELDS if f != "categories" and getattr(entry, f) != cleaned[f]]
        if {c.pk for c in entry.categories.all()} != {c.pk for c in categories}:
            changed.append("categories")
        if not changed:
            return entry
        for name, value in cleaned.items():
            setattr(entry, name, value)
        entry.categories.set(categories)
        entry.status = target
        _touch(entry, actor)
        _version(entry, actor, Step.EDIT, changed, _note(note))
        index.index_entry(entry)
    return entry


def attach_file(*, actor: Actor, entry_id: int, version: int, upload: UploadedFile) -> Entry:
    """Add a file to an entry (a form, a guide, a scan of the policy), checked by its content as for tickets.
    It is a change of the entry: a version, and an owner's file on a published entry goes through review."""
    head = upload.read(2048) if upload.size else b""
    upload.seek(0)
    problem = refusal(upload.name or "", upload.size, head)
    if problem:
        raise ValidationError(problem, fields={"file": [problem]})
    name = safe_name(upload.name or "")
    with transaction.atomic():
        entry = _locked(entry_id, version)
        who = parties(actor, entry.unit)
        target = move(EntryStatus(entry.status), Step.EDIT, who)
        if target is None:
            raise _refusal(entry, Step.EDIT, who)
        attachment = EntryAttachment(entry=entry, name=name, size=upload.size or 0, uploaded_by=_user(actor),
                                     uploaded_at=clock.now())  # fmt: skip
        attachment.file.save(name, upload, save=False)
        try:
            attachment.save()
            entry.status = target
            _touch(entry, actor)
            _version(entry, actor, Step.EDIT, ["attachments"], f"附件：{name}")
        except BaseException:
            attachment.file.delete(save=False)  # a rollback takes the row back, not the file on disk
            raise
    return entry


def take_step(*, actor: Actor, entry_id: int, version: int, step: Step | str, note: str = "") -> Entry:
    """Submit, publish, send back, withdraw or restore an entry (rules.MOVES says who may, from where)."""
    step = Step(step)
    if step in (Step.CREATE, Step.EDIT, Step.IMPORT, Step.EXPIRE):
        raise InvalidTransition(f"“{STEP_LABELS[step]}”不是可以直接执行的操作。")
    if step is Step.SEND_BACK and not note.strip():
        errors = FieldErrors()
        errors.add("note", "退回修改须写明原因。")
        errors.raise_if_any()
    with transaction.atomic():
        entry = _locked(entry_id, version)
        return _step(entry, actor, step, _note(note))


def _step(entry: Entry, actor: Actor, step: Step, note: str) -> Entry:
    who = parties(actor, entry.unit)
    target = move(EntryStatus(entry.status), step, who)
    if target is None:
        raise _refusal(entry, step, who)
    now = clock.now()
    entry.status = target
    if step is Step.PUBLISH:
        entry.published_at = now
        entry.reviewed_at, entry.reviewed_by = now, _user(actor)
    _touch(entry, actor)
    _version(entry, actor, step, [], note)
    return entry


def expire_due(today: date | None = None) -> int:
    """Expire every published entry whose expiry date has come (the daily sweep)."""
    today = today or clock.local_now().date()
    due = Entry.objects.filter(status=EntryStatus.PUBLISHED, expires_on__lte=today).values_list("pk", flat=True)
    count = 0
    for entry_id in list(due):
        with transaction.atomic():
            entry = Entry.objects.select_for_update().select_related("unit").get(pk=entry_id)
            if entry.status != EntryStatus.PUBLISHED or not is_expired(entry.expires_on, today):
                continue  # changed since the list was read
            entry.status = EntryStatus.EXPIRED
            _touch(entry, None)
            _version(entry, None, Step.EXPIRE, [], f"失效日期 {entry.expires_on:%Y-%m-%d} 已到")
            count += 1
    return count


def record_use(*, actor: Actor | None, entry_id: int, kind: UseKind | str, ticket: Ticket | None = None) -> None:
    """An entry opened, cited or used to answer an appeal (counted per entry; a view is one row per person per
    entry per day, so that reloading a page does not count)."""
    moment = clock.now()
    user = _user(actor)
    if kind == UseKind.VIEW and user is not None:
        start = moment.astimezone(clock.SHANGHAI).replace(hour=0, minute=0, second=0, microsecond=0)
        if EntryUse.objects.filter(entry_id=entry_id, kind=kind, actor=user, at__gte=start).exists():
            return
    EntryUse.objects.create(entry_id=entry_id, kind=kind, ticket=ticket, actor=user, at=moment)
    if kind == UseKind.CITE and ticket is not None:  # the caller's ticket, as the caller was allowed to see it
        learn_question(entry_id=entry_id, ticket=ticket)


def learn_question(*, entry_id: int, ticket: Ticket | None = None, question: str = "") -> bool:
    """An agent answered an appeal with this entry: the appeal's subject (or `question`) is indexed with the
    entry, in a field of its own (knowledge.ranking), so that the next caller who asks that way finds it first. A
    confidential appeal (保密件) teaches nothing. Returns whether a question was learned."""
    if ticket is not None:
        if ticket.is_confidential:
            return False
        question = ticket.subject
    question = " ".join(question.split())[: AskedQuestion._meta.get_field("question").max_length]
    if not question:
        return False
    with transaction.atomic():
        entry = Entry.objects.select_for_update().filter(pk=entry_id).first()
        if entry is None:
            return False
        AskedQuestion.objects.create(entry=entry, question=question, ticket=ticket, at=clock.now())
        kept = AskedQuestion.objects.filter(entry=entry).order_by("-at", "-pk")
        AskedQuestion.objects.filter(pk__in=list(kept.values_list("pk", flat=True)[LEARNED_PER_ENTRY:])).delete()
        index.index_entry(entry)
    return True


def forget_questions(questions: QuerySet[AskedQuestion]) -> int:
    """Delete learned questions (a wrong pick) and index their entries again without them."""
    with transaction.atomic():
        entry_ids = set(questions.values_list("entry_id", flat=True))
        deleted, _ = questions.delete()
        index.index_entries(Entry.objects.filter(pk__in=entry_ids).order_by("pk"))
    return deleted


def clean_entry(data: Mapping[str, Any]) -> tuple[dict[str, Any], list[Category]]:
    """The entry's fields from a form, an API body or a spreadsheet row; every problem named by its field."""
    errors = FieldErrors()
    data = {**data, **{k: _joined(data[k], sep) for k, sep in LIST_FIELDS.items() if k in data}}
    cleaned: dict[str, Any] = {
        "title": clean_text(errors, "title", data.get("title"), label="标题", limit=TITLE_LIMIT, required=True),
        "variants": _lines(clean_text(errors, "variants", data.get("variants"), label="问法", limit=TEXT_LIMIT)),
        "answer": clean_text(errors, "answer", data.get("answer"), label="标准答复", limit=TEXT_LIMIT, required=True),
        "plain_answer": clean_text(errors, "plain_answer", data.get("plain_answer"), label="白话版", limit=TEXT_LIMIT),
        "tags": clean_text(errors, "tags", data.get("tags"), label="标签", limit=TAGS_LIMIT),
        "links": _lines(clean_text(errors, "links", data.get("links"), label="相关链接", limit=TEXT_LIMIT)),
        "effective_from": _date(errors, "effective_from", data.get("effective_from"), "生效日期"),
        "expires_on": _date(errors, "expires_on", data.get("expires_on"), "失效日期"),
        "unit": _unit(errors, data.get("unit")),
    }
    start, end = cleaned["effective_from"], cleaned["expires_on"]
    if start and end and end <= start:
        errors.add("expires_on", "失效日期应晚于生效日期。")
    for line in cleaned["links"].splitlines():
        if not line.rsplit(maxsplit=1)[-1].startswith(("http://", "https://", "/")):
            errors.add("links", f"链接“{line[:40]}”应以 http:// 或 https:// 开头。")
    categories = _categories(errors, data.get("categories"))
    errors.raise_if_any()
    return cleaned, categories


# Fields that may come as lists (the API's JSON), stored as text: one per line, or separated by spaces.
LIST_FIELDS = {"variants": "\n", "links": "\n", "tags": " "}


def _joined(value: Any, separator: str) -> Any:
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return separator.join(value)
    return value


def _lines(text: str) -> str:
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def _date(errors: FieldErrors, field: str, value: Any, label: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):  # a spreadsheet's date cell
        return value.date()
    if isinstance(value, date):
        return value
    try:
        parsed = date.fromisoformat(str(value).strip().replace("/", "-").replace(".", "-"))
    except ValueError:
        errors.add(field, f"{label}应为日期，如 2026-12-31。")
        return None
    if not 1900 <= parsed.year <= 2999:
        errors.add(field, f"{label}超出可接受的范围。")
        return None
    return parsed


def _unit(errors: FieldErrors, value: Any) -> Unit | None:
    if isinstance(value, Unit):
        return value
    key = str(value or "").strip()
    if not key:
        errors.add("unit", "请选择维护单位。")
        return None
    found = Unit.objects.filter(Q(code=key) | Q(name=key), is_active=True).first()
    if found is None:
        errors.add("unit", f"没有名为“{key[:40]}”的单位。")
    return found


def _categories(errors: FieldErrors, value: Any) -> list[Category]:
    """Categories by code or full name, as a list or a string separated by spaces, commas or semicolons."""
    if value in (None, ""):
        return []
    if isinstance(value, str):
        keys = [k for k in value.replace("；", " ").replace(";", " ").replace("，", " ").replace(",", " ").split()]
    elif isinstance(value, Sequence):
        keys = [k if isinstance(k, Category) else str(k).strip() for k in value]
    else:
        errors.add("categories", "分类格式不正确。")
        return []
    given = [k for k in keys if isinstance(k, Category)]
    names = [k for k in keys if not isinstance(k, Category) and k]
    found = {c.code: c for c in Category.objects.filter(Q(code__in=names) | Q(name__in=names))}
    by_name = {c.name: c for c in found.values()}
    missing = [k for k in names if k not in found and k not in by_name]
    if missing:
        errors.add("categories", f"没有这些分类：{'、'.join(missing[:5])}。")
    return given + [found.get(k) or by_name[k] for k in names if k not in missing]


def _locked(entry_id: int, version: int) -> Entry:
    entry = Entry.objects.select_for_update().select_related("unit").filter(pk=entry_id).first()
    if entry is None:
        raise NotFound("没有这个知识条目。")
    if entry.version != version:
        raise StaleVersion("该条目已被他人修改，请刷新后再操作。")
    return entry


def _refusal(entry: Entry, step: Step, who: frozenset[Party]) -> Exception:
    if not who:
        return PermissionDenied("只有中心知识库管理员或维护单位可以处理这个条目。")
    if steps_open(EntryStatus(entry.status), who):
        return InvalidTransition(f"“{entry.get_status_display()}”的条目不能“{STEP_LABELS[step]}”。")
    return PermissionDenied(f"您不能对“{entry.get_status_display()}”的条目执行“{STEP_LABELS[step]}”。")


def _touch(entry: Entry, actor: Actor | None) -> None:
    entry.version += 1
    entry.updated_at = clock.now()
    entry.updated_by = _user(actor)
    entry.save()


def _version(entry: Entry, actor: Actor | None, step: Step, changed: list[str], note: str) -> None:
    EntryVersion.objects.create(
        entry=entry,
        version=entry.version,
        step=step,
        status=entry.status,
        changed=changed,
        snapshot=snapshot(entry),
        note=note,
        actor=_user(actor),
        at=clock.now(),
    )


def snapshot(entry: Entry) -> dict[str, Any]:
    return {
        "title": entry.title,
        "variants": entry.variants,
        "answer": entry.answer,
        "plain_answer": entry.plain_answer,
        "unit": entry.unit.code,
        "categories": sorted(c.code for c in entry.categories.all()),
        "tags": entry.tags,
        "links": entry.links,
        "effective_from": entry.effective_from.isoformat() if entry.effective_from else None,
        "expires_on": entry.expires_on.isoformat() if entry.expires_on else None,
    }


def _note(note: str) -> str:
    return (note or "").strip()[:NOTE_LIMIT]


def _user(actor: Actor | None) -> Any:
    return actor if actor is not None and getattr(actor, "pk", None) else None
