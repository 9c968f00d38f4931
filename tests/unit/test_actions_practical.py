"""action_answer_practical and the fallback, driven with CollectingDispatcher and trackers: exact slot events and
answer markers, for a one-location clinic (the repo's clinic.yml) and a two-location one."""
import pytest
from rasa_sdk.events import SlotSet

import actions.answer_practical
import actions.reply
import actions.suggest_topics
from actions.answer_faq import ActionAnswerFaq
from actions.answer_practical import ActionAnswerPractical
from actions.reply import ActionReply
from actions.suggest_topics import ActionSuggestTopics
from clinic_bot.intents import FAQ_ACTION, PRACTICAL_ACTION
from tests.conftest import make_tracker
from tests.unit.test_practical_answers import TWO_LOCATIONS, knowledge_with


def markers(dispatcher):
    return [m["custom"].get("answer") for m in dispatcher.messages]


@pytest.fixture
def two_locations(tmp_path, monkeypatch):
    knowledge = knowledge_with(tmp_path, TWO_LOCATIONS)
    for module in (actions.answer_practical, actions.reply, actions.suggest_topics):
        monkeypatch.setattr(module, "default_knowledge", lambda: knowledge)
    return knowledge


def test_make_validate_checks_the_rules_to_the_actions_that_answer():
    """validate finds the FAQ and practical intents by the action their rules run: the actions' own names."""
    assert (ActionAnswerFaq().name(), ActionAnswerPractical().name()) == (FAQ_ACTION, PRACTICAL_ACTION)


def test_one_location_answers_at_once(dispatcher, knowledge):
    events = ActionAnswerPractical().run(dispatcher, make_tracker("ask_hours", "what are your hours"), {})
    assert markers(dispatcher) == ["ask_hours", "helpful_question"]
    assert dispatcher.messages[0]["text"] == knowledge.practical("ask_hours").text
    assert events == [SlotSet("answered_topic", "ask_hours")]  # one location and nothing waiting: only the topic


def test_a_question_that_does_not_depend_on_the_location_sets_no_location(dispatcher, two_locations):
    tracker = make_tracker("ask_refill", "i need a refill", slots={"pending_location_topic": "ask_hours"})
    events = ActionAnswerPractical().run(dispatcher, tracker, {})
    assert markers(dispatcher) == ["ask_refill", "helpful_question"]
    # the waiting question is dropped
    assert events == [SlotSet("answered_topic", "ask_refill"), SlotSet("pending_location_topic", None)]


def test_two_locations_ask_which_and_the_button_answers(dispatcher, two_locations):
    events = ActionAnswerPractical().run(dispatcher, make_tracker("ask_hours", "when are you open"), {})
    assert markers(dispatcher) == ["which_location"]
    assert [b["payload"] for b in dispatcher.messages[0]["buttons"]] == [
        '/ask_hours{"location": "northside_office"}', '/ask_hours{"location": "downtown_office"}']
    assert events == [SlotSet("pending_location_topic", "ask_hours")]

    dispatcher.messages.clear()
    button = make_tracker("ask_hours", '/ask_hours{"location": "northside_office"}',
                          entities=[{"entity": "location", "value": "northside_office"}],
                          slots={"pending_location_topic": "ask_hours"})
    events = ActionAnswerPractical().run(dispatcher, button, {})
    assert markers(dispatcher) == ["ask_hours", "helpful_question"]
    assert dispatcher.messages[0]["custom"]["location"] == "northside_office"
    assert events == [SlotSet("answered_topic", "ask_hours"), SlotSet("pending_location_topic", None),
                      SlotSet("location", "northside_office")]


def test_the_chosen_location_is_remembered_for_the_next_question(dispatcher, two_locations):
    tracker = make_tracker("ask_parking", "and is there parking?", slots={"location": "northside_office",
                                                                         "answered_topic": "ask_parking"})
    events = ActionAnswerPractical().run(dispatcher, tracker, {})
    assert dispatcher.messages[0]["custom"] == {"answer": "ask_parking", "kind": "practical", "sources": [],
                                                "source_line": {"clinic_details": True},
                                                "location": "northside_office", "language": "en"}
    assert events == []  # the location and the topic already remembered


