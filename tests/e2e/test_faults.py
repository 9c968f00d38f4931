"""Faults of the action server and of the conversation store mid-conversation, through the real servers: the
patient gets the apology with the clinic's phone, the failure is logged (without the message), and the same
conversation goes on once it is back."""
import os
import signal
import sqlite3
import uuid
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Iterator

from clinic_bot.content.knowledge import default_knowledge
from tests.e2e.conftest import Patient, answers, replies


def rasa_log(servers) -> str:
    return (servers.log_dir / "rasa.log").read_text(errors="replace")


def assert_apology(messages) -> None:
    assert answers(messages) == ["unavailable"]
    assert default_knowledge().clinic.phone in messages[-1]["text"]


def test_killed_action_server_gets_the_apology_then_the_follow_up_works(servers):
    patient = Patient(servers.webhook_url)
    assert (replies(patient.say("what is radiofrequency ablation?"))[-1]["custom"]["variant"]
            == "procedure:radiofrequency_ablation")
    actions = servers.processes.pop("actions")
    os.killpg(actions.pid, signal.SIGKILL)
    actions.wait()
    try:
        assert_apology(patient.say("is it safe?"))
        assert f"The bot produced no reply for sender {patient.sender}" in rasa_log(servers)
    finally:
        servers.start_action_server()
        servers.wait_until_ready()
    # The conversation still remembers the procedure: the follow-up is about radiofrequency ablation.
    follow_up = [m for m in patient.say("is it safe?") if (m.get("custom") or {}).get("answer") == "ask_safety"]
    assert follow_up and follow_up[0]["custom"]["about"] == "procedure:radiofrequency_ablation"


def test_hung_action_server_costs_seconds_not_minutes(servers):
    """A stopped (SIGSTOP) action server accepts connections and never answers. Rasa's own timeout is
    300 s; endpoints.yml's 5 s must apply, so the apology arrives well within the 30 s client timeout."""
    patient = Patient(servers.webhook_url)
    patient.say("hello")
    group = servers.processes["actions"].pid
    log_start = len(rasa_log(servers))
    os.killpg(group, signal.SIGSTOP)
    try:
        assert_apology(patient.say("how much does an epidural cost?"))
        logged = rasa_log(servers)[log_start:]
        assert "running action 'action_answer_faq'" in logged and "TimeoutError" in logged
    finally:
        os.killpg(group, signal.SIGCONT)
    assert answers(patient.say("how much does an epidural cost?")) == ["ask_cost"]


@contextmanager
def store_unreachable(db: Path) -> Iterator[None]:
    """Every query of the Rasa server's conversation store fails (no such table) while the block runs."""
    with closing(sqlite3.connect(db, timeout=30)) as connection:
        connection.execute("ALTER TABLE events RENAME TO events_away")
        try:
            yield
        finally:
            connection.execute("ALTER TABLE events_away RENAME TO events")


def test_a_failing_conversation_store_gets_the_apology_then_the_conversation_goes_on(servers):
    """Rasa's FailSafeTrackerStore would answer from an empty conversation ("is it safe?" in general); the store
    reports the failure for this message and the channel sends the apology instead."""
    patient = Patient(servers.webhook_url)
    assert replies(patient.say("what is a nerve block?"))[-1]["custom"]["about"] == "procedure:nerve_block"
    marker = uuid.uuid4().hex
    log_start = len(rasa_log(servers))
    with store_unreachable(servers.tracker_db):
        assert_apology(patient.say(f"is it safe? {marker}"))
    logged = rasa_log(servers)[log_start:]
    assert f"The conversation store failed for sender {patient.sender}; sent the apology" in logged
    assert "The bot produced no reply" not in logged and marker not in logged
    follow_up = [m for m in patient.say("is it safe?") if (m.get("custom") or {}).get("answer") == "ask_safety"]
    assert follow_up and follow_up[0]["custom"]["about"] == "procedure:nerve_block"
