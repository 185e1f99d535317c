"""The text classifier on synthetic appeals: pure Python, no database, no public data."""

from __future__ import annotations

import json
import pickle
import random

import numpy as np
import pytest

from rexian.routing.textmodel import (
    Guess,
    TextClassifier,
    ThresholdRow,
    _Features,
    cross_validate,
    evaluate,
    holdout_split,
    share_at_precision,
    threshold_table,
    tokenize,
)

VOCABULARY = {
    "噪音": ["噪音", "施工", "夜间", "扰民", "装修", "分贝", "广场舞", "鸣笛"],
    "供暖": ["暖气", "供暖", "温度", "不热", "锅炉", "采暖费", "室温", "暖气片"],
    "物业": ["物业", "保安", "电梯", "物业费", "保洁", "门禁", "业委会", "维修基金"],
    "交通": ["公交", "红绿灯", "堵车", "路口", "车站", "地铁", "违停", "线路"],
}
FILLER = ["市民", "反映", "希望", "尽快", "处理", "我家", "附近", "最近", "一直", "请", "相关", "部门", "解决", "多次"]


def appeal(label: str, rng: random.Random) -> str:
    words = rng.sample(FILLER, 5) + rng.sample(VOCABULARY[label], 3)
    rng.shuffle(words)
    return "，".join(["".join(words[:4]), "".join(words[4:])]) + "。"


def corpus(per_label: int, seed: int) -> tuple[list[str], list[str]]:
    rng = random.Random(seed)
    pairs = [(appeal(label, rng), label) for label in VOCABULARY for _ in range(per_label)]
    rng.shuffle(pairs)
    return [text for text, _ in pairs], [label for _, label in pairs]


@pytest.fixture(scope="module")
def model() -> TextClassifier:
    texts, labels = corpus(30, seed=1)
    return TextClassifier().fit(texts, labels)


def test_the_right_label_comes_first_and_confidently(model: TextClassifier) -> None:
    assert model.labels == sorted(VOCABULARY)
    texts, labels = corpus(10, seed=2)
    for text, label in zip(texts, labels, strict=True):
        best = model.guess(text)[0]
        assert best.label == label, text
        assert best.confidence > 0.5, text


def test_guesses_are_ranked_probabilities(model: TextClassifier) -> None:
    texts, _ = corpus(5, seed=3)
    for ranked in [*model.guess_many(texts, k=3), model.guess("完全无关的一句话"), model.guess("")]:
        confidences = [guess.confidence for guess in ranked]
        assert len(ranked) == 3 and all(isinstance(guess, Guess) for guess in ranked)
        assert confidences == sorted(confidences, reverse=True)
        assert all(0.0 <= confidence <= 1.0 for confidence in confidences)
        assert sum(confidences) <= 1.0 + 1e-6
    assert len(model.guess(texts[0], k=10)) == len(VOCABULARY)
    assert model.guess_many([]) == []


def test_a_stored_model_guesses_the_same(model: TextClassifier) -> None:
    texts, _ = corpus(5, seed=4)
    restored = TextClassifier.from_bytes(model.to_bytes())
    assert restored.labels == model.labels
    assert restored.guess_many(texts) == model.guess_many(texts)


def test_a_model_of_another_format_is_refused(model: TextClassifier) -> None:
    state = pickle.loads(model.to_bytes())
    with pytest.raises(ValueError, match="版本"):
        TextClassifier.from_bytes(pickle.dumps({**state, "format": 0}))
    with pytest.raises(ValueError):
        TextClassifier.from_bytes(b"not a model")


def test_training_is_deterministic() -> None:
    texts, labels = corpus(15, seed=5)
    probe, _ = corpus(3, seed=6)
    first = TextClassifier().fit(texts, labels).guess_many(probe)
    assert TextClassifier().fit(texts, labels).guess_many(probe) == first


def test_training_needs_two_labels_and_enough_texts() -> None:
    texts, _ = corpus(5, seed=7)
    with pytest.raises(ValueError, match="两个不同的标签"):
        TextClassifier().fit(texts, ["噪音"] * len(texts))
    with pytest.raises(ValueError, match="至少需要 10 条"):
        TextClassifier().fit(texts[:9], ["噪音", "供暖"] * 4 + ["噪音"])
    with pytest.raises(ValueError, match="未知的参数"):
        TextClassifier(colour="red")


