"""action_reply: conversation intents (greet, handoff, emergency, personal advice, ...) from knowledge/messages.yml."""
from typing import Any, Dict, List, Text

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.answer_faq import send_answer
from actions.answer_practical import answer_waiting_topic
from actions.turn import ClinicAction, TurnTracker
from actions.utter import send, send_gentle_crisis_line
from clinic_bot.content.knowledge import Knowledge, default_knowledge
from clinic_bot.content.triage_replies import (
    GENERAL_NOT_YOUR_CASE,
    check_in_reply,
    general_intent_for_personal,
    is_check_in,
    urgent_reply,
)
from clinic_bot.intents import EMERGENCY_INTENT, PERSONAL_INTENT


class ActionReply(ClinicAction):
    def name(self) -> Text:
        return "action_reply"

    def answer(self, dispatcher: CollectingDispatcher, tracker: TurnTracker,
               domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        knowledge = default_knowledge()
        intent = (tracker.latest_message.get("intent") or {}).get("name") or ""
        if intent == EMERGENCY_INTENT and is_check_in(tracker.latest_message):
            send(dispatcher, *check_in_reply(knowledge, tracker.latest_message))
            return []
        if intent == EMERGENCY_INTENT:
            send(dispatcher, urgent_reply(knowledge, tracker.latest_message))
            return []
        if intent != PERSONAL_INTENT:
            waiting = answer_waiting_topic(dispatcher, tracker, knowledge)
            if waiting is not None:
                return waiting
        send(dispatcher, knowledge.message(intent if intent in knowledge.messages else "no_answer"))
        if intent == PERSONAL_INTENT:
            self._general_answer(dispatcher, tracker, knowledge)
        send_gentle_crisis_line(dispatcher, tracker, knowledge)
        return []

    @staticmethod
    def _general_answer(dispatcher: CollectingDispatcher, tracker: Tracker, knowledge: Knowledge) -> None:
        """After the refusal, the general answer to the general part of a personal question, if there is one."""
        general = general_intent_for_personal(knowledge, tracker.latest_message)
        if general:
            send(dispatcher, knowledge.message(GENERAL_NOT_YOUR_CASE))
            send_answer(dispatcher, tracker, knowledge, general)
