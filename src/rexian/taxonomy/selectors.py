"""Reads of the category tree and the time-limit table, kept for a minute per process. The categories handed out
are shared by every request of the process: read them, assign them to relations, never change and save them."""

from __future__ import annotations

from rexian.core.cache import TimedCache, Tree
from rexian.taxonomy.models import Category, TimeLimitPolicy
from rexian.taxonomy.policy import Limit, PolicyRule, Stage, resolve

_cache = TimedCache(seconds=60)


def _rules() -> tuple[PolicyRule, ...]:
    return _cache.get("policies", lambda: tuple(row.as_rule() for row in TimeLimitPolicy.objects.all()))


def _categories() -> Tree[Category]:
    return _cache.get("categories", lambda: Tree.of(list(Category.objects.all())))


def category_by_code(code: str, *, active_only: bool = False) -> Category | None:
    """The category with this code, its parents loaded; shared and read-only."""
    category = _categories().by_code.get(code)
    return None if category is None or (active_only and not category.is_active) else category


def category_by_pk(pk: int | None) -> Category | None:
    return _categories().by_pk.get(pk) if pk is not None else None


def lineage(category_id: int | None) -> list[int]:
    """The category and its ancestors, nearest first."""
    by_pk = _categories().by_pk
    chain: list[int] = []
    while category_id is not None and category_id not in chain:
        chain.append(category_id)
        category = by_pk.get(category_id)
        category_id = category.parent_id if category else None
    return chain


def forget_policies(**_: object) -> None:
    _cache.forget()


def limit_for(stage: Stage, *, appeal_type: str, category_id: int | None, urgency: str) -> Limit:
    return resolve(
        _rules(),
        stage,
        appeal_type=appeal_type,
        category_chain=lineage(category_id)[::-1],
        urgency=urgency,
    )


def kindred_categories(category_id: int) -> list[int]:
    """The category, its parent and the parent's other children: the appeals "of the same kind" (duplicates)."""
    by_pk = _categories().by_pk
    category = by_pk.get(category_id)
    parent_id = category.parent_id if category else None
    if parent_id is None:
        return [category_id]
    siblings = [pk for pk, c in by_pk.items() if c.parent_id == parent_id and pk != category_id]
    return [category_id, parent_id, *siblings]
