"""The list of emergency transfers, both ways, filtered by service and direction, in the API and on the page."""

from __future__ import annotations

from rexian.intake.actions import record_transfer
from tests.conftest import PASSWORD


def record(city) -> None:
    agent = city.users["intake"]
    record_transfer(actor=agent, service="110", reason="持刀斗殴", partner_reference="JJ-1")
    record_transfer(actor=agent, service="120", reason="老人晕倒", partner_reference="JZ-2")
    record_transfer(actor=agent, service="110", direction="in", reason="噪音扰民转12345", partner_reference="JJ-3")


def test_the_api_filters_by_service_and_direction(city, api):
    record(city)
    client = api("shift_lead")
    police = client.get("/intake/emergency-transfers", service="110").json()
    assert police["count"] == 2 and {i["partner_reference"] for i in police["items"]} == {"JJ-1", "JJ-3"}
    received = client.get("/intake/emergency-transfers", service="110", direction="in").json()
    assert [i["partner_reference"] for i in received["items"]] == ["JJ-3"]
    refused = client.get("/intake/emergency-transfers", service="999")
    assert refused.status_code == 422 and "service" in refused.json()["fields"]
    assert api("h_hrss").get("/intake/emergency-transfers").status_code == 403


def test_the_page_lists_and_filters_transfers(client, city):
    record(city)
    client.login(username="dispatcher", password=PASSWORD)
    everything = client.get("/console/routing/?tab=transfers").content.decode()
    assert all(ref in everything for ref in ("JJ-1", "JZ-2", "JJ-3"))
    received = client.get("/console/routing/?tab=transfers&direction=in").content.decode()
    assert "JJ-3" in received and "JJ-1" not in received and "JZ-2" not in received
