"""The one write path for tickets. Nothing else changes a ticket's state.

Each action is atomic, takes a keyword-only `actor`, checks permission (tickets/access.py) and the
version the caller saw, writes exactly one event in the same transaction, and notifies after commit.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef, QuerySet

from rexian.core import clock
from rexian.core.errors import (
    Conflict,
    DomainError,
    InvalidTransition,
    PermissionDenied,
    StaleVersion,
    ValidationError,
)
from rexian.directory.models import Unit, UnitKind
from rexian.directory.roles import Role
from rexian.intake.models import EmergencyTransfer, InboundMessage
from rexian.notify.models import Delivery, Notification, PendingEvent
from rexian.notify.tasks import notify_event
from rexian.routing.tasks import consider_dispatch, machine_may_dispatch
from rexian.supervision.actions import extend_handling, recompute_provisional, start_clocks, sync_clocks
from rexian.supervision.clocks import COMPLETES
from rexian.supervision.models import StageClock
from rexian.taxonomy.choices import Channel, Urgency
from rexian.taxonomy.policy import Limit, Stage, deadline
from rexian.taxonomy.selectors import limit_for
from rexian.telephony.models import Call, CallEvent
from rexian.tickets.access import SYSTEM, Actor, actor_name, authorize, get_ticket_for, may_ever, visible_tickets
from rexian.tickets.files import refusal, safe_name, sniff
from rexian.tickets.legacy import LegacyRow, already_imported
from rexian.tickets.models import Attachment, DailySequence, Ticket, TicketEvent
from rexian.tickets.retention import MARKER, cutoff, scrub, scrub_payload, scrub_text
from rexian.tickets.validation import FieldErrors, clean_text, clean_ticket_fields
from rexian.tickets.workflow import (
    CREATE_ROLES,
    FINISHED_STATES,
    Action,
    CallbackOutcome,
    State,
    Transition,
    actions_from,
    callback_target,
)
from rexian.workdays.selectors import current_calendar, load_calendar

NOTE_LIMIT = 2000
# No 0/O or 1/I: the code is read out over the phone.
QUERY_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
Change = tuple[State, dict[str, Any]]  # the state an action moves to and the payload of its event
# The data's housekeeping, not the appeal's: nobody is told (a first run may touch years of tickets).
SILENT_ACTIONS = frozenset({Action.ANONYMISE})


# ---- shared machinery -------------------------------------------------------------------------------


def _record(
    ticket: Ticket,
    actor: Actor,
    action: Action,
    from_state: str,
    payload: dict[str, Any],
    moment: datetime,
    *,
    unit_id: int | None = None,
    late: bool | None = None,
) -> TicketEvent:
    seq = ticket.version  # versions start at 1 with the create event: seq == version
    return TicketEvent.objects.create(
        unit_id=unit_id,
        late=late,
        ticket=ticket,
        seq=seq,
        action=action,
        from_state=from_state,
        to_state=ticket.state,
        actor_id=actor.pk,
        actor_name=actor_name(actor),
        actor_unit=getattr(actor, "unit", None),
        payload=payload,
        version=ticket.version,
        created_at=moment,
    )


def _after_commit(event: TicketEvent) -> None:
    if event.action in SILENT_ACTIONS:
        return
    # Written with the event, so that a process killed right after the commit leaves the work findable.
    PendingEvent.objects.create(event=event, created_at=event.created_at)
    transaction.on_commit(lambda: notify_event.enqueue(event.pk))
    if event.action == Action.CREATE and machine_may_dispatch():  # 人机双审 (routing/tasks.py); a cached check
        transaction.on_commit(lambda: consider_dispatch.enqueue(event.ticket_id))


def _apply(
    actor: Actor, ticket_id: int, action: Action, version: int, change: Callable[[Ticket, Transition, datetime], Change]
) -> Ticket:
    """Lock, check, change, record. `change` mutates the locked ticket and returns its new state."""
    with transaction.atomic():
        ticket = get_ticket_for(actor, ticket_id, for_update=True)
        if ticket.version != version:
            raise StaleVersion(f"工单已被他人更新（当前版本 {ticket.version}，提交版本 {version}），请刷新后重试。")
        transition = authorize(actor, ticket, action)
        moment = clock.now()
        from_state, lead_before = ticket.state, ticket.lead_unit_id
        target, payload = change(ticket, transition, moment)
        if target not in transition.targets:  # a bug in an action, never user input
            raise AssertionError(f"{action} may not lead to {target}")
        ticket.state = target
        due_before = ticket.due_at
        stopped = sync_clocks(ticket, action, moment)
        if ticket.due_at != due_before:
            payload["due_at"] = ticket.due_at.isoformat() if ticket.due_at else None
        ticket.version = version + 1
        ticket.updated_at = moment
        ticket.save()
        # The unit accountable for this step: the one dispatched to, else the lead unit before the change.
        unit_id = ticket.lead_unit_id if action is Action.DISPATCH else lead_before
        late = stopped.get(COMPLETES[action]) if action in COMPLETES else None
        event = _record(ticket, actor, action, from_state, payload, moment, unit_id=unit_id, late=late)
    _after_commit(event)
    return ticket


def _text(value: Any, field: str, *, label: str, required: bool = False, limit: int = NOTE_LIMIT) -> str:
    """A single free-text payload field, cleaned; a bad one is refused with the field named."""
    errors = FieldErrors()
    text = clean_text(errors, field, value, label=label, limit=limit, required=required)
    errors.raise_if_any()
    return text


def _unit(errors: FieldErrors, field: str, value: Any) -> Unit | None:
    unit = Unit.objects.filter(pk=value, is_active=True).first() if isinstance(value, int) else None
    if unit is None and isinstance(value, str) and value:
        unit = Unit.objects.filter(code=value, is_active=True).first()
    if unit is None:
        errors.add(field, "单位不存在或已停用。")
    elif unit.kind == UnitKind.CENTRE:
        errors.add(field, "不能派给热线中心自己。")
    return unit


def _limit(ticket: Ticket, stage: Stage) -> Limit:
    return limit_for(stage, appeal_type=ticket.appeal_type, category_id=ticket.category_id, urgency=ticket.urgency)


def _unit_ref(unit: Unit | None) -> dict[str, Any] | None:
    return {"id": unit.pk, "code": unit.code, "name": unit.name} if unit else None


# ---- creation ---------------------------------------------------------------------------------------


def _fingerprint(data: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str, ensure_ascii=False).encode()).hexdigest()


def next_number(moment: datetime) -> str:
    """Date + sequence, unique under concurrency: the row update serialises concurrent creates."""
    return _numbers_of_day(moment.astimezone(clock.SHANGHAI).date(), 1)[0]


def _numbers_of_day(day: date, count: int) -> list[str]:
    """The next `count` numbers of a day, reserved by one row update."""
    last = _advance_sequence(day, count)
    if last is None:
        try:
            with transaction.atomic():
                DailySequence.objects.create(day=day, last=count)
            last = count
        except IntegrityError:  # another create made the day's row first
            last = _advance_sequence(day, count)
    assert last is not None
    return [f"{day:%Y%m%d}{n:05d}" for n in range(last - count + 1, last + 1)]


def _advance_sequence(day: date, count: int) -> int | None:
    """The day's last number after adding `count`, or None when the day has no row yet. One statement (UPDATE …
    RETURNING, PostgreSQL and SQLite ≥ 3.35) rather than an update and a read: every create passes here."""
    table = connection.ops.quote_name(DailySequence._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f'UPDATE {table} SET "last" = "last" + %s WHERE "day" = %s RETURNING "last"', [count, day])
        row = cursor.fetchone()
    return int(row[0]) if row else None


def _query_code() -> str:
    return "".join(secrets.choice(QUERY_CODE_ALPHABET) for _ in range(6))


def create_ticket(*, actor: Actor, data: Mapping[str, Any], idempotency_key: str | None = None) -> tuple[Ticket, bool]:
    """Register an appeal. Returns (ticket, created); a retried key returns the first ticket."""
    if actor.roles.isdisjoint(CREATE_ROLES):
        raise PermissionDenied("您的角色不能登记工单。")
    fingerprint = _fingerprint(data) if idempotency_key else ""
    if idempotency_key is not None and not 1 <= len(idempotency_key) <= 128:
        raise ValidationError("Idempotency-Key 长度应为 1–128。", fields={"Idempotency-Key": ["长度应为 1–128。"]})
    # A retried key is found by the unique constraint, not by a look-up first: nearly every create is a first try.
    try:
        cleaned = clean_ticket_fields(data, partial=False)
        with transaction.atomic():
            ticket = _insert(actor, cleaned, idempotency_key, fingerprint)
    except (IntegrityError, ValidationError):
        existing = _replayed(actor, idempotency_key, fingerprint) if idempotency_key else None
        if existing is None:
            raise
        return existing, False
    return ticket, True


def _replayed(actor: Actor, key: str, fingerprint: str) -> Ticket | None:
    existing = Ticket.objects.filter(created_by_id=actor.pk, idempotency_key=key).first()
    if existing and existing.idempotency_fingerprint != fingerprint:
        raise Conflict("该 Idempotency-Key 已用于内容不同的另一次提交。", code="idempotency_key_reused")
    return existing


def _insert(actor: Actor, cleaned: dict[str, Any], key: str | None, fingerprint: str) -> Ticket:
    moment = clock.now()
    ticket = Ticket(
        **cleaned,
        number=next_number(moment),
        query_code=_query_code(),
        state=State.REGISTERED,
        version=1,
        created_at=moment,
        updated_at=moment,
        created_by_id=actor.pk,
        idempotency_key=key or None,
        idempotency_fingerprint=fingerprint,
    )
    ticket.save()
    ticket._prefetched_objects_cache = {"co_units": Unit.objects.none()}  # none yet: showing it reads nothing
    start_clocks([ticket], moment)  # a new ticket has no clock to look up
    event = _record(ticket, actor, Action.CREATE, "", {"channel": ticket.channel}, moment)
    _after_commit(event)
    return ticket


# ---- intake -----------------------------------------------------------------------------------------


def amend(*, actor: Actor, ticket_id: int, version: int, data: Mapping[str, Any]) -> Ticket:
    cleaned = clean_ticket_fields(data, partial=True)
    if not cleaned:
        raise ValidationError("没有要修改的内容。", fields={"__all__": ["没有要修改的内容。"]})

    def change(ticket: Ticket, t: Transition, now: datetime) -> Change:
        changed = {}
        for field, value in cleaned.items():
            old = getattr(ticket, field)
            if old != value:
                changed[field] = {"from": _plain(old), "to": _plain(value)}
                setattr(ticket, field, value)
        ticket.needs_information = False
        return t.target, {"changed": changed}

    return _apply(actor, ticket_id, Action.AMEND, version, change)


def _plain(value: Any) -> Any:
    if hasattr(value, "code"):
        return value.code
    return value


def answer_directly(*, actor: Actor, ticket_id: int, version: int, answer: str, knowledge_entry: str = "") -> Ticket:
    text = _text(answer, "answer", label="答复内容", required=True)

    def change(ticket: Ticket, t: Transition, now: datetime) -> Change:
        ticket.result_text = text
        ticket.closed_at = now
        return t.target, {"answer": text, "knowledge_entry": knowledge_entry}

    return _apply(actor, ticket_id, Action.ANSWER_DIRECTLY, version, change)


def reject_out_of_scope(*, actor: Actor, ticket_id: int, version: int, reason: str, redirect_to: str) -> Ticket:
    errors = FieldErrors()
    reason_text = clean_text(errors, "reason", reason, label="不予受理原因", limit=500, required=True)
    redirect = clean_text(errors, "redirect_to", redirect_to, label="建议反映渠道", limit=200, required=True)
    errors.raise_if_any()

    def change(ticket: Ticket, t: Transition, now: datetime) -> Change:
        ticket.result_text = f"不予受理：{reason_text}。建议：{redirect}"
        ticket.closed_at = now
        return t.target, {"reason": reason_text, "redirect_to": redirect}

    return _apply(actor, ticket_id, Action.REJECT_OUT_OF_SCOPE, version, change)


def return_to_intake(*, actor: Actor, ticket_id: int, version: int, reason: str) -> Ticket:
    text = _text(reason, "reason", label="退回原因", required=True)

    def change(ticket: Ticket, t: Transition, now: datetime) -> Change:
        ticket.needs_information = True
        return t.target, {"reason": text}

    return _apply(actor, ticket_id, Action.RETURN_TO_INTAKE, version, change)


def merge_into(*, actor: Actor, ticket_id: int, version: int, target_id: int, note: str = "") -> Ticket:
    text = _text(note, "note", label="说明")
    if target_id == ticket_id:
        raise ValidationError("不能并入自身。", fields={"target_id": ["不能并入自身。"]})

    def change(ticket: Ticket, t: Transition, now: datetime) -> Change:
        target = visible_tickets(actor).filter(pk=target_id).first()
        if target is None:
            raise ValidationError("目标工单不存在。", fields={"target_id": ["目标工单不存在。"]})
        if target.state in (State.MERGED, State.ARCHIVED):
            raise InvalidTransition(f"目标工单 {target.number} 已并单或已归档，不能作为主单。")
        ticket.merged_into = target
        ticket.closed_at = now
        return t.target, {"target_id": target.pk, "target_number": target.number, "note": text}

    return _apply(actor, ticket_id, Action.MERGE_INTO, version, change)


def mark_urgent(*, actor: Actor, ticket_id: int, version: int, reason: str) -> Ticket:
    text = _text(reason, "reason", label="紧急原因", required=True)

    def change(ticket: Ticket, t: Transition, now: datetime) -> Change:
        if ticket.urgency == Urgency.URGENT:
            raise InvalidTransition("该工单已是紧急件。", code="already_urgent")
        ticket.urgency = Urgency.URGENT  # the running clocks tighten to the urgent limits (sync_clocks)
        return t.target, {"reason": text}

    return _apply(actor, ticket_id, Action.MARK_URGENT, version, change)


# ---- dispatch and the unit's work -------------------------------------------------------------------


def dispatch(
    *,
    actor: Actor,
    ticket_id: int,
    version: int,
    lead_unit: int | str,
    co_units: list[int | str] | None = None,
    note: str = "",
    machine: Mapping[str, Any] | None = None,
) -> Ticket:
    """Hand the ticket to its lead unit. `machine` carries the model's evidence when the system dispatches."""
    if machine is not None and actor is not SYSTEM:
        raise PermissionDenied("只有系统可以记录机器派单。")
    errors = FieldErrors()
    lead = _unit(errors, "lead_unit", lead_unit)
    co = [_unit(errors, "co_units", value) for value in (co_units or [])]
    text = clean_text(errors, "note", note, label="说明", limit=NOTE_LIMIT)
    if lead is not None and any(u is not None and u.pk == lead.pk for u in co):
        errors.add("co_units", "协办单位不能与主办单位相同。")
    errors.raise_if_any()
    co_set = {u.pk: u for u in co if u is not None}

    def change(ticket: Ticket, t: Transition, now: datetime) -> Change:
        _hand_to(ticket, lead, now)
        ticket.lead_unit = lead
        ticket.needs_information = False
        ticket.co_units.set(co_set.values())
        payload = {"lead_unit": _unit_ref(lead), "co_units": [_unit_ref(u) for u in co_set.values()], "note": text}
        if machine is not None:
            payload["machine"] = dict(machine)
        return t.target, payload

    return _apply(actor, ticket_id, Action.DISPATCH, version, change)


