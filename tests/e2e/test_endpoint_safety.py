"""The public webhook against bad and unusual input, through the real servers: the right status and a
JSON error before any NLU runs, the server goes on answering, and its memory stays bounded."""
import json
import uuid
from pathlib import Path
from typing import Any, Dict, List

import pytest

from clinic_bot.server.channel import SECURITY_HEADERS
from clinic_bot.store.privacy import conversation_events
from tests.conftest import FIGURES
from tests.e2e.conftest import Patient, Reply, answers, send

JSON = {"Content-Type": "application/json"}
ONE_MB = 1024 * 1024
# The 1 MB bodies are refused before parsing, so the Rasa process may grow by buffers only.
MAX_RSS_GROWTH_MB = 50


def as_json(body: Any) -> bytes:
    return json.dumps(body).encode()


# (what, headers, body, status, a word the JSON error must contain)
BAD_INPUTS = [
    ("JSON sent as text/plain", {"Content-Type": "text/plain"}, as_json({"sender": "a", "message": "hi"}), 415,
     "application/json"),
    ("a form post", {"Content-Type": "application/x-www-form-urlencoded"}, b"sender=a&message=hi", 415,
     "application/json"),
    ("an empty body", JSON, b"", 400, "empty"),
    ("invalid JSON", JSON, b'{"sender": "a", "message": ', 400, "JSON"),
    ("invalid UTF-8", JSON, b'{"sender": "a", "message": "\xff\xfe"}', 400, "JSON"),
    ("a JSON list", JSON, as_json(["hi"]), 400, "object"),
    ("no message", JSON, as_json({"sender": "a"}), 400, "message"),
    ("a number as message", JSON, as_json({"sender": "a", "message": 42}), 400, "message"),
    ("null as message", JSON, as_json({"sender": "a", "message": None}), 400, "message"),
    ("a blank message", JSON, as_json({"sender": "a", "message": "  \n "}), 400, "empty"),
    ("only control characters", JSON, as_json({"sender": "a", "message": "\x00\x07\x1b\x7f"}), 400, "empty"),
    ("no sender", JSON, as_json({"message": "hi"}), 400, "sender"),
    ("a number as sender", JSON, as_json({"sender": 7, "message": "hi"}), 400, "sender"),
    ("a sender of 129 characters", JSON, as_json({"sender": "s" * 129, "message": "hi"}), 400, "sender"),
    ("an unknown language", JSON, as_json({"sender": "a", "message": "hi", "language": "fr"}), 400, "language"),
    ("a language tag, not a code", JSON, as_json({"sender": "a", "message": "hi", "language": "es-MX"}), 400,
     "language"),
    ("null as language", JSON, as_json({"sender": "a", "message": "hi", "language": None}), 400, "language"),
    ("a list as language", JSON, as_json({"sender": "a", "message": "hi", "language": ["es"]}), 400, "language"),
    ("a lone surrogate in the message", JSON, b'{"sender": "a", "message": "hi \\ud800 there"}', 400, "Unicode"),
    ("a lone surrogate in the sender", JSON, b'{"sender": "a\\udc00", "message": "hi"}', 400, "Unicode"),
    ("JSON nested 5,000 deep", JSON, b'{"sender": "a", "message": "hi", "x": ' + b"[" * 5000 + b"]" * 5000 + b"}",
     400, "nested"),
    ("only a slash", JSON, as_json({"sender": "a", "message": " / "}), 400, "empty"),
    ("a message of 1,001 characters", JSON, as_json({"sender": "a", "message": "a" * 1001}), 413, "1000"),
    ("a message of 100,000 characters", JSON, as_json({"sender": "a", "message": "pain " * 20_000}), 413, "1000"),
]

# Unusual but acceptable messages: each must get a normal answer (not the apology).
ODD_MESSAGES = {
    "html and script": "<script>alert('x')</script><b>is it covered by insurance?</b>",
    "emoji": "😀 what are the side effects of a nerve block? 🙏🏽",
    "right-to-left (Arabic)": "هل الحقن فوق الجافية آمنة؟",
    "right-to-left marks (Hebrew)": "\u200fמה זה טיפול בכאב?\u200f",
    "Spanish": "¿El seguro cubre el tratamiento del dolor?",
    "Chinese": "介入性疼痛管理安全吗？",
    "exactly 1,000 characters": ("what does an epidural cost? " * 40)[:1000],
}


