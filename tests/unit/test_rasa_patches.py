"""What changes Rasa's own behaviour changes the cost, never the outcome: the same validation errors, the same
dialogue states for the rule policy (clinic_bot/dialogue/rule_policy.py), the same latest message and slots
for actions (clinic_bot/rasa_patches.py); and the patches are installed for every entry point, on the one
Rasa version they were written for."""
import asyncio
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, List

import aiohttp
import jsonschema
import pytest
import rasa
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from clinic_bot import rasa_patches
from clinic_bot.dialogue.rule_policy import RecentTurnsRulePolicy, rule_window
from clinic_bot.paths import REPO_ROOT
from clinic_bot.rasa_patches import RASA_VERSION, UnsupportedRasaVersion, current_turn_call_format

DOMAIN = Domain.load(str(REPO_ROOT / "domain.yml"))
RASA_ORIGINALS = rasa_patches.ORIGINALS
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
    full = RASA_ORIGINALS["_action_call_format"](action, tracker, DOMAIN)
    slim = action._action_call_format(tracker, DOMAIN)
    assert RemoteAction._action_call_format is current_turn_call_format
    assert slim["tracker"]["latest_message"] == full["tracker"]["latest_message"]
    assert slim["tracker"]["slots"] == full["tracker"]["slots"] == {**full["tracker"]["slots"],
                                                                   "procedure": "radiofrequency_ablation"}
    assert [e["event"] for e in slim["tracker"]["events"]] == ["user"]
    assert slim["tracker"]["events"] == full["tracker"]["events"][-1:]
    assert {k: v for k, v in slim.items() if k != "tracker"} == {k: v for k, v in full.items() if k != "tracker"}


def test_the_cached_validator_rejects_what_jsonschema_rejects():
    action = RemoteAction("action_answer_faq", EndpointConfig("http://127.0.0.1:5055/webhook"))
    assert action._validate_action_result({"events": [], "responses": [{"text": "hi"}]}) is True
    bad = {"events": "not a list", "responses": []}
    with pytest.raises(jsonschema.ValidationError) as expected:
        RASA_ORIGINALS["_validate_action_result"](action, bad)
    with pytest.raises(jsonschema.ValidationError) as got:
        action._validate_action_result(bad)
    assert got.value.message.split(". Failed")[0] == expected.value.message.split(". Failed")[0]
    assert got.value.path == expected.value.path


def test_the_endpoint_timeout_reaches_each_request(monkeypatch):
    seen: Dict[str, Any] = {}

    class Session:
        def __init__(self) -> None:
            self.post = self.request

        async def __aenter__(self) -> "Session":
            return self

        async def __aexit__(self, *_: Any) -> None:
            return None

        def request(self, method: str, url: str, **kwargs: Any) -> Any:
            seen.update(kwargs)
            raise aiohttp.ClientError("stop here")

    endpoint = EndpointConfig("http://127.0.0.1:9/webhook", timeout=2)
    monkeypatch.setattr(EndpointConfig, "session", lambda self: Session())
    # In its own thread: the browser tests' Playwright keeps an event loop running in this one.
    with ThreadPoolExecutor(1) as thread, pytest.raises(aiohttp.ClientError):
        thread.submit(asyncio.run, endpoint.request(json={})).result()
    assert seen["timeout"].total == 2.0


def test_the_rule_policy_named_in_config_yml_is_the_windowed_one():
    import yaml
    config = yaml.safe_load((REPO_ROOT / "config.yml").read_text())
    names = [policy["name"] for policy in config["policies"]]
    assert f"{RecentTurnsRulePolicy.__module__}.{RecentTurnsRulePolicy.__name__}" in names


def test_every_rasa_entry_point_gets_the_patches():
    """Rasa imports clinic_bot.nlu / .dialogue / .server whenever it loads this assistant; each installs them."""
    code = ("import {}; from rasa.core.actions.action import RemoteAction; "
            "from clinic_bot.rasa_patches import current_turn_call_format as f; "
            "assert RemoteAction._action_call_format is f")
    started = [subprocess.Popen([sys.executable, "-c", code.format(package)], cwd=REPO_ROOT)
               for package in ("clinic_bot.nlu", "clinic_bot.dialogue", "clinic_bot.server")]
    assert [process.wait(timeout=120) for process in started] == [0, 0, 0]


def test_another_rasa_version_is_refused(monkeypatch):
    monkeypatch.setattr(rasa_patches, "_installed", False)
    monkeypatch.setattr(rasa, "__version__", "3.7.0")
    with pytest.raises(UnsupportedRasaVersion, match=RASA_VERSION):
        rasa_patches.install()
