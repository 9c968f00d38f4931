"""The one fill and the one check of placeholders (clinic_bot/content/placeholders.py): a text is filled by name only,
never evaluated, and every curly bracket that is not exactly a placeholder the text may use is named."""
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
    fill,
    message_placeholders,
    placeholders_in,
    practical_placeholders,
    problems,
)

VALUES = {"phone": "(312) 555-7788", "clinic_name": "Riverside Pain Care"}


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


@pytest.mark.parametrize("written, said", [
    ("Call {phone.", ["curly bracket {", "opens no placeholder", "Call {phone."]),
    ("Call phone} now", ["curly bracket }", "closes no placeholder"]),
    ("{phone.__class__.__mro__}", ["{phone.__class__.__mro__}", "a name alone", "write {phone}"]),
    ("{phone[0]}", ["{phone[0]}", "a name alone", "write {phone}"]),
    ("{phone:>9}", ["{phone:>9}", "a name alone", "write {phone}"]),
    ("{phone!r}", ["{phone!r}", "a name alone", "write {phone}"]),
    ("{opening_times}", ["{opening_times}", "cannot fill in", "use only {after_hours_phone}", "{phone}"]),
    ("{}", ["{}", "no name"]),
    ("{{phone}}", ["{{phone}}", "double curly brackets", "{phone}"]),
])
def test_every_brace_that_is_not_a_placeholder_is_named_in_plain_words(written: str, said: List[str]):
    [problem] = problems(f"Please {written} today.", ALWAYS_SET)
    assert all(words in problem for words in said), problem
    assert "format" not in problem and "attribute" not in problem  # words a staff member would have to look up


def test_each_problem_is_named_once_in_the_order_of_the_text():
    found = problems("{fax} {phone:>9} {fax} {", ALWAYS_SET)
    assert len(found) == 3 and "{fax}" in found[0] and "{phone:>9}" in found[1] and "curly bracket {" in found[2]


def test_a_detail_the_text_may_not_use_says_why():
    [location] = problems("{address}", practical_placeholders(per_location=False))
    assert "{address}" in location and "location" in location
    assert problems("{address}", practical_placeholders(per_location=True)) == []
    [optional] = problems("{fax}", CURATED_ANSWER_PLACEHOLDERS)
    assert "{fax}" in optional and "may be empty" in optional
    [topic] = problems("{topic}", message_placeholders("fallback"))
    assert "no_specific_info" in topic
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
