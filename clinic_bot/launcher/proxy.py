"""The reverse proxy in front of the Rasa servers (nginx): its configuration, written in one place for the
scaled profile (`make run-scaled`), deploy/docker-compose.yml (whose one-shot `proxy-config` service writes it
into the proxy's volume at every start, so the apology in it is always the current text) and a plain host
(deploy/systemd/):

    python -m clinic_bot.launcher.proxy --compose --out /etc/nginx/nginx.conf
    python -m clinic_bot.launcher.proxy --listen 127.0.0.1:8080 --rasa 127.0.0.1:5005 --rasa 127.0.0.1:5006 \
        --out /etc/clinic-bot/nginx.conf

What it does for a patient:
- spreads conversations over the Rasa servers (round robin; the lock store and the shared database make any
  server able to continue any conversation);
- a server that refuses the connection (crashed, restarting, still loading its model) is skipped for a few
  seconds and the message goes to the next one; a message already sent is never sent twice (POST);
- when no Rasa server can answer, the proxy itself sends the apology with the clinic's phone
  (`unavailable` in knowledge/messages.yml, filled in from clinic.yml), in English and in Spanish, with status
  200, as the Rasa server does when the action server is down: the widget shows it like any other reply;
- passes the patient's address in X-Forwarded-For (the channel's rate limit trusts it from this proxy only:
  TRUSTED_PROXIES) and refuses bodies larger than any acceptable message before they reach Rasa;
- answers 404 for the staff console's model reload (paths.MODEL_RELOAD_PATH): that is for the machine itself,
  never for the outside (the Rasa server refuses it through a proxy too: clinic_bot/server/model_reload.py).
"""
import argparse
import json
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional

from clinic_bot.content.knowledge import default_knowledge
from clinic_bot.languages import LANGUAGES
from clinic_bot.paths import MODEL_RELOAD_PATH

HEALTH_PATH = "/proxy-health"
WEBHOOK_PREFIX = "/webhooks/"
MAX_BODY = "64k"  # the channel refuses anything above ~15 kB (1,000 characters) with a clear 413
# The services and ports of deploy/docker-compose.yml (tests/unit/test_deploy.py checks they match).
COMPOSE_CONFIG_PATH = "/etc/nginx/nginx.conf"
COMPOSE_RASA_UPSTREAMS = ["rasa-1:5005", "rasa-2:5005"]
COMPOSE_LISTEN = "8080"


def apology_json() -> str:
    """The reply when no Rasa server answers: the channel's own apology message (one source for its text), in every
    language the assistant speaks, English first: nginx cannot read the conversation's language (it is in the
    conversation and the body, which nginx does not parse), and every patient must be able to read why to call."""
    knowledge = default_knowledge()
    return json.dumps([knowledge.unavailable("", language) for language in LANGUAGES], ensure_ascii=True)


def nginx_string(text: str) -> str:
    """`text` as one single-quoted nginx string that nginx sends back byte for byte: no `$` (nginx would read a
    variable; JSON's \\u0024 instead), no bare quote, every backslash doubled (nginx keeps one)."""
    return "'" + text.replace("$", "\\u0024").replace("'", "\\u0027").replace("\\", "\\\\") + "'"


@dataclass
class ProxyConfig:
    listen: str  # "127.0.0.1:8080", or "8080" in a container
    rasa_upstreams: List[str]  # host:port of each Rasa server
    site_upstream: Optional[str] = None  # host:port of the demo clinic site (make run-scaled); None: webhook only
    work_dir: Optional[Path] = None  # pid and temporary files (make run-scaled); None: nginx's defaults
    fail_timeout_s: int = 5  # how long a server that refused a connection is skipped
    balance: str = "least_conn"  # the Rasa server with the fewest messages in hand (bench/tuning.md: p95)

    def render(self, apology: str) -> str:
        servers = "\n".join(f"        server {upstream} max_fails=1 fail_timeout={self.fail_timeout_s}s;"
                            for upstream in self.rasa_upstreams)
        work = self.work_dir
        paths = "" if work is None else (
            f"pid {work / 'nginx.pid'};\n")
        temp = "" if work is None else "".join(
            f"    {kind}_temp_path {work / 'tmp' / kind};\n"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        site = "" if self.site_upstream is None else f"""
    upstream site {{
        server {self.site_upstream};
    }}
"""
        site_location = "" if self.site_upstream is None else """
        # The demo clinic site with the chat widget, from the same origin as the webhook (no CORS needed).
        location / {
            proxy_pass http://site;
            proxy_set_header Host $host;
        }
"""
        return f"""# Written by clinic_bot/launcher/proxy.py; edit that, not this file.
worker_processes 1;
{paths}events {{
    worker_connections 4096;
}}
http {{
    access_log off;  # patients' addresses stay out of logs; Rasa logs what it needs
    server_tokens off;
    client_max_body_size {MAX_BODY};
{temp}
    upstream rasa {{
{f"        {self.balance};{chr(10)}" if self.balance else ""}{servers}
        keepalive 64;
    }}
{site}
    server {{
        listen {self.listen};

        location = {HEALTH_PATH} {{
            default_type text/plain;
            return 200 'ok';
        }}

        # The staff console's model reload: from the Rasa servers' own machine only, never through here.
        location = {MODEL_RELOAD_PATH} {{
            return 404;
        }}

        location {WEBHOOK_PREFIX} {{
            proxy_pass http://rasa;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            # Refused or timed-out connections go to the next server; a message already sent is not resent.
            proxy_next_upstream error timeout;
            proxy_next_upstream_tries {max(2, len(self.rasa_upstreams))};
            proxy_connect_timeout 2s;
            proxy_read_timeout 30s;
            error_page 502 503 504 = @unavailable;
        }}

        location @unavailable {{
            default_type application/json;
            add_header Cache-Control no-store always;
            add_header X-Content-Type-Options nosniff always;
            return 200 {nginx_string(apology)};
        }}
{site_location}    }}
}}
"""


def compose_config() -> ProxyConfig:
    return ProxyConfig(listen=COMPOSE_LISTEN, rasa_upstreams=COMPOSE_RASA_UPSTREAMS)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--compose", action="store_true",
                        help=f"the configuration for deploy/docker-compose.yml (listen {COMPOSE_LISTEN}, "
                        f"Rasa servers {' '.join(COMPOSE_RASA_UPSTREAMS)})")
    parser.add_argument("--listen", help="address:port or port nginx listens on")
    parser.add_argument("--rasa", action="append", default=[], metavar="HOST:PORT",
                        help="a Rasa server (repeat for each)")
    parser.add_argument("--out", type=Path, required=True, help="the file to write")
    args = parser.parse_args()
    if args.compose:
        config = compose_config()
    elif args.listen and args.rasa:
        config = ProxyConfig(listen=args.listen, rasa_upstreams=args.rasa)
    else:
        parser.error("give --compose, or --listen and at least one --rasa")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(config.render(apology_json()))
    print(f"Wrote {args.out}")


if __name__ == "__main__":
    main()