def recall_dispatch(*, actor: Actor, ticket_id: int, version: int, reason: str) -> Ticket:
    """Take a dispatch back before the unit signs (a wrong unit, or a machine dispatch the reviewer undoes)."""
    text = _text(reason, "reason", label="撤回原因", required=True)

    def change(ticket: Ticket, t: Transition, now: datetime) -> Change:
        recalled_from = ticket.handling_unit
        ticket.lead_unit = ticket.handling_unit = None
        ticket.co_units.clear()
        ticket.dispatched_at = ticket.return_deadline = ticket.due_at = None
        return t.target, {"reason": text, "unit": _unit_ref(recalled_from)}

    return _apply(actor, ticket_id, Action.RECALL_DISPATCH, version, change)


def _hand_to(ticket: Ticket, unit: Unit, now: datetime) -> None:
    """A unit receives the ticket: it must sign, and may return it within the return window."""
    ticket.handling_unit = unit
    ticket.dispatched_at = now
    ticket.signed_at = None
    ticket.return_deadline = deadline(current_calendar(), now, _limit(ticket, Stage.RETURN_WINDOW))


def sign(*, actor: Actor, ticket_id: int, version: int, note: str = "") -> Ticket:
    text = _text(note, "note", label="说明")

    def change(ticket: Ticket, t: Transition, now: datetime) -> Change:
        ticket.signed_at = now
        return t.target, {"note": text, "unit": _unit_ref(ticket.handling_unit)}

    return _apply(actor, ticket_id, Action.SIGN, version, change)


