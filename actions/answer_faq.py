"""action_answer_faq: the one action behind every FAQ intent (curated, sourced answers)."""
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.answer_practical import answer_waiting_topic, send_practical_answer
from actions.turn import ClinicAction, TurnTracker
from actions.utter import send, send_gentle_crisis_line
from clinic_bot.content.entity_values import is_canonical
from clinic_bot.content.feedback import helpful_question
from clinic_bot.content.knowledge import VARIANT_KINDS, Knowledge, default_knowledge

# For "which conditions can you treat" a named condition matters more than a remembered procedure.
CONDITION_FIRST = {"ask_conditions_treated"}


def answer_context(tracker: Tracker, intent: str, follow_up: bool) -> Dict[str, Optional[str]]:
    """Procedure/condition to tailor the answer to: named in this message, else remembered from earlier
    in the conversation (only for topics where a follow-up makes sense). Only canonical names: a value from
    anywhere else (a forged slash message, a tester's shell) must never be echoed in the answer."""
    named = {e.get("entity"): e.get("value") for e in tracker.latest_message.get("entities") or []}
    order = ("condition", "procedure") if intent in CONDITION_FIRST else VARIANT_KINDS
    context: Dict[str, Optional[str]] = {}
    for kind in order:
        for value in (named.get(kind), tracker.get_slot(kind) if follow_up else None):
            if is_canonical(kind, value):
                context[kind] = value
                break
    return context


def send_answer(dispatcher: CollectingDispatcher, tracker: Tracker, knowledge: Knowledge, intent: str) -> None:
    """The curated answer for ``intent`` (the practical one for a practical topic), then "Was this helpful?"."""
    if intent in knowledge.practical_answers:
        send_practical_answer(dispatcher, tracker, knowledge, intent)
        return
    answer = knowledge.answers.get(intent)
    if answer is None:
        send(dispatcher, knowledge.message("no_answer"))
        return
    send(dispatcher, knowledge.faq(intent, answer_context(tracker, intent, answer.follow_up)))
    # A separate message, so the answer's text and marker stay exactly the curated ones.
    send(dispatcher, *helpful_question(knowledge))


class ActionAnswerFaq(ClinicAction):
    def name(self) -> Text:
        return "action_answer_faq"

    def answer(self, dispatcher: CollectingDispatcher, tracker: TurnTracker,
               domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        knowledge = default_knowledge()
        waiting = answer_waiting_topic(dispatcher, tracker, knowledge)
        if waiting is not None:
            return waiting
        intent = (tracker.latest_message.get("intent") or {}).get("name") or ""
        send_answer(dispatcher, tracker, knowledge, intent)
        send_gentle_crisis_line(dispatcher, tracker, knowledge)
        return []
