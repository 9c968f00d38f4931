"""action_suggest_topics: on low NLU confidence, offer the likeliest FAQ topics as buttons, and staff."""
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.utter import send, send_gentle_crisis_line
from clinic_bot.content.knowledge import Reply, default_knowledge

MAX_SUGGESTIONS = 3
DEFAULT_TOPICS = ("ask_safety", "ask_side_effects", "ask_insurance")


class ActionSuggestTopics(Action):
    def name(self) -> Text:
        return "action_suggest_topics"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        knowledge = default_knowledge()
        ranked = [r.get("name") for r in tracker.latest_message.get("intent_ranking") or []]
        topics = [name for name in ranked if name in knowledge.answers][:MAX_SUGGESTIONS]
        topics = topics or [t for t in DEFAULT_TOPICS if t in knowledge.answers]
        buttons = [{"title": knowledge.answers[t].title, "payload": f"/{t}"} for t in topics]
        buttons.append({"title": knowledge.message("handoff_button").text, "payload": "/human_handoff"})
        reply = knowledge.message("fallback")
        send(dispatcher, Reply(reply.text, {**reply.marker, "suggestions": topics}), buttons)
        send_gentle_crisis_line(dispatcher, tracker, knowledge)
        return []
