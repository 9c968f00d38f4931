"""action_session_start: every new session opens with the disclaimer (automated, general info, not for emergencies),
in the language the patient chose in the widget: the session starts before the first message is read, so only the
widget's choice (the message's metadata) can say it. That choice also starts the conversation's language, and the
metadata stays in Rasa's slot for it, as Rasa's own session start keeps it; the disclaimer's language is remembered,
so that a switch to another language brings it again in that one (actions/turn.py)."""
from typing import Any, Dict, List, Text

from rasa_sdk.events import ActionExecuted, BotUttered, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.turn import SESSION_METADATA_SLOT, ClinicAction, TurnTracker, patient_language
from clinic_bot.content.knowledge import default_knowledge
from clinic_bot.languages import DISCLAIMER_LANGUAGE_SLOT, LANGUAGE_SLOT, LANGUAGES


class ActionSessionStart(ClinicAction):
    answers_the_patient = False  # it gives the session's disclaimer itself

    def name(self) -> Text:
        return "action_session_start"

    def answer(self, dispatcher: CollectingDispatcher, tracker: TurnTracker,
               domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        metadata = tracker.get_slot(SESSION_METADATA_SLOT)
        chosen = metadata.get(LANGUAGE_SLOT) if isinstance(metadata, dict) else None
        language = str(chosen) if chosen in LANGUAGES else patient_language(tracker)
        disclaimer = default_knowledge().message("disclaimer", language=language)
        # SessionStarted clears the slots: what the new session keeps comes after it.
        kept = [SlotSet(SESSION_METADATA_SLOT, metadata)] if metadata else []
        kept += [SlotSet(LANGUAGE_SLOT, chosen)] if chosen in LANGUAGES else []
        kept += [SlotSet(DISCLAIMER_LANGUAGE_SLOT, language)]
        # Returned after SessionStarted (not via the dispatcher) so the disclaimer belongs to the new session.
        return [
            SessionStarted(),
            *kept,
            BotUttered(disclaimer.text, data={"custom": disclaimer.marker}),
            ActionExecuted("action_listen"),
        ]
