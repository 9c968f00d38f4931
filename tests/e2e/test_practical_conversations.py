"""The practical questions through the real servers (REST webhook -> Rasa -> action server -> clinic.yml): one
conversation per practical intent with the repo's one-location clinic.yml, and a clinic with two locations that
asks which one."""
import os

import pytest
import yaml

from clinic_bot.content.knowledge import default_knowledge, load_knowledge
from clinic_bot.languages import SPANISH
from clinic_bot.launcher.servers import running_servers
from clinic_bot.server.rate_limit import NO_RATE_LIMITS
from tests.e2e.conftest import Patient, answers, free_port, replies
from tests.unit.test_practical_answers import TWO_LOCATIONS

# What a patient types for each practical topic, and the intent it must get.
QUESTIONS = [
    ("what are your hours", "ask_hours"),
    ("where are you located", "ask_location"),
    ("is there parking", "ask_parking"),
    ("whats the fax number for your office", "ask_contact"),
    ("i'm a new patient, what do i need to bring to my first visit", "ask_new_patient"),
    ("does my doctor have to send a referral before i can be seen", "ask_referral"),
    ("i have to cancel my appointment next tuesday", "ask_reschedule"),
    ("I need a refill", "ask_refill"),
    ("can I get a copy of my records", "ask_records"),
    ("do any of your staff speak spanish", "ask_languages"),
    ("which insurance plans do you take", "ask_insurance_plans"),
    ("what should I wear to my appointment", "ask_procedure_prep"),
    ("can I eat before the injection", "ask_procedure_prep"),
]


@pytest.mark.parametrize("text, intent", QUESTIONS)
def test_each_practical_question_gets_its_answer_from_clinic_yml(patient, text, intent):
    messages = patient.say(text)
    assert answers(messages) == [intent]
    answer = replies(messages)[-1]
    assert answer["text"] == default_knowledge().practical(intent).text  # filled from clinic.yml
    assert answer["custom"]["kind"] == "practical" and "unset" not in answer["custom"]
    assert messages[-1]["custom"] == {"answer": "helpful_question", "language": "en"}


def test_a_question_about_ones_own_blood_thinner_is_refused_never_answered(patient):
    messages = patient.say("i take eliquis every day, should i stop it before my injection on friday?")
    assert answers(messages)[0] == "ask_personal_advice"


@pytest.fixture(scope="module")
def two_location_clinic(model_path, tmp_path_factory):
    """The real servers reading a clinic.yml with two locations (CLINIC_CONFIG, as a deployment sets it)."""
    tmp = tmp_path_factory.mktemp("two_locations")
    config = tmp / "clinic.yml"
    # As the repo's clinic.yml, the translations the staff have not reviewed yet are shown (the Spanish test).
    config.write_text(yaml.safe_dump({**TWO_LOCATIONS, "show_unreviewed_translations": True}, sort_keys=False))
    before = os.environ.get("CLINIC_CONFIG")
    os.environ["CLINIC_CONFIG"] = str(config)  # server_env() passes it to both servers
    try:
        with running_servers(free_port(), free_port(), tracker_db=tmp / "conversations.db", model=model_path,
                             log_dir=tmp / "logs", channel_settings=NO_RATE_LIMITS) as running:
            yield running, load_knowledge(clinic_file=config)
    finally:
        if before is None:
            os.environ.pop("CLINIC_CONFIG", None)
        else:
            os.environ["CLINIC_CONFIG"] = before


def test_two_locations_the_patient_is_asked_which_then_answered_for_it(two_location_clinic):
    servers, knowledge = two_location_clinic
    patient = Patient(servers.webhook_url)
    question = replies(patient.say("what are your hours"))[-1]
    assert question["custom"] == {"answer": "which_location", "for": "ask_hours", "language": "en"}
    assert [b["title"] for b in question["buttons"]] == [place.name for place in knowledge.clinic.locations]

    north = knowledge.clinic.locations[0]
    answer = replies(patient.say(question["buttons"][0]["payload"]))[-1]  # the patient presses "Northside office"
    assert answer["custom"]["answer"] == "ask_hours" and answer["custom"]["location"] == north.key
    assert answer["text"] == knowledge.practical("ask_hours", north).text

    # The location is remembered: the next practical question needs no asking.
    parking = replies(patient.say("is there parking?"))[-1]
    assert parking["custom"]["answer"] == "ask_parking" and parking["custom"]["location"] == north.key


def test_two_locations_in_spanish_the_question_and_the_answer_for_the_place(two_location_clinic):
    servers, knowledge = two_location_clinic
    patient = Patient(servers.webhook_url)
    question = replies(patient.say("a que hora abren los sabados?"))[-1]
    assert (question["custom"]["answer"], question["custom"]["for"]) == ("which_location", "ask_hours")
    assert question["custom"]["language"] == SPANISH
    assert question["text"] == knowledge.message("which_location", language=SPANISH).text

    downtown = knowledge.clinic.locations[1]
    answer = replies(patient.say(question["buttons"][1]["payload"]))[-1]  # the patient presses the second place
    assert (answer["custom"]["answer"], answer["custom"]["location"]) == ("ask_hours", downtown.key)
    assert answer["custom"]["language"] == SPANISH
    assert answer["text"] == knowledge.practical("ask_hours", downtown, language=SPANISH).text


# A location's name alone is no topic: the classifier reads these as out of scope or thanks; the dialogue
# (clinic_bot/dialogue/location_reply.py) takes them for the reply to the waiting question.
@pytest.mark.parametrize("reply, place", [("downtown", 1), ("northside office thanks", 0)])
def test_two_locations_a_typed_reply_answers_the_waiting_question(two_location_clinic, reply, place):
    servers, knowledge = two_location_clinic
    patient = Patient(servers.webhook_url)
    assert replies(patient.say("where are you located"))[-1]["custom"]["answer"] == "which_location"
    answer = replies(patient.say(reply))[-1]
    chosen = knowledge.clinic.locations[place]
    assert answer["custom"]["answer"] == "ask_location" and answer["custom"]["location"] == chosen.key
    assert answer["text"] == knowledge.practical("ask_location", chosen).text


def test_two_locations_a_question_not_about_a_place_is_answered_at_once(two_location_clinic):
    servers, _ = two_location_clinic
    assert answers(Patient(servers.webhook_url).say("I need a refill")) == ["ask_refill"]


@pytest.mark.parametrize("reply", ["downtown i think", "umm downtown"])
def test_two_locations_a_hesitant_reply_to_which_location_is_that_answer_not_an_alarm(two_location_clinic, reply):
    servers, knowledge = two_location_clinic
    patient = Patient(servers.webhook_url)
    assert replies(patient.say("where are you located"))[-1]["custom"]["answer"] == "which_location"
    got = answers(patient.say(reply))
    assert "emergency" not in got and "check_in" not in got
    assert got[-1] == "ask_location"
