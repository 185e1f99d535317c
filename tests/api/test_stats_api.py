"""The statistics API on the fixed October 2026 history of tests/analytics/test_metrics.py: the same figures as
the pages, the same access, and {code, message, fields} for bad conditions."""

from __future__ import annotations

import pytest
import time_machine

from rexian.analytics.metrics import METRICS
from tests.analytics.test_metrics import at
from tests.analytics.test_metrics import history as history  # the fixture
from tests.conftest import Api, City

pytestmark = pytest.mark.django_db
OCTOBER = {"start": "2026-10-01", "end": "2026-10-31"}


def test_the_months_figures_per_unit_and_in_total(history: City) -> None:
    response = Api("shift_lead").get("/stats/figures", group="unit", **OCTOBER)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["total"]["received"] == 5 and body["total"]["answered_directly"] == 1
    assert body["total"]["direct_rate"] == pytest.approx(0.2)
    units = {row["key"]: row for row in body["rows"]}
    assert units["d_hrss"]["name"] == "人社局" and units["d_hrss"]["figures"]["sign_on_time_rate"] == 0.0
    assert units["x_east"]["figures"]["returned"] == 1
    days = Api("leader").get("/stats/figures", group="day", **OCTOBER).json()["rows"]
    assert {"2026-10-31", "2026-10-09"} <= {row["key"] for row in days}


def test_slices_narrow_the_figures(history: City) -> None:
    consult = Api("quality").get("/stats/figures", group="all", appeal_type="consult", **OCTOBER).json()
    assert consult["total"]["received"] == 2 and consult["rows"] == []
    east = Api("quality").get("/stats/figures", unit="x_east", **OCTOBER).json()
    assert {row["key"] for row in east["rows"]} <= {"x_east", None}


def test_a_unit_admin_gets_its_own_subtree_only(history: City) -> None:
    body = Api("h_east").get("/stats/figures", group="unit", unit="d_hrss", **OCTOBER).json()
    assert {row["key"] for row in body["rows"]} == {"x_east"}
    ranked = Api("h_east").get("/stats/assessment", month="2026-10").json()["units"]
    assert [line["unit"] for line in ranked] == ["x_east"]


def test_who_may_not_read_the_figures(history: City) -> None:
    for username in ("intake", "h_hrss"):
        response = Api(username).get("/stats/figures", **OCTOBER)
        assert response.status_code == 403 and response.json()["code"] == "permission_denied", username
    assert Api().get("/stats/metrics").status_code == 401


def test_bad_conditions_are_explained_field_by_field(history: City) -> None:
    response = Api("shift_lead").get("/stats/figures", start="2026-10-31", end="2026-10-01", unit="nope")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error" and set(body["fields"]) == {"end", "unit"}
    assert "截止日期不能早于起始日期" in body["fields"]["end"][0]
    for bad in ({"start": "2026-13-01"}, {"group": "galaxy"}, {"channel": "pigeon"}):
        refused = Api("shift_lead").get("/stats/figures", **bad)
        assert refused.status_code == 422 and set(refused.json()["fields"]) == set(bad), bad
    month = Api("shift_lead").get("/stats/assessment", month="2026-13")
    assert month.status_code == 422 and "month" in month.json()["fields"]


def test_metric_definitions_and_the_assessment(history: City) -> None:
    metrics = Api("leader").get("/stats/metrics").json()
    assert [m["code"] for m in metrics] == [m.code for m in METRICS]
    assert all(m["definition"] for m in metrics)
    with time_machine.travel(at(11, 2), tick=False):
        ranked = Api("leader").get("/stats/assessment").json()  # last month by default
    assert ranked["month"] == "2026-10"
    lines = {line["unit"]: line for line in ranked["units"]}
    assert set(lines) == {"d_hrss", "d_urban", "x_east"}
    assert all(line["rank"] >= 1 for line in lines.values())
    assert lines["d_hrss"]["figures"]["dispatched"] == 1


def test_hotspots_of_a_period(history: City) -> None:
    response = Api("shift_lead").get("/stats/hotspots", top=3, **OCTOBER)
    assert response.status_code == 200
    spots = response.json()
    assert 1 <= len(spots) <= 3 and all(spot["size"] >= 2 and len(spot["ticket_ids"]) == spot["size"] for spot in spots)
    assert Api("shift_lead").get("/stats/hotspots", top=99).status_code == 422
