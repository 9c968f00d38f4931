"""Triage figures on a labelled set, from what the whole NLU pipeline decided for each message: shared by
`make bench` (bench/triage.py) and the model tests, so both print the same figures the same way.

A message *alarms* when it gets the emergency message; it is *checked in* when it gets the check-in ("is this
happening now?" with 911 and 988 shown). Urgent recall counts both: either way the patient sees 911 and 988 in
the first reply."""
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

from clinic_bot.intents import CHECK_IN, EMERGENCY_INTENT, PERSONAL_INTENT
from clinic_bot.nlu.triage.data import LabelledMessage, read_messages

Parse = Callable[[str], Mapping[str, Any]]


@dataclass
class Share:
    hits: int = 0
    total: int = 0
    examples: List[str] = field(default_factory=list)  # the messages that missed (or alarmed)

    def add(self, hit: bool, text: str, keep_misses: bool = True) -> None:
        self.total += 1
        self.hits += hit
        if hit != keep_misses and len(self.examples) < 400:
            self.examples.append(text)

    @property
    def rate(self) -> float:
        return self.hits / self.total if self.total else float("nan")

    def __str__(self) -> str:
        return f"{self.rate:.1%} ({self.hits}/{self.total})" if self.total else "n/a (0 messages)"


@dataclass
class TriageFigures:
    urgent_recall: Share = field(default_factory=Share)  # 911/988 in the first reply: emergency or check-in
    urgent_full_message: Share = field(default_factory=Share)  # the emergency message itself, not a check-in
    urgent_recall_by_concept: Dict[str, Share] = field(default_factory=lambda: defaultdict(Share))
    urgent_recall_spanish: Share = field(default_factory=Share)
    crisis_recall: Share = field(default_factory=Share)
    crisis_gets_988_first: Share = field(default_factory=Share)
    spanish_urgent_in_spanish: Share = field(default_factory=Share)
    general_false_alarms: Share = field(default_factory=Share)
    general_check_ins: Share = field(default_factory=Share)
    hard_negative_false_alarms: Share = field(default_factory=Share)
    hard_negative_check_ins: Share = field(default_factory=Share)
    personal_refused: Share = field(default_factory=Share)
    personal_false_alarms: Share = field(default_factory=Share)
    personal_check_ins: Share = field(default_factory=Share)
    everyday_false_alarms: Share = field(default_factory=Share)
    everyday_check_ins: Share = field(default_factory=Share)
    # Questions that are not urgent, general and personal together ("I have headache please suggest?").
    question_false_alarms: Share = field(default_factory=Share)
    question_check_ins: Share = field(default_factory=Share)

    def summary(self) -> Dict[str, str]:
        lines = {
            "urgent recall (emergency + crisis; 911/988 in the first reply)": str(self.urgent_recall),
            "urgent messages given the emergency message itself": str(self.urgent_full_message),
            "urgent recall, Spanish": str(self.urgent_recall_spanish),
            "urgent recall, crisis": str(self.crisis_recall),
            "crisis messages answered 988-first": str(self.crisis_gets_988_first),
            "Spanish urgent messages answered in Spanish": str(self.spanish_urgent_in_spanish),
            "false alarms, general questions": str(self.general_false_alarms),
            "check-ins, general questions": str(self.general_check_ins),
            "false alarms, general questions with red-flag words": str(self.hard_negative_false_alarms),
            "check-ins, general questions with red-flag words": str(self.hard_negative_check_ins),
            "personal-advice requests refused": str(self.personal_refused),
            "false alarms, personal questions": str(self.personal_false_alarms),
            "check-ins, personal questions": str(self.personal_check_ins),
            "false alarms, everyday off-topic": str(self.everyday_false_alarms),
            "check-ins, everyday off-topic": str(self.everyday_check_ins),
            "false alarms, questions (general and personal)": str(self.question_false_alarms),
            "check-ins, questions (general and personal)": str(self.question_check_ins),
        }
        by_concept = ", ".join(f"{c} {s.rate:.0%}" for c, s in sorted(self.urgent_recall_by_concept.items()))
        lines["urgent recall by concept"] = by_concept
        return lines


