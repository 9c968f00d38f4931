"""The practical answers (knowledge/practical_answers.yml) from a filled clinic.yml, an unfilled one (only the required
details) and a clinic with two locations. Texts are compared with what the files say, never copied here."""
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from clinic_bot.content.clinic_config import load_clinic_details
from clinic_bot.content.knowledge import Knowledge, load_knowledge
from clinic_bot.content.practical_answers import placeholders_in, practical_intents
from clinic_bot.intents import PRACTICAL_ACTION
from clinic_bot.paths import CLINIC_CONFIG_FILE
from clinic_bot.tools.validate import rule_intents

PRACTICAL_INTENTS = sorted(rule_intents(PRACTICAL_ACTION))
REQUIRED_ONLY = {"name": "Riverside Pain Care", "phone": "(312) 555-7788", "after_hours_phone": "(312) 555-7799",
                 "booking_url": "https://riverside.test/book", "hours": "weekdays 9 to 4"}
TWO_LOCATIONS = {
    **REQUIRED_ONLY,
    "fax": "(312) 555-7701",
    "locations": [
        {"name": "Northside office", "address": "12 Lake Road", "hours": "Mon-Thu 8-6", "phone": "(312) 555-1111",
         "parking": "Garage on Lake Road, validated at the desk."},
        {"name": "Downtown office", "address": "400 Main Street, 3rd floor", "phone": "(312) 555-2222",
         "aliases": ["main street"]},
    ],
}


def knowledge_with(tmp_path: Path, config: dict) -> Knowledge:
    clinic = tmp_path / "clinic.yml"
    clinic.write_text(yaml.safe_dump(config, sort_keys=False))
    return load_knowledge(clinic_file=clinic)


@pytest.fixture
def unfilled(tmp_path) -> Knowledge:
    return knowledge_with(tmp_path, REQUIRED_ONLY)


@pytest.fixture
def two_locations(tmp_path) -> Knowledge:
    return knowledge_with(tmp_path, TWO_LOCATIONS)


def test_every_intent_routed_to_the_practical_action_has_an_answer_and_every_answer_a_rule(knowledge):
    assert PRACTICAL_INTENTS, f"no rule runs {PRACTICAL_ACTION}"  # else the equality below would hold vacuously
    assert sorted(knowledge.practical_answers) == PRACTICAL_INTENTS == sorted(practical_intents())


@pytest.mark.parametrize("intent", PRACTICAL_INTENTS)
def test_a_filled_config_fills_every_detail(knowledge, intent):
    reply = knowledge.practical(intent)
    assert reply.marker["answer"] == intent and reply.marker["kind"] == "practical"
    assert "unset" not in reply.marker, f"{intent} needs a detail the demo clinic.yml leaves empty"
    assert "{" not in reply.text and "}" not in reply.text
    assert knowledge.clinic.phone in reply.text or knowledge.clinic.locations[0].phone in reply.text \
        or intent in {"ask_hours", "ask_location"}


def test_answers_name_the_details_of_clinic_yml(knowledge):
    clinic = load_clinic_details(CLINIC_CONFIG_FILE)
    place = clinic.locations[0]
    assert place.hours in knowledge.practical("ask_hours").text
    assert place.address in knowledge.practical("ask_location").text
    assert place.parking in knowledge.practical("ask_parking").text
    assert clinic.details["insurance_plans"] in knowledge.practical("ask_insurance_plans").text
    assert clinic.details["records_url"] in knowledge.practical("ask_records").text
    contact = knowledge.practical("ask_contact").text
    assert clinic.after_hours_phone in contact and clinic.details["fax"] in contact


@pytest.mark.parametrize("intent", PRACTICAL_INTENTS)
def test_an_unfilled_config_never_shows_an_empty_detail(unfilled, intent):
    reply = unfilled.practical(intent)
    assert "{" not in reply.text and "  " not in reply.text and ": ." not in reply.text and not reply.text.endswith(":")
    needed = {name for name in placeholders_in(unfilled.practical_answers[intent].text)}
    empty = sorted(name for name in needed if not {**unfilled.clinic.placeholders(),
                                                    **unfilled.clinic.locations[0].placeholders()}.get(name))
    assert reply.marker.get("unset", []) == empty
    if empty:  # the patient is told to call, with the front desk's number
        assert unfilled.clinic.phone in reply.text


