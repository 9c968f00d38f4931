"""Parts of the scaled profile failing under load, through the proxy: every patient is answered (the apology
counts while a part is down), no conversation is lost, and everything works again once the part is back."""
import os
import signal
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, Dict, Iterator, List

from clinic_bot.content.knowledge import default_knowledge
from tests.e2e.conftest import answers, post
from tests.scaled.test_across_servers import about, say, stored_events

BACK_WITHIN_S = 120
# Below the sender limit of tests/scaled/conftest.py, with the last message after the restart.
MESSAGES_EACH = 6
PAUSE_S = 0.7


def wait_until(check, timeout_s: float = BACK_WITHIN_S) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        assert time.monotonic() < deadline, "not back in time"
        time.sleep(0.5)


def is_apology(messages: List[Dict[str, Any]]) -> bool:
    """The channel's apology (in the conversation's language) or the proxy's (in every language), with the phone."""
    phone = default_knowledge().clinic.phone
    return bool(messages) and set(answers(messages)) == {"unavailable"} and all(phone in m["text"] for m in messages)


def restarted(scaled, name: str, old_pid: int) -> bool:
    process = scaled.processes.get(name)
    return bool(process and process.pid != old_pid and process.poll() is None
                and scaled.supervisor.running[name].child.ready())


def test_a_rasa_server_killed_mid_run_loses_no_conversation(scaled):
    senders = [f"kill-{n}-{uuid.uuid4().hex[:6]}" for n in range(16)]
    replies_by_sender: Dict[str, List[List[Dict[str, Any]]]] = {s: [] for s in senders}

    def patient(sender: str) -> None:
        for _ in range(MESSAGES_EACH):  # one every PAUSE_S seconds: the kill falls in the middle
            status, messages = post(scaled.webhook_url, {"sender": sender, "message": "how much does it cost?"})
            assert status == 200, messages  # through the proxy: an answer or the apology, never an error
            replies_by_sender[sender].append(messages)
            time.sleep(PAUSE_S)

    with ThreadPoolExecutor(len(senders)) as pool:
        running = [pool.submit(patient, s) for s in senders]
        time.sleep(MESSAGES_EACH * PAUSE_S / 2)
        victim = scaled.processes["rasa-1"]
        os.killpg(victim.pid, signal.SIGKILL)  # the other server carries everyone meanwhile
        for future in running:
            future.result()
    wait_until(lambda: restarted(scaled, "rasa-1", victim.pid))
    for sender in senders:
        got = replies_by_sender[sender]
        assert got and all("ask_cost" in answers(m) or is_apology(m) for m in got), (sender, got[-1])
        assert sum("ask_cost" in answers(m) for m in got) >= len(got) - 2  # at most the turn cut by the kill
        # Every turn that got a real answer is stored; the conversation goes on, on the restarted server too.
        stored = [e for e in stored_events(scaled, sender) if e["event"] == "user"]
        assert len(stored) >= sum("ask_cost" in answers(m) for m in got)
        assert "ask_cost" in answers(say(scaled.rasa_webhook_url(0), sender, "how much does it cost?"))


@contextmanager
def stopped(scaled, name: str) -> Iterator[None]:
    """One of the shared servers stopped for the block, then started again as before and waited for."""
    child = scaled.supervisor.running[name].child
    scaled.stop(name)
    try:
        yield
    finally:
        scaled.supervisor.start(child)
        scaled.supervisor.wait_until_ready([name], timeout_s=60)


def test_redis_stopped_gets_the_apology_and_nothing_is_lost(scaled):
    sender = f"redis-{uuid.uuid4().hex[:8]}"
    say(scaled.webhook_url, sender, "what is spinal cord stimulation?")
    with stopped(scaled, "redis"):  # no lock can be taken: the conversation is not touched
        assert is_apology(say(scaled.webhook_url, sender, "is it safe?"))
    assert about(say(scaled.webhook_url, sender, "is it safe?"), "ask_safety") == "procedure:spinal_cord_stimulation"


def test_postgres_stopped_gets_the_apology_and_nothing_is_lost(scaled):
    sender = f"postgres-{uuid.uuid4().hex[:8]}"
    say(scaled.webhook_url, sender, "what is a nerve block?")
    with stopped(scaled, "postgres"):  # not an answer from an empty conversation: the apology
        assert is_apology(say(scaled.webhook_url, sender, "is it safe?"))
    # Both servers' old connections died with PostgreSQL: each reconnects by itself.
    for index in (0, 1):
        assert about(say(scaled.rasa_webhook_url(index), sender, "is it safe?"),
                     "ask_safety") == "procedure:nerve_block"
    users = [e["text"] for e in stored_events(scaled, sender) if e["event"] == "user"]
    assert users[0] == "what is a nerve block?" and users[-2:] == ["is it safe?", "is it safe?"]
