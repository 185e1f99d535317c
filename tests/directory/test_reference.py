"""The organisation tree, the categories and the dispatch catalogue are read once per process and shared by every
appeal (directory/selectors.py, taxonomy/selectors.py): a change is seen at once in the process that made it, and
registering an appeal reads none of them from the database."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rexian.directory.models import CatalogueEntry, Unit, UnitKind
from rexian.directory.selectors import catalogue_entry_for, district_of, unit_by_code
from rexian.taxonomy.selectors import category_by_code
from rexian.tickets import actions
from tests.conftest import APPEAL

pytestmark = pytest.mark.django_db
REFERENCE_TABLES = ("directory_unit", "taxonomy_category", "directory_catalogueentry")


def test_units_come_with_their_parents_and_district(city) -> None:
    street = unit_by_code("s_east_1", kind=UnitKind.STREET, active_only=True)
    assert street is not None and street.parent == city.units["x_east"] and category_by_code("01") is not None
    with CaptureQueriesContext(connection) as read:
        assert street.parent.parent.code == "city" and district_of(street) == city.units["x_east"]
        assert category_by_code("020101").parent.parent.code == "02"
    assert len(read) == 0
    assert unit_by_code("s_east_1", kind=UnitKind.DISTRICT) is None and unit_by_code("nowhere") is None


def test_a_change_is_seen_at_once(city) -> None:
    assert unit_by_code("x_east").name == "东区"
    east = Unit.objects.get(code="x_east")
    east.name, east.is_active = "东城区", False
    east.save()
    assert unit_by_code("x_east").name == "东城区" and unit_by_code("x_east", active_only=True) is None
    Unit(code="s_east_3", name="东三街道", kind=UnitKind.STREET, parent=east).save()
    assert district_of(unit_by_code("s_east_3")).code == "x_east"


def test_the_catalogue_follows_its_rows_and_co_units(city) -> None:
    category, west = city.categories["020101"], city.units["x_west"]
    assert catalogue_entry_for(category, west).unit.code == "d_urban"  # the city-wide row
    row = CatalogueEntry.objects.create(category=category, district=west, unit=west)
    assert catalogue_entry_for(category, west).unit.code == "x_west"  # the district's own row, at once
    row.co_units.add(city.units["d_hrss"])
    assert [u.code for u in catalogue_entry_for(category, west).co_units.all()] == ["d_hrss"]
    row.delete()
    assert catalogue_entry_for(category, west).unit.code == "d_urban"


def test_registering_an_appeal_reads_no_reference_table(city) -> None:
    actions.create_ticket(actor=city.users["intake"], data=APPEAL)  # the first reads them once
    with CaptureQueriesContext(connection) as read:
        ticket, created = actions.create_ticket(actor=city.users["intake"], data=APPEAL, idempotency_key="k-2")
    assert created and ticket.street.code == "s_east_1" and ticket.category.code == "020101"
    touched = [q["sql"] for q in read.captured_queries if any(t in q["sql"] for t in REFERENCE_TABLES)]
    assert touched == []
