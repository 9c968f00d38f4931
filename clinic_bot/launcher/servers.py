"""Starts the action server and the Rasa server together and waits until both answer.

One launcher for `make run`, the end-to-end tests and the benchmark, so they all run the same thing.
    python -m clinic_bot.launcher.servers [--rasa-port 5005] [--action-port 5055] [--web-port 8080] [--cors http://localhost:8080]
        [--rasa-host 127.0.0.1] [--action-host 127.0.0.1] [--enable-api]
`make run` also serves the demo clinic site with the chat widget (clinic_bot/launcher/demo_site.py) on --web-port.
Both servers listen on loopback only unless RASA_HOST / ACTION_HOST (or the options) name another address. With
the HTTP API on, its token goes from RASA_AUTH_TOKEN to the Rasa server through its environment, never through a
command line (clinic_bot/launcher/rasa_cli.py).
While it runs, paths.RUNNING_SERVERS_FILE names its Rasa server, and the model reload token exists
(clinic_bot/launcher/registry.py): the staff console switches that server to a new model without a restart.
"""
import argparse
import os
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterator, List, Mapping, Optional

import yaml

from clinic_bot.launcher import rasa_cli
from clinic_bot.launcher.demo_site import serving_site
from clinic_bot.launcher.rasa_cli import API_TOKEN_ENV, ENABLE_API, TOKEN_OPTION, check_api_token, split_token
from clinic_bot.launcher.registry import prepare_model_reload, registered
from clinic_bot.launcher.supervisor import Child, Supervisor, answers, stop_on_signals, supervise
from clinic_bot.paths import CREDENTIALS_FILE, ENDPOINTS_FILE, LOG_DIR, MODEL_FILE, REPO_ROOT, TRACKER_DB
from clinic_bot.store.database import StoreLocation, describe, is_server_url

START_TIMEOUT_S = 300
CHANNEL = "clinic_bot.server.channel.ClinicRestInput"  # its section in credentials.yml
# Ports when none is given: the environment's variable of that name, else these. WEB_PORT is what the patient's
# browser opens: the demo site (make run) or the proxy in front of the demo site and the webhook (make
# run-scaled, which puts the demo site itself on SITE_PORT and its Rasa servers on RASA_PORT, RASA_PORT+1 ...).
DEFAULT_PORTS = {"RASA_PORT": 5005, "ACTION_PORT": 5055, "WEB_PORT": 8080, "SITE_PORT": 8081,
                 "REDIS_PORT": 6379, "POSTGRES_PORT": 5432}


def default_port(variable: str) -> int:
    return int(os.environ.get(variable, DEFAULT_PORTS[variable]))


LOOPBACK = "127.0.0.1"
# Where the servers listen when no option says: the environment's variable of that name, else loopback only. The
# action server runs any action for whatever tracker it is sent, without authentication, and the webhook is for
# the demo site on this machine (make run) or the proxy in front (make run-scaled): another address is a
# deployment's choice (a container listens on 0.0.0.0 inside its own network: deploy/docker-compose.yml).
DEFAULT_HOSTS = {"RASA_HOST": LOOPBACK, "ACTION_HOST": LOOPBACK}
# rasa-sdk 3.6.2's command line has no address option: its run() listens on this variable's (0.0.0.0 if unset).
SDK_HOST_ENV = "SANIC_HOST"


def default_host(variable: str) -> str:
    return os.environ.get(variable) or DEFAULT_HOSTS[variable]


def url_host(host: str) -> str:
    """How this machine's own clients (readiness checks, the Rasa server calling the action server, the staff
    console) reach a server that listens on `host`: over loopback when it listens everywhere; IPv6 in brackets."""
    if host in ("", "0.0.0.0"):
        return LOOPBACK
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host


def endpoints_env(action_port: int, tracker_db: StoreLocation, action_host: str = LOOPBACK) -> Dict[str, str]:
    """What endpoints.yml reads from the environment (Rasa expands ${VAR} there)."""
    return {"ACTION_SERVER_URL": f"http://{url_host(action_host)}:{action_port}/webhook",
            "TRACKER_DB": str(tracker_db) if is_server_url(tracker_db) else str(Path(tracker_db).resolve())}


