"""The "Was this helpful?" question after each FAQ answer, shared by the answer action and the review tool.

The buttons send the existing `affirm` / `deny` intents, so the patient's reply is an ordinary user event
in the tracker store: a `deny` right after a bot message marked ``helpful_question`` means "not helpful".
"""
from typing import Dict, List, Tuple

from clinic_bot.content.knowledge import Knowledge, Reply

HELPFUL_QUESTION = "helpful_question"  # message key in knowledge/messages.yml and the bot message's marker
HELPFUL_INTENT = "affirm"
NOT_HELPFUL_INTENT = "deny"
# Button titles, also message keys (the validator requires every one of these keys).
MESSAGE_KEYS = (HELPFUL_QUESTION, "helpful_yes", "helpful_no")


def helpful_question(knowledge: Knowledge, language: str = "en") -> Tuple[Reply, List[Dict[str, str]]]:
    """The question and its yes/no buttons, in the patient's ``language`` when they can be."""
    buttons = [
        {"title": knowledge.label("helpful_yes", language), "payload": f"/{HELPFUL_INTENT}"},
        {"title": knowledge.label("helpful_no", language), "payload": f"/{NOT_HELPFUL_INTENT}"},
    ]
    return knowledge.message(HELPFUL_QUESTION, language=language), buttons
