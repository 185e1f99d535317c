"""Schemathesis over every operation of /api/v1, in-process: no input may cause a server error, and every answer,
refusals included, must match the OpenAPI document (status, content type, body).

Generated path ids and versions rarely name a real ticket, so most examples are steered onto the fuzz city's
tickets at their current version (`steer`); the rest keep their random values and test the 404 and 409 paths.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from hypothesis import settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from rexian.tickets.models import Ticket
from tests.fuzz.conftest import FUZZ, FuzzCity, fuzz_config, known_ticket_ids, one_example

# The session cookie is fuzzed too; werkzeug warns when a generated one is longer than browsers keep.
pytestmark = [pytest.mark.slow, pytest.mark.django_db, pytest.mark.filterwarnings("ignore:The 'sessionid' cookie")]

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler(), config=fuzz_config())


def steer(case: Any, ids: list[int]) -> None:
    """Point three examples in four at a real ticket, and give their body the ticket's current version."""
    params = case.path_parameters or {}
    raw = params.get("ticket_id")
    if not isinstance(raw, int) or isinstance(raw, bool) or raw % 4 == 0 or not ids:
        return
    params["ticket_id"] = ids[raw % len(ids)]
    if isinstance(case.body, dict) and isinstance(case.body.get("version"), int):
        case.body["version"] = Ticket.objects.values_list("version", flat=True).get(pk=params["ticket_id"])


def run(case: Any, headers: dict[str, str]) -> None:
    with one_example():
        steer(case, known_ticket_ids())
        case.call_and_validate(headers=headers, checks=CHECKS)


@schema.parametrize()
@settings(FUZZ)
def test_centre_admin(case: Any, fuzz_city: FuzzCity, in_process: None) -> None:
    run(case, fuzz_city.headers["centre_admin"])


# A unit handler reaches the unit's side of the ticket operations (sign, reply, extensions, returns) and is
# refused the centre's; random examples only, to keep within the time budget.
handler_schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler(), config=fuzz_config())
handler_schema = handler_schema.include(path_regex="/tickets")
handler_schema.config.phases.update(phases=["fuzzing"])


@handler_schema.parametrize()
@settings(FUZZ)
def test_unit_handler(case: Any, fuzz_city: FuzzCity, in_process: None) -> None:
    run(case, fuzz_city.headers["h_east"])
