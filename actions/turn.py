"""The base of every action here: what an action may read of the conversation, enforced.

Rasa sends an action only the events of the current turn, from the patient's latest message on
(clinic_bot/rasa_patches.py, "What an action call sends"): a call then costs the same at turn 40 as at turn 2.
Looking back through rasa_sdk's `tracker.events` (or `get_last_event_for`, `applied_events`,
`events_after_latest_restart`, ...) would therefore silently find nothing said before that message. So an action
here subclasses ClinicAction and writes `answer` instead of `run`: it gets a TurnTracker, whose `events` raises
OlderEventsNotSent, and reads the latest message, the slots and `turn_events` (the same list whether Rasa sent the
whole conversation or the current turn, so an action's answer never depends on how much was sent). What a later
turn needs is remembered in a slot, as the location and the procedure are.
"""
from abc import ABC, abstractmethod
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from clinic_bot.languages import ENGLISH, LANGUAGE_SLOT, LANGUAGES

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


class ClinicAction(Action, ABC):
    """An action of this assistant: `answer` gets the TurnTracker; `run` is this class's and may not be replaced."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "run" in vars(cls):
            raise TypeError(f"{cls.__name__} defines run(): an action here writes answer(), which gets the tracker "
                            "of the current turn (actions/turn.py)")

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        return self.answer(dispatcher, TurnTracker.of(tracker), domain)

    @abstractmethod
    def answer(self, dispatcher: CollectingDispatcher, tracker: TurnTracker,
               domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        """What the action sends (through `dispatcher`) and the events it returns, as rasa_sdk's run."""
