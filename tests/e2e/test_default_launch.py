"""The servers as `make run` starts them (on loopback only, default rate limits, no HTTP API, CORS for the demo
site only), plus one setting: 127.0.0.1 is a trusted proxy, so each test's X-Forwarded-For address stands for a
different client. Last, the Rasa server is restarted with the API switch on, its token on no command line."""
import ipaddress
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import List, Set, Tuple

import pytest

from clinic_bot.launcher.servers import API_TOKEN_ENV, api_args, running_servers, server_env
from clinic_bot.paths import REPO_ROOT
from clinic_bot.server.rate_limit import DEFAULT_MESSAGES_PER_MINUTE, TRUSTED_PROXIES
from tests.e2e.conftest import answers, free_port, replies, send

SITE_ORIGIN = "http://localhost:8080"  # the demo site, the one origin `make run` allows by default
EVIL_ORIGIN = "https://evil.example"


@pytest.fixture(scope="module")
def launched(model_path, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("default-launch")
    with running_servers(free_port(), free_port(), tracker_db=tmp / "conversations.db", model=model_path,
                         log_dir=tmp / "logs", cors=SITE_ORIGIN,
                         channel_settings={TRUSTED_PROXIES: ["127.0.0.1"]}) as running:
        yield running


def chat(servers, sender: str, text: str, client: str, **headers: str):
    """One message as the trusted proxy forwards it for `client`."""
    return send(servers.webhook_url, json.dumps({"sender": sender, "message": text}).encode(),
                headers={"Content-Type": "application/json", "X-Forwarded-For": client, **headers})


def listening_sockets() -> List[Tuple[str, int, str]]:
    """(address, port, inode) of every listening TCP socket, IPv4 and IPv6 (/proc/net/tcp and tcp6)."""
    found = []
    for table in ("tcp", "tcp6"):
        lines = Path(f"/proc/net/{table}").read_text().splitlines()[1:]
        for fields in (line.split() for line in lines):
            local, state, inode = fields[1], fields[3], fields[9]
            if state != "0A":  # TCP_LISTEN
                continue
            address, port = local.split(":")
            # The address is in the kernel's byte order: each 32-bit word little-endian.
            raw = b"".join(bytes.fromhex(address[i:i + 8])[::-1] for i in range(0, len(address), 8))
            found.append((str(ipaddress.ip_address(raw)), int(port, 16), inode))
    return found


def socket_inodes(pid: int) -> Set[str]:
    """The inodes of the sockets a process holds open."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:  # closed meanwhile
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:["):-1])
    return inodes


def is_loopback(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    mapped = getattr(ip, "ipv4_mapped", None)  # ::ffff:127.0.0.1
    return ip.is_loopback or (mapped is not None and mapped.is_loopback)


def assert_listening_on_loopback_only(servers) -> None:
    sockets = listening_sockets()
    for name, port in (("rasa", servers.rasa_port), ("actions", servers.action_port)):
        own = socket_inodes(servers.processes[name].pid)
        on_port = [(address, inode) for address, listened, inode in sockets if listened == port]
        assert any(inode in own for _, inode in on_port), f"the {name} server does not listen on its port {port}"
        outside = [address for address, _ in on_port if not is_loopback(address)]
        assert not outside, f"the {name} server's port {port} is open on {outside}, not only on loopback"


def test_the_servers_listen_on_loopback_only(launched):
    """The action server runs actions for any tracker it is sent and the webhook is for the demo site on this
    machine: neither listens on another interface unless a deployment sets RASA_HOST / ACTION_HOST."""
    assert_listening_on_loopback_only(launched)


def processes_with_on_their_command_line(text: str) -> List[str]:
    """Every process whose command line (world-readable: `ps`, /proc/<pid>/cmdline) contains `text`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            arguments = (entry / "cmdline").read_bytes()
        except OSError:  # ended meanwhile
            continue
        if text.encode() in arguments:
            found.append(f"{entry.name}: {arguments.replace(bytes(1), b' ').decode(errors='replace')}")
    return found


def test_http_api_is_not_reachable(launched):
    assert chat(launched, "api-probe", "hi", "203.0.113.1").status == 200  # the server is up
    assert send(f"{launched.rasa_url}/model", b"{}", method="PUT",
                headers={"Content-Type": "application/json"}).status == 404
    assert send(f"{launched.rasa_url}/conversations/x/tracker", method="GET").status == 404
    assert send(f"{launched.rasa_url}/status", method="GET").status == 404


def test_foreign_origin_gets_no_cors_permission(launched):
    evil = chat(launched, "cors-probe", "hi", "203.0.113.2", Origin=EVIL_ORIGIN)
    assert "Access-Control-Allow-Origin" not in evil.headers
    preflight = send(launched.webhook_url, method="OPTIONS", headers={
        "Origin": EVIL_ORIGIN, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert "Access-Control-Allow-Origin" not in preflight.headers
    # A "simple" cross-origin POST needs no preflight; it is refused before any NLU runs.
    simple = send(launched.webhook_url, json.dumps({"sender": "cors-probe", "message": "hi"}).encode(),
                  headers={"Content-Type": "text/plain", "Origin": EVIL_ORIGIN})
    assert simple.status == 415 and "Access-Control-Allow-Origin" not in simple.headers
    # The demo site is allowed, so the checks above are not vacuous.
    assert chat(launched, "cors-probe", "hi", "203.0.113.2", Origin=SITE_ORIGIN).headers.get(
        "Access-Control-Allow-Origin") == SITE_ORIGIN


def test_rate_limit_per_sender_and_per_address(launched):
    busy, busy_address = f"busy-{uuid.uuid4().hex[:8]}", "203.0.113.10"
    for turn in range(DEFAULT_MESSAGES_PER_MINUTE):
        assert chat(launched, busy, "hi", busy_address).status == 200, turn
    throttled = chat(launched, busy, "hi", busy_address)
    assert throttled.status == 429 and "too many messages" in throttled.json()["error"]
    assert 1 <= int(throttled.headers["Retry-After"]) <= 60
    assert throttled.headers.get("Cache-Control") == "no-store"

    # Another patient elsewhere is unaffected.
    other = chat(launched, f"other-{uuid.uuid4().hex[:8]}", "hi", "203.0.113.11")
    assert other.status == 200 and answers(other.json()) == ["greet"]
    # The same sender from a new address is still over its own limit...
    assert chat(launched, busy, "hi", "203.0.113.12").status == 429
    # ...and a new sender from the busy address is over the address's limit, even when the client
    # claims another address in front of what the trusted proxy appended.
    assert chat(launched, "newcomer", "hi", f"198.51.100.7, {busy_address}").status == 429


def test_api_switch_refuses_to_start_without_a_token():
    env = {k: v for k, v in server_env().items() if k != API_TOKEN_ENV}
    started = subprocess.run([sys.executable, "-m", "clinic_bot.launcher.servers", "--enable-api"],
                             cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert started.returncode == 2 and API_TOKEN_ENV in started.stderr
    with pytest.raises(ValueError):
        api_args(True, "short")


def test_restart_keeps_conversations_and_the_api_switch_needs_the_token(launched, model_path):
    sender, client = f"restart-{uuid.uuid4().hex[:8]}", "203.0.113.20"
    first = replies(chat(launched, sender, "what is radiofrequency ablation?", client).json())
    assert first[-1]["custom"]["variant"] == "procedure:radiofrequency_ablation"

    token = uuid.uuid4().hex
    launched.restart_rasa(extra_args=api_args(True, token))
    assert processes_with_on_their_command_line(token) == [], "the API token must be on no command line"
    assert_listening_on_loopback_only(launched)

    # The follow-up still knows the procedure: the conversation came back from the SQLite store.
    follow_up = [m for m in chat(launched, sender, "is it safe?", client).json()
                 if (m.get("custom") or {}).get("answer") == "ask_safety"]
    assert follow_up and follow_up[0]["custom"]["about"] == "procedure:radiofrequency_ablation"
    tracker_url = f"{launched.rasa_url}/conversations/{sender}/tracker"
    assert send(tracker_url, method="GET").status == 401
    assert send(f"{launched.rasa_url}/model", b"{}", method="PUT",
                headers={"Content-Type": "application/json"}).status == 401
    tracker = send(f"{tracker_url}?token={token}", method="GET")
    assert tracker.status == 200
    assert "what is radiofrequency ablation?" in [e.get("text") for e in tracker.json()["events"]]
