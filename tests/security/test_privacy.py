"""Citizens' identity: who reads a number in full, who reads it masked, who never reads a confidential (保密)
citizen at all, through any page, API field, document or notification, and the log of who read whom."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from docx import Document

from rexian.core import clock
from rexian.core.masking import mask_phone
from rexian.directory.roles import Role
from rexian.notify.models import Delivery, Notification
from rexian.supervision.actions import issue_notice
from rexian.supervision.models import Notice
from rexian.tickets.models import IdentityAccess
from tests.conftest import APPEAL, PASSWORD, Api, City, make_user

NAME, PHONE = "王秘密", "13912345678"
SECRETS = (NAME, PHONE, "1391234", "2345678")


def web(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def east_ticket(city: City, co_units: tuple[str, ...] = (), **extra: object) -> dict:
    """An appeal by NAME/PHONE dispatched to the east district (with co-handling units) and signed there."""
    appeal = {**APPEAL, "citizen_name": NAME, "citizen_phone": PHONE, **extra}
    created = Api("intake").post("/tickets", appeal)
    assert created.status_code == 201, created.content
    dispatched = Api("dispatcher").act(created.json(), "dispatch", lead_unit="x_east", co_units=list(co_units))
    assert dispatched.status_code == 200, dispatched.content
    signed = Api("h_east").act(dispatched.json(), "sign")
    assert signed.status_code == 200, signed.content
    return signed.json()


@pytest.fixture
def east_admin(city: City):
    """A unit admin who is not a handler: oversees the district's cases, does not call citizens."""
    return make_user("a_east", city.units["x_east"], Role.UNIT_ADMIN)


# ---- masking --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phone", "masked"),
    [("13912345678", "139****5678"), ("0715-8123456", "071****3456"), ("12345", "***45"), ("", ""), ("7", "7")],
)
def test_a_masked_number_keeps_enough_to_recognise_it(phone, masked):
    assert mask_phone(phone) == masked


def test_a_unit_admin_and_the_city_leader_read_the_number_masked_the_handler_in_full(city, east_admin):
    ticket = east_ticket(city)
    phones = {u: Api(u).get(f"/tickets/{ticket['id']}").json()["citizen_phone"]
              for u in ("a_east", "leader", "h_east", "dispatcher", "callback")}  # fmt: skip
    assert phones == {"a_east": "139****5678", "leader": "139****5678", "h_east": PHONE,
                      "dispatcher": PHONE, "callback": PHONE}  # fmt: skip
    assert Api("a_east").get(f"/tickets/{ticket['id']}").json()["citizen_name"] == NAME

    page = web("a_east").get(f"/console/tickets/{ticket['id']}/").content.decode()
    assert "139****5678" in page and PHONE not in page
    assert PHONE in web("h_east").get(f"/console/tickets/{ticket['id']}/").content.decode()


def test_a_changed_number_in_the_history_is_masked_too(city, east_admin):
    created = Api("intake").post("/tickets", {**APPEAL, "citizen_phone": "13800001111"}).json()
    amended = Api("intake").act(created, "amend", citizen_phone=PHONE).json()
    Api("dispatcher").act(amended, "dispatch", lead_unit="x_east")
    events = Api("a_east").get(f"/tickets/{created['id']}/events").json()
    assert events[1]["payload"]["changed"]["citizen_phone"] == {"from": "138****1111", "to": "139****5678"}
    page = web("a_east").get(f"/console/tickets/{created['id']}/").content.decode()
    assert "138****1111 → 139****5678" in page and PHONE not in page and "13800001111" not in page


# ---- confidential: nowhere for a unit ---------------------------------------------------------------------------


def _unit_pages(ticket_id: int, notice_id: int) -> list[str]:
    return [
        f"/console/tickets/{ticket_id}/",
        "/console/unit/",
        "/console/unit/?tab=in_progress",
        f"/console/search/?q={APPEAL['subject'][:6]}",
        "/console/notices/",
        f"/console/notices/{notice_id}/",
    ]


def _docx_text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