def test_without_locations_the_clinic_is_one_location_with_the_front_desks_hours(unfilled):
    place = unfilled.clinic.locations[0]
    assert (place.name, place.hours, place.phone) == (REQUIRED_ONLY["name"], REQUIRED_ONLY["hours"],
                                                      REQUIRED_ONLY["phone"])
    assert not unfilled.needs_location("ask_hours", None)
    assert REQUIRED_ONLY["hours"] in unfilled.practical("ask_hours").text
    assert unfilled.practical("ask_location").marker["unset"] == ["address"]


def test_optional_sentences_appear_only_with_their_detail(tmp_path, unfilled):
    with_fax = knowledge_with(tmp_path, {**REQUIRED_ONLY, "fax": "(312) 555-0000"})
    assert "(312) 555-0000" in with_fax.practical("ask_contact").text
    assert len(unfilled.practical("ask_contact").text) < len(with_fax.practical("ask_contact").text)


def test_two_locations_ask_which_one_for_location_answers_only(two_locations):
    assert two_locations.needs_location("ask_hours", None)
    assert two_locations.needs_location("ask_location", None)
    assert not two_locations.needs_location("ask_refill", None)
    assert not two_locations.needs_location("ask_contact", None)
    reply, buttons = two_locations.which_location("ask_parking")
    assert reply.marker == {"answer": "which_location", "language": "en", "for": "ask_parking"}
    assert [b["title"] for b in buttons] == ["Northside office", "Downtown office"]
    assert [b["payload"] for b in buttons] == ['/ask_parking{"location": "northside_office"}',
                                               '/ask_parking{"location": "downtown_office"}']


def test_each_location_gets_its_own_details(two_locations):
    north, downtown = two_locations.clinic.locations
    hours = two_locations.practical("ask_hours", north)
    assert "Mon-Thu 8-6" in hours.text and hours.marker["location"] == "northside_office"
    assert REQUIRED_ONLY["hours"] in two_locations.practical("ask_hours", downtown).text  # no hours of its own
    assert "400 Main Street" in two_locations.practical("ask_location", downtown).text
    assert two_locations.practical("ask_parking", downtown).marker["unset"] == ["parking"]


@pytest.mark.parametrize("text, expected", [
    ("the northside one", ["northside_office"]),
    ("Downtown please", ["downtown_office"]),
    ("the one on main street", ["downtown_office"]),
    ("north or downtown?", ["downtown_office"]),
    ("northside or downtown, whichever is closer", ["northside_office", "downtown_office"]),
    ("what are your hours", []),
])
def test_locations_named_in_a_message(two_locations, text, expected):
    assert [place.key for place in two_locations.clinic.locations_named_in(text)] == expected


def test_two_locations_with_one_name_are_refused(tmp_path):
    config = {**REQUIRED_ONLY, "locations": [{"name": "Main"}, {"name": "main"}]}
    clinic = tmp_path / "clinic.yml"
    clinic.write_text(yaml.safe_dump(config))
    with pytest.raises(ValueError, match="two locations"):
        load_clinic_details(clinic)


def test_an_answer_is_filled_only_with_the_details_it_may_use(two_locations):
    """What `make validate` refuses is never filled, so that it reads the same in the preview and in the bot: a
    location's detail in an answer that does not depend on the location counts as empty even when the patient named
    a location, and if_unset gets only the details that are never empty."""
    north = two_locations.clinic.locations[0]
    answer = replace(two_locations.practical_answers["ask_contact"], text="We are at {address}.", more=(),
                     if_unset="Call {phone} or fax {fax}.")
    knowledge = Knowledge(two_locations.answers, two_locations.messages, two_locations.clinic,
                          {**two_locations.practical_answers, "ask_contact": answer})
    reply = knowledge.practical("ask_contact", north)
    assert reply.marker["unset"] == ["address"] and north.address not in reply.text
    assert reply.text == f"Call {two_locations.clinic.phone} or fax {{fax}}."
