"""The peer: what a developer would build in an afternoon with scikit-learn, trained on the same examples.

TF-IDF of words (1-2 grams) and of characters within words (2-5 grams), then logistic regression whose
regularisation C is chosen in each run by cross-validation on the training data alone (the same folds as
Rasa's), never on the hold-out set."""
import time
from dataclasses import dataclass
from typing import List, Sequence

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline, make_union

PEER_NAME = "TF-IDF (word 1-2 + char_wb 2-5 grams) + LogisticRegression (scikit-learn)"
C_CANDIDATES = (3.0, 10.0, 30.0, 100.0)
DEFAULT_C = 30.0  # when cross-validation is skipped (--folds 0)


def build_peer(c: float) -> Pipeline:
    return make_pipeline(
        make_union(
            TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True),
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True),
        ),
        LogisticRegression(C=c, max_iter=5000),
    )


@dataclass
class FittedPeer:
    pipeline: Pipeline
    train_seconds: float
    c: float

    def predict(self, texts: Sequence[str]) -> List[str]:
        return [str(label) for label in self.pipeline.predict(list(texts))]


def train_peer(texts: Sequence[str], intents: Sequence[str], c: float) -> FittedPeer:
    started = time.monotonic()
    pipeline = build_peer(c).fit(list(texts), list(intents))
    return FittedPeer(pipeline, time.monotonic() - started, c)