@pytest.mark.django_db(transaction=True)
def test_a_confidential_citizen_reaches_no_unit_user_through_any_page_api_document_or_notice(
    city, east_admin, seeded_rules
):
    ticket = east_ticket(city, co_units=("d_hrss",), is_confidential=True)
    notice = issue_notice(actor=city.users["shift_lead"], ticket_id=ticket["id"], level=0, text="请加快办理")
    for username in ("h_east", "a_east", "h_hrss"):
        client = web(username)
        assert client.get(f"/console/tickets/{ticket['id']}/").status_code == 200, username  # each one sees it
        for url in _unit_pages(ticket["id"], notice.pk):
            response = client.get(url)
            assert response.status_code in (200, 404), (username, url, response.status_code)
            body = response.content.decode()
            assert [s for s in SECRETS if s in body] == [], (username, url)
        # Searching by the number finds nothing: a hit would tell who filed it (the box echoes what was typed).
        found = client.get(f"/console/search/?phone={PHONE}").content.decode()
        assert ticket["number"] not in found and NAME not in found
        docx = client.get(f"/console/notices/{notice.pk}/docx")
        if docx.status_code == 200:
            text = _docx_text(b"".join(docx.streaming_content) if docx.streaming else docx.content)
            assert [s for s in SECRETS if s in text] == [], username
        api = Api(username)
        for path in (f"/tickets/{ticket['id']}", f"/tickets/{ticket['id']}/events", "/tickets",
                     f"/tickets?phone={PHONE}", f"/tickets/{ticket['id']}/attachments"):  # fmt: skip
            text = json.dumps(api.get(path).json(), ensure_ascii=False)
            assert [s for s in SECRETS if s in text] == [], (username, path)
    # What units are told (inbox notices, SMS and e-mail to the unit) never names the citizen either.
    told = [*Notification.objects.values_list("message", flat=True),
            *Delivery.objects.exclude(template__startswith="citizen").values_list("subject", "body")]  # fmt: skip
    assert told, "the dispatch and the notice should have told the unit something"
    assert [s for s in SECRETS if s in json.dumps(told, ensure_ascii=False)] == []
    assert Notice.objects.filter(ticket_id=ticket["id"]).count() == 1
    # The centre still reads it all.
    assert Api("dispatcher").get(f"/tickets/{ticket['id']}").json()["citizen_phone"] == PHONE


# ---- the access log ---------------------------------------------------------------------------------------------


def test_opening_a_ticket_logs_who_read_the_citizen_once_per_ten_minutes(city):
    ticket = east_ticket(city)
    IdentityAccess.objects.all().delete()  # the actions' own answers were readings too; start counting here
    start = clock.now()
    with time_machine.travel(start, tick=False) as traveller:
        client = web("h_east")
        client.get(f"/console/tickets/{ticket['id']}/")
        client.get(f"/console/tickets/{ticket['id']}/")
        assert list(IdentityAccess.objects.values_list("user__username", "ticket_id", "via")) == [
            ("h_east", ticket["id"], "page")
        ]
        traveller.shift(timedelta(minutes=11))
        client.get(f"/console/tickets/{ticket['id']}/")
        Api("h_east").get(f"/tickets/{ticket['id']}")
    rows = list(IdentityAccess.objects.order_by("pk").values_list("via", "at"))
    assert [via for via, _ in rows] == ["page", "page", "api"]
    assert rows[1][1] - rows[0][1] == timedelta(minutes=11)


def test_a_list_logs_only_the_citizens_it_showed(city):
    shown = east_ticket(city)
    anonymous = Api("intake").post("/tickets", {**APPEAL, "is_anonymous": True, "citizen_name": "",
                                                "citizen_phone": ""}).json()  # fmt: skip
    hidden = east_ticket(city, is_confidential=True)
    IdentityAccess.objects.all().delete()
    Api("dispatcher").get("/tickets")
    assert set(IdentityAccess.objects.values_list("ticket_id", flat=True)) == {shown["id"], hidden["id"]}
    IdentityAccess.objects.all().delete()
    Api("h_east").get("/tickets")  # the confidential one is listed, but without its citizen
    assert set(IdentityAccess.objects.values_list("ticket_id", flat=True)) == {shown["id"]}
    assert anonymous["id"] not in IdentityAccess.objects.values_list("ticket_id", flat=True)


def test_the_centre_admin_reads_the_log_on_the_ticket_page_and_a_unit_does_not(city):
    ticket = east_ticket(city)
    web("h_east").get(f"/console/tickets/{ticket['id']}/")
    admin_page = web("centre_admin").get(f"/console/tickets/{ticket['id']}/").content.decode()
    assert 'id="identity-accesses"' in admin_page and "h_east" in admin_page
    assert 'id="identity-accesses"' not in web("h_east").get(f"/console/tickets/{ticket['id']}/").content.decode()
