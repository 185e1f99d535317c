"""The demo city's knowledge base in the database: the entries of knowledgespec, published by the centre's
admin through knowledge.actions (versions and index as in real use), with the life a real base has — a few
entries still in review or in draft, a few expiring soon, a few long unreviewed — so that every list of the
知识库 pages has something in it."""

from __future__ import annotations

import random
from datetime import timedelta

from django.db import transaction

from rexian.core import clock
from rexian.demo import knowledgespec
from rexian.directory.models import Unit, User
from rexian.knowledge import actions
from rexian.knowledge.models import Entry, EntryVersion
from rexian.knowledge.rules import Step
from rexian.taxonomy.models import Category


def load_knowledge(units: dict[str, Unit], users: dict[str, User], rng: random.Random) -> dict[str, str]:
    """Write the entries; return, per leaf category code, the code of an entry that answers it (cited by the
    history's direct answers)."""
    admin = users["admin"]
    leaf_codes = dict(Category.objects.filter(level=3).values_list("name", "code"))
    today = clock.local_now().date()
    cited: dict[str, str] = {}
    with transaction.atomic():
        for number, spec in enumerate(knowledgespec.entries()):
            data = {
                "title": spec.title, "variants": "\n".join(spec.variants), "answer": spec.answer,
                "plain_answer": spec.plain, "unit": units[spec.unit], "tags": " ".join(spec.tags),
                "categories": [leaf_codes[spec.category]] if spec.category else [],
            }  # fmt: skip
            if spec.expires:
                data["effective_from"] = today - timedelta(days=rng.randint(60, 300))
                data["expires_on"] = today + timedelta(days=rng.choice([12, 25, 45, 90, 180]))
            fate = number % 40
            entry = actions.create_entry(actor=admin, data={**data, "publish": fate not in (7, 19, 33)})
            if fate in (7, 19):  # a unit's new entry waiting for the centre
                actions.take_step(actor=admin, entry_id=entry.pk, version=entry.version, step=Step.SUBMIT)
            elif fate == 11:  # reviewed long ago: on the 久未复核 list
                _age(entry, days=rng.randint(400, 500))
            if spec.category and fate not in (7, 19, 33):
                cited.setdefault(leaf_codes[spec.category], entry.code)
    return cited


def _age(entry: Entry, days: int) -> None:
    """Move an entry's review back in time, as if it had been published then and not looked at since."""
    past = clock.now() - timedelta(days=days)
    Entry.objects.filter(pk=entry.pk).update(created_at=past, reviewed_at=past, published_at=past, updated_at=past)
    EntryVersion.objects.filter(entry=entry).update(at=past)
