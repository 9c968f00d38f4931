"""The learned second opinion: TF-IDF over words and character n-grams of the message (folded, with
set-aside red-flag mentions masked: ``RedFlagRules.classifier_view``), and a
logistic regression over the five triage labels. Linear, so it trains in seconds, predicts in well under a
millisecond, and carries over to wordings it never saw through shared character n-grams (typos, Spanish
word endings) rather than memorised phrases.
"""
import json
import re
from pathlib import Path
from typing import Dict, List, Sequence

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline


DEFAULT_C = 8.0
ARRAYS_FILE = "classifier.npz"
VOCABULARY_FILE = "classifier.json"
_TOKEN = re.compile(r"[a-z0-9]+")
_SPACES = re.compile(r"\s\s+")
SEED = 42


def _words() -> TfidfVectorizer:
    return TfidfVectorizer(analyzer="word", ngram_range=(1, 2), min_df=1, sublinear_tf=True,
                           token_pattern=_TOKEN.pattern)


def _characters() -> TfidfVectorizer:
    return TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True, max_features=60000)


def build_pipeline(c: float = DEFAULT_C) -> Pipeline:
    return Pipeline([
        ("features", FeatureUnion([("words", _words()), ("characters", _characters())])),
        ("classifier", LogisticRegression(C=c, max_iter=3000, class_weight="balanced", random_state=SEED)),
    ])


def _word_ngrams(text: str) -> List[str]:
    words = _TOKEN.findall(text)
    return words + [f"{a} {b}" for a, b in zip(words, words[1:])]


def _char_wb_ngrams(text: str, low: int = 2, high: int = 5) -> List[str]:
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


class _Block:
    """One TF-IDF vectorizer's vocabulary and idf, with the classifier's coefficients for its features."""

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


class TriageClassifier:
    """The trained classifier as it runs: the pipeline's n-grams, TF-IDF weights and multinomial logistic
    regression computed directly (scikit-learn's predict_proba costs ~2 ms a message in overhead; this
    ~0.2 ms), and stored as plain arrays and word lists (no pickle; loads in well under a second).
    tests/unit/test_triage_learned.py checks it gives the pipeline's probabilities."""

    def __init__(self, labels: Sequence[str], intercept: np.ndarray, words: _Block, characters: _Block) -> None:
        if len(labels) < 3:
            raise ValueError("the triage classifier needs at least three labels")
        self.labels = [str(label) for label in labels]
        self.intercept = np.asarray(intercept, dtype=float)
        self.words = words
        self.characters = characters

    @classmethod
    def from_pipeline(cls, pipeline: Pipeline) -> "TriageClassifier":
        features = dict(pipeline.named_steps["features"].transformer_list)
        model: LogisticRegression = pipeline.named_steps["classifier"]
        coefficients = np.asarray(model.coef_).T  # features x classes
        blocks, offset = [], 0
        for name in ("words", "characters"):
            vectorizer: TfidfVectorizer = features[name]
            vocabulary = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.get)
            blocks.append(_Block(vocabulary, vectorizer.idf_, coefficients[offset:offset + len(vocabulary)]))
            offset += len(vocabulary)
        return cls(model.classes_, model.intercept_, *blocks)

    @classmethod
    def train(cls, views: Sequence[str], labels: Sequence[str], c: float = DEFAULT_C) -> "TriageClassifier":
        """Trains on the messages as ``RedFlagRules.analyse`` shows them (the view)."""
        return cls.from_pipeline(fit_pipeline(views, labels, c))

    def probabilities(self, views: Sequence[str]) -> List[Dict[str, float]]:
        results = []
        for view in views:
            logits = (self.intercept + self.words.scores(_word_ngrams(view))
                      + self.characters.scores(_char_wb_ngrams(view)))
            exp = np.exp(logits - logits.max())
            results.append(dict(zip(self.labels, map(float, exp / exp.sum()))))
        return results

    def save(self, directory: Path) -> None:
        np.savez(directory / ARRAYS_FILE, intercept=self.intercept, word_idf=self.words.idf,
                 word_coefficients=self.words.coefficients, character_idf=self.characters.idf,
                 character_coefficients=self.characters.coefficients)
        (directory / VOCABULARY_FILE).write_text(json.dumps(
            {"labels": self.labels, "words": self.words.vocabulary, "characters": self.characters.vocabulary},
            ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path) -> "TriageClassifier":
        arrays = np.load(directory / ARRAYS_FILE, allow_pickle=False)
        names = json.loads((directory / VOCABULARY_FILE).read_text(encoding="utf-8"))
        return cls(names["labels"], arrays["intercept"],
                   _Block(names["words"], arrays["word_idf"], arrays["word_coefficients"]),
                   _Block(names["characters"], arrays["character_idf"], arrays["character_coefficients"]))


def fit_pipeline(views: Sequence[str], labels: Sequence[str], c: float = DEFAULT_C) -> Pipeline:
    pipeline = build_pipeline(c)
    pipeline.fit(list(views), list(labels))
    return pipeline
