"""Reads of the knowledge base: which entries a user may see (the chokepoint, as for tickets), the alerts of
entries about to expire or long unreviewed, and the figures of use per entry and for a period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.db.models import Count, Q, QuerySet

from rexian.core import clock
from rexian.core.errors import NotFound
from rexian.directory.models import Unit
from rexian.directory.roles import CENTRE_ROLES
from rexian.knowledge.models import Entry, EntryUse, UseKind
from rexian.knowledge.rules import EntryStatus, expiry_notice_until, review_due_before
from rexian.knowledge.search import Hit
from rexian.taxonomy.models import Category
from rexian.tickets.access import Actor
from rexian.tickets.models import Ticket, TicketEvent
from rexian.tickets.workflow import Action


def visible_entries(actor: Actor | None) -> QuerySet[Entry]:
    """Centre staff see every entry; a unit's members see published entries and every entry of their own unit
    (and of the units under it). The public portal searches published entries only (search.Filters' default)."""
    roles = actor.roles if actor is not None and getattr(actor, "is_active", False) else frozenset()
    entries = Entry.objects.select_related("unit")
    if roles & CENTRE_ROLES:
        return entries
    unit = getattr(actor, "unit", None)
    published = Q(status=EntryStatus.PUBLISHED)
    if not roles or unit is None:
        return entries.filter(published) if roles else entries.none()
    return entries.filter(published | Q(unit__path__startswith=unit.path))


def get_entry_for(actor: Actor | None, entry_id: int) -> Entry:
    entry = visible_entries(actor).filter(pk=entry_id).first()
    if entry is None:
        raise NotFound("没有这个知识条目，或您无权查看。")
    return entry


def only_visible(actor: Actor, hits: list[Hit]) -> list[Hit]:
    """The search's hits this actor may see, in one query: the index does not know who asks (a unit asking for
    drafts would otherwise read other units' drafts)."""
    allowed = set(visible_entries(actor).filter(pk__in=[h.entry.pk for h in hits]).values_list("pk", flat=True))
    return [h for h in hits if h.entry.pk in allowed]


def category_and_below(category: Category) -> tuple[int, ...]:
    """The category and those under it (codes are positional: 01 → 0101 → 010101)."""
    return tuple(Category.objects.filter(code__startswith=category.code).values_list("pk", flat=True))


def published_by_code(code: str) -> Entry | None:
    """The published entry a form or a ticket names ("KB12"); None for an unknown, withdrawn or expired one."""
    found = entry_by_code(code)
    return found if found is not None and found.status == EntryStatus.PUBLISHED else None


def entry_by_code(code: str) -> Entry | None:
    """The entry a ticket cites ("KB12")."""
    digits = code.strip().upper().removeprefix("KB")
    return Entry.objects.filter(pk=int(digits)).first() if digits.isdigit() else None


def unit_scope(actor: Actor, entries: QuerySet[Entry]) -> QuerySet[Entry]:
    """A unit member's own unit's entries; everything for centre staff."""
    if actor.roles & CENTRE_ROLES or getattr(actor, "unit", None) is None:
        return entries
    unit: Unit = actor.unit
    return entries.filter(unit__path__startswith=unit.path)


def expiring(actor: Actor, today: date | None = None) -> QuerySet[Entry]:
    """Published entries whose expiry date comes within the notice period (到期提醒)."""
    today = today or clock.local_now().date()
    until = expiry_notice_until(today, settings.REXIAN["KNOWLEDGE_EXPIRY_NOTICE_DAYS"])
    found = visible_entries(actor).filter(status=EntryStatus.PUBLISHED, expires_on__gt=today, expires_on__lte=until)
    return unit_scope(actor, found).order_by("expires_on", "pk")


def review_overdue(actor: Actor, today: date | None = None) -> QuerySet[Entry]:
    """Published entries the centre has not reviewed for the review period (久未复核)."""
    today = today or clock.local_now().date()
    since = review_due_before(today, settings.REXIAN["KNOWLEDGE_REVIEW_MONTHS"])
    cutoff = datetime(since.year, since.month, since.day, tzinfo=clock.SHANGHAI)
    found = (
        visible_entries(actor)
        .filter(status=EntryStatus.PUBLISHED)
        .filter(Q(reviewed_at__lt=cutoff) | Q(reviewed_at__isnull=True, created_at__lt=cutoff))
    )
    return unit_scope(actor, found).order_by("reviewed_at", "pk")


def awaiting_review(actor: Actor) -> QuerySet[Entry]:
    return unit_scope(actor, visible_entries(actor).filter(status=EntryStatus.IN_REVIEW)).order_by("updated_at")


@dataclass(frozen=True)
class UseFigures:
    views: int = 0
    citations: int = 0
    direct_answers: int = 0


def use_figures(entries: list[Entry]) -> dict[int, UseFigures]:
    """Views, citations and direct answers of each entry: one aggregate query over uses, one over events."""
    rows = (
        EntryUse.objects.filter(entry__in=entries)
        .values("entry_id")
        .annotate(
            views=Count("pk", filter=Q(kind=UseKind.VIEW)),
            citations=Count("pk", filter=Q(kind=UseKind.CITE)),
        )
    )
    counts = {r["entry_id"]: (r["views"], r["citations"]) for r in rows}
    direct = dict(
        direct_answer_events()
        .filter(payload__knowledge_entry__in=[e.code for e in entries])
        .values_list("payload__knowledge_entry")
        .annotate(n=Count("pk"))
    )
    return {e.pk: UseFigures(*counts.get(e.pk, (0, 0)), direct.get(e.code, 0)) for e in entries}


def direct_answer_events() -> QuerySet[TicketEvent]:
    """The 即办 events that closed an appeal with a knowledge entry's answer."""
    return TicketEvent.objects.filter(action=Action.ANSWER_DIRECTLY).exclude(payload__knowledge_entry="")


@dataclass(frozen=True)
class PeriodFigures:
    appeals: int  # appeals registered in the period
    direct_answers: int  # ... answered at once (即办)
    from_knowledge: int  # ... of which with a knowledge entry's answer
    citing: int  # appeals whose handling used the knowledge base (a direct answer or a citation)

    @property
    def direct_rate(self) -> float | None:
        """直办率: the share of appeals answered at once from the knowledge base."""
        return self.from_knowledge / self.appeals if self.appeals else None

    @property
    def citation_rate(self) -> float | None:
        """引用率: the share of appeals whose handling used the knowledge base."""
        return self.citing / self.appeals if self.appeals else None


def month_figures(today: date | None = None) -> PeriodFigures:
    """This month's figures so far (the 知识库 page's card)."""
    today = today or clock.local_now().date()
    start = datetime(today.year, today.month, 1, tzinfo=clock.SHANGHAI)
    return period_figures(start, clock.now())


def period_figures(start: datetime, end: datetime) -> PeriodFigures:
    """The period's appeals and how the knowledge base served them (counted in the database, not in Python)."""
    appeals = Ticket.objects.filter(created_at__gte=start, created_at__lt=end)
    direct = TicketEvent.objects.filter(action=Action.ANSWER_DIRECTLY).values("ticket_id")
    from_knowledge = direct_answer_events().values("ticket_id")
    cited = EntryUse.objects.filter(kind=UseKind.CITE).values("ticket_id")
    return PeriodFigures(
        appeals=appeals.count(),
        direct_answers=appeals.filter(pk__in=direct).count(),
        from_knowledge=appeals.filter(pk__in=from_knowledge).count(),
        citing=appeals.filter(Q(pk__in=from_knowledge) | Q(pk__in=cited)).count(),
    )
