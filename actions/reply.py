"""action_reply: conversation intents (greet, handoff, emergency, personal advice, ...) from knowledge/messages.yml."""
from typing import Any, Dict, List, Text

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.suggest_topics import topic_list_buttons
from actions.topic_answers import send_answer, send_related
from actions.turn import ClinicAction, TurnTracker, patient_language, urgent_language
from actions.utter import send, send_gentle_crisis_line
from clinic_bot.content.choices import SOMETHING_ELSE_INTENT
from clinic_bot.content.knowledge import Knowledge, default_knowledge
from clinic_bot.content.triage_replies import (
    GENERAL_NOT_YOUR_CASE,
    check_in_reply,
    general_intent_for_personal,
    is_check_in,
    urgent_reply,
)
from clinic_bot.intents import EMERGENCY_INTENT, OUT_OF_SCOPE_INTENT, PERSONAL_INTENT


class ActionReply(ClinicAction):
    def name(self) -> Text:
        return "action_reply"

    def answer(self, dispatcher: CollectingDispatcher, tracker: TurnTracker,
               domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        knowledge = default_knowledge()
        language = patient_language(tracker)
        intent = (tracker.latest_message.get("intent") or {}).get("name") or ""
        if intent == EMERGENCY_INTENT and is_check_in(tracker.latest_message):
            send(dispatcher, *check_in_reply(knowledge, tracker.latest_message, language=urgent_language(tracker)))
            return []
        if intent == EMERGENCY_INTENT:
            send(dispatcher, urgent_reply(knowledge, tracker.latest_message, language=urgent_language(tracker)))
            return []
        reply = knowledge.message(intent if intent in knowledge.messages else "no_answer", language=language)
        send(dispatcher, reply, topic_list_buttons(knowledge, language) if intent == SOMETHING_ELSE_INTENT else None)
        if intent == OUT_OF_SCOPE_INTENT:  # a typo can read as off-topic ("sideeffects?"): the topic, one click away
            send_related(dispatcher, tracker, knowledge, intent)
        events = self._general_answer(dispatcher, tracker, knowledge) if intent == PERSONAL_INTENT else []
        send_gentle_crisis_line(dispatcher, tracker, knowledge)
        return events

    @staticmethod
    def _general_answer(dispatcher: CollectingDispatcher, tracker: Tracker,
                        knowledge: Knowledge) -> List[Dict[Text, Any]]:
        """After the refusal, the general answer to the general part of a personal question, if there is one."""
        general = general_intent_for_personal(knowledge, tracker.latest_message)
        if not general:
            return []
        send(dispatcher, knowledge.message(GENERAL_NOT_YOUR_CASE, language=patient_language(tracker)))
        return send_answer(dispatcher, tracker, knowledge, general)
