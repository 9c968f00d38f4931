"""One conversation, several Rasa servers: what the shared database and lock store must guarantee."""
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, List

from clinic_bot.store.events import EventsTable
from tests.e2e.conftest import answers, post, replies
from tests.scaled.conftest import SENDER_MESSAGES_PER_MINUTE


def say(url: str, sender: str, text: str) -> List[Dict[str, Any]]:
    status, messages = post(url, {"sender": sender, "message": text})
    assert status == 200, messages
    return messages


def about(messages: List[Dict[str, Any]], answer: str) -> str:
    """The `about` marker of the reply with this answer id."""
    found = [m["custom"] for m in replies(messages) if (m.get("custom") or {}).get("answer") == answer]
    assert found, answers(messages)
    return found[0].get("about", "")


def stored_events(scaled, sender: str) -> List[Dict[str, Any]]:
    with EventsTable.existing(scaled.tracker_db, read_only=True) as table:
        return table.conversation(sender, all_sessions=True)


def test_a_follow_up_on_the_other_server_keeps_the_procedure(scaled):
    sender = f"across-{uuid.uuid4().hex[:8]}"
    first = say(scaled.rasa_webhook_url(0), sender, "what is radiofrequency ablation?")
    assert (replies(first)[-1]["custom"]["variant"]) == "procedure:radiofrequency_ablation"
    # The second server never saw this patient: it reads the conversation (and its slot) from PostgreSQL.
    follow_up = say(scaled.rasa_webhook_url(1), sender, "is it safe?")
    assert about(follow_up, "ask_safety") == "procedure:radiofrequency_ablation"
    # And back on the first server, whose copy in memory is now out of date: it must notice and re-read.
    again = say(scaled.rasa_webhook_url(0), sender, "how long does it take to recover?")
    assert about(again, "ask_recovery") == "procedure:radiofrequency_ablation"
    users = [e["text"] for e in stored_events(scaled, sender) if e["event"] == "user"]
    assert users == ["what is radiofrequency ablation?", "is it safe?", "how long does it take to recover?"]


def test_messages_of_one_patient_sent_at_once_are_handled_one_after_the_other(scaled):
    """Both servers get a message of the same patient at the same moment. The lock store must serialise them:
    in the stored conversation each message's whole turn (up to the bot's listen) comes before the next."""
    for attempt in range(3):
        sender = f"together-{attempt}-{uuid.uuid4().hex[:8]}"
        say(scaled.webhook_url, sender, "hello")
        start = threading.Barrier(2)

        def send(index: int, text: str, sender: str = sender, start: threading.Barrier = start) -> List[Dict[str, Any]]:
            start.wait()
            return say(scaled.rasa_webhook_url(index), sender, text)

        with ThreadPoolExecutor(2) as pool:
            results = list(pool.map(send, [0, 1], ["how much does an epidural cost?", "what is a nerve block?"]))
        assert "ask_cost" in answers(results[0]) and "ask_procedure_info" in answers(results[1])
        events = stored_events(scaled, sender)
        turns: List[List[str]] = []
        for event in events:
            if event["event"] == "user":
                turns.append([])
            elif turns:
                turns[-1].append(event["event"] if event["event"] != "action" else event["name"])
        assert len(turns) == 3
        for turn in turns:
            # Each turn ends with the bot listening again, and nothing of another turn is inside it.
            assert turn[-1] == "action_listen", turns
            assert "action_listen" not in turn[:-1], turns


def test_fifty_conversations_across_both_servers_never_mix(scaled):
    procedures = {"radiofrequency ablation": "radiofrequency_ablation", "a nerve block": "nerve_block",
                  "spinal cord stimulation": "spinal_cord_stimulation",
                  "an epidural steroid injection": "epidural_steroid_injection"}
    names = list(procedures)

    def conversation(number: int) -> None:
        sender = f"fifty-{number}-{uuid.uuid4().hex[:6]}"
        name = names[number % len(names)]
        # Each conversation starts on one server and goes on on the other.
        first = say(scaled.rasa_webhook_url(number % 2), sender, f"what is {name}?")
        assert all(m["recipient_id"] == sender for m in first)
        follow_up = say(scaled.rasa_webhook_url((number + 1) % 2), sender, "is it safe?")
        assert all(m["recipient_id"] == sender for m in follow_up)
        assert about(follow_up, "ask_safety") == f"procedure:{procedures[name]}", (sender, name)

    with ThreadPoolExecutor(10) as pool:
        list(pool.map(conversation, range(50)))


def test_rate_limits_hold_across_servers(scaled):
    """The sender's count is kept in Redis: alternating between the two servers does not double the limit."""
    sender = f"limited-{uuid.uuid4().hex[:8]}"
    statuses = []
    for number in range(SENDER_MESSAGES_PER_MINUTE + 1):
        status, _ = post(scaled.rasa_webhook_url(number % 2), {"sender": sender, "message": "hello"})
        statuses.append(status)
    assert statuses == [200] * SENDER_MESSAGES_PER_MINUTE + [429]