def test_a_location_named_in_the_question_needs_no_asking(dispatcher, two_locations):
    ActionAnswerPractical().run(dispatcher, make_tracker("ask_location", "where is the downtown office exactly"), {})
    assert dispatcher.messages[0]["custom"]["location"] == "downtown_office"


@pytest.mark.parametrize("intent", ["nlu_fallback", "out_of_scope", "greet", "ask_cost", "ask_parking"])
def test_a_typed_reply_to_which_location_answers_the_waiting_question(dispatcher, two_locations, intent):
    """"downtown please" is no topic of its own: whatever intent was read in it, the practical answer's action (where
    the dialogue sends it: clinic_bot/dialogue/location_reply.py) answers the question that waited for it."""
    tracker = make_tracker(intent, "downtown please", slots={"pending_location_topic": "ask_hours"})
    events = ActionAnswerPractical().run(dispatcher, tracker, {})
    assert markers(dispatcher) == ["ask_hours", "helpful_question"]
    assert dispatcher.messages[0]["custom"]["location"] == "downtown_office"
    assert events == [SlotSet("answered_topic", "ask_hours"), SlotSet("pending_location_topic", None),
                      SlotSet("location", "downtown_office")]


def test_a_new_question_naming_a_location_is_answered_as_asked(dispatcher, two_locations):
    tracker = make_tracker("ask_parking", "ok and what about parking at the downtown office, my dad uses a walker",
                           slots={"pending_location_topic": "ask_hours"})
    ActionAnswerPractical().run(dispatcher, tracker, {})
    assert dispatcher.messages[0]["custom"]["answer"] == "ask_parking"


def test_the_fallback_offers_a_practical_topic_as_the_patient_would_ask_it(dispatcher, knowledge):
    tracker = make_tracker("nlu_fallback", "blorp", ranking=[{"name": "nlu_fallback", "confidence": 0.4},
                                                             {"name": "ask_cost", "confidence": 0.1},
                                                             {"name": "ask_hours", "confidence": 0.05}])
    ActionSuggestTopics().run(dispatcher, tracker, {})
    payloads = [b["payload"] for b in dispatcher.messages[0]["buttons"]]
    assert payloads == ["/ask_cost", "/ask_hours", "/ask_capabilities"]
    assert dispatcher.messages[0]["buttons"][1]["title"] == knowledge.practical_answers["ask_hours"].ask


def test_a_personal_question_about_preparation_gets_the_refusal_then_the_general_part(dispatcher, knowledge):
    """"i take eliquis, do i stop it before my injection?": never an instruction, the general preparation answer."""
    tracker = make_tracker("ask_personal_advice", "i take eliquis, do i stop it before my injection friday",
                           triage={"general_intent": {"name": "ask_procedure_prep", "confidence": 0.8}})
    ActionReply().run(dispatcher, tracker, {})
    assert markers(dispatcher) == ["ask_personal_advice", "general_not_your_case", "ask_procedure_prep",
                                   "helpful_question"]


def test_the_general_answer_after_a_refusal_remembers_a_waiting_location_question(dispatcher, two_locations):
    """A refused personal question whose general part is a per-location practical topic asks "which one?" and
    keeps the question waiting, as the practical answer's own action does."""
    tracker = make_tracker("ask_personal_advice", "my mom uses a walker, is it ok for her to park far away",
                           triage={"general_intent": {"name": "ask_parking", "confidence": 0.8}})
    events = ActionReply().run(dispatcher, tracker, {})
    assert markers(dispatcher) == ["ask_personal_advice", "general_not_your_case", "which_location"]
    assert events == [SlotSet("pending_location_topic", "ask_parking")]