def sub_dispatch(*, actor: Actor, ticket_id: int, version: int, unit: int | str, note: str = "") -> Ticket:
    errors = FieldErrors()
    target = _unit(errors, "unit", unit)
    text = clean_text(errors, "note", note, label="说明", limit=NOTE_LIMIT)
    errors.raise_if_any()

    def change(ticket: Ticket, t: Transition, now: datetime) -> Change:
        current = ticket.handling_unit
        if target is None or current is None or target.pk == current.pk or not target.is_within(current):
            raise ValidationError("只能派给本单位的下级单位。", fields={"unit": ["只能派给本单位的下级单位。"]})
        _hand_to(ticket, target, now)  # the appeal's limit does not restart when a unit passes it down
        return t.target, {"from_unit": _unit_ref(current), "unit": _unit_ref(target), "note": text}

    return _apply(actor, ticket_id, Action.SUB_DISPATCH, version, change)


def request_return(*, actor: Actor, ticket_id: int, version: int, reason: str) -> Ticket:
    text = _text(reason, "reason", label="退单理由", required=True)

    def change(ticket: Ticket, t: Transition, now: datetime) -> Change:
        if ticket.return_deadline is not None and now > ticket.return_deadline:
            window = _limit(ticket, Stage.RETURN_WINDOW)
            message = f"已超过退单时限（派单后 {window} 内），不能申请退单。"
            raise InvalidTransition(message, code="return_window_closed")
        return t.target, {"reason": text, "unit": _unit_ref(ticket.handling_unit), "from_state": ticket.state}

    return _apply(actor, ticket_id, Action.REQUEST_RETURN, version, change)


