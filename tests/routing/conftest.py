"""A centre's history for training: the demo city's directory and catalogue, and closed tickets whose texts
come from the demo's generator, each handled by the unit the catalogue names for its category and district."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

import pytest

from rexian.core import clock
from rexian.demo import cityspec, texts
from rexian.demo.load import load_directory
from rexian.directory.models import CatalogueEntry, Unit, UnitKind, User
from rexian.directory.roles import Role
from rexian.routing import selectors
from rexian.taxonomy.models import Category
from rexian.tickets.models import Ticket
from rexian.tickets.workflow import State
from tests.conftest import make_user

# Three categories handled where they happen (属地) and three by one city department.
LEAVES = ("010101", "010201", "010303", "010103", "010104", "010302")
PER_LEAF = 60


@dataclass
class History:
    units: dict[str, Unit]
    categories: dict[str, Category]
    admin: User
    intake: User
    dispatcher: User
    tickets: list[Ticket]


def closed_tickets(
    units: dict[str, Unit], categories: dict[str, Category], per_leaf: int, seed: int = 7
) -> list[Ticket]:
    rng = random.Random(seed)
    districts = [u for u in units.values() if u.kind == UnitKind.DISTRICT]
    streets = {d.pk: [u for u in units.values() if u.parent_id == d.pk] for d in districts}
    rows = {(r.category_id, r.district_id): r.unit for r in CatalogueEntry.objects.select_related("unit")}
    now = clock.now()
    made = []
    for leaf in LEAVES:
        category = categories[leaf]
        for _ in range(per_leaf):
            district = rng.choice(districts)
            street = rng.choice(streets[district.pk])
            appeal = texts.compose_appeal(rng, leaf, district.name, street.name, "")
            unit = rows.get((category.pk, district.pk)) or rows[(category.pk, None)]
            moment = now - timedelta(days=rng.uniform(5, 90))
            made.append(
                Ticket(
                    number=f"H{len(made):07d}",
                    query_code="ABCDEF",
                    state=State.CLOSED,
                    version=8,
                    subject=appeal.subject[:100],
                    description=appeal.description,
                    address=appeal.address[:200],
                    appeal_type=appeal.appeal_type,
                    category=category,
                    district=district,
                    street=street,
                    lead_unit=unit,
                    handling_unit=unit,
                    created_at=moment,
                    updated_at=moment,
                    replied_at=moment + timedelta(days=3),
                    closed_at=moment + timedelta(days=5),
                )
            )
    return Ticket.objects.bulk_create(made)


@pytest.fixture
def history(db, seeded_screening) -> History:
    units, categories = load_directory()
    selectors.forget()
    centre = units["centre"]
    return History(
        units=units,
        categories=categories,
        admin=make_user("admin1", centre, Role.CENTRE_ADMIN),
        intake=make_user("intake1", centre, Role.INTAKE),
        dispatcher=make_user("dispatch1", centre, Role.DISPATCHER),
        tickets=closed_tickets(units, categories, PER_LEAF),
    )


assert all(code in cityspec.categories_by_code() for code in LEAVES)
