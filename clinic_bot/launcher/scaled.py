"""The scaled profile: Redis, PostgreSQL, one action server, N Rasa servers and nginx in front, supervised.

    make run-scaled                       # python -m clinic_bot.launcher.scaled [--rasa-servers 2]

Every patient-facing request goes through the proxy on WEB_PORT (default 8080): the demo clinic site and the
webhook, from one origin. The Rasa servers share the conversations (PostgreSQL, endpoints.scaled.yml) and the
conversation locks and rate-limit counts (Redis), so any of them can take any message. The data of Redis and
PostgreSQL, the logs and the proxy's configuration live in var/scaled/ (git-ignored; the database's password
in var/scaled/postgres.password, 0600). Ctrl-C or SIGTERM stops everything; a server that crashes is started
again (clinic_bot/launcher/supervisor.py). The same parts as containers: deploy/docker-compose.yml.
While it runs, paths.RUNNING_SERVERS_FILE names its Rasa servers, and the model reload token exists
(clinic_bot/launcher/registry.py): the staff console switches them, one after the other, to a new model.
"""
import argparse
import os
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterator, List, Mapping, Optional

from clinic_bot.launcher.demo_site import serving_site
from clinic_bot.launcher.proxy import HEALTH_PATH, ProxyConfig, apology_json
from clinic_bot.launcher.registry import prepare_model_reload, registered
from clinic_bot.launcher.servers import (
    LOOPBACK,
    RASA_SPEED_ENV,
    action_server_child,
    default_port,
    endpoints_env,
    rasa_server_child,
    server_env,
    write_credentials,
)
from clinic_bot.launcher.services import Postgres, check_installed, nginx_child, redis_child, require_free
from clinic_bot.launcher.supervisor import Supervisor, stop_on_signals, supervise
from clinic_bot.paths import (
    CREDENTIALS_FILE,
    MODEL_FILE,
    SCALED_DIR,
    SCALED_ENDPOINTS_FILE,
    SCALED_TRACKER_DB_FILE_NAME,
    TRUSTED_PROXIES_ENV,
)
from clinic_bot.store.database import describe

# A ticket for a conversation's lock expires after this long (Rasa's default: 60 s). A turn takes well under a
# second, at most a few action timeouts (5 s each); if a Rasa server dies mid-turn, the patient's next message
# waits for this long at most, on another server, rather than a minute.
TICKET_LOCK_LIFETIME_S = 20
START_TIMEOUT_S = 300


@dataclass
class ScaledProfile:
    model: Path
    work_dir: Path
    rasa_ports: List[int]
    action_port: int
    proxy_port: int
    redis_port: int
    postgres_port: int
    site_port: Optional[int] = None  # the demo clinic site behind the proxy (make run-scaled)
    channel_settings: Optional[Mapping[str, Any]] = None  # overrides of credentials.yml (tests, benchmark)
    supervisor: Supervisor = field(default_factory=Supervisor)

    def __post_init__(self) -> None:
        self.work_dir = self.work_dir.resolve()
        self.postgres = Postgres(self.work_dir / "postgres", self.postgres_port)

    @property
    def log_dir(self) -> Path:
        return self.work_dir / "log"

    @property
    def rasa_names(self) -> List[str]:
        return [f"rasa-{number}" for number in range(1, len(self.rasa_ports) + 1)]

    @property
    def proxy_url(self) -> str:
        return f"http://127.0.0.1:{self.proxy_port}"

    @property
    def webhook_url(self) -> str:
        """Where patients (and the widget) send their messages: through the proxy."""
        return f"{self.proxy_url}/webhooks/rest/webhook"

    @property
    def rasa_urls(self) -> List[str]:
        """Each Rasa server's own base URL, past the proxy (the staff console's model reload goes there)."""
        return [f"http://127.0.0.1:{port}" for port in self.rasa_ports]

    def rasa_webhook_url(self, index: int) -> str:
        """One Rasa server's own webhook, past the proxy (tests: a conversation moving between servers)."""
        return f"http://127.0.0.1:{self.rasa_ports[index]}/webhooks/rest/webhook"

    @property
    def processes(self) -> Dict[str, Any]:
        return self.supervisor.processes

    @property
    def tracker_db(self) -> str:
        """The store's URL, with its password, for the staff tools (make review/forget/purge DB=...)."""
        return self.postgres.url()

    def env(self) -> Dict[str, str]:
        """The environment of the action server and the Rasa servers: what endpoints.scaled.yml reads."""
        return {**RASA_SPEED_ENV, **server_env(), **endpoints_env(self.action_port, self.postgres.url()),
                **self.postgres.env(), "REDIS_HOST": "127.0.0.1", "REDIS_PORT": str(self.redis_port),
                TRUSTED_PROXIES_ENV: "127.0.0.1", "TICKET_LOCK_LIFETIME": str(TICKET_LOCK_LIFETIME_S)}

    def start(self) -> None:
        check_installed()
        ports = {"Redis": (self.redis_port, "REDIS_PORT"), "PostgreSQL": (self.postgres_port, "POSTGRES_PORT"),
                 "the action server": (self.action_port, "ACTION_PORT"), "the proxy": (self.proxy_port, "WEB_PORT")}
        ports.update({name: (port, "RASA_PORT") for name, port in zip(self.rasa_names, self.rasa_ports)})
        for what, (port, variable) in ports.items():
            require_free(port, what, variable)
        self.work_dir.mkdir(parents=True, exist_ok=True)
        self.work_dir.chmod(0o755)  # PostgreSQL's own user must reach its data folder inside
        self.postgres.initialise()
        url_file = self.work_dir / SCALED_TRACKER_DB_FILE_NAME  # the staff tools' `make ... PROFILE=scaled`
        url_file.write_text(self.postgres.url() + "\n")
        url_file.chmod(0o600)
        base_env = server_env()
        self.supervisor.start(redis_child(self.redis_port, self.work_dir, base_env))
        self.supervisor.start(self.postgres.child(base_env, self.log_dir))
        self.supervisor.wait_until_ready(["redis", "postgres"], timeout_s=60)
        self.postgres.create_database()
        self.start_rasa_side()
        self.start_proxy()

    def start_rasa_side(self) -> None:
        # Loopback only, whatever RASA_HOST / ACTION_HOST say for `make run`: the proxy is the one way in (it
        # refuses the model reload, sets X-Forwarded-For), so no server behind it may be reachable past it.
        env = self.env()
        self.supervisor.start(action_server_child(self.action_port, env, self.log_dir, host=LOOPBACK))
        credentials = (write_credentials(self.channel_settings, self.work_dir) if self.channel_settings
                       else CREDENTIALS_FILE)
        for name, port in zip(self.rasa_names, self.rasa_ports):
            self.supervisor.start(rasa_server_child(port, self.model, SCALED_ENDPOINTS_FILE, credentials, env,
                                                    self.log_dir, name=name, host=LOOPBACK))
        self.supervisor.wait_until_ready(["actions", *self.rasa_names], timeout_s=START_TIMEOUT_S)

    def start_proxy(self) -> None:
        proxy_dir = self.work_dir / "proxy"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (proxy_dir / "tmp" / kind).mkdir(parents=True, exist_ok=True)
        config = ProxyConfig(listen=f"127.0.0.1:{self.proxy_port}",
                             rasa_upstreams=[f"127.0.0.1:{port}" for port in self.rasa_ports],
                             site_upstream=f"127.0.0.1:{self.site_port}" if self.site_port else None,
                             work_dir=proxy_dir)
        config_file = proxy_dir / "nginx.conf"
        config_file.write_text(config.render(apology_json()))
        self.supervisor.start(nginx_child(config_file, proxy_dir, server_env(), self.proxy_url + HEALTH_PATH))
        self.supervisor.wait_until_ready(["proxy"], timeout_s=30)

    def stop(self, name: Optional[str] = None) -> None:
        self.supervisor.stop(name)


