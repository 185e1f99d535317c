"""Background work of routing: training a recorded model, and machine dispatch of a newly registered ticket."""

from __future__ import annotations

import logging

from django_tasks import task

from rexian.core.errors import DomainError
from rexian.routing import selectors
from rexian.routing.models import Task
from rexian.routing.suggest import appeal_of, suggest
from rexian.tickets.access import SYSTEM, visible_tickets
from rexian.tickets.workflow import State

log = logging.getLogger("rexian.routing")


@task()
def train_model(model_id: int) -> str:
    from rexian.routing.actions import run_training

    return run_training(model_id).status


def machine_may_dispatch() -> bool:
    """Cheap first check on every new ticket (a cached read, no model loaded): some threshold is on."""
    return any(t.enabled for t in selectors.thresholds().values())


@task()
def consider_dispatch(ticket_id: int) -> bool:
    """Dispatch a new ticket as the system when the suggestion clears the centre's threshold (人机双审);
    otherwise leave it in the dispatch queue. Returns whether the machine dispatched it."""
    from rexian.tickets.actions import dispatch

    if not machine_may_dispatch() or selectors.active_model(Task.UNIT) is None:
        return False
    related = ("category__parent__parent", "district", "street__parent")
    ticket = visible_tickets(SYSTEM).select_related(*related).filter(pk=ticket_id, state=State.REGISTERED).first()
    if ticket is None or ticket.needs_information:
        return False
    suggestion = suggest(appeal_of(ticket))
    decision = suggestion.decision
    if decision is None or not decision.dispatch or suggestion.unit is None:
        return False
    evidence = suggestion.machine_evidence() | {"why": decision.why}
    try:
        dispatch(
            actor=SYSTEM,
            ticket_id=ticket.pk,
            version=ticket.version,
            lead_unit=decision.unit_code or suggestion.unit.code,
            note=f"机器派单：{decision.why}",
            machine=evidence,
        )
    except DomainError as error:  # a person acted first, or the unit was deactivated: leave it to them
        log.info("machine dispatch of ticket %s skipped: %s", ticket_id, error.message)
        return False
    return True
