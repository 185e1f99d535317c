"""Place names in an appeal's address and text (pure Python, no Django import).

The gazetteer is built from the organisation tree: districts, streets (街道/镇) and communities (社区/村)
with their full names, the short names the admin entered, and the short forms people say (青山区 → 青山,
滨江街道 → 滨江). `locate` finds the most specific place the texts name, so that the dispatch
catalogue's 属地 rows apply.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

# Deeper kinds are more specific; only these kinds are places.
PLACE_DEPTH = {"district": 1, "street": 2, "community": 3}
# Suffixes people drop when they name a place; the shorter form must keep at least two characters.
SUFFIXES = (
    "街道办事处",
    "社区居委会",
    "村委会",
    "居委会",
    "开发区",
    "街道",
    "社区",
    "新区",
    "区",
    "县",
    "镇",
    "乡",
    "村",
)
MIN_NAME = 2


@dataclass(frozen=True)
class Place:
    unit_id: int
    name: str
    kind: str
    ancestor_ids: tuple[int, ...] = ()  # from the root down, not including itself
    short_names: tuple[str, ...] = ()

    @property
    def depth(self) -> int:
        return PLACE_DEPTH[self.kind]


@dataclass(frozen=True)
class Mention:
    place: Place
    matched: str
    start: int


@dataclass
class Location:
    """The places found: the most specific one, and the district and street it lies in."""

    district_id: int | None = None
    street_id: int | None = None
    community_id: int | None = None
    evidence: list[Mention] = field(default_factory=list)

    @property
    def most_specific_id(self) -> int | None:
        return self.community_id or self.street_id or self.district_id


def spoken_forms(name: str, short_names: Iterable[str] = ()) -> set[str]:
    """The ways a place is named: its name, its short names, and each short name without its suffix (the
    name itself too when there are no short names; a formal office name is not cut)."""
    shorts = {s.strip() for s in short_names if s.strip()}
    forms = {name.strip(), *shorts}
    for form in list(shorts or forms):
        for suffix in SUFFIXES:
            if form.endswith(suffix) and len(form) - len(suffix) >= MIN_NAME:
                forms.add(form[: -len(suffix)])
                break
    return {f for f in forms if len(f) >= MIN_NAME}


class Gazetteer:
    def __init__(self, places: Iterable[Place]) -> None:
        self.places = {p.unit_id: p for p in places if p.kind in PLACE_DEPTH}
        self._by_form: dict[str, list[Place]] = {}
        for place in self.places.values():
            for form in spoken_forms(place.name, place.short_names):
                self._by_form.setdefault(form, []).append(place)
        # Longest forms first: the regex takes the first alternative that matches at a position.
        forms = sorted(self._by_form, key=lambda f: (-len(f), f))
        self._pattern = re.compile("|".join(map(re.escape, forms))) if forms else None

    def __len__(self) -> int:
        return len(self.places)

    def mentions(self, text: str) -> list[tuple[str, int, list[Place]]]:
        """Each place name in the text, left to right, longest first, with the places it may mean."""
        if not self._pattern or not text:
            return []
        return [(m.group(), m.start(), self._by_form[m.group()]) for m in self._pattern.finditer(text)]

    def locate(self, *texts: str) -> Location | None:
        """The most specific place the texts name. An ambiguous name (two 新华社区) is settled by the other
        places named; the first text (the address) counts before the others when places disagree."""
        found: list[Mention] = []
        for text in texts:
            for matched, start, candidates in self.mentions(text):
                found.extend(Mention(place, matched, start) for place in candidates)
        if not found:
            return None
        named = {m.place.unit_id for m in found}

        def support(m: Mention) -> tuple[int, int]:
            # Places named together agree: a street whose district is also named beats a namesake elsewhere.
            agreeing = sum(1 for a in m.place.ancestor_ids if a in named)
            return (agreeing, m.place.depth)

        best = max(found, key=support)  # max keeps the first of equals: the address wins ties
        return self._location(best, found)

    def _location(self, best: Mention, found: Sequence[Mention]) -> Location:
        chain = [self.places[a] for a in best.place.ancestor_ids if a in self.places] + [best.place]
        by_kind = {p.kind: p.unit_id for p in chain}
        lineage = {p.unit_id for p in chain}
        evidence = [m for m in found if m.place.unit_id in lineage]
        seen: set[int] = set()
        unique = [m for m in evidence if not (m.place.unit_id in seen or seen.add(m.place.unit_id))]
        return Location(by_kind.get("district"), by_kind.get("street"), by_kind.get("community"), unique)
