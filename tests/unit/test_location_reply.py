"""The dialogue sends a reply naming a location to the practical answer while a question waits for one
(clinic_bot/dialogue/location_reply.py), and leaves every other message to the rules."""
from typing import List, Optional

import pytest
from rasa.core.policies.rule_policy import RulePolicy
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

import clinic_bot.dialogue.location_reply
from clinic_bot import paths
from clinic_bot.dialogue.location_reply import LocationReplyPolicy, next_action
from clinic_bot.intents import PENDING_LOCATION_SLOT, PRACTICAL_ACTION
from tests.unit.test_practical_answers import TWO_LOCATIONS, knowledge_with

DOMAIN = Domain.load(str(paths.DOMAIN_FILE))


@pytest.fixture
def two_locations(tmp_path, monkeypatch):
    knowledge = knowledge_with(tmp_path, TWO_LOCATIONS)
    monkeypatch.setattr(clinic_bot.dialogue.location_reply, "default_knowledge", lambda: knowledge)
    return knowledge


def conversation(intent: str, text: str, waiting: Optional[str] = "ask_hours",
                 after: Optional[str] = None) -> DialogueStateTracker:
    """A conversation whose latest message is ``text`` (read as ``intent``), with ``waiting`` the question waiting
    for a location, and ``after`` the action already run for that message (None: nothing yet)."""
    events: List[Event] = [ActionExecuted(ACTION_LISTEN_NAME)]
    if waiting:
        events.append(SlotSet(PENDING_LOCATION_SLOT, waiting))
    events.append(UserUttered(text, intent={"name": intent, "confidence": 0.9}))
    if after:
        events.append(ActionExecuted(after))
    return DialogueStateTracker.from_events("patient", events, DOMAIN.slots, domain=DOMAIN)


@pytest.mark.parametrize("intent", ["nlu_fallback", "out_of_scope", "greet", "ask_cost", "ask_parking"])
@pytest.mark.parametrize("text", ["downtown", "downtown please", "the northside one", "Main Street"])
def test_a_reply_naming_a_location_goes_to_the_practical_answer(two_locations, intent, text):
    assert next_action(conversation(intent, text)) == PRACTICAL_ACTION


@pytest.mark.parametrize("intent, text, waiting", [
    ("ask_hours", "downtown", None),  # nothing waits
    ("nlu_fallback", "downtown", "ask_no_such_topic"),  # not a practical question
    ("nlu_fallback", "northside or downtown, whichever is closer", "ask_hours"),  # two locations: ask again
    ("ask_parking", "ok and what about parking at the downtown office, my dad uses a walker", "ask_hours"),
    ("ask_cost", "how much is a nerve block", "ask_hours"),  # no location: a question of its own
    ("emergency", "northside chest pain", "ask_location"),  # the triage's verdicts come first
    ("ask_personal_advice", "downtown, should i stop my meds", "ask_location"),
])
def test_every_other_message_is_left_to_the_rules(two_locations, intent, text, waiting):
    assert next_action(conversation(intent, text, waiting)) is None


def test_the_practical_answer_ends_the_turn(two_locations):
    assert next_action(conversation("nlu_fallback", "downtown", after=PRACTICAL_ACTION)) == ACTION_LISTEN_NAME
    assert next_action(conversation("greet", "hi", waiting=None, after="action_reply")) is None


def test_the_policy_speaks_above_the_rules_and_is_silent_otherwise(two_locations, tmp_path):
    policy = LocationReplyPolicy.create(LocationReplyPolicy.get_default_config(), LocalModelStorage(tmp_path),
                                        Resource("location_reply"), ExecutionContext(GraphSchema({}), "test"))
    assert policy.priority > RulePolicy.get_default_config()["priority"]
    spoken = policy.predict_action_probabilities(conversation("out_of_scope", "downtown"), DOMAIN)
    assert spoken.max_confidence == 1.0
    assert DOMAIN.action_names_or_texts[spoken.max_confidence_index] == PRACTICAL_ACTION
    silent = policy.predict_action_probabilities(conversation("greet", "hello", waiting=None), DOMAIN)
    assert silent.max_confidence == 0.0
