"""The demo city's knowledge base: entries written by us in the centre's own voice, as plain data.

Nothing here imports Django. Units are cityspec unit codes and categories cityspec leaf names; a test
checks that every one exists. The entries are split by the kind of unit that owns them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EntrySpec:
    title: str
    unit: str  # cityspec unit code of the owning unit (e.g. "d_hrss")
    variants: tuple[str, ...]  # the ways citizens ask it, in their words
    answer: str  # the standard answer an agent reads out or sends
    plain: str = ""  # 白话版: the same in plain words, for citizens
    category: str = ""  # cityspec leaf category name, or "" when the entry spans several
    tags: tuple[str, ...] = ()
    expires: bool = False  # a time-bound policy: the demo gives it an expiry date


def entries() -> list[EntrySpec]:
    from rexian.demo.kb_city import ENTRIES as CITY
    from rexian.demo.kb_social import ENTRIES as SOCIAL

    return [*SOCIAL, *CITY]
