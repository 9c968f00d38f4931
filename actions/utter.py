"""Sends a knowledge Reply to the patient, with its answer marker in the message's `custom` payload."""
from typing import Dict, List, Optional

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.turn import patient_language
from clinic_bot.content.knowledge import Knowledge, Reply
from clinic_bot.content.triage_replies import gentle_crisis_reply


def send(dispatcher: CollectingDispatcher, reply: Reply, buttons: Optional[List[Dict[str, str]]] = None) -> None:
    dispatcher.utter_message(text=reply.text, buttons=buttons or [], json_message=reply.marker)


def send_gentle_crisis_line(dispatcher: CollectingDispatcher, tracker: Tracker, knowledge: Knowledge) -> None:
    """The gentle 988 line, last, when the message spoke of suicide or self-harm but not as happening now."""
    reply = gentle_crisis_reply(knowledge, tracker.latest_message, language=patient_language(tracker))
    if reply is not None:
        send(dispatcher, reply)
