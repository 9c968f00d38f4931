"""The triage's dispositions through the real servers (REST webhook, NLU with the conversation, rules, action
server), judged by the answer markers the widget receives: the emergency message on strong evidence, the check-in
("is this happening now?", 911 and 988 shown) on weak evidence, and the patient's answers read in context."""
from typing import Any, Dict, List, Optional, Tuple

import pytest

from clinic_bot.content.feedback import HELPFUL_QUESTION
from clinic_bot.intents import CHECK_IN
from tests.e2e.conftest import Patient, answers, replies

# Vague messages that the triage's classifier is only moderately sure of: each should get the check-in. The test
# takes the first that does, so that a retrained model moving one of them out of the band does not hide the flow.
VAGUE = {
    "en": ["my back feels really hot and weird after the rfa, what are the side effects",
           "I have headache please suggest?",
           "woke up with both hands numb and tingling, what is this?",
           "i feel kind of strange and shaky after my nerve block, what are the side effects"],
    "es": ["estoy muy mareada despues de la inyeccion",
           "me siento rara y con hormigueo en las manos desde la inyeccion, es normal?",
           "me duele mucho la cabeza desde ayer, que me recomiendan"],
}


def check_in(servers, language: str) -> Tuple[Patient, Dict[str, Any]]:
    """A new conversation whose first message got the check-in, and that check-in message."""
    for text in VAGUE[language]:
        patient = Patient(servers.webhook_url)
        got = [m for m in replies(patient.say(text)) if (m.get("custom") or {}).get("answer") == CHECK_IN]
        if got:
            return patient, got[0]
    pytest.fail(f"none of the vague {language} messages got a check-in: {VAGUE[language]}")


def button(message: Dict[str, Any], index: int) -> str:
    return str(message["buttons"][index]["payload"])


def marker(messages: List[Dict[str, Any]], answer: str) -> Optional[Dict[str, Any]]:
    return next((m["custom"] for m in replies(messages) if (m.get("custom") or {}).get("answer") == answer), None)


def test_a_clear_emergency_gets_the_emergency_message_at_once(patient):
    got = replies(patient.say("my husband collapsed and isnt breathing right, his lips are blue"))
    assert [m["custom"]["answer"] for m in got] == ["emergency"]
    assert not got[0].get("buttons")


def test_a_check_in_shows_both_numbers_and_asks_with_yes_and_no(servers):
    _, message = check_in(servers, "en")
    assert message["custom"]["language"] == "en" and "classifier" in message["custom"]["raised_by"]
    assert "911" in message["text"] and "988" in message["text"]
    assert len(message["buttons"]) == 2


def test_a_check_in_answered_yes_gets_the_emergency_message(servers):
    patient, message = check_in(servers, "en")
    emergency = marker(patient.say(button(message, 0)), "emergency")
    assert emergency is not None
    assert (emergency["variant"], emergency["language"]) == (message["custom"]["variant"], "en")


def test_a_check_in_answered_no_gets_the_answer_the_message_would_have_had(servers):
    patient, message = check_in(servers, "en")
    got = answers(patient.say(button(message, 1)))
    assert "emergency" not in got and CHECK_IN not in got
    otherwise = message["custom"]["otherwise"]
    expected = {"nlu_fallback": "fallback"}.get(otherwise, otherwise)
    assert got[0] == expected


def test_a_typed_yes_to_a_spanish_check_in_gets_the_spanish_emergency_message(servers):
    patient, message = check_in(servers, "es")
    assert message["custom"]["language"] == "es"
    emergency = marker(patient.say("si"), "emergency")
    assert emergency is not None and emergency["language"] == "es"


@pytest.mark.parametrize("reply", ["no", "no thanks", "not really", "i am not sure", "no gracias"])
def test_no_after_was_this_helpful_is_that_answer_not_an_alarm(patient, reply):
    first = patient.say("is interventional pain management covered by insurance")
    assert any((m.get("custom") or {}).get("answer") == HELPFUL_QUESTION for m in first)
    got = answers(patient.say(reply))
    assert "emergency" not in got and CHECK_IN not in got


@pytest.mark.parametrize("text", ["no", "no thanks", "i am not sure", "please give me the time",
                                  "what can you help me with"])
def test_everyday_replies_as_a_first_message_raise_nothing(patient, text):
    got = answers(patient.say(text))
    assert "emergency" not in got and CHECK_IN not in got


def test_a_red_flag_in_the_answer_to_a_question_still_gets_the_emergency_message(patient):
    patient.say("is interventional pain management covered by insurance")
    assert answers(patient.say("no. since my shot yesterday my legs are numb and i cant pee"))[0] == "emergency"
