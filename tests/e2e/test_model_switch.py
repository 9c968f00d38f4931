"""The staff console's switch through the real servers: a new model file is installed and the running Rasa server
loads it (POST /webhooks/rest/model/reload) while patients keep talking; nobody gets an error or the apology,
and a conversation goes on with what it remembered. One server start for the module, on a copy of the model
(the switch replaces that copy), with its own reload token (MODEL_RELOAD_TOKEN_FILE) and registry."""
import io
import json
import shutil
import tarfile
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest

from clinic_bot import paths
from clinic_bot.launcher.registry import ensure_reload_token, registered
from clinic_bot.launcher.servers import Servers, running_servers
from clinic_bot.server.rate_limit import NO_RATE_LIMITS
from clinic_bot.staff.switch import reload_running, switch_model
from clinic_bot.store.events import EventsTable
from tests.conftest import FIGURES
from tests.e2e.conftest import Patient, answers, free_port, post, replies, send

RFA = "procedure:radiofrequency_ablation"
# What the patients talking during the switch ask, and the answer each must get.
QUESTIONS = [("how much does an epidural cost?", "ask_cost"),
             ("does insurance pay for a nerve block", "ask_insurance"),
             ("what are the side effects of an epidural", "ask_side_effects")]
TALKERS = 4


def model_id(archive: Path) -> str:
    with tarfile.open(archive) as tar:
        member = tar.extractfile(next(m for m in tar.getmembers() if m.name.lstrip("/") == "metadata.json"))
        assert member is not None
        return str(json.load(member)["model_id"])


def retrained(source: Path, target: Path) -> str:
    """A copy of the model with a new model_id, as a new training would give (the same pipeline and data)."""
    new_id = uuid.uuid4().hex
    with tarfile.open(source) as old, tarfile.open(target, "w:gz") as new:
        for member in old.getmembers():
            data = old.extractfile(member) if member.isfile() else None
            if member.name.lstrip("/") == "metadata.json" and data is not None:
                metadata = json.load(data)
                metadata["model_id"] = new_id
                content = json.dumps(metadata).encode()
                member.size = len(content)
                new.addfile(member, io.BytesIO(content))
            else:
                new.addfile(member, data)
    return new_id