def approve_return(*, actor: Actor, ticket_id: int, version: int, note: str = "") -> Ticket:
    text = _text(note, "note", label="说明")

    def change(ticket: Ticket, t: Transition, now: datetime) -> Change:
        returned_by = ticket.handling_unit
        ticket.lead_unit = ticket.handling_unit = None
        ticket.co_units.clear()
        ticket.dispatched_at = ticket.signed_at = ticket.return_deadline = ticket.due_at = None
        ticket.extension_request = None
        return t.target, {"note": text, "returned_by": _unit_ref(returned_by)}

    return _apply(actor, ticket_id, Action.APPROVE_RETURN, version, change)


def reject_return(*, actor: Actor, ticket_id: int, version: int, reason: str) -> Ticket:
    text = _text(reason, "reason", label="驳回理由", required=True)

    def change(ticket: Ticket, t: Transition, now: datetime) -> Change:
        ticket.signed_at = ticket.signed_at or now  # the unit keeps the ticket and must handle it
        return t.target, {"reason": text}

    return _apply(actor, ticket_id, Action.REJECT_RETURN, version, change)


def request_extension(*, actor: Actor, ticket_id: int, version: int, days: int, reason: str) -> Ticket:
    limit = settings.REXIAN["MAX_EXTENSION_DAYS"]
    errors = FieldErrors()
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= limit:
        errors.add("days", f"延期天数应为 1–{limit} 个工作日。")
    text = clean_text(errors, "reason", reason, label="延期理由", limit=NOTE_LIMIT, required=True)
    errors.raise_if_any()

    def change(ticket: Ticket, t: Transition, now: datetime) -> Change:
        if ticket.extension_request:
            raise InvalidTransition("已有待审核的延期申请。", code="extension_pending")
        if ticket.extensions_granted >= settings.REXIAN["MAX_EXTENSION_REQUESTS"]:
            raise InvalidTransition("延期次数已达上限。", code="extension_limit")
        if ticket.due_at is not None and now > ticket.due_at:
            raise InvalidTransition("已超过办理时限，不能再申请延期。", code="past_deadline")
        ticket.extension_request = {
            "days": days,
            "reason": text,
            "requested_at": now.isoformat(),
            "unit": _unit_ref(ticket.handling_unit),
        }
        return t.target, {"days": days, "reason": text}

    return _apply(actor, ticket_id, Action.REQUEST_EXTENSION, version, change)


def approve_extension(*, actor: Actor, ticket_id: int, version: int, note: str = "") -> Ticket:
    text = _text(note, "note", label="说明")

    def change(ticket: Ticket, t: Transition, now: datetime) -> Change:
        request = _pending_extension(ticket)
        ticket.due_at = extend_handling(ticket, request["days"], now)
        ticket.extensions_granted += 1
        ticket.extension_request = None
        return t.target, {"days": request["days"], "note": text, "due_at": ticket.due_at.isoformat()}

    return _apply(actor, ticket_id, Action.APPROVE_EXTENSION, version, change)


