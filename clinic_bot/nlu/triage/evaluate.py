"""Triage figures on a labelled set, from what the whole NLU pipeline decided for each message: shared by
`make bench` (bench/triage.py) and the model tests, so both print the same figures the same way."""
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Mapping, Sequence

from clinic_bot.intents import EMERGENCY_INTENT, PERSONAL_INTENT
from clinic_bot.nlu.triage.data import LabelledMessage

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
    urgent_recall: Share = field(default_factory=Share)
    urgent_recall_by_concept: Dict[str, Share] = field(default_factory=lambda: defaultdict(Share))
    urgent_recall_spanish: Share = field(default_factory=Share)
    crisis_gets_988_first: Share = field(default_factory=Share)
    spanish_urgent_in_spanish: Share = field(default_factory=Share)
    general_false_alarms: Share = field(default_factory=Share)
    hard_negative_false_alarms: Share = field(default_factory=Share)
    personal_refused: Share = field(default_factory=Share)
    everyday_false_alarms: Share = field(default_factory=Share)

    def summary(self) -> Dict[str, str]:
        lines = {
            "urgent recall (emergency + crisis)": str(self.urgent_recall),
            "urgent recall, Spanish": str(self.urgent_recall_spanish),
            "crisis messages answered 988-first": str(self.crisis_gets_988_first),
            "Spanish urgent messages answered in Spanish": str(self.spanish_urgent_in_spanish),
            "false alarms, general questions": str(self.general_false_alarms),
            "false alarms, general questions with red-flag words": str(self.hard_negative_false_alarms),
            "personal-advice requests refused": str(self.personal_refused),
            "false alarms, everyday off-topic": str(self.everyday_false_alarms),
        }
        by_concept = ", ".join(f"{c} {s.rate:.0%}" for c, s in sorted(self.urgent_recall_by_concept.items()))
        lines["urgent recall by concept"] = by_concept
        return lines


def evaluate(parse: Parse, messages: Sequence[LabelledMessage]) -> TriageFigures:
    figures = TriageFigures()
    for message in messages:
        parsed = parse(message.text)
        intent = (parsed.get("intent") or {}).get("name")
        triage = parsed.get("triage") or {}
        alarmed = intent == EMERGENCY_INTENT
        if message.urgent:
            figures.urgent_recall.add(alarmed, message.text)
            figures.urgent_recall_by_concept[message.concept or message.label].add(alarmed, message.text)
            if message.lang == "es":
                figures.urgent_recall_spanish.add(alarmed, message.text)
                if alarmed:
                    figures.spanish_urgent_in_spanish.add(triage.get("language") == "es", message.text)
            if message.label == "crisis" and alarmed:
                figures.crisis_gets_988_first.add(triage.get("kind") == "crisis", message.text)
        elif message.label == "general":
            figures.general_false_alarms.add(alarmed, message.text, keep_misses=False)
            if message.concept:
                figures.hard_negative_false_alarms.add(alarmed, message.text, keep_misses=False)
        elif message.label == "personal":
            figures.personal_refused.add(intent == PERSONAL_INTENT or alarmed, message.text)
        elif message.label == "off_topic":
            figures.everyday_false_alarms.add(alarmed, message.text, keep_misses=False)
    return figures
