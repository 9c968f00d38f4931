"""action_answer_practical: the practical questions (hours, address, parking, contact, forms, refills, records, ...),
answered from clinic.yml through knowledge/practical_answers.yml; also the reply naming a location to its own
"which location?" (the dialogue sends it here: clinic_bot/dialogue/location_reply.py)."""
from typing import Any, Dict, List, Text

from rasa_sdk.executor import CollectingDispatcher

from actions.topic_answers import send_practical_answer, waiting_topic
from actions.turn import ClinicAction, TurnTracker
from actions.utter import send_gentle_crisis_line
from clinic_bot.content.knowledge import default_knowledge
from clinic_bot.intents import PRACTICAL_ACTION


class ActionAnswerPractical(ClinicAction):
    def name(self) -> Text:
        return PRACTICAL_ACTION

    def answer(self, dispatcher: CollectingDispatcher, tracker: TurnTracker,
               domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        knowledge = default_knowledge()
        intent = (tracker.latest_message.get("intent") or {}).get("name") or ""
        waiting = waiting_topic(tracker, knowledge)
        # The reply naming a location answers the waiting question: its own ranking says nothing of a related topic.
        events = send_practical_answer(dispatcher, tracker, knowledge, waiting or intent, offer_related=not waiting)
        send_gentle_crisis_line(dispatcher, tracker, knowledge)
        return events