def reject_extension(*, actor: Actor, ticket_id: int, version: int, reason: str) -> Ticket:
    text = _text(reason, "reason", label="驳回理由", required=True)

    def change(ticket: Ticket, t: Transition, now: datetime) -> Change:
        request = _pending_extension(ticket)
        ticket.extension_request = None
        return t.target, {"days": request["days"], "reason": text}

    return _apply(actor, ticket_id, Action.REJECT_EXTENSION, version, change)


def _pending_extension(ticket: Ticket) -> dict[str, Any]:
    if not ticket.extension_request:
        raise InvalidTransition("没有待审核的延期申请。", code="no_extension_pending")
    return ticket.extension_request


def reply(
    *,
    actor: Actor,
    ticket_id: int,
    version: int,
    result: str,
    citizen_contacted: bool,
    attachments: Sequence[UploadedFile] = (),
) -> Ticket:
    """The unit's answer, with its files (photos of the repaired road, the written reply) if any."""
    errors = FieldErrors()
    text = clean_text(errors, "result", result, label="办理结果", limit=4000, required=True)
    if not isinstance(citizen_contacted, bool):
        errors.add("citizen_contacted", "请说明是否已联系诉求人。")
    types = [_checked_upload(errors, "files", upload) for upload in attachments]
    errors.raise_if_any()
    written: list[Attachment] = []

    def change(ticket: Ticket, t: Transition, now: datetime) -> Change:
        ticket.result_text = text
        ticket.citizen_contacted = citizen_contacted
        ticket.replied_at = now
        ticket.extension_request = None
        pairs = zip(attachments, types, strict=True)
        stored = [_store(ticket, actor, upload, kind, now, written) for upload, kind in pairs]
        return t.target, {
            "result": text,
            "citizen_contacted": citizen_contacted,
            "unit": _unit_ref(ticket.handling_unit),
            **({"attachments": stored} if stored else {}),
        }

    with _deleting_on_failure(written):
        return _apply(actor, ticket_id, Action.REPLY, version, change)


# ---- review, callback, archive ----------------------------------------------------------------------


def approve_reply(*, actor: Actor, ticket_id: int, version: int, note: str = "") -> Ticket:
    text = _text(note, "note", label="说明")

    def change(ticket: Ticket, t: Transition, now: datetime) -> Change:
        return t.target, {"note": text}  # the callback clock starts (sync_clocks)

    return _apply(actor, ticket_id, Action.APPROVE_REPLY, version, change)


def send_back_reply(*, actor: Actor, ticket_id: int, version: int, reason: str) -> Ticket:
    text = _text(reason, "reason", label="退回理由", required=True)

    def change(ticket: Ticket, t: Transition, now: datetime) -> Change:
        return t.target, {"reason": text}

    return _apply(actor, ticket_id, Action.SEND_BACK_REPLY, version, change)


def callback(
    *,
    actor: Actor,
    ticket_id: int,
    version: int,
    reached: bool,
    satisfaction: str | None = None,
    resolved: bool | None = None,
    comment: str = "",
) -> Ticket:
    errors = FieldErrors()
    if not isinstance(reached, bool):
        errors.add("reached", "请说明是否联系上诉求人。")
    if reached:
        if satisfaction not in {o.value for o in CallbackOutcome}:
            errors.add("satisfaction", "请选择满意度：满意、基本满意或不满意。")
        if not isinstance(resolved, bool):
            errors.add("resolved", "请说明问题是否解决。")
    text = clean_text(errors, "comment", comment, label="回访意见", limit=NOTE_LIMIT)
    errors.raise_if_any()
    target = callback_target(reached, satisfaction if reached else None)

    def change(ticket: Ticket, t: Transition, now: datetime) -> Change:
        if reached:
            ticket.satisfaction = str(satisfaction)
            ticket.resolved = resolved
        if target is State.CLOSED:
            ticket.closed_at = now
        elif target is State.IN_PROGRESS:  # 重办: the unit handles it again, with a fresh limit (sync_clocks)
            ticket.rehandle_count += 1
            ticket.replied_at = None
            ticket.callback_due_at = None
        return target, {
            "reached": reached,
            "satisfaction": satisfaction if reached else None,
            "resolved": resolved if reached else None,
            "comment": text,
            "rehandle": target is State.IN_PROGRESS,
        }

    return _apply(actor, ticket_id, Action.CALLBACK, version, change)


def add_note(*, actor: Actor, ticket_id: int, version: int, text: str) -> Ticket:
    body = _text(text, "text", label="备注", required=True)

    def change(ticket: Ticket, t: Transition, now: datetime) -> Change:
        return t.target, {"text": body}

    return _apply(actor, ticket_id, Action.ADD_NOTE, version, change)


def attach_file(*, actor: Actor, ticket_id: int, version: int, upload: UploadedFile, text: str = "") -> Ticket:
    """Add a file (photo, recording, scan) to a ticket: an add_note event that carries the attachment."""
    errors = FieldErrors()
    body = clean_text(errors, "text", text, label="说明", limit=NOTE_LIMIT)
    content_type = _checked_upload(errors, "file", upload)
    errors.raise_if_any()

    written: list[Attachment] = []

    def change(ticket: Ticket, t: Transition, now: datetime) -> Change:
        return t.target, {"text": body, "attachment": _store(ticket, actor, upload, content_type, now, written)}

    with _deleting_on_failure(written):
        return _apply(actor, ticket_id, Action.ADD_NOTE, version, change)