def test_labels_with_one_or_two_texts_do_not_break_training() -> None:
    rng = random.Random(8)
    texts, labels = corpus(12, seed=8)
    texts += [appeal("交通", rng), appeal("物业", rng), appeal("物业", rng)]
    labels += ["地铁", "电梯", "电梯"]
    model = TextClassifier().fit(texts, labels)
    assert set(model.labels) == {*VOCABULARY, "地铁", "电梯"}
    ranked = model.guess(texts[0], k=len(model.labels))
    assert abs(sum(guess.confidence for guess in ranked) - 1.0) < 1e-6


def test_two_labels_with_a_single_text_of_one_of_them() -> None:
    texts, labels = corpus(10, seed=9)
    pairs = [(t, label) for t, label in zip(texts, labels, strict=True) if label == "噪音"][:11]
    pairs.append((appeal("供暖", random.Random(9)), "供暖"))
    model = TextClassifier().fit([t for t, _ in pairs], [label for _, label in pairs])
    assert model.labels == ["供暖", "噪音"]
    assert model.guess(pairs[0][0])[0].label == "噪音"


def test_progress_is_reported_in_chinese_steps() -> None:
    texts, labels = corpus(5, seed=10)
    seen: list[tuple[float, str]] = []
    TextClassifier().fit(texts, labels, progress=lambda share, step: seen.append((share, step)))
    shares = [share for share, _ in seen]
    assert shares == sorted(shares) and shares[0] >= 0.0 and shares[-1] == 1.0
    assert {"分词", "提取特征", "训练", "校准"} <= {step for _, step in seen}


# Each group's texts split into two leaves by a place only that leaf's texts name.
LEAF_MARKS = {0: ["东湖", "东门", "东岸"], 1: ["西山", "西站", "西坡"]}


def leaf_corpus(per_leaf: int, seed: int) -> tuple[list[str], list[str]]:
    rng = random.Random(seed)
    pairs = [
        (appeal(group, rng) + rng.choice(LEAF_MARKS[leaf]) + "一带", f"{group}{leaf}")
        for group in VOCABULARY for leaf in LEAF_MARKS for _ in range(per_leaf)
    ]  # fmt: skip
    rng.shuffle(pairs)
    return [text for text, _ in pairs], [label for _, label in pairs]


LEAF_GROUPS = {f"{group}{leaf}": group for group in VOCABULARY for leaf in LEAF_MARKS}


def test_many_labels_with_groups_train_in_two_stages() -> None:
    texts, labels = leaf_corpus(20, seed=21)
    model = TextClassifier(two_stage_above=4).fit(texts, labels, groups=LEAF_GROUPS)
    assert model.stages == 2 and model.labels == sorted(LEAF_GROUPS)
    probe, truth = leaf_corpus(4, seed=22)
    right = 0
    for label, ranked in zip(truth, model.guess_many(probe, k=len(LEAF_GROUPS)), strict=True):
        assert abs(sum(guess.confidence for guess in ranked) - 1.0) < 1e-6  # P(group) × P(leaf | group)
        right += ranked[0].label == label
    assert right / len(probe) >= 0.9
    restored = TextClassifier.from_bytes(model.to_bytes())
    assert restored.stages == 2 and restored.guess_many(probe) == model.guess_many(probe)


def test_few_labels_or_no_groups_train_in_one_stage() -> None:
    texts, labels = leaf_corpus(10, seed=23)
    assert TextClassifier(two_stage_above=4).fit(texts, labels).stages == 1
    assert TextClassifier().fit(texts, labels, groups=LEAF_GROUPS).stages == 1  # 8 labels: below 30
    one_group = dict.fromkeys(LEAF_GROUPS, "全部")
    assert TextClassifier(two_stage_above=4).fit(texts, labels, groups=one_group).stages == 1


def test_a_label_without_a_group_is_refused() -> None:
    texts, labels = leaf_corpus(10, seed=24)
    partial = {label: group for label, group in LEAF_GROUPS.items() if not label.startswith("交通")}
    with pytest.raises(ValueError, match="没有所属分组：交通0、交通1"):
        TextClassifier(two_stage_above=4).fit(texts, labels, groups=partial)


