"""Intent accuracy on labelled messages the model never trained on: the NLU hold-out set (paths.HOLDOUT_FILE, the
figure the README quotes) and the development sets (paths.DEV_NLU_FILES), and what the choices the assistant offers
when it is unsure add to it (choice_figures: the related-topic button and "did you mean").

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

from clinic_bot.content.choices import ANSWERED_BESIDES_TOPICS, did_you_mean, related_topic
from clinic_bot.content.knowledge import Knowledge
from clinic_bot.content.nlu_data import Example, read_examples
from clinic_bot.content.triage_replies import general_intent_for_personal
from clinic_bot.intents import FALLBACK_INTENT, PERSONAL_INTENT

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


@dataclass(frozen=True)
class ChoiceFigures:
    """What the choices (clinic_bot/content/choices.py) add on one set: each message's first choice, the related
    button its reply would carry, and "did you mean" where it fell to the fallback. ``topics_only``: counted on the
    messages whose label is a topic, the questions a button can help with."""

    messages: int
    first_right: int
    first_or_button_right: int
    # ... or, for a message the triage refused as personal, the general answer after the refusal
    right_answer_reached: int
    replies: int  # the answers and out-of-scope replies: where a related button may show
    buttons: int
    fallbacks: int
    fallback_holds_right: int  # "did you mean" offered the example's topic

    def share(self, count: int, of: Optional[int] = None) -> float:
        whole = self.messages if of is None else of
        return count / whole if whole else 0.0


def choice_figures(measured: IntentAccuracy, knowledge: Knowledge, topics_only: bool = False,
                   margin: Optional[float] = None) -> ChoiceFigures:
    """The choices' figures on ``measured``'s messages, each read alone (no topic answered before it); ``margin``:
    the related button's, for a tuning curve (default: the assistant's)."""
    is_topic = knowledge.has_topic
    counts: Counter[str] = Counter()
    for example, parsed in zip(measured.examples, measured.parsed):
        if topics_only and not is_topic(example.intent):
            continue
        first = str(parsed["intent"]["name"])
        related = related_topic(parsed, first, is_topic, margin if is_topic(first) else None)
        counts["messages"] += 1
        counts["first_right"] += first == example.intent
        counts["first_or_button_right"] += example.intent in (first, related)
        general = general_intent_for_personal(knowledge, parsed) if first == PERSONAL_INTENT else None
        counts["right_answer_reached"] += example.intent in (first, related, general)
        counts["replies"] += is_topic(first) or first in ANSWERED_BESIDES_TOPICS
        counts["buttons"] += related is not None
        if first == FALLBACK_INTENT:
            counts["fallbacks"] += 1
            counts["fallback_holds_right"] += example.intent in did_you_mean(parsed, is_topic)
    return ChoiceFigures(**{name: counts[name] for name in ChoiceFigures.__dataclass_fields__})


def describe_choices(figures: ChoiceFigures) -> str:
    """One line for `make test`'s figures and the benchmark."""
    return (f"first choice right {figures.share(figures.first_right):.1%}, first or its button "
            f"{figures.share(figures.first_or_button_right):.1%} (with the general answer after a refusal "
            f"{figures.share(figures.right_answer_reached):.1%}); button after "
            f"{figures.share(figures.buttons, figures.replies):.1%} of {figures.replies} replies; "
            f"did you mean {figures.fallbacks} time(s), holding the topic {figures.fallback_holds_right}")