@contextmanager
def _deleting_on_failure(written: list[Attachment]) -> Iterator[None]:
    """A rollback takes the attachments' rows back but not their files on disk: delete those too."""
    try:
        yield
    except BaseException:
        for attachment in written:
            attachment.file.delete(save=False)
        raise


def _checked_upload(errors: FieldErrors, field: str, upload: UploadedFile) -> str:
    """The file's type, sniffed from its first bytes (never from its name); problems go to `errors`."""
    head = upload.read(2048) if upload.size else b""
    upload.seek(0)
    problem = refusal(upload.name or "", upload.size, head)
    if problem:
        errors.add(field, problem)
        return ""
    return sniff(head) or ""


def _store(
    ticket: Ticket, actor: Actor, upload: UploadedFile, content_type: str, now: datetime, written: list[Attachment]
) -> dict[str, Any]:
    attachment = Attachment(
        ticket=ticket,
        name=safe_name(upload.name or ""),
        content_type=content_type,
        size=upload.size,
        uploaded_by_id=actor.pk,
        uploaded_at=now,
    )
    attachment.file.save(attachment.name, upload, save=False)
    written.append(attachment)
    attachment.save()
    return {"id": attachment.pk, "name": attachment.name, "size": attachment.size, "content_type": content_type}


def archive(*, actor: Actor, ticket_id: int, version: int, note: str = "") -> Ticket:
    text = _text(note, "note", label="说明")

    def change(ticket: Ticket, t: Transition, now: datetime) -> Change:
        return t.target, {"note": text, "final_state": ticket.state}

    return _apply(actor, ticket_id, Action.ARCHIVE, version, change)


def reschedule_provisional(*, ticket_id: int) -> Ticket:
    """Recompute a ticket's provisional deadlines from the calendar now loaded (after a year's schedule is
    imported), as the system; the event lists the deadlines that moved."""
    calendar = load_calendar()  # fresh, not the per-process cache: the import has just committed
    version = Ticket.objects.values_list("version", flat=True).get(pk=ticket_id)

    def change(ticket: Ticket, t: Transition, now: datetime) -> Change:
        return t.target, {"moved": recompute_provisional(ticket, calendar)}

    return _apply(SYSTEM, ticket_id, Action.RESCHEDULE, version, change)


def reschedule_all_provisional() -> int:
    """Every open ticket with a provisional deadline, recomputed; returns how many were."""
    ticket_ids = StageClock.objects.filter(running=True, provisional=True).values_list("ticket_id", flat=True)
    done = 0
    for ticket_id in sorted(set(ticket_ids)):
        try:
            reschedule_provisional(ticket_id=ticket_id)
        except StaleVersion:  # changed meanwhile: its action recomputed the clocks it restarted; retry once
            reschedule_provisional(ticket_id=ticket_id)
        done += 1
    return done


# ---- retention (保存期限; tickets/retention.py) ------------------------------------------------------------


def due_for_anonymising(now: datetime, years: int) -> QuerySet[Ticket]:
    """Finished tickets closed before the retention cutoff and not anonymised yet, oldest first."""
    before = cutoff(now, years)
    if before is None:
        return Ticket.objects.none()
    done = TicketEvent.objects.filter(ticket=OuterRef("pk"), action=Action.ANONYMISE)
    return (
        Ticket.objects.filter(state__in=FINISHED_STATES, closed_at__lt=before)
        .exclude(Exists(done))
        .order_by("closed_at", "pk")
    )


def anonymise_expired(now: datetime | None = None, *, years: int | None = None, limit: int = 500) -> int:
    """Anonymise up to `limit` tickets past the retention period (REXIAN_RETENTION_YEARS); returns how many."""
    years = settings.REXIAN["RETENTION_YEARS"] if years is None else years
    done = 0
    for ticket_id in list(due_for_anonymising(now or clock.now(), years).values_list("pk", flat=True)[:limit]):
        try:
            anonymise(ticket_id=ticket_id, years=years)
        except StaleVersion:  # a note was added meanwhile: the next run takes it
            continue
        done += 1
    return done


def anonymise(*, ticket_id: int, years: int) -> Ticket:
    """Replace a finished ticket's personal data, and every copy the centre kept, as the system. The statistics'
    fields stay; the `anonymise` event says how many records were rewritten."""
    version = Ticket.objects.values_list("version", flat=True).get(pk=ticket_id)

    def change(ticket: Ticket, t: Transition, now: datetime) -> Change:
        known = _personal_strings(ticket)
        ticket.citizen_name = MARKER if ticket.citizen_name else ""
        ticket.citizen_phone = ""
        ticket.address = MARKER if ticket.address else ""
        ticket.subject = scrub_text(ticket.subject, known)[:100]
        ticket.description = scrub_text(ticket.description, known)
        ticket.result_text = scrub_text(ticket.result_text, known)
        return t.target, {"retention_years": years, "rewritten": _forget_copies(ticket, known)}

    return _apply(SYSTEM, ticket_id, Action.ANONYMISE, version, change)


def _personal_strings(ticket: Ticket) -> list[str]:
    """The citizen's names and numbers as the centre wrote them down, longest first (so that a full name is
    replaced before a part of it)."""
    known = {ticket.citizen_name, ticket.citizen_phone}
    for payload in ticket.events.filter(action=Action.AMEND).values_list("payload", flat=True):
        for field in ("citizen_name", "citizen_phone"):
            known.update(str(v) for v in (payload.get("changed", {}).get(field) or {}).values() if v)
    for sender, name in InboundMessage.objects.filter(ticket=ticket).values_list("sender", "sender_name"):
        known.update((sender, name))
    known.update(Call.objects.filter(ticket=ticket).values_list("caller", flat=True))
    known.update(EmergencyTransfer.objects.filter(ticket=ticket).values_list("caller_phone", flat=True))
    return sorted((k for k in known if k and k != MARKER), key=len, reverse=True)


