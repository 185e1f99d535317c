from __future__ import annotations

from collections.abc import Sequence

from django.db.models import QuerySet

from rexian.directory.models import CatalogueEntry, Unit, UnitKind
from rexian.taxonomy.models import Category


def _lineage(category: Category) -> list[Category]:
    chain: list[Category] = []
    node: Category | None = category
    while node is not None:
        chain.append(node)
        node = node.parent
    return chain


def catalogue_entries_for(pairs: Sequence[tuple[Category | None, int | None]]) -> list[CatalogueEntry | None]:
    """The catalogue row for each (category, district id): the district's own row first (属地), then
    the city-wide row; a category without rows of its own inherits its parent's. One query for a whole
    page of tickets (load categories with their parents: `select_related("category__parent__parent")`).
    """
    lineages = [_lineage(category) if category else [] for category, _ in pairs]
    ids = {node.pk for lineage in lineages for node in lineage}
    rows: dict[tuple[int, int | None], CatalogueEntry] = {
        (row.category_id, row.district_id): row
        for row in CatalogueEntry.objects.filter(category_id__in=ids).select_related("unit")
    }
    found: list[CatalogueEntry | None] = []
    for lineage, (_, district_id) in zip(lineages, pairs, strict=True):
        match = None
        for node in lineage:
            match = rows.get((node.pk, district_id)) if district_id else None
            match = match or rows.get((node.pk, None))
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
    codes = [c for c in unit.path.split("/") if c]
    return Unit.objects.filter(code__in=codes, kind=UnitKind.DISTRICT).first()
