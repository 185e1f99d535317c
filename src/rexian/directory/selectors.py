from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.db.models import QuerySet, prefetch_related_objects

from rexian.core.cache import TimedCache, Tree
from rexian.directory.models import CatalogueEntry, Unit, UnitKind
from rexian.taxonomy.models import Category
from rexian.taxonomy.selectors import category_by_pk, lineage

# The organisation tree and the dispatch catalogue, read on every appeal (suggestion, duplicate check, create) and
# changed a few times a year: shared by every request of the process (`Tree`).
_reference = TimedCache(seconds=60)


def _units() -> Tree[Unit]:
    return _reference.get("units", lambda: Tree.of(list(Unit.objects.all())))


def forget_reference() -> None:
    _reference.forget()


def reference_changed(**_: object) -> None:
    """A unit or the catalogue changed: forget now, and again when it commits (a read in between would keep what
    the transaction had not yet decided)."""
    _reference.forget()
    transaction.on_commit(_reference.forget)


def unit_by_code(code: str, *, kind: str | None = None, active_only: bool = False) -> Unit | None:
    """The unit with this code (of this kind, active), shared and read-only (see `_reference`)."""
    unit = _units().by_code.get(code)
    if unit is None or (kind is not None and unit.kind != kind) or (active_only and not unit.is_active):
        return None
    return unit


def unit_by_pk(pk: int | None) -> Unit | None:
    return _units().by_pk.get(pk) if pk is not None else None


def _catalogue() -> dict[tuple[int, int | None], CatalogueEntry]:
    def load() -> dict[tuple[int, int | None], CatalogueEntry]:
        rows = list(CatalogueEntry.objects.all())
        prefetch_related_objects(rows, "co_units")
        for row in rows:
            row.unit, row.category = unit_by_pk(row.unit_id), category_by_pk(row.category_id)
        return {(row.category_id, row.district_id): row for row in rows}

    return _reference.get("catalogue", load)


def catalogue_entries_for(pairs: Sequence[tuple[Category | None, int | None]]) -> list[CatalogueEntry | None]:
    """The catalogue row for each (category, district id): the district's own row first (属地), then
    the city-wide row; a category without rows of its own inherits its parent's. Rows come with their unit,
    category and co-units, shared and read-only (see `_reference`).
    """
    rows = _catalogue()
    found: list[CatalogueEntry | None] = []
    for category, district_id in pairs:
        match = None
        for category_id in lineage(category.pk if category else None):
            match = rows.get((category_id, district_id)) if district_id else None
            match = match or rows.get((category_id, None))
            if match:
                break
        found.append(match)
    return found


def catalogue_entry_for(category: Category, district: Unit | None) -> CatalogueEntry | None:
    """The catalogue row for one category in one district (see `catalogue_entries_for`)."""
    return catalogue_entries_for([(category, district.pk if district else None)])[0]


def units_for_picking() -> QuerySet[Unit]:
    """Active units in tree order, for pickers: the centre's pages offer them by name and code."""
    return Unit.objects.filter(is_active=True).exclude(kind=UnitKind.CENTRE).order_by("path")


def district_of(unit: Unit | None) -> Unit | None:
    """The district (区县) a unit belongs to, if any."""
    if unit is None:
        return None
    by_code = _units().by_code
    for code in unit.path.split("/"):
        found = by_code.get(code)
        if found is not None and found.kind == UnitKind.DISTRICT:
            return found
    return None
