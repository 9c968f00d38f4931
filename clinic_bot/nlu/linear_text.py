"""A linear text classifier that runs without scikit-learn at prediction time: TF-IDF blocks (word 1-2 grams,
character 2-5 grams within words), each over one *view* of the message, and a multinomial logistic regression.

Shared by the triage (clinic_bot/nlu/triage/learned.py: one view, the folded message with set-aside mentions
masked) and the intent classifier (clinic_bot/nlu/intent_classifier.py: lemmas with procedure and condition
names masked for the words, the raw text for the characters). Training goes through scikit-learn
(``fit_pipeline``); the fitted pipeline is then turned into word lists and arrays: scikit-learn's
predict_proba costs ~2 ms a message in overhead, this ~0.2 ms, and the model is saved without pickle
(tests/unit/test_linear_text.py checks that it gives the pipeline's probabilities).
"""
import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

WORD_TOKEN = re.compile(r"[a-z0-9]+")
_SPACES = re.compile(r"\s\s+")
SEED = 42
View = Mapping[str, str]


@dataclass(frozen=True)
class Block:
    """One TF-IDF block: which view of the message it reads and how it cuts it into features."""
    name: str
    view: str
    analyzer: str  # "word" (1-2 grams of WORD_TOKEN) or "char_wb" (2-5 grams within space-padded words)
    min_df: int = 1
    max_features: Optional[int] = None

    def vectorizer(self) -> TfidfVectorizer:
        if self.analyzer == "word":
            return TfidfVectorizer(analyzer="word", ngram_range=(1, 2), min_df=self.min_df, sublinear_tf=True,
                                   token_pattern=WORD_TOKEN.pattern, max_features=self.max_features)
        if self.analyzer == "char_wb":
            return TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=self.min_df, sublinear_tf=True,
                                   max_features=self.max_features)
        raise ValueError(f"unknown analyzer {self.analyzer!r} (use 'word' or 'char_wb')")

    def grams(self, text: str) -> List[str]:
        """The n-grams the block's vectorizer would count in ``text`` (already lower case)."""
        return word_ngrams(text) if self.analyzer == "word" else char_wb_ngrams(text)


def word_ngrams(text: str) -> List[str]:
    words = WORD_TOKEN.findall(text)
    return words + [f"{a} {b}" for a, b in zip(words, words[1:])]


def char_wb_ngrams(text: str, low: int = 2, high: int = 5) -> List[str]:
    """scikit-learn's char_wb analyzer (1.1), n-grams within space-padded words."""
    grams = []
    for word in _SPACES.sub(" ", text).split():
        padded = f" {word} "
        for n in range(low, high + 1):
            if len(padded) <= n:  # a short word counts once, whole, as scikit-learn does
                grams.append(padded)
                break
            grams.extend(padded[i:i + n] for i in range(len(padded) - n + 1))
    return grams


class ViewSelector(BaseEstimator, TransformerMixin):
    """Picks one view out of each message's views (a FeatureUnion branch reads one view)."""

    def __init__(self, view: str = "text") -> None:
        self.view = view

    def fit(self, views: Sequence[View], labels: Any = None) -> "ViewSelector":
        return self

    def transform(self, views: Sequence[View]) -> List[str]:
        return [v[self.view] for v in views]


def build_pipeline(blocks: Sequence[Block], c: float, class_weight: Optional[str] = None) -> Pipeline:
    return Pipeline([
        ("features", FeatureUnion([(b.name, Pipeline([("view", ViewSelector(b.view)), ("tfidf", b.vectorizer())]))
                                   for b in blocks])),
        ("classifier", LogisticRegression(C=c, max_iter=3000, class_weight=class_weight, random_state=SEED)),
    ])


def fit_pipeline(views: Sequence[View], labels: Sequence[str], blocks: Sequence[Block], c: float,
                 class_weight: Optional[str] = None) -> Pipeline:
    pipeline = build_pipeline(blocks, c, class_weight)
    pipeline.fit(list(views), list(labels))
    return pipeline


