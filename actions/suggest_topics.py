"""action_suggest_topics: when the intent classifier is unsure of everything (the fallback), "Did you mean: A / B /
something else?": the two likeliest topics, each as a patient would ask it, and "something else", which brings the
topic list and the clinic's phone (the reply to ask_capabilities: actions/reply.py). The choices are
clinic_bot/content/choices.py's."""
from typing import Any, Dict, List, Text

from rasa_sdk.executor import CollectingDispatcher

from actions.topic_answers import topic_context
from actions.turn import ClinicAction, TurnTracker, patient_language
from actions.utter import send, send_gentle_crisis_line
from clinic_bot.content.choices import (
    DID_YOU_MEAN_MARKER,
    DID_YOU_MEAN_TOPICS,
    HANDOFF_BUTTON,
    SOMETHING_ELSE_BUTTON,
    SOMETHING_ELSE_INTENT,
    TOPIC_LIST,
    did_you_mean,
)
from clinic_bot.content.knowledge import Knowledge, Reply, default_knowledge
from clinic_bot.intents import HANDOFF_INTENT


def topic_list_buttons(knowledge: Knowledge, language: str) -> List[Dict[str, str]]:
    """The topic list (each answer's title) and a way to staff: what "something else" and "what can you do?" get."""
    buttons = [{"title": knowledge.topic_title(topic, language=language), "payload": f"/{topic}"}
               for topic in TOPIC_LIST if knowledge.has_topic(topic)]
    return buttons + [{"title": knowledge.label(HANDOFF_BUTTON, language), "payload": f"/{HANDOFF_INTENT}"}]


class ActionSuggestTopics(ClinicAction):
    def name(self) -> Text:
        return "action_suggest_topics"

    def answer(self, dispatcher: CollectingDispatcher, tracker: TurnTracker,
               domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        knowledge = default_knowledge()
        language = patient_language(tracker)
        # Nothing ranked (a message the classifier could not read at all): the first topics of the list.
        topics = did_you_mean(tracker.latest_message, knowledge.has_topic) or [
            topic for topic in TOPIC_LIST if knowledge.has_topic(topic)][:DID_YOU_MEAN_TOPICS]
        buttons = [knowledge.related_button(topic, topic_context(tracker, knowledge, topic), language=language)
                   for topic in topics]
        buttons.append({"title": knowledge.label(SOMETHING_ELSE_BUTTON, language),
                        "payload": f"/{SOMETHING_ELSE_INTENT}"})
        reply = knowledge.message(DID_YOU_MEAN_MARKER, language=language)
        send(dispatcher, Reply(reply.text, {**reply.marker, "suggestions": topics}), buttons)
        send_gentle_crisis_line(dispatcher, tracker, knowledge)
        return []
