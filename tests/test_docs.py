from pathlib import Path

from rexian.tickets.management.commands.workflow_doc import render

DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_workflow_doc_is_generated_from_the_table():
    assert (DOCS / "workflow.md").read_text(encoding="utf-8") == render(), (
        "docs/workflow.md is stale: run `rexian workflow-doc --write docs/workflow.md`"
    )


def test_metrics_doc_lists_every_definition():
    from rexian.analytics.metrics import METRICS

    text = (DOCS / "metrics.md").read_text(encoding="utf-8")
    for metric in METRICS:
        assert f"| `{metric.code}` | {metric.label} | {metric.definition} |" in text, metric.code
