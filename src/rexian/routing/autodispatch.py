"""When the machine may dispatch by itself (人机双审), as pure rules (no Django import).

The centre sets a confidence threshold per category (the pilot list) or one for all categories. A
ticket is dispatched by the machine only when the unit model's top guess reaches the threshold that
applies to the ticket's category and the dispatch catalogue, where it has a row, names the same unit;
everything else waits for a dispatcher, who sees the machine's suggestion and its reasons.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

MIN_THRESHOLD = 0.5


@dataclass(frozen=True)
class Threshold:
    category_id: int | None  # None: every category without a row of its own
    value: float
    enabled: bool = True


@dataclass(frozen=True)
class Decision:
    dispatch: bool
    unit_code: str | None
    why: str  # in Chinese, for the event and the dispatcher


def threshold_for(lineage: Sequence[int], rules: Mapping[int | None, Threshold]) -> Threshold | None:
    """The row for the category or its nearest ancestor, else the global row. `lineage` runs from the
    category itself up to its root; a disabled row stops the search (the pilot excludes that branch)."""
    for category_id in lineage:
        if category_id in rules:
            return rules[category_id]
    return rules.get(None)


def decide(
    threshold: Threshold | None,
    model_unit: str | None,
    confidence: float,
    catalogue_unit: str | None,
) -> Decision:
    if threshold is None or not threshold.enabled:
        return Decision(False, None, "该分类未开启机器派单")
    if model_unit is None:
        return Decision(False, None, "没有可用的承办单位模型")
    if confidence < threshold.value:
        return Decision(False, None, f"模型置信度 {confidence:.2f} 低于阈值 {threshold.value:.2f}")
    if catalogue_unit is not None and catalogue_unit != model_unit:
        return Decision(False, None, "模型建议与派单目录不一致，请人工判断")
    agreement = "，与派单目录一致" if catalogue_unit else ""
    return Decision(True, model_unit, f"模型置信度 {confidence:.2f} ≥ 阈值 {threshold.value:.2f}{agreement}")
