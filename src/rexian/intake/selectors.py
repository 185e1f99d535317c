"""Reads of the intake app: the screening rules (kept for a minute per process), the emergency-transfer log, and
the lookup of possible duplicates that runs while the agent types.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from django.db.models import Q, QuerySet
from django.db.models.functions import Substr
from django.utils.functional import cached_property

from rexian.core import clock
from rexian.core.cache import TimedCache
from rexian.directory.models import Unit, UnitKind
from rexian.directory.selectors import district_of, unit_by_code
from rexian.intake import duplicates, screening
from rexian.intake.models import EmergencyTransfer, ScreeningRule
from rexian.routing.suggest import Appeal, Suggestion, suggest
from rexian.taxonomy.models import Category
from rexian.taxonomy.selectors import category_by_code, kindred_categories
from rexian.tickets.access import Actor, sees_everything, visible_tickets
from rexian.tickets.models import Ticket
from rexian.tickets.workflow import FINISHED_STATES

# ---- screening rules --------------------------------------------------------------------------------------------

_rules = TimedCache(seconds=60)


def active_rules() -> list[screening.Rule]:
    """The active rules, emergencies first. Read at most once a minute per process, and again after a change."""

    def load() -> tuple[screening.Rule, ...]:
        rows = ScreeningRule.objects.filter(is_active=True).order_by("concern", "pk")
        return tuple(row.as_rule() for row in rows)

    return list(_rules.get("rules", load))


def forget_rules(**_: object) -> None:
    _rules.forget()


def screen_text(text: str) -> list[screening.Hit]:
    return screening.screen(text, active_rules())


# ---- emergency transfers ------------------------------------------------------------------------------------------


def transfers(
    actor: Actor, since: datetime | None = None, *, service: str = "", direction: str = ""
) -> QuerySet[EmergencyTransfer]:
    """The transfer log, newest first, optionally of one service (110…) and one direction: the centre's own record,
    not shown to units."""
    if not sees_everything(actor):
        return EmergencyTransfer.objects.none()
    rows = EmergencyTransfer.objects.select_related("ticket", "created_by").order_by("-created_at", "-pk")
    rows = rows.filter(created_at__gte=since) if since else rows
    rows = rows.filter(service=service) if service else rows
    return rows.filter(direction=direction) if direction else rows


# ---- possible duplicates ------------------------------------------------------------------------------------------

TEXT_POOL = 300  # the most recent open tickets of the district compared by text
TEXT_THRESHOLD = 0.6
# How much each kind of evidence suggests a duplicate; several together count as 1 - Π(1 - weight).
SAME_CALLER = 0.8
SAME_PLACE_AND_CATEGORY = 0.6
SAME_PLACE_AND_RELATED_CATEGORY = 0.45  # the category's parent or a sibling: agents classify alike appeals apart
PLACE_CANDIDATES = 50
CALLER_CANDIDATES = 20
MIN_PHONE_DIGITS = 5
MOBILE_DIGITS = 11
SHOWN = ("number", "subject", "state", "created_at")
REASON_CALLER = "同一来电人"
REASON_PLACE = "同一地点同类诉求"


@dataclass
class Duplicate:
    ticket: Ticket  # with SHOWN fields only: what the desk and the API show of a possible duplicate
    reasons: list[str]
    score: float


Evidence = dict[int, list[tuple[str, float]]]


def find_duplicates(
    actor: Actor,
    *,
    phone: str,
    text: str,
    category_id: int | None,
    place: Unit | None,
    exclude_id: int | None = None,
    window_days: int = 30,
    limit: int = 8,
) -> list[Duplicate]:
    """Open tickets of the last `window_days` the actor can see that may be the same appeal: the same caller, the
    same kind of appeal in the same place, or a text that reads alike. Best first."""
    candidates = visible_tickets(actor).exclude(state__in=FINISHED_STATES)
    candidates = candidates.filter(created_at__gte=clock.now() - timedelta(days=window_days))
    if exclude_id is not None:
        candidates = candidates.exclude(pk=exclude_id)
    area = _area(place)
    evidence: Evidence = defaultdict(list)
    _same_caller(actor, candidates, phone, evidence)
    _same_place_and_category(candidates, category_id, area, evidence)
    _similar_text(actor, candidates, text, phone, area, evidence)
    return _ranked(actor, evidence, limit)


def _area(place: Unit | None) -> Unit | None:
    """The place as tickets record it: their district and street. A community stands for its street."""
    if place is not None and place.kind == UnitKind.COMMUNITY:
        return place.parent
    return place if place is not None and place.kind in (UnitKind.DISTRICT, UnitKind.STREET) else None


def _phone_forms(phone: str) -> set[str]:
    """The number as typed, as digits, and as people commonly group it ("139 0000 2222", "0571-88886666"): the
    portal stores what the citizen typed. Other spellings are caught among the text candidates."""
    typed = (phone or "").strip()
    digits = _digits(typed)
    forms = {typed, digits}
    if len(digits) == MOBILE_DIGITS and not digits.startswith("0"):
        forms |= {f"{digits[:3]}{sep}{digits[3:7]}{sep}{digits[7:]}" for sep in (" ", "-")}
    if digits.startswith("0") and len(digits) >= MIN_PHONE_DIGITS + 3:
        forms |= {f"{digits[:n]}-{digits[n:]}" for n in (3, 4)}  # an area code of three or four digits
    return {form for form in forms if form}


@lru_cache(maxsize=16384)  # the text pool's phones are the same few hundred from one appeal to the next
def _digits(phone: str) -> str:
    return "".join(c for c in phone or "" if c.isdigit() or c == "+")


def _may_link_caller(actor: Actor) -> bool:
    # Telling a unit user that a confidential ticket has this phone would reveal the citizen (保密件).
    return sees_everything(actor)


def _same_caller(actor: Actor, candidates: QuerySet[Ticket], phone: str, evidence: Evidence) -> None:
    forms = _phone_forms(phone)
    if not forms:
        return
    matching = candidates.filter(citizen_phone__in=forms)
    if not _may_link_caller(actor):
        matching = matching.exclude(is_confidential=True)
    for pk in matching.order_by("-created_at").values_list("pk", flat=True)[:CALLER_CANDIDATES]:
        evidence[pk].append((REASON_CALLER, SAME_CALLER))


def _same_place_and_category(
    candidates: QuerySet[Ticket], category_id: int | None, area: Unit | None, evidence: Evidence
) -> None:
    if category_id is None or area is None:
        return
    # Ids, not joins on paths: the category's index narrows the history before the place is looked at.
    if area.kind == UnitKind.STREET:
        here = Q(street_id=area.pk)
    else:
        here = Q(district_id=area.pk) | Q(street__parent_id=area.pk)
    related = candidates.filter(here, category_id__in=kindred_categories(category_id))
    rows = related.order_by("-created_at").values_list("pk", "category_id")
    for pk, found in rows[:PLACE_CANDIDATES]:
        weight = SAME_PLACE_AND_CATEGORY if found == category_id else SAME_PLACE_AND_RELATED_CATEGORY
        evidence[pk].append((REASON_PLACE, weight))


def _similar_text(
    actor: Actor, candidates: QuerySet[Ticket], text: str, phone: str, area: Unit | None, evidence: Evidence
) -> None:
    if len((text or "").strip()) < duplicates.MIN_CHARACTERS:
        return
    district = area if area is None or area.kind == UnitKind.DISTRICT else district_of(area)
    pool = candidates.filter(district=district) if district is not None else candidates
    rows = list(
        pool.order_by("-created_at")
        .annotate(start=Substr("description", 1, duplicates.READ_CHARACTERS))
        .values_list("pk", "subject", "start", "citizen_phone", "is_confidential")[:TEXT_POOL]
    )
    texts = [(pk, f"{subject} {start}") for pk, subject, start, _, _ in rows]
    for pk, score in duplicates.best_matches(text, texts, TEXT_THRESHOLD, limit=len(texts)):
        evidence[pk].append((f"内容相似 {score:.0%}", score))
    _same_caller_written_otherwise(actor, rows, phone, evidence)


def _same_caller_written_otherwise(actor: Actor, rows: list[tuple], phone: str, evidence: Evidence) -> None:
    """The pool is at hand: a caller whose number was typed another way ("139-0000-2222") is found in it too."""
    digits = _digits(phone)
    if len(digits) < MIN_PHONE_DIGITS:
        return
    for pk, _, _, their_phone, confidential in rows:
        if confidential and not _may_link_caller(actor):
            continue
        if _digits(their_phone) == digits and all(reason != REASON_CALLER for reason, _ in evidence.get(pk, [])):
            evidence[pk].append((REASON_CALLER, SAME_CALLER))


def _ranked(actor: Actor, evidence: Evidence, limit: int) -> list[Duplicate]:
    scored = {pk: _combined([weight for _, weight in found]) for pk, found in evidence.items()}
    best = sorted(scored, key=lambda pk: (-scored[pk], -pk))[:limit]
    tickets = visible_tickets(actor).filter(pk__in=best).only(*SHOWN)
    by_pk = {ticket.pk: ticket for ticket in tickets}
    return [
        Duplicate(ticket=by_pk[pk], reasons=_reasons(evidence[pk]), score=round(scored[pk], 4))
        for pk in best
        if pk in by_pk
    ]


def _combined(weights: list[float]) -> float:
    unexplained = 1.0
    for weight in weights:
        unexplained *= 1 - weight
    return 1 - unexplained


def _reasons(found: list[tuple[str, float]]) -> list[str]:
    order = {REASON_CALLER: 0, REASON_PLACE: 1}
    return sorted(dict.fromkeys(reason for reason, _ in found), key=lambda reason: order.get(reason, 2))


# ---- the appeal as typed ------------------------------------------------------------------------------------------


class AppealAsTyped:
    """The intake form as it stands (the desk's panels, the API's assist), read once: the suggestion is computed
    once for everything that needs it, and the duplicate check looks where it points. (Django's cached_property:
    Python 3.11's holds one lock for all instances, and the server's threads would queue for each other's.)"""

    def __init__(self, values: Mapping[str, Any]) -> None:
        self.values = values

    def get(self, key: str) -> str:
        return str(self.values.get(key) or "").strip()

    @property
    def text(self) -> str:
        return f"{self.get('subject')} {self.get('description')}".strip()

    @cached_property
    def category(self) -> Category | None:
        code = self.get("category")
        return category_by_code(code) if code else None

    def _unit(self, key: str) -> Unit | None:
        code = self.get(key)
        return unit_by_code(code) if code else None

    @cached_property
    def suggestion(self) -> Suggestion | None:
        if not self.text:
            return None
        appeal = Appeal(
            subject=self.get("subject"),
            description=self.get("description"),
            address=self.get("address"),
            category=self.category,
            district=self._unit("district"),
            street=self._unit("street"),
        )
        return suggest(appeal)

    @property
    def place(self) -> Unit | None:
        s = self.suggestion
        return (s.street or s.district) if s else None

    def duplicates(self, actor: Actor) -> list[Duplicate]:
        """Possible duplicates, of the category chosen or else suggested, in the place given or else found."""
        phone = self.get("citizen_phone")
        if not (phone or self.text):
            return []
        category = self.category or (self.suggestion.category if self.suggestion else None)
        category_id = category.pk if category else None
        return find_duplicates(actor, phone=phone, text=self.text, category_id=category_id, place=self.place)