def test_tokenize_drops_punctuation_and_lowercases() -> None:
    tokens = tokenize("ＡＢＣ小区 夜间施工噪音，严重扰民！！")
    assert "abc" in tokens and "噪音" in tokens
    assert not any(token.strip() in {"", "，", "！"} for token in tokens)


def test_the_fast_transform_equals_the_vectorizers() -> None:
    texts, _ = corpus(10, seed=11)
    features = _Features(TextClassifier().params)
    fitted = features.fit_transform(texts, lambda share, step: None)
    assert np.abs((fitted - features.transform(texts)).toarray()).max() < 1e-6


def test_threshold_table_counts_what_the_machine_would_take() -> None:
    outcomes = [(0.99, True), (0.95, True), (0.9, False), (0.8, True), (0.6, False), (0.4, True)]
    rows = threshold_table(outcomes, thresholds=(0.5, 0.9, 0.97, 0.995))
    assert rows == [
        ThresholdRow(0.5, 5 / 6, 3 / 5, 5),
        ThresholdRow(0.9, 0.5, 2 / 3, 3),
        ThresholdRow(0.97, 1 / 6, 1.0, 1),
        ThresholdRow(0.995, 0.0, None, 0),
    ]
    assert threshold_table([], thresholds=(0.5,)) == [ThresholdRow(0.5, 0.0, None, 0)]


def test_share_at_precision_takes_the_lowest_threshold_that_holds() -> None:
    outcomes = [(0.99, True), (0.97, True), (0.9, False), (0.85, True), (0.8, True), (0.5, False)]
    assert share_at_precision(outcomes, 1.0) == (0.97, 2 / 6)
    assert share_at_precision(outcomes, 0.75) == (0.8, 5 / 6)
    assert share_at_precision(outcomes, 0.5) == (0.5, 1.0)
    assert share_at_precision([(0.9, False), (0.8, True)], 0.98) == (None, 0.0)
    assert share_at_precision([], 0.98) == (None, 0.0)


def test_equal_confidences_are_taken_together() -> None:
    # At 0.9 both texts come in, one of them wrong: 1.0 precision is only reached above it, never.
    assert share_at_precision([(0.9, True), (0.9, False)], 1.0) == (None, 0.0)
    assert share_at_precision([(0.95, True), (0.9, True), (0.9, False)], 1.0) == (0.95, 1 / 3)


def test_holdout_split_is_stratified_and_deterministic() -> None:
    texts, labels = corpus(20, seed=12)
    texts, labels = [*texts, "孤零零的一条"], [*labels, "其他"]
    split = holdout_split(texts, labels, share=0.25, seed=3)
    assert split == holdout_split(texts, labels, share=0.25, seed=3)
    assert split != holdout_split(texts, labels, share=0.25, seed=4)
    train_texts, train_labels, test_texts, test_labels = split
    assert sorted(train_texts + test_texts) == sorted(texts)
    assert all(test_labels.count(label) == 5 for label in VOCABULARY)
    assert "其他" in train_labels and "其他" not in test_labels


def test_cross_validate_tests_every_text_once() -> None:
    texts, labels = corpus(10, seed=13)
    evaluation = cross_validate(texts, labels, folds=4)
    assert evaluation.n_test == len(texts) == len(evaluation.outcomes)
    assert evaluation.n_train == 30
    assert evaluation.accuracy > 0.9 and evaluation.macro_f1 > 0.9
    assert set(evaluation.per_label) == set(VOCABULARY)
    assert sum(row["support"] for row in evaluation.per_label.values()) == len(texts)


def test_an_evaluation_serialises_to_json() -> None:
    train_texts, train_labels = corpus(10, seed=14)
    test_texts, test_labels = corpus(3, seed=15)
    evaluation = evaluate(train_texts, train_labels, test_texts, test_labels)
    figures = json.loads(json.dumps(evaluation.to_dict()))
    assert figures["n_train"] == 40 and figures["n_test"] == 12
    assert figures["train_s"] > 0 and figures["predict_ms_p95"] > 0
    assert len(figures["threshold_table"]) == 9
    assert set(figures["share_at_precision_98"]) == {"threshold", "share"}
