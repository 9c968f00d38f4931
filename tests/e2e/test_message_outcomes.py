"""What happened to each message, as the insights count it (clinic_bot/store/outcomes.py), written by the real
conversation store for conversations through the real servers: the language of a button press, a check-in told
apart from the emergency message, and what the patient answered to it."""
import sqlite3
from contextlib import closing
from typing import List, Tuple

from clinic_bot.store.outcomes import ANSWERED, CHECK_IN_OUTCOME, EMERGENCY, OTHER
from tests.e2e.conftest import Patient
from tests.e2e.test_dispositions import button, check_in


def outcomes(servers, patient: Patient, *columns: str) -> List[Tuple]:
    with closing(sqlite3.connect(servers.tracker_db)) as connection:
        return connection.execute(f"SELECT {', '.join(columns)} FROM message_outcomes WHERE sender_id = ? "
                                  "ORDER BY id", (patient.sender,)).fetchall()


def test_a_spanish_conversation_and_its_helpful_button_are_counted_in_spanish(servers):
    patient = Patient(servers.webhook_url)
    patient.say("/greet", language="es")  # the widget's opening
    patient.say("cuanto cuesta la ablacion por radiofrecuencia", language="es")
    patient.say("/affirm", language="es")  # "Sí" to "¿Le fue útil esta respuesta?"
    assert outcomes(servers, patient, "outcome", "language", "topic", "feedback", "starts_conversation") == [
        (OTHER, "es", None, None, 1), (ANSWERED, "es", "ask_cost", None, 0), (OTHER, "es", "ask_cost", "yes", 0)]


def test_a_check_in_is_counted_as_a_check_in_and_its_answers_are_kept(servers):
    said_yes, message = check_in(servers, "en")
    said_yes.say(button(message, 0))
    assert outcomes(servers, said_yes, "outcome", "check_in_answer") == [(CHECK_IN_OUTCOME, None), (EMERGENCY, "yes")]
    said_no, message = check_in(servers, "en")
    said_no.say(button(message, 1))
    assert outcomes(servers, said_no, "outcome", "check_in_answer")[0] == (CHECK_IN_OUTCOME, None)
    assert outcomes(servers, said_no, "check_in_answer")[1] == ("no",)
