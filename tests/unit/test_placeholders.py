"""The one fill and the one check of placeholders (clinic_bot/content/placeholders.py): a text is filled by name only,
never evaluated, and every curly bracket that is not exactly a placeholder the text may use is named: as a code and
its values, worded by clinic_bot/tools/problem_messages.py."""
from pathlib import Path
from typing import List

import pytest

from clinic_bot import paths
from clinic_bot.content.clinic_config import REQUIRED_PLACEHOLDERS, load_clinic_details
from clinic_bot.content.placeholders import (
    ALWAYS_SET,
    CLINIC_PLACEHOLDERS,
    CURATED_ANSWER_PLACEHOLDERS,
    LOCATION_ONLY,
    TOPIC,
    PlaceholderProblem,
    fill,
    message_placeholders,
    placeholders_in,
    practical_placeholders,
    problems,
)
from clinic_bot.tools.problem_messages import CATALOGUE, word

VALUES = {"phone": "(312) 555-7788", "clinic_name": "Riverside Pain Care"}


def said(problem: PlaceholderProblem) -> str:
    """The problem in the words `make validate` and the editors use, about "The text"."""
    return word(CATALOGUE[problem.code], problem.values, "The text")


def test_known_placeholders_are_filled_and_anything_else_stays_as_written():
    assert fill("Call {clinic_name} at {phone}, {phone}.", VALUES) == (
        "Call Riverside Pain Care at (312) 555-7788, (312) 555-7788.")
    for written in ("{fax}", "{phone.__class__.__mro__}", "{phone[0]}", "{phone:>100000}", "{phone!r}", "{ phone }",
                    "{}", "a { alone", "a } alone", "{phone"):
        assert fill(f"Call {written}.", VALUES) == f"Call {written}."  # never evaluated, never padded, never raises


def test_a_value_is_put_in_as_it_is():
    assert fill("{clinic_name}", {"clinic_name": "The {phone} clinic"}) == "The {phone} clinic"


def test_placeholders_in_names_only_well_formed_placeholders():
    assert placeholders_in("{phone} {fax} {phone.real} {hours:>9} {clinic_name") == {"phone", "fax"}


def test_a_known_placeholder_is_no_problem():
    assert problems("Call {clinic_name} at {phone} ({hours}).", ALWAYS_SET) == []
    assert problems("No placeholder at all.", ALWAYS_SET) == []


@pytest.mark.parametrize("written, code, words", [
    ("Call {phone.", "lone_opening_bracket", ["curly bracket {", "opens no placeholder", "Call {phone."]),
    ("Call phone} now", "lone_closing_bracket", ["curly bracket }", "closes no placeholder"]),
    ("{phone.__class__.__mro__}", "malformed_placeholder", ["{phone.__class__.__mro__}", "a name alone",
                                                            "write {phone}"]),
    ("{phone[0]}", "malformed_placeholder", ["{phone[0]}", "a name alone", "write {phone}"]),
    ("{phone:>9}", "malformed_placeholder", ["{phone:>9}", "a name alone", "write {phone}"]),
    ("{phone!r}", "malformed_placeholder", ["{phone!r}", "a name alone", "write {phone}"]),
    ("{opening_times}", "unknown_placeholder", ["{opening_times}", "cannot fill in", "use only {after_hours_phone}",
                                                "{phone}"]),
    ("{}", "empty_brackets", ["{}", "no name"]),
    ("{{phone}}", "doubled_brackets", ["{{phone}}", "double curly brackets", "{phone}"]),
])
def test_every_brace_that_is_not_a_placeholder_is_named_in_plain_words(written: str, code: str, words: List[str]):
    [problem] = problems(f"Please {written} today.", ALWAYS_SET)
    assert problem.code == code, problem
    assert written.replace("Call ", "").replace(" now", "") in (problem.values.get("written")
                                                                or problem.values["around"])
    text = said(problem)
    assert text.startswith("The text ") and all(said_words in text for said_words in words), text
    assert "format" not in text and "attribute" not in text  # words a staff member would have to look up


def test_each_problem_is_named_once_in_the_order_of_the_text():
    found = problems("{fax} {phone:>9} {fax} {", ALWAYS_SET)
    assert [(p.code, p.values.get("written")) for p in found] == [
        ("optional_placeholder", "{fax}"), ("malformed_placeholder", "{phone:>9}"), ("lone_opening_bracket", None)]
    assert "{fax}" in said(found[0]) and "{phone:>9}" in said(found[1]) and "curly bracket {" in said(found[2])


def test_the_values_name_what_to_write_instead():
    [doubled] = problems("{{fax}}", ALWAYS_SET)
    assert (doubled.code, doubled.values["single"]) == ("doubled_brackets_not_allowed", "{fax}")
    assert doubled.values["allowed"] == ", ".join(sorted(ALWAYS_SET))
    [malformed] = problems("{phone.real}", ALWAYS_SET)
    assert (malformed.code, malformed.values["suggested"]) == ("malformed_placeholder", "{phone}")
    [none_allowed] = problems("{x y}", frozenset())
    assert none_allowed.code == "malformed_unknown_placeholder" and "can use no placeholder" in said(none_allowed)


def test_a_detail_the_text_may_not_use_says_why():
    [location] = problems("{address}", practical_placeholders(per_location=False))
    assert (location.code, location.values["written"]) == ("location_placeholder", "{address}")
    assert "{address}" in said(location) and "location" in said(location)
    assert problems("{address}", practical_placeholders(per_location=True)) == []
    [optional] = problems("{fax}", CURATED_ANSWER_PLACEHOLDERS)
    assert (optional.code, optional.values["written"]) == ("optional_placeholder", "{fax}")
    assert "{fax}" in said(optional) and "may be empty" in said(optional)
    [topic] = problems("{topic}", message_placeholders("fallback"))
    assert (topic.code, topic.values["given_to"]) == ("message_only_placeholder", "no_specific_info")
    assert "no_specific_info" in said(topic)
    assert problems("{topic}", message_placeholders("no_specific_info")) == []


def test_the_rule_sets_are_the_clinics_details():
    clinic = load_clinic_details(paths.CLINIC_CONFIG_FILE)
    assert ALWAYS_SET == set(REQUIRED_PLACEHOLDERS.values()) and ALWAYS_SET <= set(clinic.placeholders())
    assert CLINIC_PLACEHOLDERS == set(clinic.placeholders())
    assert LOCATION_ONLY == set(clinic.locations[0].placeholders()) and not LOCATION_ONLY & CLINIC_PLACEHOLDERS
    assert CURATED_ANSWER_PLACEHOLDERS == ALWAYS_SET
    assert message_placeholders("no_specific_info") == ALWAYS_SET | {TOPIC}


def test_no_text_is_filled_by_str_format():
    """One way to fill a text: a format_map anywhere in the code that reads the knowledge files would bring back
    attribute access and the crash on a stray bracket."""
    sources = [path for folder in ("content", "staff", "tools") for path in (paths.REPO_ROOT / "clinic_bot" / folder)
               .glob("*.py")] + list((paths.REPO_ROOT / "actions").glob("*.py"))
    assert [str(Path(p).relative_to(paths.REPO_ROOT)) for p in sources if "format_map(" in p.read_text()] == []
