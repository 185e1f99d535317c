"""The demo city: what `make run` shows a new user must be a working hotline."""

from __future__ import annotations

import random
import re
from datetime import datetime
from pathlib import Path

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from rexian.core.clock import SHANGHAI
from rexian.demo import cityspec, load
from rexian.directory.models import CatalogueEntry, Unit, UnitKind, User
from rexian.directory.roles import Role
from rexian.taxonomy.models import Category
from rexian.tickets.models import Ticket
from rexian.tickets.workflow import State


def test_city_spec_is_complete():
    units = cityspec.units_by_code()
    assert len(units) == len(cityspec.UNITS), "unit codes are unique"
    assert sum(u.kind == "department" for u in cityspec.UNITS) >= 30
    leaves = cityspec.leaf_categories()
    assert len(leaves) >= 150
    assert all(leaf.unit in units for leaf in leaves)
    seen: set[str] = set()
    for unit in cityspec.UNITS:
        assert unit.parent is None or unit.parent in seen, f"{unit.code} comes before its parent"
        seen.add(unit.code)


def test_tickets_waiting_for_dispatch_came_in_lately_and_never_in_the_future():
    """The demo is a centre that keeps up: tickets still waiting for dispatch or signing came in within a few days
    (some overdue, not all), handling ones within about a week, finished ones months ago."""
    now = datetime(2026, 11, 18, 9, 5, tzinfo=SHANGHAI)
    rng = random.Random(3)
    for outcome, oldest, newest in [("registered", 3.5, 0), ("dispatched", 3.5, 0), ("in_progress", 8, 1),
                                    ("closed", 120, 10)]:  # fmt: skip
        ages = [(now - load._arrival(rng, outcome, now)).total_seconds() / 86400 for _ in range(300)]
        assert min(ages) >= max(newest - 1 / 24, 1 / 1440) and max(ages) <= oldest + 1 / 24, outcome


@pytest.fixture(scope="module")
def demo_city(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load.load(tickets=250, seed=7, log=lambda _: None)
        yield
        load.reset()


@pytest.mark.django_db
def test_demo_city_loads_every_state_and_keeps_invariants(demo_city, capsys):
    states = set(Ticket.objects.values_list("state", flat=True))
    assert states == {s.value for s in State}
    assert Unit.objects.filter(kind=UnitKind.DEPARTMENT).count() >= 30
    leaves = Category.objects.filter(level=3)
    assert leaves.count() >= 150
    assert not leaves.exclude(pk__in=CatalogueEntry.objects.filter(district=None).values("category")).exists()
    call_command("check_invariants")
    assert "OK: 250 tickets" in capsys.readouterr().out


@pytest.mark.django_db
def test_demo_logins(demo_city, settings):
    password = settings.REXIAN["DEMO_PASSWORD"]
    # The module fixture hashed with the real hasher, before the tests' fast one was set.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    for username, role in [("intake1", Role.INTAKE), ("dispatch1", Role.DISPATCHER), ("lead1", Role.SHIFT_LEAD),
                           ("review1", Role.REVIEWER), ("callback1", Role.CALLBACK), ("qc1", Role.QUALITY),
                           ("admin", Role.CENTRE_ADMIN), ("leader1", Role.CITY_LEADER)]:
        user = authenticate(username=username, password=password)
        assert user is not None and role in user.roles
    handled = Unit.objects.exclude(kind=UnitKind.CENTRE).exclude(code="city")
    assert set(User.objects.filter(username__startswith="h_").values_list("unit__code", flat=True)) == set(
        handled.values_list("code", flat=True))


@pytest.mark.django_db
def test_demo_texts_vary(demo_city):
    descriptions = list(Ticket.objects.values_list("description", flat=True))
    assert len(set(descriptions)) > 0.95 * len(descriptions)
    assert all(len(d) >= 20 for d in descriptions)


@pytest.mark.django_db
def test_demo_command_refuses_to_overwrite_without_reset(demo_city):
    with pytest.raises(SystemExit):
        call_command("demo")
    call_command("demo", "--if-empty")  # make run on an existing database: a no-op
    assert Ticket.objects.count() == 250


@pytest.mark.django_db
def test_the_demo_answers_the_integration_page_s_examples(demo_city):
    """docs/integration.md's defaults are the demo's: its curl examples work against `make run` as written."""
    from rexian.api.models import Open311Client
    from rexian.directory.models import HotlineMode, MergedHotline
    from rexian.intake.models import ChannelAccount

    doc = (Path(__file__).resolve().parents[2] / "docs" / "integration.md").read_text(encoding="utf-8")
    defaults = dict(re.findall(r'"\$\{(\w+):=([^}]+)\}"', doc))
    assert ChannelAccount.objects.get(code="wx-city").secret == defaults["WECHAT_SECRET"]
    assert ChannelAccount.objects.get(code="cti").secret == defaults["CTI_SECRET"]
    assert Open311Client.by_key(defaults["OPEN311_KEY"]) is not None
    assert defaults["REXIAN_USER"] == "intake1"
    dual = MergedHotline.objects.filter(mode=HotlineMode.DUAL_TRACK)
    assert dual.count() >= 5 and not dual.filter(unit=None).exists()


@pytest.mark.django_db
def test_the_demo_history_teaches_the_entries_it_answered_with(demo_city):
    from rexian.knowledge.models import AskedQuestion
    from rexian.tickets.models import TicketEvent
    from rexian.tickets.workflow import Action

    cited = TicketEvent.objects.filter(action=Action.ANSWER_DIRECTLY).exclude(payload__knowledge_entry="")
    learned = AskedQuestion.objects.select_related("ticket", "entry")
    taught = cited.exclude(ticket__is_confidential=True)  # a 保密件 teaches nothing
    assert cited.exists() and learned.count() == taught.count()
    assert all(q.question == q.ticket.subject and not q.ticket.is_confidential for q in learned)