def write_credentials(channel_settings: Mapping[str, Any], directory: Path) -> Path:
    """credentials.yml with some channel settings overridden for this run (rate limits, trusted proxies)."""
    credentials = yaml.safe_load(CREDENTIALS_FILE.read_text())
    credentials[CHANNEL] = {**(credentials.get(CHANNEL) or {}), **channel_settings}
    path = Path(directory) / "credentials.yml"
    path.write_text(yaml.safe_dump(credentials, sort_keys=False))
    return path


def api_args(enable_api: bool, token: Optional[str]) -> List[str]:
    """Rasa's arguments for the HTTP API (model upload, trackers...): off, or on with a token only. What Rasa
    parses, not a command line: rasa_server_child moves the token into the server's environment."""
    if not enable_api:
        return []
    return [ENABLE_API, TOKEN_OPTION, check_api_token(token)]


# Rasa imports TensorFlow even without a TensorFlow model: single-threaded ops beat a pool on 2 cores; two
# malloc arenas instead of one per thread keep ~10 MB less resident. Defaults only: the environment wins.
RASA_SPEED_ENV = {"TF_INTRA_OP_PARALLELISM_THREADS": "1", "TF_INTER_OP_PARALLELISM_THREADS": "1",
                  "MALLOC_ARENA_MAX": "2"}


