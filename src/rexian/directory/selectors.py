from __future__ import annotations

from rexian.directory.models import CatalogueEntry, Unit, UnitKind
from rexian.taxonomy.models import Category


def catalogue_entry_for(category: Category, district: Unit | None) -> CatalogueEntry | None:
    """The catalogue row for a category: the district's own row first (属地), then the city-wide row.

    A leaf without a row of its own inherits its parent's rows.
    """
    node: Category | None = category
    while node is not None:
        rows = {row.district_id: row for row in CatalogueEntry.objects.filter(category=node).select_related("unit")}
        if district is not None and district.pk in rows:
            return rows[district.pk]
        if None in rows:
            return rows[None]
        node = node.parent
    return None


def district_of(unit: Unit | None) -> Unit | None:
    """The district (区县) a unit belongs to, if any."""
    if unit is None:
        return None
    codes = [c for c in unit.path.split("/") if c]
    return Unit.objects.filter(code__in=codes, kind=UnitKind.DISTRICT).first()
