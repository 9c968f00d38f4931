"""The choices the assistant offers when it is unsure (clinic_bot/content/choices.py), the buttons' wording from the
answers files, and the answer actions that send them: exact markers, payloads and events."""
import pytest
from rasa_sdk.events import SlotSet

from actions.answer_faq import ActionAnswerFaq
from actions.reply import ActionReply
from clinic_bot.content.choices import (
    OUT_OF_SCOPE_MARGIN,
    RELATED_MARGIN,
    RELATED_MARKER,
    TOPIC_LIST,
    did_you_mean,
    related_topic,
)
from clinic_bot.languages import SPANISH
from tests.conftest import entity, make_tracker

RFA = "radiofrequency_ablation"


def ranked(*pairs):
    return {"intent_ranking": [{"name": name, "confidence": confidence} for name, confidence in pairs]}


def test_a_close_runner_up_topic_is_offered(knowledge):
    parse = ranked(("ask_side_effects", 0.55), ("greet", 0.2), ("ask_safety", 0.25))
    assert related_topic(parse, "ask_side_effects", knowledge.has_topic) == "ask_safety"


@pytest.mark.parametrize("parse, answered", [
    (ranked(("ask_side_effects", 0.95), ("ask_safety", 0.95 - RELATED_MARGIN - 0.01)), "ask_side_effects"),  # far
    (ranked(("ask_safety", 0.5), ("ask_side_effects", 0.45)), "ask_side_effects"),  # not the classifier's first
    (ranked(("ask_cost", 1.0)), "ask_cost"),  # a button's payload: one intent, nothing else ranked
    (ranked(("ask_personal_advice", 1.0), ("ask_recovery", 0.6), ("ask_results_time", 0.3)), "ask_personal_advice"),
    (ranked(("emergency", 1.0), ("ask_recovery", 0.6), ("ask_results_time", 0.3)), "emergency"),
    (ranked(("greet", 0.5), ("ask_hours", 0.4)), "greet"),
])
def test_no_topic_is_offered_when_nothing_came_close_or_the_reply_is_not_an_answer(knowledge, parse, answered):
    assert related_topic(parse, answered, knowledge.has_topic) is None


def test_the_topic_just_answered_is_never_offered_again(knowledge):
    parse = ranked(("ask_side_effects", 0.55), ("ask_safety", 0.45))
    assert related_topic(parse, "ask_side_effects", knowledge.has_topic, exclude=["ask_safety"]) is None


def test_an_out_of_scope_reply_offers_only_a_topic_that_came_near(knowledge):
    near = ranked(("out_of_scope", 0.47), ("ask_side_effects", 0.47 - OUT_OF_SCOPE_MARGIN + 0.05))
    far = ranked(("out_of_scope", 0.57), ("ask_languages", 0.57 - OUT_OF_SCOPE_MARGIN - 0.05))
    assert related_topic(near, "out_of_scope", knowledge.has_topic) == "ask_side_effects"
    assert related_topic(far, "out_of_scope", knowledge.has_topic) is None


def test_did_you_mean_takes_the_two_likeliest_topics_past_the_fallback(knowledge):
    parse = ranked(("nlu_fallback", 0.2), ("greet", 0.19), ("ask_cost", 0.18), ("ask_hours", 0.1), ("ask_safety", 0.05))
    assert did_you_mean(parse, knowledge.has_topic) == ["ask_cost", "ask_hours"]


def test_the_button_names_the_procedure_in_the_patients_language_and_carries_it(knowledge):
    english = knowledge.related_button("ask_safety", {"procedure": RFA})
    spanish = knowledge.related_button("ask_safety", {"procedure": RFA}, language=SPANISH)
    assert english == {"title": knowledge.answers["ask_safety"].ask_about.replace(
        "{subject}", knowledge.name(RFA)), "payload": f'/ask_safety{{"procedure": "{RFA}"}}'}
    assert spanish["title"] == knowledge.answers["ask_safety"].es.ask_about.replace(
        "{subject}", knowledge.name(RFA, SPANISH))
    assert spanish["payload"] == english["payload"]


def test_without_a_procedure_the_button_asks_in_general_and_a_condition_still_travels(knowledge):
    assert knowledge.related_button("ask_safety", {}) == {"title": knowledge.answers["ask_safety"].ask,
                                                          "payload": "/ask_safety"}
    with_condition = knowledge.related_button("ask_safety", {"condition": "sciatica"})
    assert with_condition == {"title": knowledge.answers["ask_safety"].ask,
                              "payload": '/ask_safety{"condition": "sciatica"}'}
    assert knowledge.related_button("ask_hours", {})["title"] == knowledge.practical_answers["ask_hours"].ask


def test_an_answer_with_a_close_runner_up_brings_the_button_between_the_answer_and_the_helpful_question(
        dispatcher, knowledge):
    tracker = make_tracker("ask_side_effects", "any risks or side effects with rfa", [entity("procedure", RFA)],
                           {"procedure": RFA}, ranking=ranked(("ask_side_effects", 0.6), ("ask_safety", 0.35))[
                               "intent_ranking"])
    events = ActionAnswerFaq().run(dispatcher, tracker, {})
    assert [m["custom"]["answer"] for m in dispatcher.messages] == ["ask_side_effects", RELATED_MARKER,
                                                                     "helpful_question"]
    related = dispatcher.messages[1]
    assert related["custom"]["related"] == "ask_safety"
    assert related["buttons"] == [knowledge.related_button("ask_safety", {"procedure": RFA})]
    assert events == [SlotSet("answered_topic", "ask_side_effects")]


def test_no_button_after_a_check_ins_no_nor_for_the_topic_just_answered(dispatcher):
    ranking = ranked(("ask_side_effects", 0.6), ("ask_safety", 0.35))["intent_ranking"]
    after_no = make_tracker("ask_side_effects", "no", ranking=ranking, triage={"check_in_answer": "no"})
    ActionAnswerFaq().run(dispatcher, after_no, {})
    just_had = make_tracker("ask_side_effects", "and side effects?", ranking=ranking,
                            slots={"answered_topic": "ask_safety"})
    ActionAnswerFaq().run(dispatcher, just_had, {})
    assert RELATED_MARKER not in [m["custom"]["answer"] for m in dispatcher.messages]


def test_a_refusals_general_answer_gets_no_button(dispatcher):
    tracker = make_tracker("ask_personal_advice", "can i shower after my epidural",
                           ranking=ranked(("ask_personal_advice", 1.0), ("ask_recovery", 0.6),
                                          ("ask_procedure_prep", 0.3))["intent_ranking"],
                           triage={"general_intent": {"name": "ask_recovery", "confidence": 0.8}})
    ActionReply().run(dispatcher, tracker, {})
    assert [m["custom"]["answer"] for m in dispatcher.messages] == [
        "ask_personal_advice", "general_not_your_case", "ask_recovery", "helpful_question"]


def test_what_can_you_do_lists_the_topics_and_a_way_to_staff(dispatcher, knowledge):
    ActionReply().run(dispatcher, make_tracker("ask_capabilities", "/ask_capabilities"), {})
    [listed] = dispatcher.messages
    assert [b["payload"] for b in listed["buttons"]] == [*(f"/{t}" for t in TOPIC_LIST), "/human_handoff"]
    assert knowledge.clinic.phone in listed["text"]
