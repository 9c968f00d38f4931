"""action_reply: conversation intents (greet, handoff, emergency, personal advice, ...) from knowledge/messages.yml."""
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.utter import send
from clinic_bot.knowledge import default_knowledge


class ActionReply(Action):
    def name(self) -> Text:
        return "action_reply"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        knowledge = default_knowledge()
        intent = (tracker.latest_message.get("intent") or {}).get("name") or ""
        send(dispatcher, knowledge.message(intent if intent in knowledge.messages else "no_answer"))
        return []
