"""The learned second opinion: TF-IDF over words and character n-grams of the message (folded, with
set-aside red-flag mentions masked: ``RedFlagRules.classifier_view``), and a logistic regression over the
five triage labels (clinic_bot/nlu/linear_text.py). Linear, so it trains in seconds, predicts in well under a
millisecond, and carries over to wordings it never saw through shared character n-grams (typos, Spanish
word endings) rather than memorised phrases.
"""
from pathlib import Path
from typing import Dict, List, Sequence

from sklearn.pipeline import Pipeline

from clinic_bot.nlu import linear_text
from clinic_bot.nlu.linear_text import Block, LinearTextClassifier

DEFAULT_C = 8.0
STEM = "classifier"  # classifier.npz + classifier.json in the model's triage directory
VIEW = "text"
BLOCKS = (Block("words", VIEW, "word"), Block("characters", VIEW, "char_wb", min_df=2, max_features=60000))


def fit_pipeline(views: Sequence[str], labels: Sequence[str], c: float = DEFAULT_C) -> Pipeline:
    return linear_text.fit_pipeline([{VIEW: v} for v in views], labels, BLOCKS, c, class_weight="balanced")


class TriageClassifier:
    """The triage's classifier over the classifier view (one string per message)."""

    def __init__(self, classifier: LinearTextClassifier) -> None:
        self.classifier = classifier
        self.labels = classifier.labels

    @classmethod
    def from_pipeline(cls, pipeline: Pipeline) -> "TriageClassifier":
        return cls(LinearTextClassifier.from_pipeline(pipeline, BLOCKS))

    @classmethod
    def train(cls, views: Sequence[str], labels: Sequence[str], c: float = DEFAULT_C) -> "TriageClassifier":
        """Trains on the messages as ``RedFlagRules.analyse`` shows them (the view)."""
        return cls.from_pipeline(fit_pipeline(views, labels, c))

    def probabilities(self, views: Sequence[str]) -> List[Dict[str, float]]:
        return self.classifier.probabilities([{VIEW: v} for v in views])

    def save(self, directory: Path) -> None:
        self.classifier.save(directory, STEM)

    @classmethod
    def load(cls, directory: Path) -> "TriageClassifier":
        return cls(LinearTextClassifier.load(directory, STEM))
