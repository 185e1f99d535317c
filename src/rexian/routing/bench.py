"""`rexian bench classify`: train the text classifier on a CSV file and measure it on another, or by K-fold.

No database is involved. The public data sets behind the figures in docs/routing.md are read from
wherever they lie; nothing of them is copied into the project.
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path
from typing import Any

from rexian.routing.textmodel import Evaluation, cross_validate, evaluate, share_at_precision

Rows = tuple[list[str], list[str]]


def read_labelled(path: Path, text_col: str, label_col: str, title_col: str | None = None) -> Rows:
    """Texts and labels of a CSV file (UTF-8, with or without BOM); rows missing either are dropped."""
    if not path.is_file():
        raise ValueError(f"找不到文件：{path}")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        columns = reader.fieldnames or []
        for column in (text_col, label_col, title_col):
            if column is not None and column not in columns:
                raise ValueError(f"{path.name} 中没有“{column}”列（现有列：{'、'.join(columns)}）。")
        texts, labels = [], []
        for row in reader:
            text = (row[text_col] or "").strip()
            if title_col:
                text = f"{(row[title_col] or '').strip()} {text}".strip()
            label = (row[label_col] or "").strip()
            if text and label:
                texts.append(text)
                labels.append(label)
    return texts, labels


def _keep(rows: Rows, wanted: set[str]) -> Rows:
    pairs = [(text, label) for text, label in zip(*rows, strict=True) if label in wanted]
    return [text for text, _ in pairs], [label for _, label in pairs]


def classify(
    train_csv: Path,
    test_csv: Path | None,
    text_col: str,
    label_col: str,
    labels: list[str] | None,
    cv: int | None,
    title_col: str | None = None,
    top_labels: int | None = None,
    group_col: str | None = None,
) -> dict[str, Any]:
    """Figures of the default model: on `test_csv` when given, else by `cv`-fold cross-validation."""
    if test_csv is None and not cv:
        raise ValueError("请给出 --test 测试文件或 --cv 折数。")
    if cv is not None and cv < 2:
        raise ValueError("--cv 折数至少为 2。")
    train = read_labelled(train_csv, text_col, label_col, title_col)
    test = read_labelled(test_csv, text_col, label_col, title_col) if test_csv is not None else None
    wanted = set(labels) if labels else None
    if top_labels:
        counts = Counter(label for label in train[1] if wanted is None or label in wanted)
        wanted = {label for label, _ in counts.most_common(top_labels)}
    if wanted is not None:
        train = _keep(train, wanted)
        test = _keep(test, wanted) if test is not None else None
    groups = None
    if group_col:
        groups = read_groups(train_csv, label_col, group_col)
        if test_csv is not None:
            groups = {**read_groups(test_csv, label_col, group_col), **groups}
    evaluation = _measure(train, test, cv, groups)
    return {**_figures(evaluation), "groups": len(set(groups.values())) if groups else None}


def read_groups(path: Path, label_col: str, group_col: str) -> dict[str, str]:
    """Each label's group from a CSV file; a label found in two groups is refused."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        if group_col not in (reader.fieldnames or []):
            raise ValueError(f"{path.name} 中没有“{group_col}”列。")
        groups: dict[str, str] = {}
        for row in reader:
            label, group = (row[label_col] or "").strip(), (row[group_col] or "").strip()
            if label and groups.setdefault(label, group) != group:
                raise ValueError(f"标签“{label}”属于两个分组：{groups[label]}、{group}")
    return groups


def _measure(train: Rows, test: Rows | None, cv: int | None, groups: dict[str, str] | None) -> Evaluation:
    if test is not None:
        if not test[0]:
            raise ValueError("测试文件中没有可用的行。")
        return evaluate(train[0], train[1], test[0], test[1], groups=groups)
    assert cv is not None
    return cross_validate(train[0], train[1], folds=cv, groups=groups)


def _figures(evaluation: Evaluation) -> dict[str, Any]:
    threshold, share = share_at_precision(evaluation.outcomes, 0.98)
    details = evaluation.to_dict()
    head = {key: details.pop(key) for key in ("accuracy", "macro_f1", "train_s", "predict_ms_p95", "n_train", "n_test")}
    return {**head, "auto_share_at_98": round(share, 4), "auto_threshold_at_98": threshold, **details}
