"""Sends a knowledge Reply to the patient, with its answer marker in the message's `custom` payload."""
from typing import Dict, List, Optional

from rasa_sdk.executor import CollectingDispatcher

from clinic_bot.knowledge import Reply


def send(dispatcher: CollectingDispatcher, reply: Reply, buttons: Optional[List[Dict[str, str]]] = None) -> None:
    dispatcher.utter_message(text=reply.text, buttons=buttons or [], json_message=reply.marker)