def _forget_copies(ticket: Ticket, known: list[str]) -> dict[str, int]:
    """The copies of the citizen's data beside the ticket: its events, channel messages, calls, emergency
    transfers, outgoing messages and inbox notices. Returns how many of each were rewritten."""
    events = [e for e in ticket.events.all() if _rescrubbed(e, "payload", scrub_payload(e.payload, known))]
    TicketEvent.objects.bulk_update(events, ["payload"])
    messages = InboundMessage.objects.filter(ticket=ticket)
    for message in messages:
        message.sender, message.sender_name, message.text = MARKER, "", scrub_text(message.text, known)
    InboundMessage.objects.bulk_update(messages, ["sender", "sender_name", "text"])
    calls = Call.objects.filter(ticket=ticket).update(caller="")
    call_events = [
        e for e in CallEvent.objects.filter(call__ticket=ticket) if _rescrubbed(e, "payload", scrub(e.payload, known))
    ]
    CallEvent.objects.bulk_update(call_events, ["payload"])
    transfers = EmergencyTransfer.objects.filter(ticket=ticket)
    for transfer in transfers:
        transfer.caller_phone, transfer.summary = "", scrub_text(transfer.summary, known)
    EmergencyTransfer.objects.bulk_update(transfers, ["caller_phone", "summary"])
    deliveries = Delivery.objects.filter(ticket=ticket)
    for delivery in deliveries:  # the pk keeps (dedupe_key, channel, recipient) unique
        delivery.recipient = f"{MARKER}{delivery.pk}"
        delivery.subject, delivery.body = scrub_text(delivery.subject, known)[:200], scrub_text(delivery.body, known)
    Delivery.objects.bulk_update(deliveries, ["recipient", "subject", "body"])
    notices = Notification.objects.filter(ticket=ticket)
    notices = [n for n in notices if _rescrubbed(n, "message", scrub_text(n.message, known)[:300])]
    Notification.objects.bulk_update(notices, ["message"])
    return {"events": len(events), "messages": len(messages), "calls": calls, "transfers": len(transfers),
            "deliveries": len(deliveries), "notifications": len(notices)}  # fmt: skip


def _rescrubbed(row: Any, field: str, value: Any) -> bool:
    """Set the field when scrubbing changed it; whether it did."""
    if getattr(row, field) == value:
        return False
    setattr(row, field, value)
    return True


# Every transition action by its code: the API and the pages look actions up here.
ACTIONS: dict[Action, Callable[..., Ticket]] = {
    Action.AMEND: amend,
    Action.ANSWER_DIRECTLY: answer_directly,
    Action.REJECT_OUT_OF_SCOPE: reject_out_of_scope,
    Action.RETURN_TO_INTAKE: return_to_intake,
    Action.DISPATCH: dispatch,
    Action.RECALL_DISPATCH: recall_dispatch,
    Action.SIGN: sign,
    Action.SUB_DISPATCH: sub_dispatch,
    Action.REQUEST_RETURN: request_return,
    Action.APPROVE_RETURN: approve_return,
    Action.REJECT_RETURN: reject_return,
    Action.REQUEST_EXTENSION: request_extension,
    Action.APPROVE_EXTENSION: approve_extension,
    Action.REJECT_EXTENSION: reject_extension,
    Action.REPLY: reply,
    Action.APPROVE_REPLY: approve_reply,
    Action.SEND_BACK_REPLY: send_back_reply,
    Action.CALLBACK: callback,
    Action.MERGE_INTO: merge_into,
    Action.MARK_URGENT: mark_urgent,
    Action.ADD_NOTE: add_note,
    Action.ARCHIVE: archive,
}


def create_and_finish(
    *,
    actor: Actor,
    data: Mapping[str, Any],
    finish: Action,
    params: Mapping[str, Any],
    idempotency_key: str | None = None,
) -> Ticket:
    """Register an appeal and finish it at once (即办, 不予受理, or 并单 into an open appeal about the same
    problem): both happen, or neither."""
    if finish not in (Action.ANSWER_DIRECTLY, Action.REJECT_OUT_OF_SCOPE, Action.MERGE_INTO):
        raise ValueError(f"{finish} does not finish a new ticket")
    with transaction.atomic():
        ticket, created = create_ticket(actor=actor, data=data, idempotency_key=idempotency_key)
        if not created:  # a retried submission: the first one already finished it
            return ticket
        return ACTIONS[finish](actor=actor, ticket_id=ticket.pk, version=ticket.version, **params)


def allowed_actions(actor: Actor, ticket: Ticket) -> list[str]:
    """The actions this actor may take on this ticket now (the buttons a user sees)."""
    allowed = []
    for action in actions_from(ticket.state):
        if not may_ever(actor, action):
            continue
        try:
            authorize(actor, ticket, action)
        except DomainError:
            continue
        if action in (Action.APPROVE_EXTENSION, Action.REJECT_EXTENSION) and not ticket.extension_request:
            continue
        if action is Action.REQUEST_EXTENSION and ticket.extension_request:
            continue
        if action is Action.MARK_URGENT and ticket.urgency == Urgency.URGENT:
            continue
        allowed.append(action.value)
    return allowed


# ---- history from older hotlines ----------------------------------------------------------------------------

