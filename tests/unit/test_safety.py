"""The red-flag safety net on its own (the whole bot is tested in tests/model and tests/e2e)."""
import pytest

from clinic_bot.safety import RedFlagMatcher


@pytest.fixture(scope="module")
def matcher(nlp):
    return RedFlagMatcher.from_file(nlp)


@pytest.mark.parametrize("text,category", [
    ("I have crushing chest pain", "chest_pain"),
    ("my husband cant breathe", "breathing"),
    ("since the epidural my legs are numb and weak", "leg_weakness_numbness"),
    ("I lost control of my bladder after the injection", "bladder_bowel"),
    ("fever and chills since my stimulator implant", "infection_site"),
    ("there's pus coming out of the incision", "infection_site"),
    ("worst headache of my life after the epidural", "severe_headache"),
    ("the injection site won't stop bleeding", "bleeding"),
    ("my mom took too many pills and won't wake up", "overdose_unresponsive"),
    ("I want to end my life", "suicide_self_harm"),
    ("i've been thinking about hurting myself", "suicide_self_harm"),
])
def test_red_flags_are_caught(matcher, text, category):
    flag = matcher.find(text)
    assert flag is not None and flag.category == category


@pytest.mark.parametrize("text", [
    "can a spinal cord stimulator cause numbness in the legs",
    "is bleeding a risk of nerve blocks",
    "what are the side effects of an epidural",
    "how much does radiofrequency ablation cost",
])
def test_general_questions_are_not_emergencies(matcher, text):
    assert matcher.find(text) is None


def test_suicidal_thoughts_are_forced_even_in_question_form(matcher):
    assert matcher.find("is it normal to want to kill myself because of the pain").category == "suicide_self_harm"
