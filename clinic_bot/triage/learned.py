"""The learned second opinion: TF-IDF over words and character n-grams of the message (folded, with
set-aside red-flag mentions masked: ``RedFlagRules.classifier_view``), and a
logistic regression over the five triage labels. Linear, so it trains in seconds, predicts in well under a
millisecond, and carries over to wordings it never saw through shared character n-grams (typos, Spanish
word endings) rather than memorised phrases.
"""
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Sequence

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline


DEFAULT_C = 8.0
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
    """One TF-IDF vectorizer's vocabulary and weights, folded into the classifier's coefficients:
    feature -> (idf, coefficients of the classes)."""

    def __init__(self, vectorizer: TfidfVectorizer, coefficients: np.ndarray, offset: int) -> None:
        idf = vectorizer.idf_
        self.features = {term: (float(idf[index]), coefficients[:, offset + index])
                         for term, index in vectorizer.vocabulary_.items()}
        self.size = len(vectorizer.vocabulary_)

    def scores(self, grams: Sequence[str], classes: int) -> np.ndarray:
        counts: Dict[str, int] = {}
        for gram in grams:
            if gram in self.features:
                counts[gram] = counts.get(gram, 0) + 1
        total = np.zeros(classes)
        if not counts:
            return total
        weights = {g: (1.0 + math.log(c)) * self.features[g][0] for g, c in counts.items()}  # sublinear tf * idf
        norm = math.sqrt(sum(w * w for w in weights.values()))
        for gram, weight in weights.items():
            total += (weight / norm) * self.features[gram][1]
        return total


class FastScorer:
    """The trained pipeline's predict_proba without scikit-learn's per-call overhead (~2 ms a message there,
    ~0.2 ms here): the same n-grams, TF-IDF weights and multinomial logistic regression, computed directly.
    tests/unit/test_triage_learned.py checks it gives the pipeline's probabilities."""

    def __init__(self, pipeline: Pipeline) -> None:
        features = dict(pipeline.named_steps["features"].transformer_list)
        model: LogisticRegression = pipeline.named_steps["classifier"]
        coefficients = np.asarray(model.coef_)
        self.intercept = np.asarray(model.intercept_, dtype=float)
        self.words = _Block(features["words"], coefficients, 0)
        self.characters = _Block(features["characters"], coefficients, self.words.size)
        self.labels = [str(label) for label in model.classes_]

    def probabilities(self, view: str) -> Dict[str, float]:
        classes = len(self.labels)
        logits = (self.intercept + self.words.scores(_word_ngrams(view), classes)
                  + self.characters.scores(_char_wb_ngrams(view), classes))
        if classes == 2:  # binary logistic regression has one row of coefficients
            raise ValueError("the triage classifier needs more than two labels")
        exp = np.exp(logits - logits.max())
        return dict(zip(self.labels, map(float, exp / exp.sum())))


@dataclass
class TriageClassifier:
    pipeline: Pipeline

    def __post_init__(self) -> None:
        self._fast = FastScorer(self.pipeline)

    @classmethod
    def train(cls, views: Sequence[str], labels: Sequence[str], c: float = DEFAULT_C) -> "TriageClassifier":
        """Trains on the messages as ``RedFlagRules.classifier_view`` shows them."""
        pipeline = build_pipeline(c)
        pipeline.fit(list(views), list(labels))
        return cls(pipeline)

    @property
    def labels(self) -> List[str]:
        return [str(label) for label in self.pipeline.classes_]

    def probabilities(self, views: Sequence[str]) -> List[Dict[str, float]]:
        return [self._fast.probabilities(view) for view in views]

    def pipeline_probabilities(self, views: Sequence[str]) -> List[Dict[str, float]]:
        """scikit-learn's own predict_proba: the reference FastScorer is checked against."""
        matrix = self.pipeline.predict_proba(list(views))
        return [dict(zip(self.labels, map(float, row))) for row in np.asarray(matrix)]

    def save(self, path: Path) -> None:
        import skops.io as sio

        sio.dump(self.pipeline, path)

    @classmethod
    def load(cls, path: Path) -> "TriageClassifier":
        """Loads with skops (no pickle): only the scikit-learn and numpy types the pipeline is made of."""
        import skops.io as sio

        untrusted = sio.get_untrusted_types(file=path)
        unexpected = [t for t in untrusted if not t.startswith(("sklearn.", "numpy.", "scipy.", "builtins."))]
        if unexpected:
            raise ValueError(f"{path}: unexpected types in the triage classifier: {unexpected}")
        return cls(sio.load(path, trusted=untrusted))