@contextmanager
def running_scaled(**settings: Any) -> Iterator[ScaledProfile]:
    profile = ScaledProfile(**settings)
    try:
        profile.start()
        yield profile
    finally:
        profile.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rasa-servers", type=int, default=int(os.environ.get("RASA_SERVERS", 2)),
                        help="how many Rasa server processes (default 2: one per core here)")
    parser.add_argument("--model", type=Path, default=MODEL_FILE)
    parser.add_argument("--work-dir", type=Path, default=SCALED_DIR,
                        help=f"data of Redis and PostgreSQL, logs, proxy configuration (default {SCALED_DIR})")
    args = parser.parse_args()
    if args.rasa_servers < 1:
        parser.error("--rasa-servers must be at least 1")
    first = default_port("RASA_PORT")
    settings = dict(model=args.model, work_dir=args.work_dir,
                    rasa_ports=list(range(first, first + args.rasa_servers)),
                    action_port=default_port("ACTION_PORT"), proxy_port=default_port("WEB_PORT"),
                    redis_port=default_port("REDIS_PORT"), postgres_port=default_port("POSTGRES_PORT"),
                    site_port=default_port("SITE_PORT"))
    started = time.monotonic()
    stop_on_signals()
    prepare_model_reload()
    code = 1
    try:
        profile = ScaledProfile(**settings)
        site_url = f"http://localhost:{profile.proxy_port}"
        rasa_ports = ", :".join(map(str, profile.rasa_ports))
        print(f"Starting Redis (:{profile.redis_port}), PostgreSQL (:{profile.postgres_port}), the action server "
              f"(:{profile.action_port}), {args.rasa_servers} Rasa server(s) (:{rasa_ports}) "
              f"and nginx (:{profile.proxy_port}); logs in {profile.log_dir}", flush=True)
        with serving_site(profile.site_port or 0, chat_server=site_url):
            try:
                profile.start()
                with registered(profile.rasa_urls):  # the console's switch reloads these
                    print(f"\nReady in {time.monotonic() - started:.0f} s. Chat on the demo clinic site: {site_url}/\n"
                          "or talk to the assistant through the proxy:\n\n"
                          f"  curl -s -X POST {profile.webhook_url} -H 'Content-Type: application/json' \\\n"
                          f"       -d '{{\"sender\": \"patient-1\", "
                          f"\"message\": \"Is interventional pain management covered by insurance?\"}}'\n\n"
                          f"Conversations are stored in {describe(profile.tracker_db)}; for the staff tools:\n"
                          "  make review PROFILE=scaled    make forget PROFILE=scaled SENDER=...\n"
                          "Press Ctrl-C to stop everything. A server that crashes is started again.", flush=True)
                    code = supervise(profile.supervisor)
            finally:
                profile.stop()
    except (RuntimeError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
    finally:
        print("\nStopped.", flush=True)
    sys.exit(code)


if __name__ == "__main__":
    main()
