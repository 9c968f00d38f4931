"""Retention (`make purge`) and "forget me" (`make forget`) on the tracker store that real conversations
through the servers produced, and server logs that hold no message text."""
import json
import sqlite3
import subprocess
import uuid
from contextlib import closing
from pathlib import Path
from typing import Dict, Optional

from clinic_bot.paths import REPO_ROOT
from clinic_bot.store.privacy import SECONDS_PER_DAY, conversation_events, senders
from tests.e2e.conftest import Patient, answers, send


def make(target: str, db: Path, **variables: str) -> subprocess.CompletedProcess:
    args = ["make", "--no-print-directory", target, f"TRACKER_DB={db}"] + [f"{k}={v}" for k, v in variables.items()]
    return subprocess.run(args, cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)


def event_counts(db: Path) -> Dict[str, int]:
    return {sender: len(conversation_events(db, sender)) for sender in senders(db)}


def age(db: Path, sender: str, days: float, up_to_event: Optional[int] = None) -> None:
    """Test set-up standing in for time passing: moves a sender's events (or the first ones) `days` back."""
    with closing(sqlite3.connect(db, timeout=30)) as connection, connection:
        ids = [row[0] for row in connection.execute("SELECT id FROM events WHERE sender_id = ? ORDER BY id", (sender,))]
        for event_id in ids[:up_to_event]:
            connection.execute("UPDATE events SET timestamp = timestamp - ? WHERE id = ?",
                               (days * SECONDS_PER_DAY, event_id))


def talk(servers, *texts: str) -> Patient:
    patient = Patient(servers.webhook_url)
    for text in texts:
        patient.say(text)
    return patient


def test_forget_deletes_exactly_one_senders_conversation(servers):
    db = servers.tracker_db
    words = f"what is a nerve block? {uuid.uuid4().hex}"
    leaving = talk(servers, words, "does it hurt?")
    staying = talk(servers, "is it covered by insurance?")
    before = event_counts(db)
    assert before[leaving.sender] > 0 and before[staying.sender] > 0

    done = make("forget", db, SENDER=leaving.sender)
    assert done.returncode == 0, done.stderr
    assert f"Deleted {before[leaving.sender]} event(s) of sender '{leaving.sender}'" in done.stdout
    after = event_counts(db)
    assert after == {sender: count for sender, count in before.items() if sender != leaving.sender}
    for stored in (db, Path(f"{db}-wal")):  # overwritten, not merely unlinked; no copy left in the log
        assert not stored.exists() or words.encode() not in stored.read_bytes()

    # Writing again starts a new conversation (disclaimer first) that holds only the new message.
    messages = leaving.say("hello")
    assert messages[0]["custom"] == {"answer": "disclaimer", "language": "en"} and answers(messages) == ["greet"]
    assert [e["text"] for e in conversation_events(db, leaving.sender) if e["event"] == "user"] == ["hello"]


def test_forget_of_an_unknown_sender_changes_nothing(servers):
    before = event_counts(servers.tracker_db)
    done = make("forget", servers.tracker_db, SENDER="nobody-ever")
    assert done.returncode == 0 and "Nothing stored for sender 'nobody-ever'" in done.stdout
    assert event_counts(servers.tracker_db) == before


def test_purge_deletes_only_conversations_whose_last_event_is_older(servers):
    db = servers.tracker_db
    old = talk(servers, "what is radiofrequency ablation?", "is it safe?")
    old_then_recent = talk(servers, "what are the side effects?")
    first_turn_events = len(conversation_events(db, old_then_recent.sender))
    old_then_recent.say("thanks")
    age(db, old.sender, days=40)
    age(db, old_then_recent.sender, days=40, up_to_event=first_turn_events)
    before = event_counts(db)

    done = make("purge", db, DAYS="30")
    assert done.returncode == 0, done.stderr
    assert "Deleted 1 conversation(s) older than 30 days" in done.stdout
    assert event_counts(db) == {sender: count for sender, count in before.items() if sender != old.sender}


def test_purge_refuses_a_bad_number_of_days(servers):
    before = event_counts(servers.tracker_db)
    done = make("purge", servers.tracker_db, DAYS="0")
    assert done.returncode != 0 and "at least 1" in done.stderr
    assert event_counts(servers.tracker_db) == before


def test_server_logs_hold_no_message_text(servers):
    marker = "zanzibar-quokka-4711"
    assert answers(Patient(servers.webhook_url).say(f"{marker} how much does an epidural cost?")) == ["ask_cost"]
    refused = send(servers.webhook_url, json.dumps({"sender": "x", "message": marker * 100}).encode(),
                   headers={"Content-Type": "application/json"})
    assert refused.status == 413
    for log in ("rasa.log", "actions.log"):
        assert marker not in (servers.log_dir / log).read_text(errors="replace"), log
