"""action_answer_faq: the one action behind every FAQ intent (curated, sourced answers)."""
from typing import Any, Dict, List, Text

from rasa_sdk.executor import CollectingDispatcher

from actions.topic_answers import send_answer
from actions.turn import ClinicAction, TurnTracker
from actions.utter import send_gentle_crisis_line
from clinic_bot.content.knowledge import default_knowledge
from clinic_bot.intents import FAQ_ACTION


class ActionAnswerFaq(ClinicAction):
    def name(self) -> Text:
        return FAQ_ACTION

    def answer(self, dispatcher: CollectingDispatcher, tracker: TurnTracker,
               domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        knowledge = default_knowledge()
        intent = (tracker.latest_message.get("intent") or {}).get("name") or ""
        events = send_answer(dispatcher, tracker, knowledge, intent, offer_related=True)
        send_gentle_crisis_line(dispatcher, tracker, knowledge)
        return events