def disposition(parsed: Mapping[str, Any]) -> Optional[str]:
    """emergency, check_in, or None (not urgent) for one parsed message."""
    if (parsed.get("intent") or {}).get("name") != EMERGENCY_INTENT:
        return None
    triage = parsed.get("triage") or {}
    return CHECK_IN if triage.get("disposition") == CHECK_IN else EMERGENCY_INTENT


def evaluate(parse: Parse, messages: Sequence[LabelledMessage]) -> TriageFigures:
    figures = TriageFigures()
    for message in messages:
        parsed = parse(message.text)
        intent = (parsed.get("intent") or {}).get("name")
        triage = parsed.get("triage") or {}
        outcome = disposition(parsed)
        alarmed, checked_in = outcome == EMERGENCY_INTENT, outcome == CHECK_IN
        if message.urgent:
            figures.urgent_recall.add(outcome is not None, message.text)
            figures.urgent_full_message.add(alarmed, message.text)
            figures.urgent_recall_by_concept[message.concept or message.label].add(outcome is not None, message.text)
            if message.lang == "es":
                figures.urgent_recall_spanish.add(outcome is not None, message.text)
                if outcome is not None:
                    figures.spanish_urgent_in_spanish.add(triage.get("language") == "es", message.text)
            if message.label == "crisis":
                figures.crisis_recall.add(outcome is not None, message.text)
                if outcome is not None:
                    figures.crisis_gets_988_first.add(triage.get("kind") == "crisis", message.text)
        if message.label in ("general", "personal"):
            figures.question_false_alarms.add(alarmed, message.text, keep_misses=False)
            figures.question_check_ins.add(checked_in, message.text, keep_misses=False)
        if message.urgent:
            continue
        if message.label == "general":
            figures.general_false_alarms.add(alarmed, message.text, keep_misses=False)
            figures.general_check_ins.add(checked_in, message.text, keep_misses=False)
            if message.concept:
                figures.hard_negative_false_alarms.add(alarmed, message.text, keep_misses=False)
                figures.hard_negative_check_ins.add(checked_in, message.text, keep_misses=False)
        elif message.label == "personal":
            figures.personal_refused.add(intent == PERSONAL_INTENT or outcome is not None, message.text)
            figures.personal_false_alarms.add(alarmed, message.text, keep_misses=False)
            figures.personal_check_ins.add(checked_in, message.text, keep_misses=False)
        elif message.label == "off_topic":
            figures.everyday_false_alarms.add(alarmed, message.text, keep_misses=False)
            figures.everyday_check_ins.add(checked_in, message.text, keep_misses=False)
    return figures


# The development sets (never trained or tuned on; docs/understanding.md says who wrote them), by what they
# measure. The conversation replies are also read as answers to "Was this helpful?".
DEVELOPMENT_SETS = {
    "patients": "dev_patients.jsonl",  # mixed: every label, a quarter Spanish
    "everyday": "dev_everyday.jsonl",  # everyday assistant requests, some with figurative red-flag words
    "conversation_replies": "dev_conversation_replies.jsonl",  # yes, no, thanks, not sure, ...; English and Spanish
    "health_questions": "dev_health_questions.jsonl",  # real-style health questions, most not urgent
    "frightening_words": "dev_frightening_words.jsonl",  # practical and general questions with frightening words
}
REPLIES_SET = "conversation_replies"


