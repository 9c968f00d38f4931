"""action_suggest_topics: on low NLU confidence, offer the likeliest topics as buttons, the common practical
ones (hours, location), and staff."""
from typing import Any, Dict, List, Text

from rasa_sdk.executor import CollectingDispatcher

from actions.turn import ClinicAction, TurnTracker, patient_language
from actions.utter import send, send_gentle_crisis_line
from clinic_bot.content.knowledge import Reply, default_knowledge
from clinic_bot.intents import HANDOFF_INTENT

MAX_SUGGESTIONS = 3
DEFAULT_TOPICS = ("ask_safety", "ask_side_effects", "ask_insurance")
# Offered after the likeliest topics: what patients ask a clinic's website most, whatever the message was.
PRACTICAL_TOPICS = ("ask_hours", "ask_location")


class ActionSuggestTopics(ClinicAction):
    def name(self) -> Text:
        return "action_suggest_topics"

    def answer(self, dispatcher: CollectingDispatcher, tracker: TurnTracker,
               domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        knowledge = default_knowledge()
        language = patient_language(tracker)
        ranked = [str(r.get("name")) for r in tracker.latest_message.get("intent_ranking") or []]
        topics = [name for name in ranked if knowledge.has_topic(name)][:MAX_SUGGESTIONS]
        topics = topics or [t for t in DEFAULT_TOPICS if knowledge.has_topic(t)]
        topics += [t for t in PRACTICAL_TOPICS if knowledge.has_topic(t) and t not in topics]
        buttons = [{"title": knowledge.topic_title(t, language=language), "payload": f"/{t}"} for t in topics]
        buttons.append({"title": knowledge.label("handoff_button", language), "payload": f"/{HANDOFF_INTENT}"})
        reply = knowledge.message("fallback", language=language)
        send(dispatcher, Reply(reply.text, {**reply.marker, "suggestions": topics}), buttons)
        send_gentle_crisis_line(dispatcher, tracker, knowledge)
        return []
