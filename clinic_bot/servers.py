"""Starts the action server and the Rasa server together and waits until both answer.

One launcher for `make run`, the end-to-end tests and the benchmark, so they all run the same thing.
    python -m clinic_bot.servers [--rasa-port 5005] [--action-port 5055] [--cors http://localhost:8080]
"""
import argparse
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterator, List, Optional

import yaml

from clinic_bot.paths import REPO_ROOT

DEFAULT_MODEL = REPO_ROOT / "models" / "clinic.tar.gz"
DEFAULT_TRACKER_DB = Path(os.environ.get("TRACKER_DB", REPO_ROOT / "var" / "conversations.db"))
LOG_DIR = REPO_ROOT / "var" / "log"
START_TIMEOUT_S = 300


def write_endpoints(action_port: int, tracker_db: Path, directory: Path) -> Path:
    """endpoints.yml with this run's action server port and tracker file (Rasa expands no variables there)."""
    endpoints = yaml.safe_load((REPO_ROOT / "endpoints.yml").read_text())
    endpoints["action_endpoint"]["url"] = f"http://127.0.0.1:{action_port}/webhook"
    endpoints["tracker_store"]["db"] = str(Path(tracker_db).resolve())
    path = Path(directory) / "endpoints.yml"
    path.write_text(yaml.safe_dump(endpoints, sort_keys=False))
    return path


def server_env() -> Dict[str, str]:
    env = dict(os.environ)
    env.update(
        RASA_TELEMETRY_ENABLED="false",
        PYTHONPATH=str(REPO_ROOT) + os.pathsep + env.get("PYTHONPATH", ""),
        TF_CPP_MIN_LOG_LEVEL="3",
        SQLALCHEMY_SILENCE_UBER_WARNING="1",
    )
    return env


@dataclass
class Servers:
    rasa_port: int
    action_port: int
    tracker_db: Path
    log_dir: Path
    processes: Dict[str, subprocess.Popen] = field(default_factory=dict)

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def webhook_url(self) -> str:
        return f"{self.rasa_url}/webhooks/rest/webhook"

    @property
    def action_url(self) -> str:
        return f"http://127.0.0.1:{self.action_port}"

    def start_action_server(self) -> None:
        self._spawn("actions", [sys.executable, "-m", "rasa_sdk", "--actions", "actions",
                                "--port", str(self.action_port)])

    def start_rasa(self, model: Path, cors: Optional[str] = None, extra_args: Optional[List[str]] = None) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        endpoints = write_endpoints(self.action_port, self.tracker_db, self.log_dir)
        args = [sys.executable, "-m", "rasa", "run", "--model", str(model), "--port", str(self.rasa_port),
                "--endpoints", str(endpoints), "--credentials", str(REPO_ROOT / "credentials.yml")]
        if cors:
            args += ["--cors", cors]
        self._spawn("rasa", args + list(extra_args or []))

    def _spawn(self, name: str, args: List[str]) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.tracker_db.parent.mkdir(parents=True, exist_ok=True)
        log = open(self.log_dir / f"{name}.log", "ab")
        self.processes[name] = subprocess.Popen(
            args, cwd=REPO_ROOT, env=server_env(),
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )

    def wait_until_ready(self, timeout_s: float = START_TIMEOUT_S) -> None:
        checks = {"actions": f"{self.action_url}/health", "rasa": f"{self.rasa_url}/webhooks/rest/"}
        deadline = time.monotonic() + timeout_s
        for name, url in checks.items():
            if name not in self.processes:
                continue
            while not _answers(url):
                if self.processes[name].poll() is not None:
                    raise RuntimeError(f"the {name} server exited; see {self.log_dir / (name + '.log')}")
                if time.monotonic() > deadline:
                    raise TimeoutError(f"the {name} server did not answer {url} within {timeout_s:.0f} s")
                time.sleep(0.5)

    def stop(self, name: Optional[str] = None) -> None:
        for key in [name] if name else list(self.processes):
            process = self.processes.pop(key, None)
            if process and process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as reply:
            return reply.status == 200
    except (urllib.error.URLError, OSError):
        return False


@contextmanager
def running_servers(rasa_port: int, action_port: int, tracker_db: Path = DEFAULT_TRACKER_DB,
                    model: Path = DEFAULT_MODEL, log_dir: Path = LOG_DIR, cors: Optional[str] = None,
                    extra_args: Optional[List[str]] = None) -> Iterator[Servers]:
    servers = Servers(rasa_port, action_port, Path(tracker_db), Path(log_dir))
    try:
        servers.start_action_server()
        servers.start_rasa(Path(model), cors=cors, extra_args=extra_args)
        servers.wait_until_ready()
        yield servers
    finally:
        servers.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rasa-port", type=int, default=int(os.environ.get("RASA_PORT", 5005)))
    parser.add_argument("--action-port", type=int, default=int(os.environ.get("ACTION_PORT", 5055)))
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    parser.add_argument("--cors", default=os.environ.get("CORS_ORIGIN"), help="the one web origin allowed to call the webhook")
    args = parser.parse_args()
    started = time.monotonic()
    print(f"Starting the action server (:{args.action_port}) and the Rasa server (:{args.rasa_port}); logs in {LOG_DIR}")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        with running_servers(args.rasa_port, args.action_port, model=args.model, cors=args.cors) as servers:
            print(f"\nReady in {time.monotonic() - started:.0f} s. Talk to the assistant:\n\n"
                  f"  curl -s -X POST {servers.webhook_url} -H 'Content-Type: application/json' \\\n"
                  f"       -d '{{\"sender\": \"patient-1\", \"message\": \"Is interventional pain management covered by insurance?\"}}'\n\n"
                  "Conversations are stored in " + str(servers.tracker_db) + ". Press Ctrl-C to stop both servers.",
                  flush=True)
            while all(p.poll() is None for p in servers.processes.values()):
                time.sleep(1)
            print("A server exited; stopping. See the logs in " + str(LOG_DIR), file=sys.stderr)
            sys.exit(1)
    except KeyboardInterrupt:
        print("\nStopped.")


if __name__ == "__main__":
    main()
