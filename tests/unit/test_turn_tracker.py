"""An action reads the current turn only, and a look further back fails loudly (actions/turn.py): Rasa sends actions
only the events from the patient's latest message on (clinic_bot/rasa_patches.py). Each call goes through
rasa_sdk's own executor, as Rasa makes it with the patch (the current turn) and without (the whole conversation)."""
import asyncio
import importlib
import inspect
import json
import pkgutil
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, List, Optional, Text

import pytest
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import ActionExecutor, CollectingDispatcher

import actions
from actions.answer_faq import ActionAnswerFaq
from actions.answer_practical import ActionAnswerPractical
from actions.reply import ActionReply
from actions.session_start import ActionSessionStart
from actions.suggest_topics import ActionSuggestTopics
from actions.turn import ClinicAction, OlderEventsNotSent, TurnTracker
from clinic_bot import rasa_patches
from tests.unit.test_rasa_patches import DOMAIN, conversation

rasa_patches.install()
ENDPOINT = EndpointConfig("http://127.0.0.1:5055/webhook")


def call(action_name: str, tracker: DialogueStateTracker, whole: bool) -> Dict[str, Any]:
    """The JSON Rasa posts to the action server: Rasa's own format (whole conversation) or the patched one."""
    make = rasa_patches.ORIGINALS["_action_call_format"] if whole else rasa_patches.current_turn_call_format
    assert RemoteAction._action_call_format is rasa_patches.current_turn_call_format  # what the servers run
    return json.loads(json.dumps(make(RemoteAction(action_name, ENDPOINT), tracker, DOMAIN)))


def execute(executor: ActionExecutor, action_call: Dict[str, Any]) -> Optional[Dict[str, Any]]:
    # In its own thread: the browser tests' Playwright keeps an event loop running in this one.
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, executor.run(action_call)).result()


def asked(text: str, intent: str, ranking: Optional[List[Dict[str, Any]]] = None,
          entities: Optional[List[Dict[str, Any]]] = None, turns: int = 10) -> DialogueStateTracker:
    """A conversation of `turns` answered turns, then the patient's new message, as the action is called."""
    tracker = conversation(turns)
    parse = {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": entities or [],
             "intent_ranking": ranking or [{"name": intent, "confidence": 0.9}]}
    tracker.update(UserUttered(text, parse["intent"], parse["entities"], parse_data=parse))
    return tracker


