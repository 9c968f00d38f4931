"""The staff's privacy and review commands against the scaled profile's PostgreSQL, as against SQLite."""
import csv
import subprocess
import sys
import uuid
from zoneinfo import ZoneInfo

from clinic_bot.paths import REPO_ROOT
from clinic_bot.staff.insights import read_insights
from clinic_bot.store.database import open_existing
from clinic_bot.store.privacy import SECONDS_PER_DAY, conversation_events, senders
from tests.scaled.test_across_servers import say


def make(target: str, db: str, **variables: str) -> subprocess.CompletedProcess:
    args = ["make", "--no-print-directory", target, f"TRACKER_DB={db}"] + [f"{k}={v}" for k, v in variables.items()]
    return subprocess.run(args, cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)


def talk(scaled, *texts: str) -> str:
    sender = f"staff-{uuid.uuid4().hex[:8]}"
    for index, text in enumerate(texts):
        say(scaled.rasa_webhook_url(index % 2), sender, text)
    return sender


def outcomes_of_sender(db: str, sender: str) -> int:
    """How many of the sender's messages have an outcome row (clinic_bot/store/outcomes.py)."""
    database = open_existing(db, read_only=True)
    try:
        return int(database.rows("SELECT COUNT(*) FROM message_outcomes WHERE sender_id = ?", (sender,))[0][0])
    finally:
        database.close()


def test_forget_deletes_one_senders_conversation_and_the_servers_notice(scaled):
    leaving = talk(scaled, "what is a nerve block?", "does it hurt?")
    staying = talk(scaled, "is it covered by insurance?")
    kept = len(conversation_events(scaled.tracker_db, staying))
    assert (outcomes_of_sender(scaled.tracker_db, leaving), outcomes_of_sender(scaled.tracker_db, staying)) == (2, 1)
    done = make("forget", scaled.tracker_db, SENDER=leaving)
    assert done.returncode == 0, done.stderr
    assert f"of sender '{leaving}'" in done.stdout and "***" in done.stdout  # the password is not printed
    assert leaving not in senders(scaled.tracker_db)
    assert len(conversation_events(scaled.tracker_db, staying)) == kept
    assert (outcomes_of_sender(scaled.tracker_db, leaving), outcomes_of_sender(scaled.tracker_db, staying)) == (0, 1)
    # Both servers held the conversation in memory; writing again starts a new one on either of them.
    for index in (0, 1):
        messages = say(scaled.rasa_webhook_url(index), leaving, "hello")
        assert messages[0]["custom"] == {"answer": "disclaimer", "language": "en"}
        assert make("forget", scaled.tracker_db, SENDER=leaving).returncode == 0


def test_purge_deletes_old_conversations(scaled):
    old = talk(scaled, "what is radiofrequency ablation?")
    recent = talk(scaled, "what are the side effects?")
    database = open_existing(scaled.tracker_db)
    try:  # test set-up standing in for time passing
        database.run("UPDATE events SET timestamp = timestamp - ? WHERE sender_id = ?", (40 * SECONDS_PER_DAY, old))
    finally:
        database.close()
    done = make("purge", scaled.tracker_db, DAYS="30")
    assert done.returncode == 0, done.stderr
    assert "older than 30 days" in done.stdout
    remaining = senders(scaled.tracker_db)
    assert old not in remaining and recent in remaining
    assert outcomes_of_sender(scaled.tracker_db, old) == 0 and outcomes_of_sender(scaled.tracker_db, recent) == 1


def test_the_insights_count_the_messages_both_servers_wrote(scaled):
    before = read_insights(scaled.tracker_db, 7, ZoneInfo("UTC"), {})
    talk(scaled, "how much does a nerve block cost?", "what are your hours?")
    after = read_insights(scaled.tracker_db, 7, ZoneInfo("UTC"), {})
    assert (after.messages - before.messages, after.conversations - before.conversations) == (2, 1)
    assert sum(row[1] for row in after.practical.rows) == sum(row[1] for row in before.practical.rows) + 1


def test_review_reads_the_conversations(scaled, tmp_path):
    marker = f"whats the cheapest flight to denver {uuid.uuid4().hex[:6]}"
    talk(scaled, marker)
    out = tmp_path / "review.csv"
    done = subprocess.run([sys.executable, "-m", "clinic_bot.tools.review", "--db", scaled.tracker_db, "--days", "1",
                           "--threshold", "0", "--out", str(out)], cwd=REPO_ROOT, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    rows = {row["message"]: row for row in csv.DictReader(out.open(encoding="utf-8-sig"))}
    assert rows[marker]["why"] == "out of scope"


def test_tools_say_plainly_when_the_database_is_unreachable():
    url = "postgresql://clinic:secret@127.0.0.1:1/clinic_bot"
    done = make("forget", url, SENDER="someone")
    assert done.returncode != 0 and "error:" in done.stderr and "secret" not in done.stderr + done.stdout
