"""The Rasa server's speed-ups (clinic_bot/speedups.py) change the cost, never the outcome: same
validation errors, same dialogue states for the rule policy, the same latest message and slots for actions."""
from typing import List

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered,
                                     UserUtteranceReverted)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from clinic_bot.paths import REPO_ROOT
from clinic_bot.speedups import _current_turn_call_format, _validate_with_cached_validator, rule_window

DOMAIN = Domain.load(str(REPO_ROOT / "domain.yml"))
TURNS = [("is it covered?", "ask_insurance", "action_answer_faq"), ("/affirm", "affirm", "action_reply"),
         ("what is rfa", "ask_procedure_info", "action_answer_faq"), ("blorp", "nlu_fallback", "action_suggest_topics"),
         ("does it hurt?", "ask_procedure_pain", "action_answer_faq"), ("/deny", "deny", "action_reply")]


def conversation(turns: int) -> DialogueStateTracker:
    """A session as Rasa stores it: FAQ answers with "Was this helpful?", feedback, a fallback, slots."""
    events: List = [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")]
    for number in range(turns):
        text, intent, action = TURNS[number % len(TURNS)]
        events += [UserUttered(text, {"name": intent, "confidence": 0.9}), ActionExecuted(action),
                   BotUttered(f"reply {number}")]
        if action == "action_answer_faq":
            events += [BotUttered("Was this helpful?"), SlotSet("procedure", "radiofrequency_ablation")]
        events.append(ActionExecuted("action_listen"))
    return DialogueStateTracker.from_events("patient", events, DOMAIN.slots, domain=DOMAIN)


@pytest.mark.parametrize("longest_rule", [2, 3, 6])
@pytest.mark.parametrize("turns", [12, 40])
def test_the_rule_window_has_the_same_latest_states_as_the_whole_conversation(turns, longest_rule):
    tracker = conversation(turns)
    window = rule_window(tracker, DOMAIN, longest_rule)
    assert window is not None and len(window.events) < len(tracker.events) / (2 if turns < 40 else 4)
    compared = longest_rule + 1
    assert (DOMAIN.states_for_tracker_history(window)[-compared:]
            == DOMAIN.states_for_tracker_history(tracker)[-compared:])
    # mid-turn too: after the user's message, before the answer (the state the policy predicts from)
    tracker.update(UserUttered("how long to recover", {"name": "ask_recovery", "confidence": 0.9}))
    window = rule_window(tracker, DOMAIN, longest_rule)
    assert (DOMAIN.states_for_tracker_history(window)[-compared:]
            == DOMAIN.states_for_tracker_history(tracker)[-compared:])


def test_short_or_unusual_conversations_are_used_whole():
    assert rule_window(conversation(1), DOMAIN, 3) is None
    reverted = conversation(20)
    reverted.update(UserUtteranceReverted())
    reverted.update(ActionExecuted("action_listen"))
    assert rule_window(reverted, DOMAIN, 3) is None


def test_actions_get_the_latest_message_slots_and_the_current_turn():
    tracker = conversation(10)
    tracker.update(UserUttered("does it hurt?", {"name": "ask_procedure_pain", "confidence": 0.9}))
    action = RemoteAction("action_answer_faq", EndpointConfig("http://127.0.0.1:5055/webhook"))
    full = action._action_call_format(tracker, DOMAIN)
    slim = _current_turn_call_format(action, tracker, DOMAIN)
    assert slim["tracker"]["latest_message"] == full["tracker"]["latest_message"]
    assert slim["tracker"]["slots"] == full["tracker"]["slots"] == {**full["tracker"]["slots"],
                                                                   "procedure": "radiofrequency_ablation"}
    assert [e["event"] for e in slim["tracker"]["events"]] == ["user"]
    assert slim["tracker"]["events"] == full["tracker"]["events"][-1:]
    assert {k: v for k, v in slim.items() if k != "tracker"} == {k: v for k, v in full.items() if k != "tracker"}


def test_the_cached_validator_rejects_what_jsonschema_rejects():
    schema = RemoteAction.action_response_format_spec()
    good = {"events": [], "responses": [{"text": "hi"}]}
    bad = {"events": "not a list", "responses": []}
    assert _validate_with_cached_validator(good, schema) is None
    with pytest.raises(jsonschema.ValidationError) as expected:
        jsonschema.validate(bad, schema)
    with pytest.raises(jsonschema.ValidationError) as got:
        _validate_with_cached_validator(bad, schema)
    assert got.value.message == expected.value.message