# Centre admins on the page; the system for `rexian import-legacy`, run by whoever runs the server.
IMPORT_ROLES = frozenset({Role.CENTRE_ADMIN, Role.SYSTEM})
IMPORT_BATCH = 1000


def import_legacy(*, actor: Actor, rows: Sequence[LegacyRow], job: int | None = None) -> int:
    """Older hotlines' work orders, already cleaned (tickets/legacy.py), as tickets with their history: all of
    them or none. Returns how many were written.

    A finished order comes in archived: `create` at its registration, `close_imported` at its closing (the
    statistics count it received and closed on those days, never late, never rated). An open one comes in
    registered, into the dispatch queue; its dispatch clock starts now, since the centre cannot be late for
    time before it had the appeal. Neither notifies anyone nor goes to machine dispatch: this is history."""
    if actor.roles.isdisjoint(IMPORT_ROLES):
        raise PermissionDenied("只有中心管理员可以导入历史工单。")
    ordered = sorted(rows, key=lambda r: r.created_at)  # numbers follow the old registration times
    # Built before the transaction, which holds SQLite's only write lock: inside it, only numbers and inserts.
    units = {u.pk: u for u in Unit.objects.filter(pk__in={r.unit_id for r in ordered if r.unit_id})}
    tickets = [_legacy_ticket(actor, row) for row in ordered]
    events = [e for t, r in zip(tickets, ordered, strict=True) for e in _legacy_events(actor, t, r, units, job)]
    with transaction.atomic():
        _one_import_at_a_time()
        _refuse_imported(ordered)
        for ticket, number in zip(tickets, _numbers(ordered), strict=True):
            ticket.number = number
        Ticket.objects.bulk_create(tickets, batch_size=IMPORT_BATCH)
        TicketEvent.objects.bulk_create(events, batch_size=IMPORT_BATCH)
        # sync_clocks' rule for a new ticket, in one insert (a query and an insert per ticket took 2 s per 3,000)
        start_clocks([t for t in tickets if t.state == State.REGISTERED], clock.now())
    return len(tickets)


def _one_import_at_a_time() -> None:
    """Two imports of the same file at once must not both pass the "already imported?" check. SQLite has one
    writer already; on PostgreSQL a transaction lock queues the second."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [1234512350])


def _refuse_imported(rows: Sequence[LegacyRow]) -> None:
    found = already_imported([r.source_ref for r in rows])
    if found:
        shown = "、".join(sorted(found)[:10]) + (f" 等 {len(found)} 件" if len(found) > 10 else "")
        raise Conflict(f"以下原工单已导入过，本次未导入任何工单：{shown}。", code="already_imported")


def _numbers(rows: Sequence[LegacyRow]) -> list[str]:
    """New numbers on each order's old day (Asia/Shanghai), one block per day; `rows` in time order."""
    days = [r.created_at.astimezone(clock.SHANGHAI).date() for r in rows]
    blocks = {day: iter(_numbers_of_day(day, count)) for day, count in Counter(days).items()}
    return [next(blocks[day]) for day in days]


def _legacy_ticket(actor: Actor, row: LegacyRow) -> Ticket:
    finished = row.closed_at is not None
    unit_id = row.unit_id if finished else None  # an open order's old unit is a hint for dispatch, in its event
    return Ticket(
        query_code=_query_code(), version=2 if finished else 1,
        state=State.ARCHIVED if finished else State.REGISTERED, channel=Channel.IMPORT, source_ref=row.source_ref,
        citizen_name=row.citizen_name, citizen_phone=row.citizen_phone, address=row.address,
        district_id=row.district_id, subject=row.subject, description=row.description, appeal_type=row.appeal_type,
        category_id=row.category_id, lead_unit_id=unit_id, handling_unit_id=unit_id,
        created_at=row.created_at, updated_at=row.closed_at or row.created_at, created_by_id=actor.pk,
        closed_at=row.closed_at, result_text=row.result_text if finished else "",
        satisfaction=row.satisfaction if finished else "",
    )  # fmt: skip


def _legacy_events(
    actor: Actor, ticket: Ticket, row: LegacyRow, units: Mapping[int, Unit], job: int | None
) -> list[TicketEvent]:
    """`create` at the old registration; for a finished order, `close_imported` at its old closing."""
    origin = {"imported": True, "legacy_number": row.legacy_number, "source": row.source, "import_job": job}
    unit = _unit_ref(units.get(row.unit_id)) if row.unit_id else None
    common = {"ticket": ticket, "actor_id": actor.pk, "actor_name": actor_name(actor),
              "actor_unit_id": getattr(actor, "unit_id", None)}  # fmt: skip
    created = {"channel": Channel.IMPORT.value, **origin}
    if row.closed_at is None:  # what the old hotline knew of it, for the dispatcher
        created.update({"unit": unit, "result": row.result_text or None})
    events = [TicketEvent(**common, seq=1, version=1, action=Action.CREATE, from_state="",
                          to_state=State.REGISTERED, payload=created, created_at=row.created_at)]  # fmt: skip
    if row.closed_at is not None:
        closed = {**origin, "unit": unit, "result": row.result_text, "satisfaction": row.satisfaction or None}
        events.append(TicketEvent(**common, seq=2, version=2, action=Action.CLOSE_IMPORTED,
                                  from_state=State.REGISTERED, to_state=State.ARCHIVED, payload=closed,
                                  created_at=row.closed_at, unit_id=row.unit_id, late=None))  # fmt: skip
    return events
