"""Reads of the category tree and the time-limit table, kept for a minute per process. The categories handed out
are shared by every request of the process: read them, assign them to relations, never change and save them."""

from __future__ import annotations

from dataclasses import dataclass

from rexian.core.cache import TimedCache, Tree
from rexian.taxonomy.models import Category, TimeLimitPolicy
from rexian.taxonomy.policy import Limit, PolicyRule, Stage, resolve

_cache = TimedCache(seconds=60)


@dataclass(frozen=True)
class _Policies:
    rules: tuple[PolicyRule, ...]
    parents: dict[int, int | None]

    def chain(self, category_id: int | None) -> list[int]:
        chain: list[int] = []
        while category_id is not None and category_id not in chain:
            chain.append(category_id)
            category_id = self.parents.get(category_id)
        return chain[::-1]


def _policies() -> _Policies:
    def load() -> _Policies:
        return _Policies(
            rules=tuple(row.as_rule() for row in TimeLimitPolicy.objects.all()),
            parents=dict(Category.objects.values_list("pk", "parent_id")),
        )

    return _cache.get("policies", load)


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
    return _policies().chain(category_id)[::-1]


def forget_policies(**_: object) -> None:
    _cache.forget()


def limit_for(stage: Stage, *, appeal_type: str, category_id: int | None, urgency: str) -> Limit:
    policies = _policies()
    return resolve(
        policies.rules,
        stage,
        appeal_type=appeal_type,
        category_chain=policies.chain(category_id),
        urgency=urgency,
    )


def kindred_categories(category_id: int) -> list[int]:
    """The category, its parent and the parent's other children: the appeals "of the same kind" (duplicates)."""
    parents = _policies().parents
    parent_id = parents.get(category_id)
    if parent_id is None:
        return [category_id]
    siblings = [pk for pk, parent in parents.items() if parent == parent_id and pk != category_id]
    return [category_id, parent_id, *siblings]