class LooksBack(ClinicAction):
    """What the next engineer might write: the bot's previous message, to avoid repeating it."""

    def name(self) -> Text:
        return "probe_looks_back"

    def answer(self, dispatcher: CollectingDispatcher, tracker: TurnTracker,
               domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        previous = tracker.get_last_event_for("bot")
        dispatcher.utter_message(text=f"before: {previous['text'] if previous else None}")
        return []


class ReadsTheTurn(ClinicAction):
    def name(self) -> Text:
        return "probe_reads_the_turn"

    def answer(self, dispatcher: CollectingDispatcher, tracker: TurnTracker,
               domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(json_message={"turn": [[e["event"], e.get("name") or e.get("text")]
                                                        for e in tracker.turn_events]})
        return []


def probes() -> ActionExecutor:
    executor = ActionExecutor()
    executor.register_action(LooksBack)
    executor.register_action(ReadsTheTurn)
    return executor


def test_the_trap_a_plain_tracker_silently_misses_what_came_before_the_turn():
    """Why the base exists: rasa_sdk's own Tracker answers a look back with None from the call Rasa now makes."""
    tracker = asked("is it safe?", "ask_safety")
    whole, turn = (Tracker.from_dict(call("probe_looks_back", tracker, w)["tracker"]) for w in (True, False))
    assert whole.get_last_event_for("bot")["text"] == "reply 9"  # the previous turn's answer
    assert turn.get_last_event_for("bot") is None  # no error: a wrong answer


@pytest.mark.parametrize("whole", [False, True], ids=["current turn", "whole conversation"])
def test_an_action_that_looks_back_fails_loudly_whatever_rasa_sent(whole):
    action_call = call("probe_looks_back", asked("is it safe?", "ask_safety"), whole)
    with pytest.raises(OlderEventsNotSent, match="current turn"):
        execute(probes(), action_call)


@pytest.mark.parametrize("read", [
    lambda t: t.events, lambda t: t.applied_events(), lambda t: t.events_after_latest_restart(),
    lambda t: t.get_latest_input_channel(), lambda t: t.current_state(), lambda t: t.copy(),
], ids=["events", "applied_events", "events_after_latest_restart", "get_latest_input_channel", "current_state",
        "copy"])
def test_every_way_of_reading_the_events_fails_loudly(read):
    sent = call("probe_looks_back", asked("is it safe?", "ask_safety"), True)["tracker"]
    tracker = TurnTracker.of(Tracker.from_dict(sent))
    with pytest.raises(OlderEventsNotSent):
        read(tracker)


def test_the_current_turn_reads_the_same_whatever_rasa_sent():
    tracker = asked("is it safe?", "ask_safety")
    tracker.update(ActionExecuted("probe_reads_the_turn"))  # mid-turn: after an action of this turn too
    got = [execute(probes(), call("probe_reads_the_turn", tracker, whole)) for whole in (False, True)]
    assert got[0] == got[1]
    assert got[0] is not None and got[0]["responses"][0]["custom"]["turn"] == [
        ["user", "is it safe?"], ["action", "probe_reads_the_turn"]]


RFA = {"entity": "procedure", "value": "radiofrequency_ablation", "start": 0, "end": 3}
CALLS = {
    "faq follow-up": (ActionAnswerFaq, asked("is it safe?", "ask_safety")),
    "faq naming a procedure": (ActionAnswerFaq, asked("what is rfa", "ask_procedure_info", entities=[RFA])),
    "practical": (ActionAnswerPractical, asked("what are your hours", "ask_hours")),
    "conversation": (ActionReply, asked("hello", "greet")),
    "personal advice": (ActionReply, asked("should i stop my meds", "ask_personal_advice")),
    "fallback": (ActionSuggestTopics, asked("blorp", "nlu_fallback", ranking=[
        {"name": "nlu_fallback", "confidence": 0.3}, {"name": "ask_cost", "confidence": 0.2}])),
    "session start": (ActionSessionStart, conversation(12)),
}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_every_action_answers_the_same_from_the_current_turn_as_from_the_whole_conversation(name):
    action_class, tracker = CALLS[name]
    executor = ActionExecutor()
    executor.register_action(action_class)
    action_name = action_class().name()
    from_turn, from_whole = (execute(executor, call(action_name, tracker, whole)) for whole in (False, True))
    assert from_turn == from_whole
    assert from_turn is not None and (from_turn["responses"] or from_turn["events"])


def test_every_action_is_a_clinic_action_and_none_replaces_run():
    for module in pkgutil.iter_modules(actions.__path__):
        importlib.import_module(f"actions.{module.name}")
    defined = [cls for module in list(vars(actions).values()) if inspect.ismodule(module)
               for cls in vars(module).values()
               if inspect.isclass(cls) and issubclass(cls, Action) and cls.__module__ == module.__name__]
    assert {cls.__name__ for cls in defined} >= {"ActionAnswerPractical", "ActionAnswerFaq", "ActionReply",
                                                 "ActionSessionStart", "ActionSuggestTopics"}
    assert all(issubclass(cls, ClinicAction) for cls in defined), defined
    assert inspect.isabstract(ClinicAction)  # so rasa_sdk does not register the base as an action

    with pytest.raises(TypeError, match="answer"):
        class Bypass(ClinicAction):  # noqa: F841 - refused when the class is made
            def name(self) -> Text:
                return "bypass"

            def run(self, dispatcher: Any, tracker: Any, domain: Any) -> List[Dict[Text, Any]]:
                return []