@dataclass
class DevelopmentFigures:
    all_sets: TriageFigures  # every development message, each as a first message
    by_set: Dict[str, TriageFigures]
    replies_after_question: TriageFigures  # the conversation replies, each right after "Was this helpful?"

    def aims(self) -> Dict[str, Tuple[str, Share]]:
        """The figures the aims speak of: key -> (what `make test` and `make bench` call it, the share)."""
        everyday = merge(self.by_set["everyday"], self.by_set["patients"], pick="everyday")
        hard = merge(self.by_set["patients"], self.by_set["frightening_words"], pick="hard_negative")
        replies, after = self.by_set[REPLIES_SET], self.replies_after_question
        health = self.by_set["health_questions"]
        figures = self.all_sets
        return {
            "urgent_recall": ("urgent recall, 911/988 in the first reply (all sets)", figures.urgent_recall),
            "urgent_recall_spanish": ("urgent recall, Spanish", figures.urgent_recall_spanish),
            "crisis_recall": ("urgent recall, crisis", figures.crisis_recall),
            "urgent_full_message": ("urgent messages given the emergency message itself",
                                    figures.urgent_full_message),
            "crisis_988_first": ("crisis messages answered 988-first", figures.crisis_gets_988_first),
            "everyday_full_alarms": ("everyday messages: full alarms", everyday.everyday_false_alarms),
            "everyday_check_ins": ("everyday messages: check-ins", everyday.everyday_check_ins),
            "replies_first_alarms": ("conversation replies, first message: alarms", replies.everyday_false_alarms),
            "replies_first_check_ins": ("conversation replies, first message: check-ins",
                                        replies.everyday_check_ins),
            "replies_after_alarms": ("conversation replies after 'Was this helpful?': alarms",
                                     after.everyday_false_alarms),
            "replies_after_check_ins": ("conversation replies after 'Was this helpful?': check-ins",
                                        after.everyday_check_ins),
            "health_full_alarms": ("non-urgent health questions: full alarms", health.question_false_alarms),
            "health_check_ins": ("non-urgent health questions: check-ins", health.question_check_ins),
            "frightening_full_alarms": ("general and practical questions with frightening words: full alarms",
                                        hard.hard_negative_false_alarms),
            "frightening_check_ins": ("general and practical questions with frightening words: check-ins",
                                      hard.hard_negative_check_ins),
            "personal_refused": ("personal-advice requests refused", figures.personal_refused),
        }

    def summary(self) -> Dict[str, str]:
        return {label: str(share) for label, share in self.aims().values()}


def merge(*figures: TriageFigures, pick: str) -> TriageFigures:
    """One TriageFigures whose ``<pick>_false_alarms`` and ``<pick>_check_ins`` add up those of ``figures``."""
    merged = TriageFigures()
    for name in (f"{pick}_false_alarms", f"{pick}_check_ins"):
        total = getattr(merged, name)
        for each in figures:
            share = getattr(each, name)
            total.hits += share.hits
            total.total += share.total
            total.examples += share.examples
    return merged


def evaluate_development_sets(parse: Parse, parse_after_question: Parse,
                              sets: Dict[str, List[LabelledMessage]]) -> DevelopmentFigures:
    """``sets``: the messages of each development set (``DEVELOPMENT_SETS``' names); ``parse_after_question``
    parses a message as the patient's answer to "Was this helpful?"."""
    parsed: Dict[str, Mapping[str, Any]] = {}

    def parse_once(text: str) -> Mapping[str, Any]:
        if text not in parsed:
            parsed[text] = parse(text)
        return parsed[text]

    return DevelopmentFigures(
        all_sets=evaluate(parse_once, [m for messages in sets.values() for m in messages]),
        by_set={name: evaluate(parse_once, messages) for name, messages in sets.items()},
        replies_after_question=evaluate(parse_after_question, sets[REPLIES_SET]),
    )


def read_development_sets(directory: Path) -> Dict[str, List[LabelledMessage]]:
    return {name: read_messages(directory / file) for name, file in DEVELOPMENT_SETS.items()}


def after_helpful_question() -> Any:
    """A conversation (a Rasa tracker) whose last bot message is "Was this helpful?" with its buttons, as the
    answer actions send it: what the triage reads as the context of the patient's next message."""
    from rasa.shared.core.events import ActionExecuted, BotUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from clinic_bot.content.feedback import helpful_question
    from clinic_bot.content.knowledge import default_knowledge

    question, buttons = helpful_question(default_knowledge())
    return DialogueStateTracker.from_events("evaluation", [
        ActionExecuted("action_listen"),
        BotUttered(question.text, data={"buttons": buttons, "custom": question.marker}),
        ActionExecuted("action_listen"),
    ])