def assert_security_headers(reply: Reply) -> None:
    for name, value in SECURITY_HEADERS.items():
        assert reply.headers.get(name) == value, name


def assert_still_answers(url: str) -> None:
    assert answers(Patient(url).say("hello")) == ["greet"]


@pytest.mark.parametrize("what, headers, body, status, word", BAD_INPUTS, ids=[case[0] for case in BAD_INPUTS])
def test_bad_input_gets_its_status_and_a_json_error(servers, what, headers, body, status, word):
    reply = send(servers.webhook_url, body, headers=headers)
    assert reply.status == status, reply.body
    assert word in reply.json()["error"]
    assert reply.headers.get("Content-Type", "").startswith("application/json")
    assert_security_headers(reply)
    assert_still_answers(servers.webhook_url)


@pytest.mark.parametrize("text", ODD_MESSAGES.values(), ids=list(ODD_MESSAGES))
def test_unusual_text_gets_a_normal_reply(servers, text):
    sender = f"odd-{uuid.uuid4().hex[:12]}"
    reply = send(servers.webhook_url, as_json({"sender": sender, "message": text}), headers=JSON)
    assert reply.status == 200, reply.body
    assert_security_headers(reply)
    messages: List[Dict[str, Any]] = reply.json()
    assert answers(messages) and "unavailable" not in answers(messages)
    assert {m["recipient_id"] for m in messages} == {sender}
    assert not any("<script" in m.get("text", "") for m in messages)  # replies never echo the patient's text


def test_control_characters_are_dropped_before_nlu_and_storage(servers):
    patient = Patient(servers.webhook_url)
    assert answers(patient.say("how much does\x00 an epidural\x07 cost?\x1b")) == ["ask_cost"]
    stored = [e["text"] for e in conversation_events(servers.tracker_db, patient.sender) if e["event"] == "user"]
    assert stored == ["how much does an epidural cost?"]


def test_client_metadata_is_not_stored(servers):
    sender = f"meta-{uuid.uuid4().hex[:12]}"
    body = {"sender": sender, "message": "hello", "metadata": {"patient_name": "Jane Quokkaroe"}}
    assert send(servers.webhook_url, as_json(body), headers=JSON).status == 200
    stored = json.dumps(conversation_events(servers.tracker_db, sender))
    assert "Quokkaroe" not in stored and "patient_name" not in stored


def test_the_chosen_language_is_the_only_metadata_stored(servers):
    sender = f"lang-{uuid.uuid4().hex[:12]}"
    body = {"sender": sender, "message": "hola", "language": "es", "metadata": {"patient_name": "Jane Quokkaroe"}}
    reply = send(servers.webhook_url, as_json(body), headers=JSON)
    assert reply.status == 200 and "unavailable" not in answers(reply.json())
    events = conversation_events(servers.tracker_db, sender)
    assert [e.get("metadata", {}).get("language") for e in events if e["event"] == "user"] == ["es"]
    stored = json.dumps(events)
    assert "Quokkaroe" not in stored and "patient_name" not in stored


def test_longest_sender_is_accepted(servers):
    reply = send(servers.webhook_url, as_json({"sender": "s" * 128, "message": "hi"}), headers=JSON)
    assert reply.status == 200 and answers(reply.json()) == ["greet"]


def resident_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no VmRSS for process {pid}")


def test_one_megabyte_bodies_are_refused_and_memory_stays_bounded(servers):
    pid = servers.processes["rasa"].pid
    assert_still_answers(servers.webhook_url)  # warm: the first messages load lazily
    before = resident_mb(pid)
    huge_message = as_json({"sender": "big", "message": "x" * ONE_MB})
    for body in (huge_message, b"\x00" * ONE_MB, b"[" * ONE_MB):
        reply = send(servers.webhook_url, body, headers=JSON)
        assert reply.status == 413 and "1000" in reply.json()["error"]
    assert_still_answers(servers.webhook_url)
    after = resident_mb(pid)
    FIGURES["Rasa server resident memory before / after three 1 MB bodies"] = f"{before:.0f} MB / {after:.0f} MB"
    assert after <= before + MAX_RSS_GROWTH_MB
