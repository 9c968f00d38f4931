"""The trained model's triage on sets nobody here tuned on: the development sets of tests/triage/ (written
by writers who saw neither the rules, the training data nor these tests; docs/triage.md says who wrote
what). The figures are printed at the end of `make test`; the floors only catch a broken triage (a lexicon
that no longer loads, a classifier trained on the wrong labels), they are not the aims (`make bench`)."""
import pytest

from clinic_bot.intents import CHECK_IN
from clinic_bot.nlu.triage.evaluate import (
    after_helpful_question,
    evaluate_development_sets,
    read_development_sets,
)
from clinic_bot.paths import TRIAGE_TEST_DIR
from tests.conftest import FIGURES

# Floors and ceilings that catch a broken triage (a lexicon that no longer loads, a classifier trained on the
# wrong labels, a conversation that is no longer read); the aims themselves are `make bench`'s.
FLOORS = {"urgent_recall": 0.97, "urgent_full_message": 0.9, "personal_refused": 0.85}
CEILINGS = {"general_false_alarms": 0.06, "everyday_false_alarms": 0.02, "everyday_check_ins": 0.05}


@pytest.fixture(scope="module")
def development(nlu):
    after_question = after_helpful_question()
    return evaluate_development_sets(nlu, lambda text: nlu(text, after_question),
                                     read_development_sets(TRIAGE_TEST_DIR))


def test_development_set_figures(development):
    for name, value in development.summary().items():
        FIGURES[f"triage (development sets): {name}"] = value
    figures = development.all_sets
    assert figures.urgent_recall.rate >= FLOORS["urgent_recall"], figures.urgent_recall.examples[:20]
    assert figures.urgent_full_message.rate >= FLOORS["urgent_full_message"]
    assert figures.personal_refused.rate >= FLOORS["personal_refused"], figures.personal_refused.examples[:20]
    assert figures.general_false_alarms.rate <= CEILINGS["general_false_alarms"]
    assert figures.everyday_false_alarms.rate <= CEILINGS["everyday_false_alarms"]
    assert figures.everyday_check_ins.rate <= CEILINGS["everyday_check_ins"]


def test_conversation_replies_after_a_question_raise_no_alarm(development):
    after = development.replies_after_question
    assert after.everyday_false_alarms.hits == 0, after.everyday_false_alarms.examples
    assert after.everyday_check_ins.rate <= CEILINGS["everyday_check_ins"], after.everyday_check_ins.examples


def test_every_concept_and_spanish_are_covered(development):
    figures = development.all_sets
    assert figures.urgent_recall_spanish.total >= 50 and figures.urgent_recall_spanish.rate >= FLOORS["urgent_recall"]
    assert all(share.total >= 10 for share in figures.urgent_recall_by_concept.values())


@pytest.mark.parametrize("text", ["no", "no thanks", "i am not sure", "nope", "no gracias", "ok", "thanks"])
def test_short_replies_are_never_urgent_on_their_own(parse, text):
    assert parse(text)["intent"]["name"] != "emergency"


@pytest.mark.parametrize("text", ["no", "not really", "i am not sure", "no sirvio", "maybe"])
def test_an_answer_to_was_this_helpful_is_read_as_that_answer(nlu, text):
    assert nlu(text, after_helpful_question())["intent"]["name"] != "emergency"


def test_a_red_flag_in_an_answer_to_a_question_still_raises_the_alarm(nlu):
    result = nlu("no. my chest is crushing and my left arm is numb", after_helpful_question())
    assert result["intent"]["name"] == "emergency" and result["triage"]["disposition"] == "emergency"


def after_a_check_in(variant, language, otherwise):
    """A conversation whose last bot message is the check-in, as action_reply sends it."""
    from rasa.shared.core.events import ActionExecuted, BotUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    marker = {"answer": CHECK_IN, "variant": variant, "language": language, "otherwise": otherwise}
    return DialogueStateTracker.from_events("test", [
        ActionExecuted("action_listen"),
        BotUttered("Is this happening right now?", data={"buttons": [{"title": "Yes", "payload": "Yes"}],
                                                         "custom": marker}),
        ActionExecuted("action_listen"),
    ])


@pytest.mark.parametrize("reply,language", [("Yes, it's happening now", "en"), ("yes", "en"),
                                            ("Sí, está pasando ahora", "es"), ("si", "es")])
def test_yes_to_the_check_in_gets_the_emergency_message_it_held_back(nlu, reply, language):
    result = nlu(reply, after_a_check_in("crisis", language, "ask_side_effects"))
    assert result["intent"]["name"] == "emergency"
    triage = result["triage"]
    assert (triage["disposition"], triage["kind"], triage["language"], triage["raised_by"]) == (
        "emergency", "crisis", language, ["check_in"])


@pytest.mark.parametrize("reply", ["No", "no its not", "nope"])
def test_no_to_the_check_in_gets_the_answer_the_message_would_have_had(nlu, reply):
    result = nlu(reply, after_a_check_in("medical", "en", "ask_side_effects"))
    assert result["intent"]["name"] == "ask_side_effects" and result["triage"]["check_in_answer"] == "no"


@pytest.mark.parametrize("text,kind,language", [
    ("what time do you open tomorrow? also my wife's lips are swelling since the shot and she sounds wheezy",
     "medical", "en"),
    ("i've been giving my things away, my family will be better off without me", "crisis", "en"),
    ("mi esposo no puede respirar bien desde la inyeccion y tiene los labios morados", "medical", "es"),
    ("ya no quiero vivir, soy una carga para mi familia", "crisis", "es"),
])
def test_urgent_messages_get_the_right_kind_and_language(parse, text, kind, language):
    result = parse(text)
    assert result["intent"]["name"] == "emergency"
    assert (result["triage"]["kind"], result["triage"]["language"]) == (kind, language)


@pytest.mark.parametrize("text", [
    "i had a fever after my shot last year, it went away. how much does rfa cost",
    "what does saddle anesthesia mean? it was on my leaflet",
    "how often do people get an infection after an epidural",
    "my dad had a stroke in 2015, is post stroke pain something you treat",
    "no numbness or anything, just wondering how long recovery takes",
])
def test_general_questions_with_frightening_words_are_not_alarms(parse, text):
    assert parse(text)["intent"]["name"] != "emergency"


@pytest.mark.parametrize("text", [
    "how many mg of gabapentin can i take with my oxycodone",
    "should i stop my eliquis before the epidural next week",
    "my mri says l4-l5 disc protrusion with mild stenosis, is that bad",
])
def test_personal_cases_are_refused(parse, text):
    assert parse(text)["intent"]["name"] == "ask_personal_advice"


def test_suicide_history_is_not_an_alarm_but_asks_for_the_gentle_line(parse):
    result = parse("i attempted suicide many years ago and i'm doing well now. "
                   "can someone with that history get a stimulator")
    assert result["intent"]["name"] != "emergency" and result["triage"]["gentle_crisis_line"]
