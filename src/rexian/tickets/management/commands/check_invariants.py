from __future__ import annotations

from itertools import groupby

from django.core.management.base import BaseCommand, CommandError

from rexian.tickets.models import Ticket, TicketEvent
from rexian.tickets.replay import EventRecord, replay_problems

BATCH = 2000


class Command(BaseCommand):
    help = "Replay every ticket's events; exit non-zero naming the tickets whose stored state differs."

    def handle(self, *args, **options) -> None:
        checked, bad = 0, []
        last_id = 0
        while True:
            tickets = list(
                Ticket.objects.filter(pk__gt=last_id)
                .order_by("pk")
                .values_list("pk", "number", "state", "version", "merged_into_id")[:BATCH]
            )
            if not tickets:
                break
            last_id = tickets[-1][0]
            rows = (
                TicketEvent.objects.filter(ticket_id__gte=tickets[0][0], ticket_id__lte=last_id)
                .order_by("ticket_id", "seq")
                .values_list("ticket_id", "seq", "action", "from_state", "to_state", "version")
            )
            events = {tid: [EventRecord(*r[1:]) for r in group] for tid, group in groupby(rows, key=lambda r: r[0])}
            for pk, number, state, version, merged_into in tickets:
                problems = replay_problems(state, version, events.get(pk, []))
                if (state == "merged") != (merged_into is not None) and state != "archived":
                    problems.append("merged state and merged_into disagree")
                if problems:
                    bad.append((number, problems))
            checked += len(tickets)
        for number, problems in bad:
            self.stderr.write(f"{number}: " + "; ".join(problems))
        if bad:
            raise CommandError(f"{len(bad)} of {checked} tickets fail the invariants.")
        self.stdout.write(f"OK: {checked} tickets, every stored state matches its events.")
