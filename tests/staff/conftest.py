"""The staff console against a real assistant, both run from a copy of the project (as `make run` and `make
staff` would), so labelling, editing and retraining change the copy's files, never the repository's.

Chromium: the session's `browser` (tests/conftest.py)."""
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, List

import pytest

from clinic_bot.paths import MODEL_FILE, REPO_ROOT
from tests.conftest import browser_context
from tests.e2e.conftest import free_port

STAFF_USER = "maria"
STAFF_PASSWORD = "correct horse battery"
LOCKED_USER = "lockme"  # the lock-out test locks this one, not the account the other tests use
NOT_COPIED = (".git", ".venv", "models", "var", "reports", "results", ".rasa", "__pycache__", ".mypy_cache",
              ".ruff_cache", ".pytest_cache", "node_modules")
START_TIMEOUT_S = 240


@dataclass
class Clinic:
    root: Path  # the copy of the project
    console_url: str
    site_url: str  # the demo site with the widget
    rasa_url: str
    env: Dict[str, str]

    @property
    def webhook(self) -> str:
        return f"{self.rasa_url}/webhooks/rest/webhook"

    def run(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
        """A command of the project, run in the copy."""
        return subprocess.run([sys.executable, *args], cwd=self.root, env=self.env, capture_output=True, text=True,
                              timeout=timeout)


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5):
            return True
    except OSError:
        return False


def wait_for(url: str, process: subprocess.Popen, log: Path, timeout_s: float = START_TIMEOUT_S) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"exited with {process.returncode}: {log.read_text()[-3000:]}")
        if _answers(url):
            return
        time.sleep(0.5)
    raise RuntimeError(f"{url} did not answer in {timeout_s} s: {log.read_text()[-3000:]}")


def start(command: List[str], root: Path, env: Dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, *command], cwd=root, env=env, stdout=open(log, "w"),
                            stderr=subprocess.STDOUT, start_new_session=True)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, 15)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)


def copy_project(target: Path) -> Path:
    shutil.copytree(REPO_ROOT, target, ignore=shutil.ignore_patterns(*NOT_COPIED), symlinks=True)
    (target / "models").mkdir()
    shutil.copy2(MODEL_FILE, target / "models" / MODEL_FILE.name)
    return target


def project_env(root: Path, **extra: str) -> Dict[str, str]:
    own_paths = ("TRACKER_DB", "STAFF_DIR", "CLINIC_CONFIG", "CLINIC_KNOWLEDGE_DIR", "MODEL_RELOAD_TOKEN_FILE")
    env = {key: value for key, value in os.environ.items() if key not in own_paths}
    env.update(PYTHONPATH=str(root), RASA_TELEMETRY_ENABLED="false", **extra)
    return env


def add_accounts(clinic_root: Path, env: Dict[str, str]) -> None:
    script = ("from clinic_bot.staff.accounts import Accounts; a = Accounts(); "
              f"a.set_password({STAFF_USER!r}, {STAFF_PASSWORD!r}); "
              f"a.set_password({LOCKED_USER!r}, {STAFF_PASSWORD!r})")
    subprocess.run([sys.executable, "-c", script], cwd=clinic_root, env=env, check=True)


@pytest.fixture(scope="session")
def clinic(model_path, tmp_path_factory) -> Iterator[Clinic]:
    root = copy_project(tmp_path_factory.mktemp("staff") / "clinic")
    env = project_env(root)
    add_accounts(root, env)
    rasa_port, action_port, web_port, console_port = free_port(), free_port(), free_port(), free_port()
    logs = root / "var" / "log"
    logs.mkdir(parents=True, exist_ok=True)
    assistant = start(["-m", "clinic_bot.launcher.servers", "--rasa-port", str(rasa_port), "--action-port",
                       str(action_port), "--web-port", str(web_port), "--cors", f"http://127.0.0.1:{web_port}"],
                      root, env, logs / "launcher.log")
    console = start(["-m", "clinic_bot.staff", "--port", str(console_port)], root, env, logs / "console.log")
    try:
        wait_for(f"http://127.0.0.1:{console_port}/login", console, logs / "console.log")
        wait_for(f"http://127.0.0.1:{rasa_port}/webhooks/rest/", assistant, logs / "launcher.log")
        wait_for(f"http://127.0.0.1:{web_port}/", assistant, logs / "launcher.log")
        yield Clinic(root, f"http://127.0.0.1:{console_port}", f"http://127.0.0.1:{web_port}",
                     f"http://127.0.0.1:{rasa_port}", env)
    finally:
        stop(console)
        stop(assistant)


@pytest.fixture
def context(browser):
    """A fresh browser profile per test, at tablet width (the console must work there)."""
    context = browser_context(browser, 820, 1180)
    yield context
    context.close()

