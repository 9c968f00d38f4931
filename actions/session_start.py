"""action_session_start: every new session opens with the disclaimer (automated, general info, not for emergencies)."""
from typing import Any, Dict, List, Text

from rasa_sdk.events import ActionExecuted, BotUttered, SessionStarted
from rasa_sdk.executor import CollectingDispatcher

from actions.turn import ClinicAction, TurnTracker
from clinic_bot.content.knowledge import default_knowledge


class ActionSessionStart(ClinicAction):
    def name(self) -> Text:
        return "action_session_start"

    def answer(self, dispatcher: CollectingDispatcher, tracker: TurnTracker,
               domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        disclaimer = default_knowledge().message("disclaimer")
        # Returned after SessionStarted (not via the dispatcher) so the disclaimer belongs to the new session.
        return [
            SessionStarted(),
            BotUttered(disclaimer.text, data={"custom": disclaimer.marker}),
            ActionExecuted("action_listen"),
        ]