class _Weights:
    """One block's vocabulary and idf, with the classifier's coefficients for its features."""

    def __init__(self, vocabulary: Sequence[str], idf: np.ndarray, coefficients: np.ndarray) -> None:
        self.vocabulary = list(vocabulary)
        self.index = {term: i for i, term in enumerate(self.vocabulary)}
        self.idf = np.asarray(idf, dtype=float)
        self.coefficients = np.asarray(coefficients, dtype=float)  # features x classes

    def scores(self, grams: Sequence[str]) -> np.ndarray:
        counts: Dict[int, int] = {}
        for gram in grams:
            i = self.index.get(gram)
            if i is not None:
                counts[i] = counts.get(i, 0) + 1
        if not counts:
            return np.zeros(self.coefficients.shape[1])
        rows = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        weights = (1.0 + np.log(np.fromiter(counts.values(), dtype=float, count=len(counts)))) * self.idf[rows]
        return (weights / np.linalg.norm(weights)) @ self.coefficients[rows]  # sublinear tf * idf, l2-normalised


class LinearTextClassifier:
    """The trained classifier as it runs: n-grams, TF-IDF weights and the logistic regression computed
    directly, stored as plain arrays and word lists (``save``/``load``)."""

    def __init__(self, labels: Sequence[str], intercept: np.ndarray, blocks: Sequence[Block],
                 weights: Sequence[_Weights]) -> None:
        if len(labels) < 2:
            raise ValueError("a classifier needs at least two labels")
        self.labels = [str(label) for label in labels]
        self.intercept = np.asarray(intercept, dtype=float)
        self.blocks = list(blocks)
        self.weights = list(weights)

    @classmethod
    def from_pipeline(cls, pipeline: Pipeline, blocks: Sequence[Block]) -> "LinearTextClassifier":
        branches = dict(pipeline.named_steps["features"].transformer_list)
        model: LogisticRegression = pipeline.named_steps["classifier"]
        coefficients = np.asarray(model.coef_).T  # features x classes
        intercept = np.asarray(model.intercept_, dtype=float)
        if len(model.classes_) == 2:  # one column, for the second class: as two, softmax gives the same sigmoid
            coefficients = np.hstack([np.zeros_like(coefficients), coefficients])
            intercept = np.array([0.0, intercept[0]])
        weights, offset = [], 0
        for block in blocks:
            vectorizer: TfidfVectorizer = branches[block.name].named_steps["tfidf"]
            vocabulary = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.get)
            weights.append(_Weights(vocabulary, vectorizer.idf_, coefficients[offset:offset + len(vocabulary)]))
            offset += len(vocabulary)
        return cls(model.classes_, intercept, blocks, weights)

    @classmethod
    def train(cls, views: Sequence[View], labels: Sequence[str], blocks: Sequence[Block], c: float,
              class_weight: Optional[str] = None) -> "LinearTextClassifier":
        return cls.from_pipeline(fit_pipeline(views, labels, blocks, c, class_weight), blocks)

    def probabilities(self, views: Sequence[View]) -> List[Dict[str, float]]:
        results = []
        for view in views:
            logits = self.intercept.copy()
            for block, weights in zip(self.blocks, self.weights):
                logits += weights.scores(block.grams(view[block.view]))
            exp = np.exp(logits - logits.max())
            results.append(dict(zip(self.labels, map(float, exp / exp.sum()))))
        return results

    def save(self, directory: Path, stem: str) -> None:
        """``stem``.npz (intercept, idf and coefficients per block) and ``stem``.json (labels, blocks, vocabularies)."""
        arrays: Dict[str, np.ndarray] = {"intercept": self.intercept}
        for block, weights in zip(self.blocks, self.weights):
            arrays[f"{block.name}_idf"] = weights.idf
            arrays[f"{block.name}_coefficients"] = weights.coefficients
        np.savez(directory / f"{stem}.npz", **arrays)
        (directory / f"{stem}.json").write_text(json.dumps(
            {"labels": self.labels, "blocks": [asdict(b) for b in self.blocks],
             "vocabularies": {b.name: w.vocabulary for b, w in zip(self.blocks, self.weights)}},
            ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path, stem: str) -> "LinearTextClassifier":
        arrays = np.load(directory / f"{stem}.npz", allow_pickle=False)
        names = json.loads((directory / f"{stem}.json").read_text(encoding="utf-8"))
        blocks = [Block(**b) for b in names["blocks"]]
        weights = [_Weights(names["vocabularies"][b.name], arrays[f"{b.name}_idf"], arrays[f"{b.name}_coefficients"])
                   for b in blocks]
        return cls(names["labels"], arrays["intercept"], blocks, weights)
