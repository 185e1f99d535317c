from __future__ import annotations

import importlib
from collections.abc import Iterator

import pytest

from rexian.intake.selectors import forget_rules

SEED_MIGRATION = importlib.import_module("rexian.intake.migrations.0002_seed_rules")


@pytest.fixture(autouse=True)
def _fresh_rules() -> Iterator[None]:
    """The rules are cached per process: a test must not see another test's (rolled back) rules, nor leave its
    own to the next."""
    forget_rules()
    yield
    forget_rules()
