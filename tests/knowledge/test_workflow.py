"""The review workflow on the database: who may write and move an entry, versions with who changed what, stale
versions refused, expiry by the machine, and the alerts of entries about to expire or long unreviewed."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
import time_machine

from rexian.core.clock import SHANGHAI
from rexian.core.errors import InvalidTransition, PermissionDenied, StaleVersion, ValidationError
from rexian.knowledge import actions, selectors
from rexian.knowledge.models import Entry
from rexian.knowledge.rules import EntryStatus, Step
from rexian.knowledge.search import search
from tests.conftest import City

DATA = {
    "title": "失业保险金怎么申领",
    "answer": "携带身份证到人社窗口申领。",
    "unit": "d_hrss",
    "variants": "失业金怎么领",
}
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
def draft(city: City) -> Entry:
    with time_machine.travel(NOW, tick=False):
        return actions.create_entry(actor=city.users["h_hrss"], data=DATA)


def step(city: City, who: str, entry: Entry, step: Step, note: str = "") -> Entry:
    return actions.take_step(actor=city.users[who], entry_id=entry.pk, version=entry.version, step=step, note=note)


def test_a_unit_writes_the_centre_publishes_and_every_step_is_a_version(city: City, draft: Entry) -> None:
    assert draft.status == EntryStatus.DRAFT
    submitted = step(city, "h_hrss", draft, Step.SUBMIT)
    with pytest.raises(PermissionDenied):
        step(city, "h_hrss", submitted, Step.PUBLISH)
    sent_back = step(city, "centre_admin", submitted, Step.SEND_BACK, note="请写明办理地点")
    assert sent_back.status == EntryStatus.DRAFT
    again = step(city, "h_hrss", sent_back, Step.SUBMIT)
    published = step(city, "quality", again, Step.PUBLISH)
    assert published.status == EntryStatus.PUBLISHED and published.reviewed_by == city.users["quality"]
    versions = list(published.versions.order_by("id").values_list("step", "status", "actor__username", "note"))
    assert versions == [
        ("create", "draft", "h_hrss", ""),
        ("submit", "in_review", "h_hrss", ""),
        ("send_back", "draft", "centre_admin", "请写明办理地点"),
        ("submit", "in_review", "h_hrss", ""),
        ("publish", "published", "quality", ""),
    ]


def test_sending_back_needs_a_reason(city: City, draft: Entry) -> None:
    submitted = step(city, "h_hrss", draft, Step.SUBMIT)
    with pytest.raises(ValidationError) as refused:
        step(city, "centre_admin", submitted, Step.SEND_BACK)
    assert "note" in refused.value.fields


def test_other_units_and_the_agents_may_not_write_a_units_entry(city: City, draft: Entry) -> None:
    for who in ("h_urban", "intake", "leader", "nobody"):
        with pytest.raises(PermissionDenied):
            actions.edit_entry(actor=city.users[who], entry_id=draft.pk, version=draft.version, data=DATA)
        with pytest.raises(PermissionDenied):
            actions.create_entry(actor=city.users[who], data=DATA)
    with pytest.raises(InvalidTransition):
        step(city, "centre_admin", draft, Step.WITHDRAW)  # an editor, but a draft is not published


def test_an_owners_edit_of_a_published_entry_is_reviewed_again_and_records_what_changed(
    city: City, draft: Entry
) -> None:
    published = step(city, "centre_admin", draft, Step.PUBLISH)
    edited = actions.edit_entry(
        actor=city.users["h_hrss"], entry_id=published.pk, version=published.version,
        data={**DATA, "answer": "携带身份证和社保卡到人社窗口或网上申领。"},
    )  # fmt: skip
    assert edited.status == EntryStatus.IN_REVIEW
    assert search("失业金") == []  # out of the agents' search until the centre has checked the change
    last = edited.versions.order_by("-id").first()
    assert last.changed == ["answer"] and last.snapshot["answer"].startswith("携带身份证和社保卡")
    unchanged = actions.edit_entry(actor=city.users["centre_admin"], entry_id=edited.pk, version=edited.version,
                                   data={**DATA, "answer": edited.answer})  # fmt: skip
    assert unchanged.version == edited.version  # nothing changed: no new version


def test_a_stale_version_is_refused(city: City, draft: Entry) -> None:
    actions.edit_entry(
        actor=city.users["h_hrss"], entry_id=draft.pk, version=draft.version, data={**DATA, "tags": "失业"}
    )
    with pytest.raises(StaleVersion):
        actions.edit_entry(actor=city.users["centre_admin"], entry_id=draft.pk, version=draft.version, data=DATA)


def test_bad_fields_are_named_and_nothing_is_written(city: City) -> None:
    bad = {"title": "", "answer": "x", "unit": "nowhere", "expires_on": "2026-13-01", "categories": "99",
           "links": "政策原文 ftp://x"}  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        actions.create_entry(actor=city.users["centre_admin"], data=bad)
    assert set(refused.value.fields) == {"title", "unit", "expires_on", "categories", "links"}
    assert Entry.objects.count() == 0


def test_the_machine_expires_entries_on_their_date_and_the_alerts_list_them(city: City) -> None:
    admin = city.users["centre_admin"]
    with time_machine.travel(NOW, tick=False):
        soon = actions.create_entry(actor=admin, data={**DATA, "expires_on": "2026-12-01", "publish": True})
        later = actions.create_entry(actor=admin, data={**DATA, "title": "远期", "expires_on": "2027-06-01",
                                                         "publish": True})  # fmt: skip
        assert list(selectors.expiring(admin)) == [soon]
        assert list(selectors.expiring(city.users["h_hrss"])) == [soon]
        assert list(selectors.expiring(city.users["h_urban"])) == []  # another unit's business
    with time_machine.travel(datetime(2026, 12, 1, 0, 5, tzinfo=SHANGHAI), tick=False):
        assert actions.expire_due() == 1
        assert actions.expire_due() == 0
    soon.refresh_from_db()
    later.refresh_from_db()
    assert (soon.status, later.status) == (EntryStatus.EXPIRED, EntryStatus.PUBLISHED)
    assert soon.versions.order_by("-id").first().step == "expire"
    restored = step(city, "h_hrss", soon, Step.RESTORE)
    assert restored.status == EntryStatus.DRAFT


def test_entries_unreviewed_for_the_review_period_are_listed(city: City, settings) -> None:
    settings.REXIAN = {**settings.REXIAN, "KNOWLEDGE_REVIEW_MONTHS": 6}
    with time_machine.travel(NOW - timedelta(days=200), tick=False):
        old = actions.create_entry(actor=city.users["centre_admin"], data={**DATA, "publish": True})
    with time_machine.travel(NOW, tick=False):
        actions.create_entry(actor=city.users["centre_admin"], data={**DATA, "title": "新的", "publish": True})
        assert list(selectors.review_overdue(city.users["centre_admin"], date(2026, 11, 20))) == [old]
