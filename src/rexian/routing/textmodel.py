"""Text classification for smart intake: guess an appeal's category or unit from its text.

Pure Python with numpy, scikit-learn and jieba, so that it can be trained, measured and tested without
Django. Features are TF-IDF character n-grams plus jieba word n-grams (sublinear tf); the classifier is
a linear SVM whose scores are turned into probabilities by cross-validated calibration, so that a
confidence threshold can decide which appeals the machine may route on its own.
docs/routing.md ("Classification benchmark") gives the figures behind each default below.
"""

from __future__ import annotations

import io
import logging
import math
import pickle
import time
import unicodedata
import warnings
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any

import jieba
import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, precision_recall_fscore_support
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import LinearSVC

jieba.setLogLevel(logging.WARNING)

FORMAT_VERSION = 1
MIN_TEXTS = 10
SEED = 0

Progress = Callable[[float, str], None]

# Chosen on the public benchmarks (docs/routing.md): one configuration for every task.
DEFAULTS: dict[str, Any] = {
    "char_ngrams": (1, 3),
    "word_ngrams": (1, 2),
    "word_weight": 0.5,  # the word block's weight next to the character block
    "min_df": 2,  # n-grams seen once are mostly noise, and drop three quarters of the features
    "C": 0.5,
    "class_weight": "balanced",  # small labels (a rare unit) are otherwise hardly ever guessed
    "calibration_folds": 3,
    "calibration_C": 1.0,
    "hmm": False,  # jieba's HMM for unknown words: 60 % slower, no better
    "max_chars": 500,  # the start of an appeal says what it is about; long texts would break 5 ms
    # With more labels than this and a group for each (a category's level-1 branch), train two stages: the
    # group, then the label within its group. One SVM per label over every text grows as labels × texts.
    "two_stage_above": 30,
}


@dataclass(frozen=True)
class Guess:
    """One ranked label with its calibrated probability."""

    label: str
    confidence: float


def _normalize(text: str) -> str:
    # NFKC folds full-width letters and digits (ｂｅｉｊｉｎｇ, １２３) into the forms people also type.
    return " ".join(unicodedata.normalize("NFKC", text).lower().split())


def _is_word(token: str) -> bool:
    return any(unicodedata.category(ch)[0] in "LN" for ch in token)


def tokenize(text: str, hmm: bool = False) -> list[str]:
    """jieba words of the normalised text, without punctuation and whitespace."""
    return [token for token in jieba.lcut(_normalize(text), HMM=hmm) if _is_word(token)]


@lru_cache(maxsize=256)
def _prepare(text: str, max_chars: int, hmm: bool, words: bool) -> tuple[str, tuple[str, ...]]:
    # Kept: the suggestion runs the category, unit and type models over the same text one after another.
    text = text[:max_chars]
    return _normalize(text), (tuple(tokenize(text, hmm)) if words else ())


def _split_words(joined: str) -> list[str]:
    # The word vectorizer receives texts already tokenized and joined with spaces.
    return joined.split(" ") if joined else []


def _ngrams(items: Sequence[str], low: int, high: int, sep: str) -> Iterator[str]:
    """The n-grams TfidfVectorizer makes of a text's characters (sep "") or of its words (sep " ")."""
    for n in range(low, high + 1):
        for start in range(len(items) - n + 1):
            yield sep.join(items[start : start + n])


class _Block:
    """One fitted TF-IDF block, applied by hand: on one short text sklearn's input checks cost more than the
    work. Gives what the fitted TfidfVectorizer gives (sublinear tf, idf, l2 norm); a test holds them equal."""

    def __init__(self, vectorizer: TfidfVectorizer, sep: str, weight: float) -> None:
        self.vocabulary: dict[str, int] = vectorizer.vocabulary_
        self.idf: np.ndarray = vectorizer.idf_.astype(np.float64)
        self.low, self.high = vectorizer.ngram_range
        self.sep, self.weight = sep, weight

    def row(self, items: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        counts = Counter(
            column for gram in _ngrams(items, self.low, self.high, self.sep)
            if (column := self.vocabulary.get(gram)) is not None
        )  # fmt: skip
        columns = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        values = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))) * self.idf[columns]
        norm = math.sqrt(values @ values)  # np.linalg.norm's checks cost more than the sum on a short row
        return columns, values * (self.weight / norm) if norm else values