def rss_mb(servers: Servers) -> int:
    status = Path(f"/proc/{servers.processes['rasa'].pid}/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("VmRSS")).split()[1]) // 1024


@dataclass
class Switching:
    servers: Servers
    token: str
    model_file: Path
    work: Path

    @property
    def reload_url(self) -> str:
        return self.servers.rasa_url + paths.MODEL_RELOAD_PATH


@pytest.fixture(scope="module")
def switching(model_path, tmp_path_factory):
    work = tmp_path_factory.mktemp("switch")
    model_file = work / "models" / "clinic.tar.gz"
    model_file.parent.mkdir()
    shutil.copyfile(model_path, model_file)
    token_file = work / "staff" / "model_reload.token"
    token = ensure_reload_token(token_file)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MODEL_RELOAD_TOKEN_FILE", str(token_file))  # the Rasa server's
        patch.setattr(paths, "MODEL_RELOAD_TOKEN_FILE", token_file)  # this process's, the console's
        patch.setattr(paths, "MODEL_FILE", model_file)
        patch.setattr(paths, "PREVIOUS_MODEL_FILE", model_file.with_name("previous.tar.gz"))
        patch.setattr(paths, "RUNNING_SERVERS_FILE", work / "run" / "rasa_servers.json")
        with running_servers(free_port(), free_port(), tracker_db=work / "conversations.db", model=model_file,
                             log_dir=work / "logs", channel_settings=NO_RATE_LIMITS) as servers, \
                registered([servers.rasa_url]):
            yield Switching(servers, token, model_file, work)


class Talker(threading.Thread):
    """A patient sending message after message until told to stop: (sent at, answered at, status, messages)."""

    def __init__(self, url: str, number: int) -> None:
        super().__init__(daemon=True)
        self.url, self.sender = url, f"talker-{number}-{uuid.uuid4().hex[:8]}"
        self.stop = threading.Event()
        self.exchanges: List[Tuple[float, float, int, Any, str]] = []

    def run(self) -> None:
        turn = 0
        while not self.stop.is_set():
            text, expected = QUESTIONS[turn % len(QUESTIONS)]
            sent = time.monotonic()
            try:
                status, messages = post(self.url, {"sender": self.sender, "message": text}, timeout=60)
            except OSError as error:
                status, messages = 0, str(error)
            self.exchanges.append((sent, time.monotonic(), status, messages, expected))
            turn += 1


def test_the_switch_answers_everyone_and_the_conversation_goes_on(switching):
    servers = switching.servers
    patient = Patient(servers.webhook_url)
    first = replies(patient.say("what is radiofrequency ablation?"))
    assert first[-1]["custom"]["variant"] == RFA  # the procedure slot is set
    old_id, candidate = model_id(switching.model_file), switching.work / "candidate.tar.gz"
    new_id = retrained(switching.model_file, candidate)
    rss_before = rss_mb(servers)

    talkers = [Talker(servers.webhook_url, number) for number in range(TALKERS)]
    for talker in talkers:
        talker.start()
    deadline = time.monotonic() + 60
    while not all(talker.exchanges for talker in talkers) and time.monotonic() < deadline:
        time.sleep(0.05)
    started = time.monotonic()
    result = switch_model(candidate)
    finished = time.monotonic()
    time.sleep(0.5)
    for talker in talkers:
        talker.stop.set()
    for talker in talkers:
        talker.join(timeout=90)

    assert result.switched, result.detail
    assert [(s.url, s.ok, s.detail) for s in result.servers] == [(servers.rasa_url, True, new_id)]
    assert model_id(switching.model_file) == new_id and model_id(paths.PREVIOUS_MODEL_FILE) == old_id
    exchanges = [exchange for talker in talkers for exchange in talker.exchanges]
    for _, _, status, messages, expected in exchanges:
        assert status == 200, messages
        assert answers(messages) == [expected], messages  # a real answer, never the `unavailable` apology
    during = [e for e in exchanges if e[0] < finished and e[1] > started]  # in flight while the model loaded
    answered_inside = [e for e in exchanges if started < e[1] < finished]
    assert len(during) >= TALKERS and answered_inside, "the patients' messages should overlap the reload"
    FIGURES["model switch: reload"] = (f"{finished - started:.1f} s, {len(answered_inside)} messages answered "
                                       f"meanwhile by {TALKERS} patients, slowest "
                                       f"{max(e[1] - e[0] for e in during):.2f} s")

    # The conversation goes on with what it remembered: the procedure, no new session (no second disclaimer).
    follow_up = patient.say("is it safe?")
    assert "disclaimer" not in [(m.get("custom") or {}).get("answer") for m in follow_up]
    assert replies(follow_up)[-1]["custom"]["answer"] == "ask_safety"
    assert replies(follow_up)[-1]["custom"]["about"] == RFA
    with EventsTable.existing(servers.tracker_db, read_only=True) as table:
        events = table.conversation(patient.sender, all_sessions=True)
    assert [e.get("text") for e in events if e["event"] == "user"] == ["what is radiofrequency ablation?",
                                                                       "is it safe?"]
    assert sum(e["event"] == "session_started" for e in events) == 1

    # The same file again: the model_id is the archive's (metadata.json), not a new one per load.
    again = reload_running()
    assert [(s.ok, s.detail) for s in again] == [(True, new_id)]
    FIGURES["model switch: Rasa server memory"] = f"{rss_before} MB before, {rss_mb(servers)} MB after two reloads"


def reload_with(switching: Switching, headers: Dict[str, str], path: str = paths.MODEL_RELOAD_PATH):
    return send(switching.servers.rasa_url + path, b"{}", headers={"Content-Type": "application/json", **headers})


def test_a_reload_without_the_token_or_through_a_proxy_is_refused(switching):
    bearer = {"Authorization": f"Bearer {switching.token}"}
    refused = {
        "no token": {},
        "a wrong token": {"Authorization": "Bearer " + "x" * len(switching.token)},
        "X-Forwarded-For": {**bearer, "X-Forwarded-For": "203.0.113.7"},
        "Forwarded": {**bearer, "Forwarded": "for=203.0.113.7"},
    }
    for what, headers in refused.items():
        reply = reload_with(switching, headers)
        assert reply.status == 403, what
        assert reply.json()["error"], what
    assert reload_with(switching, bearer, paths.MODEL_RELOAD_PATH + "/").status == 404  # only the exact path
    patient = Patient(switching.servers.webhook_url)
    assert answers(patient.say("how much does an epidural cost?")) == ["ask_cost"]


def test_a_model_that_does_not_load_leaves_the_old_one_answering(switching):
    patient = Patient(switching.servers.webhook_url)
    patient.say("what is radiofrequency ablation?")
    good = switching.work / "good.tar.gz"
    shutil.copyfile(switching.model_file, good)
    try:
        with tarfile.open(switching.model_file, "w:gz"):  # an archive, but no model in it
            pass
        reply = reload_with(switching, {"Authorization": f"Bearer {switching.token}"})
        assert reply.status == 500 and "previous model keeps answering" in reply.json()["error"]
        follow_up = replies(patient.say("is it safe?"))[-1]
        assert follow_up["custom"]["answer"] == "ask_safety" and follow_up["custom"]["about"] == RFA
    finally:
        shutil.copyfile(good, switching.model_file)
