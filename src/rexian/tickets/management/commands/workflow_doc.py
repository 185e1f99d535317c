from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand

from rexian.tickets.workflow import markdown_table, mermaid_diagram

HEADER = """# The work-order lifecycle

Generated from `src/rexian/tickets/workflow.py` by `rexian workflow-doc --write docs/workflow.md`;
a test fails when this page and the table disagree. Edit the table, not this page.

Every action is a function in `src/rexian/tickets/actions.py`: atomic, permission-checked (`roles`; scope
`handling` means only the unit now handling the ticket, or its superior), version-checked (a stale `version` is
409), and it writes one event. `add_note` (any state but `archived`) and `mark_urgent` (any open state) are left
out of the diagram for legibility; they are in the table.

Rules beyond the table, enforced in `actions.py`: a return (`request_return`) only within the return window (2
working days after dispatch); an extension request only before the deadline, at most `REXIAN_MAX_EXTENSION_REQUESTS`
granted, one pending at a time (the request lives beside the `in_progress` state, it is not a state); a callback
that did not reach the citizen stays `callback_pending`; an unsatisfied citizen sends the ticket back to the unit
as 重办 with a fresh handling limit.

`close_imported` is no one's step: the legacy import (`import_legacy`, centre admins; docs/legacy-import.md)
writes it, at the old closing time, for an order that an older hotline finished before it merged into 12345.
"""


def render() -> str:
    diagram = f"## State diagram\n\n```mermaid\n{mermaid_diagram()}\n```\n"
    return f"{HEADER}\n{diagram}\n## Transition table\n\n{markdown_table()}\n"


class Command(BaseCommand):
    help = "Print (or write) docs/workflow.md, generated from the transition table."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--write", metavar="PATH", help="write to this file instead of printing")

    def handle(self, *args, write: str | None, **options) -> None:
        if write:
            Path(write).write_text(render(), encoding="utf-8")
            self.stdout.write(f"wrote {write}")
        else:
            self.stdout.write(render(), ending="")
