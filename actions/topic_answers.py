"""Sending a topic's answer, FAQ or practical, as every action that answers a topic does: the FAQ answer action,
the practical answer action, and the general answer after a refused personal question (actions/reply.py).

With several locations, a practical question whose answer depends on the location gets "which one?" and a
button per location; the choice is remembered (slot `location`) for the next practical question. A patient may
also type the location's name instead of pressing a button: the question waits in the slot
`pending_location_topic`, and the dialogue sends the reply to the practical answer's action
(clinic_bot/dialogue/location_reply.py), which answers the waiting question.
"""
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.turn import patient_language
from actions.utter import send
from clinic_bot.content.choices import RELATED_MARKER, related_topic
from clinic_bot.content.clinic_config import Location
from clinic_bot.content.entity_values import is_canonical
from clinic_bot.content.feedback import helpful_question
from clinic_bot.content.knowledge import VARIANT_KINDS, Knowledge, Reply
from clinic_bot.content.triage_replies import answers_check_in
from clinic_bot.intents import ANSWERED_TOPIC_SLOT, LOCATION_SLOT, PENDING_LOCATION_SLOT

# For "which conditions can you treat" a named condition matters more than a remembered procedure.
CONDITION_FIRST = {"ask_conditions_treated"}


def answer_context(tracker: Tracker, intent: str, follow_up: bool) -> Dict[str, Optional[str]]:
    """Procedure/condition to tailor the answer to: named in this message, else remembered from earlier
    in the conversation (only for topics where a follow-up makes sense). Only canonical names: a value from
    anywhere else (a forged slash message, a tester's shell) must never be echoed in the answer."""
    named = {e.get("entity"): e.get("value") for e in tracker.latest_message.get("entities") or []}
    order = ("condition", "procedure") if intent in CONDITION_FIRST else VARIANT_KINDS
    context: Dict[str, Optional[str]] = {}
    for kind in order:
        for value in (named.get(kind), tracker.get_slot(kind) if follow_up else None):
            if is_canonical(kind, value):
                context[kind] = value
                break
    return context


def topic_context(tracker: Tracker, knowledge: Knowledge, topic: str) -> Dict[str, Optional[str]]:
    """The procedure or condition an offer of ``topic`` carries: the context its answer would be given in (a
    practical topic has none)."""
    answer = knowledge.answers.get(topic)
    return answer_context(tracker, topic, answer.follow_up) if answer is not None else {}


def related_offer(tracker: Tracker, knowledge: Knowledge, answered: str) -> Optional[Tuple[Reply, Dict[str, str]]]:
    """The related-topic message and its one button, when the classifier's runner-up came close to ``answered``
    (clinic_bot/content/choices.py); None for the answer a check-in's "no" brings, and never for the topic the
    patient had just before."""
    if answers_check_in(tracker.latest_message):
        return None
    related = related_topic(tracker.latest_message, answered, knowledge.has_topic,
                            exclude=[str(tracker.get_slot(ANSWERED_TOPIC_SLOT) or "")])
    if related is None:
        return None
    language = patient_language(tracker)
    button = knowledge.related_button(related, topic_context(tracker, knowledge, related), language=language)
    reply = knowledge.message(RELATED_MARKER, language=language)
    return Reply(reply.text, {**reply.marker, "related": related}), button


def send_related(dispatcher: CollectingDispatcher, tracker: Tracker, knowledge: Knowledge, answered: str) -> None:
    """The related-topic button after the answer to ``answered``, when there is one to offer."""
    offer = related_offer(tracker, knowledge, answered)
    if offer is not None:
        send(dispatcher, offer[0], [offer[1]])


def answered_topic(tracker: Tracker, intent: str) -> List[Dict[Text, Any]]:
    """Remembers the topic just answered, so the next answer never offers it again as related."""
    return [] if tracker.get_slot(ANSWERED_TOPIC_SLOT) == intent else [SlotSet(ANSWERED_TOPIC_SLOT, intent)]


def send_answer(dispatcher: CollectingDispatcher, tracker: Tracker, knowledge: Knowledge,
                intent: str, offer_related: bool = False) -> List[Dict[Text, Any]]:
    """The curated answer for ``intent`` (the practical one for a practical topic), with ``offer_related`` the
    related-topic button when another topic came close, then "Was this helpful?"; returns the slot events."""
    if intent in knowledge.practical_answers:
        return send_practical_answer(dispatcher, tracker, knowledge, intent, offer_related)
    language = patient_language(tracker)
    answer = knowledge.answers.get(intent)
    if answer is None:
        send(dispatcher, knowledge.message("no_answer", language=language))
        return []
    send(dispatcher, knowledge.faq(intent, answer_context(tracker, intent, answer.follow_up), language=language))
    if offer_related:
        send_related(dispatcher, tracker, knowledge, intent)
    # A separate message, so the answer's text and marker stay exactly the curated ones.
    send(dispatcher, *helpful_question(knowledge, language=language))
    return answered_topic(tracker, intent)


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
    topic = tracker.get_slot(PENDING_LOCATION_SLOT)
    if topic not in knowledge.practical_answers:
        return None  # nothing waits: the usual case, no need to read the text
    return str(topic) if knowledge.clinic.location_reply(tracker.latest_message.get("text") or "") else None


def send_practical_answer(dispatcher: CollectingDispatcher, tracker: Tracker, knowledge: Knowledge,
                          intent: str, offer_related: bool = False) -> List[Dict[Text, Any]]:
    """The practical answer for ``intent`` (or "which location?"), with ``offer_related`` the related-topic button
    when another topic came close, then "Was this helpful?"; returns the slot events that remember the location,
    the waiting question and the topic answered."""
    language = patient_language(tracker)
    if intent not in knowledge.practical_answers:
        send(dispatcher, knowledge.message("no_answer", language=language))
        return []
    location = chosen_location(tracker, knowledge)
    if knowledge.needs_location(intent, location):
        reply, buttons = knowledge.which_location(intent, language=language)
        send(dispatcher, reply, buttons)
        return [SlotSet(PENDING_LOCATION_SLOT, intent)]
    send(dispatcher, knowledge.practical(intent, location, language=language))
    if offer_related:
        send_related(dispatcher, tracker, knowledge, intent)
    send(dispatcher, *helpful_question(knowledge, language=language))
    # Only real changes: a no-op slot event would still be stored with every practical answer.
    events: List[Dict[Text, Any]] = answered_topic(tracker, intent)
    if tracker.get_slot(PENDING_LOCATION_SLOT) is not None:
        events.append(SlotSet(PENDING_LOCATION_SLOT, None))
    if (location is not None and knowledge.practical_answers[intent].per_location
            and tracker.get_slot(LOCATION_SLOT) != location.key):
        events.append(SlotSet(LOCATION_SLOT, location.key))
    return events
