"""The embedded profile under its launcher (`make run`), as a service manager would run it: a crashed server is
started again (the patient gets the apology meanwhile), and SIGTERM, even twice, leaves no server behind."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import List, Optional

import pytest

from clinic_bot.paths import REPO_ROOT
from tests.e2e.conftest import Patient, answers, free_port
from tests.e2e.test_faults import assert_apology


def pids_with(*words: str) -> List[int]:
    """The processes whose command line holds every word (found in /proc: no psutil here)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            arguments = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if all(word.encode() in arguments for word in words):
            found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    """Running (a zombie, gone but not yet reaped by its parent, does not count)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    except (OSError, IndexError):
        return False


def wait_for(check, timeout_s: float = 180, what: str = "") -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.5)


@pytest.fixture
def launcher(model_path, tmp_path):
    ports = {"rasa": free_port(), "actions": free_port(), "web": free_port()}
    env = {**os.environ, "TRACKER_DB": str(tmp_path / "conversations.db")}
    process = subprocess.Popen(
        [sys.executable, "-m", "clinic_bot.launcher.servers", "--model", str(model_path),
         "--rasa-port", str(ports["rasa"]), "--action-port", str(ports["actions"]), "--web-port", str(ports["web"])],
        cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True)  # its own process group, as under a service manager
    output: List[str] = []
    for line in process.stdout:  # type: ignore[union-attr]
        output.append(line)
        if line.startswith("Ready in"):
            break
    assert process.poll() is None, "".join(output)
    process.ports = ports  # type: ignore[attr-defined]
    yield process
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def server_pids(ports) -> dict:
    return {"actions": pids_with("rasa_sdk", str(ports["actions"])), "rasa": pids_with("run", str(ports["rasa"]))}


def test_a_killed_action_server_is_restarted_and_sigterm_stops_everything(launcher):
    ports = launcher.ports
    patient = Patient(f"http://127.0.0.1:{ports['rasa']}/webhooks/rest/webhook")
    assert answers(patient.say("how much does an epidural cost?")) == ["ask_cost"]
    [old_actions] = server_pids(ports)["actions"]
    os.kill(old_actions, signal.SIGKILL)
    assert_apology(patient.say("is it covered by insurance?"))

    def restarted() -> Optional[int]:
        now = server_pids(ports)["actions"]
        return now[0] if now and now[0] != old_actions else None

    wait_for(restarted, what="the action server's restart")
    wait_for(lambda: answers(patient.say("is it covered by insurance?")) == ["ask_insurance"], timeout_s=60,
             what="a real answer after the restart")
    assert launcher.poll() is None

    children = [pid for pids in server_pids(ports).values() for pid in pids]
    assert len(children) == 2
    os.killpg(launcher.pid, signal.SIGTERM)  # what systemd sends, to the whole group ...
    time.sleep(0.2)
    os.killpg(launcher.pid, signal.SIGTERM)  # ... and again, which used to cut the clean-up short
    launcher.wait(timeout=60)
    wait_for(lambda: not any(alive(pid) for pid in children), timeout_s=30, what="the servers to stop")


def test_servers_stop_even_when_the_launcher_is_killed(launcher):
    """SIGKILL gives the launcher no chance to clean up: the kernel stops its children (PR_SET_PDEATHSIG)."""
    children = [pid for pids in server_pids(launcher.ports).values() for pid in pids]
    assert len(children) == 2
    launcher.kill()  # the launcher only, not its group
    launcher.wait()
    wait_for(lambda: not any(alive(pid) for pid in children), timeout_s=30, what="the orphaned servers to stop")
