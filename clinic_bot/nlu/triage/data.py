"""Triage message sets: JSON Lines, one message a line, as the independent writers wrote them.

    {"text": "...", "label": "emergency|crisis|personal|general|off_topic", "concept": "...", "lang": "en|es"}

Training sets live in ``data/triage/`` (the classifier trains on them); the tuning set and the development
sets in ``tests/triage/`` (never trained on; the development sets never tuned on either).
"""
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, List, Mapping, Optional, Tuple

LABELS = ("emergency", "crisis", "personal", "general", "off_topic")
URGENT_LABELS = frozenset({"emergency", "crisis"})


class TriageDataError(ValueError):
    """A line that is not a triage message; says file:line and what is wrong."""


@dataclass(frozen=True)
class LabelledMessage:
    text: str
    label: str
    concept: Optional[str]
    lang: str
    context: Optional[str] = None

    @property
    def urgent(self) -> bool:
        return self.label in URGENT_LABELS


def read_messages(path: Path) -> List[LabelledMessage]:
    messages = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as error:
            raise TriageDataError(f"{path}:{number}: not JSON ({error.msg})") from error
        if not isinstance(raw, dict) or not isinstance(raw.get("text"), str) or not raw["text"].strip():
            raise TriageDataError(f"{path}:{number}: needs a non-empty \"text\"")
        if raw.get("label") not in LABELS:
            raise TriageDataError(f"{path}:{number}: \"label\" must be one of {', '.join(LABELS)}")
        messages.append(LabelledMessage(raw["text"], raw["label"], raw.get("concept") or None,
                                        str(raw.get("lang") or "en"), raw.get("context") or None))
    return messages


def read_all(paths: Iterable[Path]) -> List[LabelledMessage]:
    return [message for path in sorted(paths) for message in read_messages(path)]


def from_intent_examples(examples: Iterable[Tuple[str, str]], labels: Mapping[str, Optional[str]],
                         default: str = "general") -> List[LabelledMessage]:
    """The assistant's own NLU examples (text, intent) as triage messages: how patients ask FAQ questions,
    greet, say goodbye or "no" is what the triage must see as not urgent. ``labels`` maps an intent to a
    triage label, or to None to leave its examples out (``emergency``: it does not tell crisis from medical)."""
    messages = []
    for text, intent in examples:
        label = labels.get(intent, default)
        if label is not None:
            messages.append(LabelledMessage(text, label, None, "en"))
    return messages