# Every command of the project runs with these: no telemetry (nothing leaves the machine), quiet TensorFlow and
# SQLAlchemy. The Makefile exports the same for the commands it runs itself (`rasa train`, `rasa data validate`,
# pytest); server_env gives them to what starts without make (the console's retrain, the benchmark, the tests'
# servers, a launcher run by hand). tests/unit/test_environment.py keeps the two lists equal.
PROJECT_ENV = {"RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "3", "SQLALCHEMY_SILENCE_UBER_WARNING": "1"}


def server_env() -> Dict[str, str]:
    """The launcher's environment for its children, minus the API token: only a Rasa server with the API on gets
    that (rasa_server_child), not the action server, the databases or `rasa train`."""
    env = {key: value for key, value in os.environ.items() if key != API_TOKEN_ENV}
    env.update(PROJECT_ENV)
    env["PYTHONPATH"] = str(REPO_ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def action_server_child(port: int, env: Mapping[str, str], log_dir: Path, name: str = "actions",
                        host: str = LOOPBACK) -> Child:
    return Child(name, [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(port)],
                 {**env, SDK_HOST_ENV: host}, REPO_ROOT, log_dir / f"{name}.log",
                 ready=answers(f"http://{url_host(host)}:{port}/health"))


def rasa_server_child(port: int, model: Path, endpoints: Path, credentials: Path, env: Mapping[str, str],
                      log_dir: Path, name: str = "rasa", extra_args: Optional[List[str]] = None,
                      host: str = LOOPBACK) -> Child:
    """`rasa run` through clinic_bot/launcher/rasa_cli.py: an API token among `extra_args` (api_args) goes into
    the server's environment, where that module hands it to Rasa inside the process, off every command line."""
    rest, token = split_token(list(extra_args or []))
    env = {key: value for key, value in env.items() if key != API_TOKEN_ENV}
    if token is not None:
        env[API_TOKEN_ENV] = token
    args = [sys.executable, "-m", rasa_cli.__name__, "run", "--model", str(model), "--port", str(port),
            "--interface", host, "--endpoints", str(endpoints), "--credentials", str(credentials)]
    return Child(name, args + rest, env, REPO_ROOT, log_dir / f"{name}.log",
                 ready=answers(f"http://{url_host(host)}:{port}/webhooks/rest/"))


@dataclass
class Servers:
    """The embedded profile: one action server and one Rasa server with the SQLite store, supervised."""
    rasa_port: int
    action_port: int
    tracker_db: StoreLocation  # a file (the default) or a postgresql:// URL
    log_dir: Path
    supervisor: Supervisor = field(default_factory=Supervisor)
    rasa_launch: Dict[str, Any] = field(default_factory=dict)  # start_rasa's arguments, for restart_rasa
    rasa_host: str = LOOPBACK  # the addresses the servers listen on (RASA_HOST, ACTION_HOST in `make run`)
    action_host: str = LOOPBACK

    @property
    def processes(self) -> Dict[str, subprocess.Popen]:
        return self.supervisor.processes

    @property
    def rasa_url(self) -> str:
        return f"http://{url_host(self.rasa_host)}:{self.rasa_port}"

    @property
    def webhook_url(self) -> str:
        return f"{self.rasa_url}/webhooks/rest/webhook"

    @property
    def action_url(self) -> str:
        return f"http://{url_host(self.action_host)}:{self.action_port}"

    def start_action_server(self) -> None:
        if not is_server_url(self.tracker_db):
            Path(self.tracker_db).parent.mkdir(parents=True, exist_ok=True)
        self.supervisor.start(action_server_child(self.action_port, self.child_env(), self.log_dir,
                                                  host=self.action_host))

    def start_rasa(self, model: Path, cors: Optional[str] = None, extra_args: Optional[List[str]] = None,
                   channel_settings: Optional[Mapping[str, Any]] = None) -> None:
        """channel_settings override the channel's credentials.yml settings for this run (see rate_limit.py)."""
        self.rasa_launch = dict(model=model, cors=cors, extra_args=extra_args, channel_settings=channel_settings)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        credentials = (write_credentials(channel_settings, self.log_dir) if channel_settings
                       else CREDENTIALS_FILE)
        args = (["--cors", cors] if cors else []) + list(extra_args or [])
        self.supervisor.start(rasa_server_child(self.rasa_port, model, self.rasa_endpoints(), credentials,
                                                self.rasa_env(), self.log_dir, extra_args=args, host=self.rasa_host))

    # The Rasa server's endpoints and environment are methods so that another launch of the same servers can
    # change just these two (the benchmark's plain-Rasa "before": bench/stock.py).
    def rasa_endpoints(self) -> Path:
        """The endpoints.yml the Rasa server reads: the project's (its tracker store, its action endpoint)."""
        return ENDPOINTS_FILE

    def rasa_env(self) -> Dict[str, str]:
        """The Rasa server's environment: the speed settings unless already set, then child_env's."""
        return self.child_env(RASA_SPEED_ENV)

    def restart_rasa(self, **changes: Any) -> None:
        """Stops the Rasa server and starts it again as before, with `changes` to start_rasa's arguments."""
        self.stop("rasa")
        self.start_rasa(**{**self.rasa_launch, **changes})
        self.wait_until_ready()

    def child_env(self, defaults: Optional[Mapping[str, str]] = None) -> Dict[str, str]:
        """The environment of every server this launcher starts: `defaults` unless already set, then the
        project's settings and what endpoints.yml reads."""
        return {**(defaults or {}), **server_env(),
                **endpoints_env(self.action_port, self.tracker_db, self.action_host)}

    def wait_until_ready(self, timeout_s: float = START_TIMEOUT_S) -> None:
        self.supervisor.wait_until_ready(timeout_s=timeout_s)

    def stop(self, name: Optional[str] = None) -> None:
        self.supervisor.stop(name)


@contextmanager
def running_servers(rasa_port: int, action_port: int, tracker_db: StoreLocation = TRACKER_DB,
                    model: Path = MODEL_FILE, log_dir: Path = LOG_DIR, cors: Optional[str] = None,
                    extra_args: Optional[List[str]] = None,
                    channel_settings: Optional[Mapping[str, Any]] = None,
                    rasa_host: str = LOOPBACK, action_host: str = LOOPBACK) -> Iterator[Servers]:
    with serving(Servers(rasa_port, action_port, tracker_db, Path(log_dir), rasa_host=rasa_host,
                         action_host=action_host), model, cors, extra_args, channel_settings) as servers:
        yield servers


@contextmanager
def serving(servers: Servers, model: Path, cors: Optional[str] = None, extra_args: Optional[List[str]] = None,
            channel_settings: Optional[Mapping[str, Any]] = None) -> Iterator[Servers]:
    """Starts these servers (action server, then Rasa with `model`), waits until both answer, stops them after."""
    try:
        servers.start_action_server()
        servers.start_rasa(Path(model), cors=cors, extra_args=extra_args, channel_settings=channel_settings)
        servers.wait_until_ready()
        yield servers
    finally:
        servers.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rasa-port", type=int, default=default_port("RASA_PORT"))
    parser.add_argument("--action-port", type=int, default=default_port("ACTION_PORT"))
    parser.add_argument("--rasa-host", default=default_host("RASA_HOST"),
                        help="the address the Rasa server listens on (default: RASA_HOST, else 127.0.0.1 only)")
    parser.add_argument("--action-host", default=default_host("ACTION_HOST"),
                        help="the address the action server listens on (default: ACTION_HOST, else 127.0.0.1 "
                        "only); it runs actions for anyone who reaches it")
    parser.add_argument("--model", type=Path, default=MODEL_FILE)
    parser.add_argument("--web-port", type=int, default=default_port("WEB_PORT"),
                        help="where the demo clinic site with the chat widget is served "
                        "(clinic_bot/launcher/demo_site.py)")
    parser.add_argument("--cors", default=os.environ.get("CORS_ORIGIN"),
                        help="the one web origin allowed to call the webhook (default: the demo site's)")
    parser.add_argument("--enable-api", action="store_true", default=os.environ.get("ENABLE_API", "") == "1",
                        help=f"also open Rasa's HTTP API; needs {API_TOKEN_ENV} (refuses to start without it)")
    args = parser.parse_args()
    try:
        rasa_api = api_args(args.enable_api, os.environ.get(API_TOKEN_ENV))
    except ValueError as error:
        parser.error(str(error))
    site_url = f"http://localhost:{args.web_port}"
    cors = args.cors or site_url
    # The widget in the browser on this machine: localhost, unless the Rasa server listens elsewhere only.
    chat_host = "localhost" if url_host(args.rasa_host) == LOOPBACK else url_host(args.rasa_host)
    started = time.monotonic()
    print(f"Starting the action server ({args.action_host}:{args.action_port}) and the Rasa server "
          f"({args.rasa_host}:{args.rasa_port}); logs in {LOG_DIR}")
    stop_on_signals()  # Ctrl-C, SIGTERM, SIGHUP: stop every server, even during start-up
    prepare_model_reload()
    try:
        # The site first: a busy port fails at once, not after the model has loaded.
        with serving_site(args.web_port, chat_server=f"http://{chat_host}:{args.rasa_port}"), \
                running_servers(args.rasa_port, args.action_port, model=args.model, cors=cors,
                                extra_args=rasa_api, rasa_host=args.rasa_host,
                                action_host=args.action_host) as servers, \
                registered([servers.rasa_url]):
            print(f"\nReady in {time.monotonic() - started:.0f} s. Chat on the demo clinic site: {site_url}/ "
                  f"(webhook open to {cors} only)\nor talk to the assistant directly:\n\n"
                  f"  curl -s -X POST {servers.webhook_url} -H 'Content-Type: application/json' \\\n"
                  f"       -d '{{\"sender\": \"patient-1\", "
                  f"\"message\": \"Is interventional pain management covered by insurance?\"}}'\n\n"
                  "Conversations are stored in " + describe(servers.tracker_db) + ". Press Ctrl-C to stop the servers "
                  "and the site. A server that crashes is started again.",
                  flush=True)
            code = supervise(servers.supervisor)
    finally:
        print("\nStopped.", flush=True)
    sys.exit(code)


if __name__ == "__main__":
    main()
