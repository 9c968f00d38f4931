"""A conversation as turns: each patient message with what the bot did about it, read from the events Rasa
stored (its event JSON). One shape for the staff tools that list messages (clinic_bot/tools/review.py, the
console's review lists) and for the per-message outcomes the insights count (clinic_bot/store/outcomes.py).
A patient's press of a button the assistant offered when unsure (the related topic after an answer, a
"did you mean" topic) is read back onto the message that led to it: the topic the patient took there is a
suggested label for its words. No Rasa imports."""
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional, Tuple

from clinic_bot.content.choices import DID_YOU_MEAN_MARKER, RELATED_MARKER, SOMETHING_ELSE_INTENT
from clinic_bot.content.feedback import HELPFUL_QUESTION
from clinic_bot.content.triage_replies import answers_check_in
from clinic_bot.intents import CHECK_IN, EMERGENCY_INTENT, FALLBACK_INTENT
from clinic_bot.languages import ENGLISH, LANGUAGES, SPANISH

# What the patient answered to a check-in ("is this happening now?").
YES, NO, NO_ANSWER = "yes", "no", "no answer"
# Bot messages that are not the reply itself. The related topic button only offers another answer: a message's
# answers stay what they were without it (what the review lists show as "answer given").
NOT_SHOWN_MARKERS = {"disclaimer", HELPFUL_QUESTION, RELATED_MARKER}
PRACTICAL_KIND = "practical"  # the marker's "kind" of a practical answer (clinic_bot/content/practical_answers.py)
FAQ_KIND = "faq"  # a curated answer: its marker has sources and no kind
# Which offer a patient took a topic from (Turn.chosen_from): the related button after an answer, or "did you mean".
RELATED, DID_YOU_MEAN = "related", "did_you_mean"
CHOICE_KINDS = {RELATED_MARKER: RELATED, DID_YOU_MEAN_MARKER: DID_YOU_MEAN}  # by the marker of the offering message


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
    chosen: str = ""  # the topic the patient then pressed among the ones offered in reply; "" if none was
    chosen_from: str = ""  # where that topic was offered: RELATED or DID_YOU_MEAN; "" if none was pressed

    @property
    def is_button(self) -> bool:
        return self.text.startswith("/")

    @property
    def answers_check_in(self) -> bool:
        """A reply to the check-in: its intent was carried over from the message before (the emergency on a yes,
        that message's own topic on a no), so its words say nothing about its topic."""
        return answers_check_in({"triage": self.triage})

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


def payload_intent(payload: str) -> str:
    """The intent a button's payload names: "/ask_cost" and '/ask_cost{"procedure": "..."}' are "ask_cost"."""
    return payload[1:].split("{", 1)[0].strip()


def offered_choices(data: Dict[str, Any]) -> Dict[str, str]:
    """The topics a bot message (its event's ``data``) offered to choose from, as payload -> RELATED or
    DID_YOU_MEAN. Only the buttons of the topics its marker names: "something else" (and the handoff of the older
    topic suggestions) says the patient wanted none of them."""
    custom = data.get("custom")
    kind = CHOICE_KINDS.get(str(custom.get("answer"))) if isinstance(custom, dict) else None
    if not isinstance(custom, dict) or kind is None:
        return {}
    named = [custom.get("related")] if kind == RELATED else custom.get("suggestions")
    topics = {str(name) for name in named if name} if isinstance(named, list) else set()
    topics.discard(SOMETHING_ELSE_INTENT)
    payloads = [str(button.get("payload") or "") for button in data.get("buttons") or [] if isinstance(button, dict)]
    return {payload: kind for payload in payloads if payload.startswith("/") and payload_intent(payload) in topics}


def _user_turn(event: Dict[str, Any]) -> Turn:
    parse = event.get("parse_data") or {}
    intent = parse.get("intent") or {}
    triage = parse.get("triage")
    return Turn(str(event.get("text") or ""), float(event.get("timestamp") or 0), str(intent.get("name") or ""),
                float(intent.get("confidence") or 0), list(parse.get("intent_ranking") or []), parse.get("red_flag"),
                triage=triage if isinstance(triage, dict) else {},
                language=message_language(parse, event.get("metadata")))


def _add_bot_event(turn: Turn, data: Dict[str, Any]) -> None:
    custom = data.get("custom") or {}
    marker = custom.get("answer") if isinstance(custom, dict) else None
    if marker == HELPFUL_QUESTION:
        turn.asked_if_helpful = True
    elif marker and marker not in NOT_SHOWN_MARKERS:
        turn.answers.append(str(marker))
        if "sources" in custom:
            turn.topics.append((str(marker), str(custom.get("kind") or FAQ_KIND)))


def turns_of(events: Iterable[Dict[str, Any]]) -> List[Turn]:
    """One conversation's user and bot events (Rasa's event JSON, in order) as turns. A message that is exactly a
    payload the bot's replies to the message before offered as a choice marks that message with the topic chosen
    (the widget sends a pressed button's payload as the patient's message); an offer is only good until the next
    message, so a payload offered earlier and typed or pressed later marks nothing."""
    turns: List[Turn] = []
    offered: Dict[str, str] = {}  # the choices the bot's replies to the last message offered
    for event in events:
        if event.get("event") == "user":
            turn = _user_turn(event)
            if turns and turn.text in offered:
                turns[-1].chosen = turn.intent or payload_intent(turn.text)
                turns[-1].chosen_from = offered[turn.text]
            turns.append(turn)
            offered = {}
        elif event.get("event") == "bot" and turns:
            data = event.get("data") or {}
            _add_bot_event(turns[-1], data)
            offered.update(offered_choices(data))
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
