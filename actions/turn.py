"""The base of every action here: what an action may read of the conversation, enforced.

Rasa sends an action only the events of the current turn, from the patient's latest message on
(clinic_bot/rasa_patches.py, "What an action call sends"): a call then costs the same at turn 40 as at turn 2.
Looking back through rasa_sdk's `tracker.events` (or `get_last_event_for`, `applied_events`,
`events_after_latest_restart`, ...) would therefore silently find nothing said before that message. So an action
here subclasses ClinicAction and writes `answer` instead of `run`: it gets a TurnTracker, whose `events` raises
OlderEventsNotSent, and reads the latest message, the slots and `turn_events` (the same list whether Rasa sent the
whole conversation or the current turn, so an action's answer never depends on how much was sent). What a later
turn needs is remembered in a slot, as the location and the procedure are.

Every action that answers a patient's message first sends the disclaimer again when the conversation has switched to
a language the patient has not had it in this session (typed Spanish on an English page): what the assistant is and
is not goes with the language the patient reads. Never before an urgent reply, which comes first and alone; the
disclaimer then comes with the next answer.
"""
from abc import ABC, abstractmethod
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from clinic_bot.content.knowledge import default_knowledge
from clinic_bot.intents import EMERGENCY_INTENT
from clinic_bot.languages import DISCLAIMER_LANGUAGE_SLOT, ENGLISH, LANGUAGE_SLOT, LANGUAGES

USER_EVENT = "user"  # rasa_sdk's name of a patient's message in the events
SESSION_METADATA_SLOT = "session_started_metadata"  # Rasa's: the metadata of the message that opened the session


class OlderEventsNotSent(RuntimeError):
    """An action read `tracker.events`, which does not hold the conversation (see this module)."""


def from_latest_message(events: List[Dict[Text, Any]]) -> List[Dict[Text, Any]]:
    """The events from the latest patient message on (all of them when there is none): what Rasa sends."""
    for index in range(len(events) - 1, -1, -1):
        if events[index].get("event") == USER_EVENT:
            return list(events[index:])
    return list(events)


def patient_language(tracker: Tracker) -> str:
    """The language to answer in: the conversation's (the slot the language detector fills, and the session's start
    from the widget's choice), English when there is none yet."""
    language = tracker.get_slot(LANGUAGE_SLOT)
    return str(language) if language in LANGUAGES else ENGLISH


def urgent_language(tracker: Tracker) -> str:
    """The language of an urgent reply: the message's own when the detector is sure of it, whatever its length
    ("ayuda!!" in an English conversation gets the Spanish emergency message), else the conversation's."""
    reading = tracker.latest_message.get(LANGUAGE_SLOT)
    own = reading.get("message") if isinstance(reading, dict) else None
    return str(own) if own in LANGUAGES else patient_language(tracker)


class TurnTracker(Tracker):
    """rasa_sdk's Tracker without the look back: `events` raises, `turn_events` holds the current turn."""

    @classmethod
    def of(cls, tracker: Tracker) -> "TurnTracker":
        if isinstance(tracker, TurnTracker):
            return tracker
        return cls(tracker.sender_id, tracker.slots, tracker.latest_message, tracker.events, tracker.is_paused(),
                   tracker.followup_action, tracker.active_loop, tracker.latest_action_name)

    @property
    def events(self) -> List[Dict[Text, Any]]:
        raise OlderEventsNotSent(
            "An action read tracker.events, but Rasa sends actions only the current turn's events (from the "
            "patient's latest message on: clinic_bot/rasa_patches.py), so anything said before is missing, not "
            "absent. Read tracker.turn_events, tracker.latest_message and the slots; remember what a later turn "
            "needs in a slot (actions/turn.py).")

    @events.setter
    def events(self, events: List[Dict[Text, Any]]) -> None:  # Tracker.__init__ sets it
        self._turn_events = from_latest_message(list(events or []))

    @property
    def turn_events(self) -> List[Dict[Text, Any]]:
        """The current turn's events, from the patient's latest message on (a copy)."""
        return list(self._turn_events)


def disclaimer_on_switch(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[Dict[Text, Any]]:
    """Sends the disclaimer in the conversation's language when the patient has had it only in another one in this
    session, and remembers it (the slot's event); nothing otherwise, nor before an urgent reply, nor in a session
    that never said which disclaimer it gave."""
    language, had = patient_language(tracker), tracker.get_slot(DISCLAIMER_LANGUAGE_SLOT)
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    if had not in LANGUAGES or had == language or intent == EMERGENCY_INTENT:
        return []
    disclaimer = default_knowledge().message("disclaimer", language=language)
    dispatcher.utter_message(text=disclaimer.text, json_message=disclaimer.marker)
    return [SlotSet(DISCLAIMER_LANGUAGE_SLOT, language)]


class ClinicAction(Action, ABC):
    """An action of this assistant: `answer` gets the TurnTracker; `run` is this class's and may not be replaced.
    An action that answers the patient's message gets the disclaimer before it on a switch of language
    (disclaimer_on_switch); one that does not (the session's start) says so with ``answers_the_patient``."""

    answers_the_patient = True

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "run" in vars(cls):
            raise TypeError(f"{cls.__name__} defines run(): an action here writes answer(), which gets the tracker "
                            "of the current turn (actions/turn.py)")

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        turn = TurnTracker.of(tracker)
        before = disclaimer_on_switch(dispatcher, turn) if self.answers_the_patient else []
        return before + self.answer(dispatcher, turn, domain)

    @abstractmethod
    def answer(self, dispatcher: CollectingDispatcher, tracker: TurnTracker,
               domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        """What the action sends (through `dispatcher`) and the events it returns, as rasa_sdk's run."""