class _Features:
    """Character n-grams of the normalised text next to word n-grams of its jieba tokens."""

    def __init__(self, params: dict[str, Any]) -> None:
        self.params = params
        self.blocks: list[_Block] = []
        self.width = 0

    def _vectorizers(self) -> tuple[TfidfVectorizer, TfidfVectorizer | None]:
        common = {"sublinear_tf": True, "min_df": self.params["min_df"], "dtype": np.float32, "lowercase": False}
        chars = TfidfVectorizer(analyzer="char", ngram_range=tuple(self.params["char_ngrams"]), **common)
        if not self.params["word_ngrams"]:
            return chars, None
        words = TfidfVectorizer(
            tokenizer=_split_words, token_pattern=None, ngram_range=tuple(self.params["word_ngrams"]), **common
        )
        return chars, words

    def _prepared(self, text: str) -> tuple[str, tuple[str, ...]]:
        """The normalised text for the character block and its words for the word block."""
        return _prepare(text, self.params["max_chars"], self.params["hmm"], bool(self.params["word_ngrams"]))

    def fit_transform(self, texts: Sequence[str], progress: Progress) -> sparse.csr_matrix:
        progress(0.05, "分词")
        prepared = [self._prepared(text) for text in texts]
        progress(0.25, "提取特征")
        chars, words = self._vectorizers()
        matrices = [chars.fit_transform([normalised for normalised, _ in prepared])]
        self.blocks = [_Block(chars, "", 1.0)]
        if words is not None:
            weight = self.params["word_weight"]
            matrices.append(words.fit_transform([" ".join(tokens) for _, tokens in prepared]) * weight)
            self.blocks.append(_Block(words, " ", weight))
        self.width = sum(matrix.shape[1] for matrix in matrices)
        return sparse.hstack(matrices, format="csr")

    def _row(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        parts = [block.row(items) for block, items in zip(self.blocks, self._prepared(text), strict=False)]
        offsets = np.cumsum([0] + [len(block.idf) for block in self.blocks[:-1]])
        columns = np.concatenate([part[0] + offset for part, offset in zip(parts, offsets, strict=True)])
        return columns, np.concatenate([part[1] for part in parts])

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        rows = [self._row(text) for text in texts]
        pointers = np.cumsum([0] + [len(columns) for columns, _ in rows])
        columns = np.concatenate([columns for columns, _ in rows])
        # float32 like the weights: a mixed product would copy the whole weight matrix on every call.
        values = np.concatenate([values for _, values in rows]).astype(np.float32)
        return sparse.csr_matrix((values, columns, pointers), shape=(len(texts), self.width))


def _calibration_splits(labels: np.ndarray, wanted: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Stratified folds for the out-of-fold scores, fewer when the smallest class is small.

    A class with fewer texts than folds is missing from some folds' training parts; such a fold still
    scores it (see _out_of_fold_scores). A fold whose training part holds a single label is left out.
    """
    smallest = min(Counter(labels.tolist()).values())
    folds = max(2, min(wanted, smallest, len(labels) // 2))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "the least populated class has only 1 member"
        splits = StratifiedKFold(n_splits=folds, shuffle=True, random_state=SEED).split(labels, labels)
        return [(train, test) for train, test in splits if len(set(labels[train].tolist())) > 1]


def _scores(weights: np.ndarray, intercept: np.ndarray, x: sparse.csr_matrix) -> np.ndarray:
    """SVM scores; `weights` is features × labels, contiguous, so that a sparse row gathers whole rows."""
    scores = x @ weights + intercept
    # With two labels LinearSVC keeps one score, for the second label; the first gets its negation.
    return np.column_stack([-scores[:, 0], scores[:, 0]]) if scores.shape[1] == 1 else scores


# The out-of-fold score of a label the fold's model never saw: the SVM margin of a clear "no".
UNSEEN_SCORE = -1.0


class _CalibratedSVM:
    """A linear SVM whose scores a multinomial logistic regression turns into probabilities.

    The regression is fitted on out-of-fold SVM scores (stacking, a.k.a. matrix scaling), so it learns how
    far to trust each label's score without seeing scores the SVM had fitted on. Unlike one calibrated
    SVM per fold (CalibratedClassifierCV), only one SVM is kept: the model stays small and fast.
    """

    def __init__(self, params: dict[str, Any]) -> None:
        self.params = params
        self.classes_: np.ndarray = np.array([])
        self.weights_: np.ndarray = np.zeros((0, 0), dtype=np.float32)
        self.intercept_: np.ndarray = np.zeros(0)
        self.calibration_: tuple[np.ndarray, np.ndarray] | None = None

    def _svm(self) -> LinearSVC:
        return LinearSVC(C=self.params["C"], class_weight=self.params["class_weight"], random_state=SEED)

    def fit(self, x: sparse.csr_matrix, y: np.ndarray, progress: Progress) -> _CalibratedSVM:
        self.classes_ = np.unique(y)
        progress(0.1, "训练")
        svm = self._svm().fit(x, y)
        # float32 halves the stored model; scores agree to about 1e-6.
        self.weights_ = np.ascontiguousarray(svm.coef_.T, dtype=np.float32)
        self.intercept_ = svm.intercept_.astype(np.float32)
        progress(0.4, "校准")
        covered, scores = self._out_of_fold_scores(x, y)
        self.calibration_ = self._calibrate(scores, y[covered])
        return self

    def _out_of_fold_scores(self, x: sparse.csr_matrix, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        position = {label: index for index, label in enumerate(self.classes_)}
        scores = np.full((len(y), len(self.classes_)), UNSEEN_SCORE)
        covered = np.zeros(len(y), dtype=bool)
        # Fitted one after another: liblinear's random generator is global, so SVMs fitted in threads side by
        # side would make training irreproducible.
        for train, test in _calibration_splits(y, self.params["calibration_folds"]):
            fold = self._svm().fit(x[train], y[train])
            columns = [position[label] for label in fold.classes_]
            scores[np.ix_(test, columns)] = _scores(fold.coef_.T, fold.intercept_, x[test])
            covered[test] = True
        return covered, scores[covered]

    def _calibrate(self, scores: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        if set(y.tolist()) != set(self.classes_.tolist()):
            return None  # too few texts to see every label out of fold: plain softmax of the scores
        regression = LogisticRegression(C=self.params["calibration_C"], max_iter=1000).fit(scores, y)
        coef, intercept = regression.coef_, regression.intercept_
        if len(self.classes_) == 2:  # binary regression: one logit for the second label
            coef, intercept = np.vstack([np.zeros_like(coef), coef]), np.concatenate([[0.0], intercept])
        return coef, intercept

    def predict_proba(self, x: sparse.csr_matrix) -> np.ndarray:
        logits = _scores(self.weights_, self.intercept_, x)
        if self.calibration_ is not None:
            coef, intercept = self.calibration_
            logits = logits @ coef.T + intercept
        exp = np.exp(logits - logits.max(axis=1, keepdims=True))
        return exp / exp.sum(axis=1, keepdims=True)


class _TwoStage:
    """The group first (a category's level-1 branch), then the label among its group's labels:
    P(label) = P(group) × P(label | group). Each stage is a calibrated SVM; the branch SVMs see only their
    group's texts, so training grows with texts × (groups + labels per group) instead of texts × labels."""

    def __init__(self, params: dict[str, Any], groups: Mapping[str, str]) -> None:
        self.params = params
        self.groups = dict(groups)
        self.classes_: np.ndarray = np.array([])
        self.top = _CalibratedSVM(params)
        # Per group: the columns of its labels in classes_, and its model (None for a group of one label).
        self.branches: list[tuple[np.ndarray, _CalibratedSVM | None]] = []

    def fit(self, x: sparse.csr_matrix, y: np.ndarray, progress: Progress) -> _TwoStage:
        self.classes_ = np.unique(y)
        group_of = np.asarray([self.groups[label] for label in y])
        self.top.fit(x, group_of, lambda share, step: progress(0.3 * share, f"一级：{step}"))
        column = {label: index for index, label in enumerate(self.classes_)}
        self.branches = []
        for index, group in enumerate(self.top.classes_):
            progress(0.3 + 0.7 * index / len(self.top.classes_), f"二级：{group}")
            rows = np.flatnonzero(group_of == group)
            members = np.unique(y[rows])
            model = _CalibratedSVM(self.params).fit(x[rows], y[rows], lambda share, step: None)
            self.branches.append((np.asarray([column[m] for m in members]), model if len(members) > 1 else None))
        return self

    def predict_proba(self, x: sparse.csr_matrix) -> np.ndarray:
        top = self.top.predict_proba(x)
        result = np.zeros((x.shape[0], len(self.classes_)))
        for index, (columns, model) in enumerate(self.branches):
            within = model.predict_proba(x) if model is not None else np.ones((x.shape[0], 1))
            result[:, columns] = top[:, index : index + 1] * within
        return result


class TextClassifier:
    """Fit on labelled texts, then guess the most likely labels of a new text with their probabilities."""

    def __init__(self, **params: Any) -> None:
        unknown = set(params) - set(DEFAULTS)
        if unknown:
            raise ValueError(f"未知的参数：{', '.join(sorted(unknown))}")
        self.params: dict[str, Any] = {**DEFAULTS, **params}
        self.labels: list[str] = []
        self._features: _Features | None = None
        self._model: Any = None

    def fit(
        self,
        texts: Sequence[str],
        labels: Sequence[str],
        progress: Progress | None = None,
        groups: Mapping[str, str] | None = None,
    ) -> TextClassifier:
        """Train; `groups` maps each label to its group (its level-1 category), used beyond `two_stage_above`
        labels."""
        report = progress or (lambda share, step: None)
        _check_training_data(texts, labels)
        y = np.asarray([str(label) for label in labels])
        self._features = _Features(self.params)
        x = self._features.fit_transform(texts, report)
        model_progress = lambda share, step: report(0.45 + 0.55 * share, step)  # noqa: E731
        if self._two_stage(y, groups):
            assert groups is not None
            self._model = _TwoStage(self.params, groups).fit(x, y, model_progress)
        else:
            self._model = _CalibratedSVM(self.params).fit(x, y, model_progress)
        self.labels = [str(label) for label in self._model.classes_]
        report(1.0, "完成")
        return self

    def _two_stage(self, y: np.ndarray, groups: Mapping[str, str] | None) -> bool:
        labels = set(y.tolist())
        if groups is None or len(labels) <= self.params["two_stage_above"]:
            return False
        missing = sorted(labels - set(groups))
        if missing:
            raise ValueError(f"以下标签没有所属分组：{'、'.join(missing[:10])}")
        return len({groups[label] for label in labels}) > 1

    @property
    def stages(self) -> int:
        return 2 if isinstance(self._model, _TwoStage) else 1

    def _probabilities(self, texts: Sequence[str]) -> np.ndarray:
        if self._features is None:
            raise RuntimeError("模型尚未训练。")
        return self._model.predict_proba(self._features.transform(texts))

    def guess(self, text: str, k: int = 3) -> list[Guess]:
        return self.guess_many([text], k)[0]

    def guess_many(self, texts: Sequence[str], k: int = 3) -> list[list[Guess]]:
        if not texts:
            return []
        probabilities = self._probabilities(texts)
        top = np.argsort(-probabilities, axis=1, kind="stable")[:, :k]
        return [
            [Guess(self.labels[j], float(min(1.0, max(0.0, row[j])))) for j in order]
            for row, order in zip(probabilities, top, strict=True)
        ]

    def to_bytes(self) -> bytes:
        state = {"format": FORMAT_VERSION, "params": self.params, "labels": self.labels,
                 "features": self._features, "model": self._model}  # fmt: skip
        buffer = io.BytesIO()
        pickle.dump(state, buffer, protocol=pickle.HIGHEST_PROTOCOL)
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> TextClassifier:
        # Only load models this installation wrote itself: unpickling runs code.
        try:
            state = pickle.loads(data)
        except Exception as error:
            raise ValueError("无法读取模型数据。") from error
        if not isinstance(state, dict) or state.get("format") != FORMAT_VERSION:
            raise ValueError(f"模型格式版本不符（需要 {FORMAT_VERSION}），请重新训练。")
        model = cls(**state["params"])
        model.labels, model._features, model._model = state["labels"], state["features"], state["model"]
        return model


def _check_training_data(texts: Sequence[str], labels: Sequence[str]) -> None:
    if len(texts) != len(labels):
        raise ValueError(f"文本数（{len(texts)}）与标签数（{len(labels)}）不一致。")
    if len(texts) < MIN_TEXTS:
        raise ValueError(f"训练文本太少：至少需要 {MIN_TEXTS} 条，现有 {len(texts)} 条。")
    if len(set(labels)) < 2:
        raise ValueError("至少需要两个不同的标签才能训练分类模型。")


# --- Evaluation -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ThresholdRow:
    threshold: float
    share: float  # of all texts, those whose top confidence reaches the threshold
    accuracy: float | None  # among those; None when there are none
    count: int


def threshold_table(
    outcomes: Sequence[tuple[float, bool]],
    thresholds: Sequence[float] = (0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.98, 0.99),
) -> list[ThresholdRow]:
    """What the machine would take at each confidence threshold, and how often it would be right."""
    rows = []
    for threshold in thresholds:
        taken = [correct for confidence, correct in outcomes if confidence >= threshold]
        accuracy = sum(taken) / len(taken) if taken else None
        share = len(taken) / len(outcomes) if outcomes else 0.0
        rows.append(ThresholdRow(threshold, share, accuracy, len(taken)))
    return rows


def share_at_precision(outcomes: Sequence[tuple[float, bool]], precision: float = 0.98) -> tuple[float | None, float]:
    """The lowest threshold whose accepted texts are right at least `precision` of the time, and their share."""
    ranked = sorted(outcomes, key=lambda outcome: -outcome[0])
    right = 0
    best: tuple[float | None, float] = (None, 0.0)
    for index, (confidence, correct) in enumerate(ranked):
        right += correct
        is_last_of_tie = index + 1 == len(ranked) or ranked[index + 1][0] < confidence
        # Thresholds fall between distinct confidences: texts with equal confidence come in together.
        if is_last_of_tie and right / (index + 1) >= precision:
            best = (confidence, (index + 1) / len(ranked))
    return best


@dataclass
class Evaluation:
    n_train: int
    n_test: int
    accuracy: float
    macro_f1: float
    per_label: dict[str, dict[str, float]]
    outcomes: list[tuple[float, bool]] = field(repr=False)
    train_s: float
    predict_ms_p95: float

    def to_dict(self) -> dict[str, Any]:
        threshold, share = share_at_precision(self.outcomes, 0.98)
        return {
            "accuracy": round(self.accuracy, 4),
            "macro_f1": round(self.macro_f1, 4),
            "train_s": round(self.train_s, 2),
            "predict_ms_p95": round(self.predict_ms_p95, 2),
            "n_train": self.n_train,
            "n_test": self.n_test,
            "per_label": {label: {k: round(v, 4) for k, v in row.items()} for label, row in self.per_label.items()},
            "threshold_table": [asdict(row) for row in threshold_table(self.outcomes)],
            "share_at_precision_98": {"threshold": threshold, "share": round(share, 4)},
        }


@dataclass
class _Run:
    """One train/test round's raw results, pooled by cross_validate."""

    truth: list[str]
    predicted: list[str]
    outcomes: list[tuple[float, bool]]
    train_s: float
    timings_ms: list[float]


# Single-text timings are taken on at most this many test texts: enough for a p95.
TIMED_TEXTS = 300


def _run(
    train_texts: Sequence[str],
    train_labels: Sequence[str],
    test_texts: Sequence[str],
    test_labels: Sequence[str],
    progress: Progress | None,
    params: dict[str, Any],
    groups: Mapping[str, str] | None = None,
) -> _Run:
    started = time.perf_counter()
    model = TextClassifier(**params).fit(train_texts, train_labels, progress, groups)
    return _measured(model, test_texts, test_labels, time.perf_counter() - started)


def _measured(model: TextClassifier, test_texts: Sequence[str], test_labels: Sequence[str], train_s: float) -> _Run:
    guesses = model.guess_many(test_texts, k=1)
    predicted = [ranked[0].label for ranked in guesses]
    truth = [str(label) for label in test_labels]
    outcomes = [(ranked[0].confidence, p == t) for ranked, p, t in zip(guesses, predicted, truth, strict=True)]
    timings = []
    for text in test_texts[:TIMED_TEXTS]:
        begun = time.perf_counter()
        model.guess(text)
        timings.append((time.perf_counter() - begun) * 1000)
    return _Run(truth, predicted, outcomes, train_s, timings)


def _evaluation(runs: list[_Run], n_train: int) -> Evaluation:
    truth = [label for run in runs for label in run.truth]
    predicted = [label for run in runs for label in run.predicted]
    names = sorted(set(truth) | set(predicted))
    precision, recall, f1, support = precision_recall_fscore_support(truth, predicted, labels=names, zero_division=0)
    per_label = {
        name: {"precision": float(p), "recall": float(r), "f1": float(f), "support": int(s)}
        for name, p, r, f, s in zip(names, precision, recall, f1, support, strict=True)
    }
    timings = [ms for run in runs for ms in run.timings_ms]
    return Evaluation(
        n_train=n_train,
        n_test=len(truth),
        accuracy=float(np.mean([t == p for t, p in zip(truth, predicted, strict=True)])),
        macro_f1=float(f1_score(truth, predicted, labels=names, average="macro", zero_division=0)),
        per_label=per_label,
        outcomes=[outcome for run in runs for outcome in run.outcomes],
        train_s=float(np.mean([run.train_s for run in runs])),
        predict_ms_p95=float(np.percentile(timings, 95)) if timings else 0.0,
    )


def evaluate(
    train_texts: Sequence[str],
    train_labels: Sequence[str],
    test_texts: Sequence[str],
    test_labels: Sequence[str],
    progress: Progress | None = None,
    groups: Mapping[str, str] | None = None,
    **params: Any,
) -> Evaluation:
    """Train on one set, measure on the other."""
    run = _run(train_texts, train_labels, test_texts, test_labels, progress, params, groups)
    return _evaluation([run], len(train_texts))


def cross_validate(
    texts: Sequence[str],
    labels: Sequence[str],
    folds: int,
    progress: Progress | None = None,
    groups: Mapping[str, str] | None = None,
    **params: Any,
) -> Evaluation:
    """Stratified K-fold: every text is tested once; outcomes pooled, training time averaged."""
    texts, labels = list(texts), [str(label) for label in labels]
    _check_training_data(texts, labels)
    y = np.asarray(labels)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # rare classes: fewer members than folds
        splits = list(StratifiedKFold(n_splits=folds, shuffle=True, random_state=SEED).split(y, y))
    runs = []
    for index, (train, test) in enumerate(splits):
        fold_progress = _fold_progress(progress, index, len(splits))
        runs.append(
            _run([texts[i] for i in train], y[train].tolist(), [texts[i] for i in test], y[test].tolist(),
                 fold_progress, params, groups)
        )  # fmt: skip
    n_train = round(float(np.mean([len(train) for train, _ in splits])))
    return _evaluation(runs, n_train)


def _fold_progress(progress: Progress | None, index: int, folds: int) -> Progress | None:
    if progress is None:
        return None
    return lambda share, step: progress((index + share) / folds, f"第 {index + 1}/{folds} 折：{step}")


def holdout_split(
    texts: Sequence[str], labels: Sequence[str], share: float = 0.2, seed: int = 0
) -> tuple[list[str], list[str], list[str], list[str]]:
    """A stratified, deterministic train/test split; labels with one text stay in training."""
    rng = np.random.default_rng(seed)
    by_label: dict[str, list[int]] = {}
    for index, label in enumerate(labels):
        by_label.setdefault(str(label), []).append(index)
    test_indices: set[int] = set()
    for label in sorted(by_label):
        members = by_label[label]
        take = round(len(members) * share) if len(members) > 1 else 0
        test_indices.update(rng.permutation(members)[:take].tolist())
    train = [i for i in range(len(texts)) if i not in test_indices]
    test = sorted(test_indices)
    return ([texts[i] for i in train], [str(labels[i]) for i in train],
            [texts[i] for i in test], [str(labels[i]) for i in test])  # fmt: skip


def assess(
    model: TextClassifier, test_texts: Sequence[str], test_labels: Sequence[str], *, train_s: float, n_train: int
) -> Evaluation:
    """Measure a fitted model on held-back texts: the registry stores exactly the model it measured."""
    return _evaluation([_measured(model, test_texts, test_labels, train_s)], n_train)
