"""A conversation as turns: each patient message with what the bot did about it, read from the events Rasa
stored (its event JSON). One shape for the staff tools that list messages (clinic_bot/tools/review.py, the
console's review lists) and for the per-message outcomes the insights count (clinic_bot/store/outcomes.py).
No Rasa imports."""
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional, Tuple

from clinic_bot.content.feedback import HELPFUL_QUESTION
from clinic_bot.intents import CHECK_IN, EMERGENCY_INTENT, FALLBACK_INTENT
from clinic_bot.languages import ENGLISH, LANGUAGES, SPANISH

# What the patient answered to a check-in ("is this happening now?").
YES, NO, NO_ANSWER = "yes", "no", "no answer"
NOT_SHOWN_MARKERS = {"disclaimer", HELPFUL_QUESTION}
PRACTICAL_KIND = "practical"  # the marker's "kind" of a practical answer (clinic_bot/content/practical_answers.py)
FAQ_KIND = "faq"  # a curated answer: its marker has sources and no kind


@dataclass
class Turn:
    """One patient message and the bot's reply to it."""

    text: str
    time: float
    intent: str
    confidence: float
    ranking: List[Dict[str, Any]]
    red_flag: Optional[str]
    answers: List[str] = field(default_factory=list)  # answer markers of the bot's messages
    # (answer, FAQ_KIND or PRACTICAL_KIND) of the curated and practical answers among them: their markers name sources
    topics: List[Tuple[str, str]] = field(default_factory=list)
    triage: Dict[str, Any] = field(default_factory=dict)  # the triage's record; empty for older messages
    asked_if_helpful: bool = False
    key: str = ""  # stands for this message without naming its sender (the staff console's review list)
    language: str = ENGLISH  # the message's own language as the language detector read it (older messages: en)

    @property
    def is_button(self) -> bool:
        return self.text.startswith("/")

    @property
    def answers_check_in(self) -> bool:
        """A reply to the check-in: its intent was carried over from the message before (the emergency on a yes,
        that message's own topic on a no), so its words say nothing about its topic."""
        return self.triage.get("raised_by") == [CHECK_IN] or self.triage.get("check_in_answer") == NO

    def best_guess(self) -> Tuple[str, float]:
        """The predicted intent; for a fallback, the model's best real intent behind it."""
        if self.intent == FALLBACK_INTENT:
            for entry in self.ranking:
                if entry.get("name") != FALLBACK_INTENT:
                    return str(entry.get("name")), float(entry.get("confidence") or 0)
        return self.intent, self.confidence


def message_language(parse: Dict[str, Any], metadata: Optional[Dict[str, Any]] = None) -> str:
    """The language of a patient's message as the detector read it (clinic_bot/nlu/language.py): its own reading
    when it has words, else the conversation's. A button press (a payload: the NLU, and so the detector, never sees
    it) has the language the widget sent with it: the message's metadata, in the parse or in the event
    (``metadata``). English for a message parsed before either existed."""
    reading = parse.get("language")
    if isinstance(reading, dict):
        p_spanish = reading.get("p_spanish")
        if isinstance(p_spanish, (int, float)):
            return SPANISH if p_spanish >= 0.5 else ENGLISH
        if reading.get("conversation") in LANGUAGES:
            return str(reading["conversation"])
    for sent in (parse.get("metadata"), metadata):
        if isinstance(sent, dict) and sent.get("language") in LANGUAGES:
            return str(sent["language"])
    return ENGLISH


def turns_of(events: Iterable[Dict[str, Any]]) -> List[Turn]:
    """One conversation's user and bot events (Rasa's event JSON, in order) as turns."""
    turns: List[Turn] = []
    for event in events:
        if event.get("event") == "user":
            parse = event.get("parse_data") or {}
            intent = parse.get("intent") or {}
            triage = parse.get("triage")
            turns.append(Turn(str(event.get("text") or ""), float(event.get("timestamp") or 0),
                              str(intent.get("name") or ""), float(intent.get("confidence") or 0),
                              list(parse.get("intent_ranking") or []), parse.get("red_flag"),
                              triage=triage if isinstance(triage, dict) else {},
                              language=message_language(parse, event.get("metadata"))))
        elif event.get("event") == "bot" and turns:
            custom = ((event.get("data") or {}).get("custom")) or {}
            marker = custom.get("answer") if isinstance(custom, dict) else None
            if marker == HELPFUL_QUESTION:
                turns[-1].asked_if_helpful = True
            elif marker and marker not in NOT_SHOWN_MARKERS:
                turns[-1].answers.append(str(marker))
                if "sources" in custom:
                    turns[-1].topics.append((str(marker), str(custom.get("kind") or FAQ_KIND)))
    return turns




def check_in_answer(next_turn: Optional[Turn]) -> str:
    """What the patient's next message said to the check-in: a yes turns into the emergency, raised by the
    check-in alone; a no is marked by the triage; anything else (or nothing) leaves the question unanswered."""
    if next_turn is None:
        return NO_ANSWER
    if next_turn.intent == EMERGENCY_INTENT and next_turn.triage.get("raised_by") == [CHECK_IN]:
        return YES
    if next_turn.triage.get("check_in_answer") == NO:
        return NO
    return NO_ANSWER
