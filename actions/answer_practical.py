"""action_answer_practical: the practical questions (hours, address, parking, contact, forms, refills, records, ...),
answered from clinic.yml through knowledge/practical_answers.yml.

With several locations, a question whose answer depends on the location gets "which one?" and a button per
location; the choice is remembered (slot `location`) for the next practical question. A patient may also type
the location's name instead of pressing a button: the question waits in the slot `pending_location_topic`.
"""
import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.turn import ClinicAction, TurnTracker
from actions.utter import send, send_gentle_crisis_line
from clinic_bot.content.clinic_config import Location
from clinic_bot.content.feedback import helpful_question
from clinic_bot.content.knowledge import Knowledge, default_knowledge

LOCATION_SLOT = "location"
PENDING_SLOT = "pending_location_topic"
# A reply to "which one?" is the location's name and little else ("the northside one please"); a message with
# more words ("northside parking?") is a question of its own.
MAX_OTHER_WORDS_OF_A_LOCATION_REPLY = 3


def chosen_location(tracker: Tracker, knowledge: Knowledge) -> Optional[Location]:
    """The location this message names (typed, or a button's entity), else the one chosen earlier."""
    named = knowledge.clinic.locations_named_in(tracker.latest_message.get("text") or "")
    if len(named) == 1:
        return named[0]
    if len(named) > 1:
        return None  # "the north or the south one?": ask
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") == LOCATION_SLOT and knowledge.clinic.location(str(entity.get("value"))):
            return knowledge.clinic.location(str(entity.get("value")))
    return knowledge.clinic.location(tracker.get_slot(LOCATION_SLOT))


def waiting_topic(tracker: Tracker, knowledge: Knowledge) -> Optional[str]:
    """The practical question still waiting for a location, when this message is the reply naming one."""
    topic = tracker.get_slot(PENDING_SLOT)
    if topic not in knowledge.practical_answers:
        return None  # nothing waits: the usual case, no need to read the text
    text = tracker.latest_message.get("text") or ""
    named = knowledge.clinic.locations_named_in(text)
    if len(named) != 1:
        return None
    name_words = {word for name in named[0].names() for word in name.split()}
    other_words = [word for word in re.findall(r"[a-z0-9]+", text.lower()) if word not in name_words]
    return str(topic) if len(other_words) <= MAX_OTHER_WORDS_OF_A_LOCATION_REPLY else None


def send_practical_answer(dispatcher: CollectingDispatcher, tracker: Tracker, knowledge: Knowledge,
                          intent: str) -> List[Dict[Text, Any]]:
    """The practical answer for ``intent`` (or "which location?"), then "Was this helpful?"; returns the slot
    events that remember the location or the waiting question."""
    if intent not in knowledge.practical_answers:
        send(dispatcher, knowledge.message("no_answer"))
        return []
    location = chosen_location(tracker, knowledge)
    if knowledge.needs_location(intent, location):
        reply, buttons = knowledge.which_location(intent)
        send(dispatcher, reply, buttons)
        return [SlotSet(PENDING_SLOT, intent)]
    send(dispatcher, knowledge.practical(intent, location))
    send(dispatcher, *helpful_question(knowledge))
    # Only real changes: a no-op slot event would still be stored with every practical answer.
    events: List[Dict[Text, Any]] = []
    if tracker.get_slot(PENDING_SLOT) is not None:
        events.append(SlotSet(PENDING_SLOT, None))
    if (location is not None and knowledge.practical_answers[intent].per_location
            and tracker.get_slot(LOCATION_SLOT) != location.key):
        events.append(SlotSet(LOCATION_SLOT, location.key))
    return events


def answer_waiting_topic(dispatcher: CollectingDispatcher, tracker: Tracker,
                         knowledge: Knowledge) -> Optional[List[Dict[Text, Any]]]:
    """When this message only names a location in reply to "which one?", the waiting question's answer (and its
    events); None otherwise. Every action but the urgent and personal replies asks this first: "downtown" alone
    reads as out of scope, a fallback or anything else to the intent classifier."""
    topic = waiting_topic(tracker, knowledge)
    return send_practical_answer(dispatcher, tracker, knowledge, topic) if topic else None


class ActionAnswerPractical(ClinicAction):
    def name(self) -> Text:
        return "action_answer_practical"

    def answer(self, dispatcher: CollectingDispatcher, tracker: TurnTracker,
               domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        knowledge = default_knowledge()
        intent = (tracker.latest_message.get("intent") or {}).get("name") or ""
        events = send_practical_answer(dispatcher, tracker, knowledge, waiting_topic(tracker, knowledge) or intent)
        send_gentle_crisis_line(dispatcher, tracker, knowledge)
        return events
