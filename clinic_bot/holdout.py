"""Intent accuracy on labelled messages the model never trained on: the NLU hold-out set (paths.HOLDOUT_FILE, the
figure the README quotes) and the development sets (paths.DEV_NLU_FILES).

One evaluation for everyone who reports it, so their figures agree example for example: the model tests
(tests/model/test_nlu_holdout.py), the benchmark (bench/quality.py) and the staff console's retrain, which
compares a candidate with the running model (clinic_bot/staff/evaluate.py). Each passes its own `parse` (the
trained model's whole NLU, loaded the way it needs); a message counts as understood when the intent the bot acts
on (after the fallback and the triage) is the example's intent.

Outside clinic_bot/nlu on purpose: the Makefile retrains the model when a file there changes, and this one does
not change what the model learns.
"""
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, List, Mapping, Optional, Tuple

from clinic_bot.content.nlu_data import Example, read_examples

Parse = Callable[[str], Mapping[str, Any]]  # a message -> the NLU's result, as Rasa's parse_message gives it


@dataclass(frozen=True)
class Miss:
    intent: str  # the example's
    predicted: str  # the one the bot acted on
    text: str


@dataclass(frozen=True)
class IntentAccuracy:
    examples: Tuple[Example, ...]
    parsed: Tuple[Mapping[str, Any], ...]  # the NLU's whole result for each example, in the same order

    @property
    def truth(self) -> List[str]:
        return [example.intent for example in self.examples]

    @property
    def predicted(self) -> List[str]:
        return [str(result["intent"]["name"]) for result in self.parsed]

    @property
    def total(self) -> int:
        return len(self.examples)

    @property
    def hits(self) -> int:
        return sum(want == got for want, got in zip(self.truth, self.predicted))

    @property
    def accuracy(self) -> float:
        return self.hits / self.total

    @property
    def misses(self) -> List[Miss]:
        return [Miss(example.intent, got, example.text)
                for example, got in zip(self.examples, self.predicted) if example.intent != got]

    def confusions(self, most: Optional[int] = None) -> List[Tuple[str, int]]:
        """("wanted -> got", count), most frequent first (ties in the order first met)."""
        return Counter(f"{miss.intent} -> {miss.predicted}" for miss in self.misses).most_common(most)


def evaluate(parse: Parse, examples: Iterable[Example]) -> IntentAccuracy:
    """Every example through `parse`, in order."""
    examples = tuple(examples)
    if not examples:
        raise ValueError("no examples to measure intent accuracy on")
    return IntentAccuracy(examples, tuple(parse(example.text) for example in examples))


def evaluate_file(parse: Parse, path: Path) -> IntentAccuracy:
    """The examples of one NLU YAML file (the hold-out set, a development set) through `parse`."""
    return evaluate(parse, read_examples(path))
