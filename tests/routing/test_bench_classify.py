"""`rexian bench classify` on small CSV files: one JSON line of figures, no database."""

from __future__ import annotations

import csv
import json
import random
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.routing.test_textmodel import VOCABULARY, appeal

HEAD = ["accuracy", "macro_f1", "train_s", "predict_ms_p95", "n_train", "n_test"]


def write_csv(path: Path, per_label: int, seed: int, extra: dict[str, int] | None = None) -> Path:
    """Rows of 标题, 内容, 类别; `extra` adds rare labels; one row without a label is dropped on reading."""
    rng = random.Random(seed)
    counts = {label: per_label for label in VOCABULARY} | (extra or {})
    rows = [
        ("市民来电", appeal(label if label in VOCABULARY else "交通", rng), label)
        for label in counts
        for _ in range(counts[label])
    ]
    rows.append(("无类别", "这一行没有类别", ""))
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["标题", "内容", "类别"])
        writer.writerows(rows)
    return path


def bench(*args: str) -> dict[str, Any]:
    out = StringIO()
    call_command("bench", "classify", *args, stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 1
    return json.loads(lines[0])


def test_cross_validation_prints_the_figures(tmp_path: Path) -> None:
    train = write_csv(tmp_path / "train.csv", 12, seed=1)
    figures = bench(
        "--train", str(train), "--text-col", "内容", "--label-col", "类别", "--title-col", "标题", "--cv", "3"
    )
    assert list(figures)[: len(HEAD)] == HEAD
    assert figures["n_test"] == 48 and figures["n_train"] == 32
    assert figures["accuracy"] > 0.9 and figures["macro_f1"] > 0.9
    assert figures["train_s"] > 0 and 0 < figures["predict_ms_p95"] < 100
    assert 0.0 <= figures["auto_share_at_98"] <= 1.0
    assert figures["auto_threshold_at_98"] is None or 0.0 <= figures["auto_threshold_at_98"] <= 1.0


def test_a_test_file_and_a_label_selection(tmp_path: Path) -> None:
    train = write_csv(tmp_path / "train.csv", 10, seed=2, extra={"其他": 3})
    test = write_csv(tmp_path / "test.csv", 4, seed=3, extra={"其他": 2})
    common = ["--train", str(train), "--test", str(test), "--text-col", "内容", "--label-col", "类别"]
    figures = bench(*common, "--labels", "噪音,供暖,物业")
    assert (figures["n_train"], figures["n_test"]) == (30, 12)
    assert set(figures["per_label"]) == {"噪音", "供暖", "物业"}
    top = bench(*common, "--top-labels", "4")
    assert (top["n_train"], top["n_test"]) == (40, 16)
    assert "其他" not in top["per_label"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--text-col", "正文", "--label-col", "类别", "--cv", "3"], "正文"),
        (["--text-col", "内容", "--label-col", "类别"], "--cv"),
        (["--text-col", "内容", "--label-col", "类别", "--test", "/nowhere/test.csv"], "找不到文件"),
    ],
)
def test_clear_errors(tmp_path: Path, args: list[str], message: str) -> None:
    train = write_csv(tmp_path / "train.csv", 5, seed=4)
    with pytest.raises(CommandError, match=message):
        bench("--train", str(train), *args)


def write_leaf_csv(path: Path, per_leaf: int, seed: int, conflicting: bool = False) -> Path:
    """32 labels in 4 groups: each leaf's texts name a place of their own."""
    rng = random.Random(seed)
    places = ["东湖", "西山", "南街", "北站", "中桥", "江滩", "新村", "老城"]
    rows = [
        (appeal(group, rng) + place + "附近", f"{group}-{place}", group)
        for group in VOCABULARY for place in places for _ in range(per_leaf)
    ]  # fmt: skip
    if conflicting:
        rows.append((rows[0][0], rows[0][1], "别的分组"))
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["内容", "类别", "一级"])
        writer.writerows(rows)
    return path


def test_labels_with_a_group_column_train_in_two_stages(tmp_path: Path) -> None:
    train, test = write_leaf_csv(tmp_path / "train.csv", 6, seed=5), write_leaf_csv(tmp_path / "test.csv", 2, seed=6)
    common = ["--train", str(train), "--test", str(test), "--text-col", "内容", "--label-col", "类别"]
    figures = bench(*common, "--group-col", "一级")
    assert figures["groups"] == 4 and figures["n_test"] == 64
    assert figures["accuracy"] > 0.9
    assert bench(*common)["groups"] is None
    write_leaf_csv(train, 6, seed=5, conflicting=True)
    with pytest.raises(CommandError, match="属于两个分组"):
        bench(*common, "--group-col", "一级")
