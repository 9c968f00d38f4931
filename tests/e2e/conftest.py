"""The real action server and Rasa server on free ports, with a throw-away SQLite tracker store."""
import json
import random
import socket
import urllib.request
import uuid
from pathlib import Path
from typing import Any, Dict, List, Optional, Set, Tuple

import pytest

from clinic_bot.content.choices import RELATED_MARKER
from clinic_bot.content.feedback import HELPFUL_QUESTION
from clinic_bot.launcher.servers import running_servers
from clinic_bot.server.rate_limit import NO_RATE_LIMITS

_TAKEN: Set[int] = set()


def _ephemeral_range() -> Tuple[int, int]:
    try:
        low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        return int(low), int(high)
    except (OSError, ValueError):
        return 32768, 60999


def free_port() -> int:
    """A free port below the kernel's ephemeral range. A port from bind(0) is an ephemeral one: between choosing it
    and the server binding it, an outgoing connection (a readiness check, a test client) may take it as its own
    source port, and the server then fails to start (seen once with PostgreSQL in the scaled profile)."""
    low, high = _ephemeral_range()
    top = low - 1 if low > 20_000 else 65_535
    bottom = 20_000 if low > 20_000 else high + 1
    for _ in range(200):
        port = random.randint(bottom, top)
        if port in _TAKEN:
            continue
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        _TAKEN.add(port)  # never handed out twice in one test run
        return port
    raise RuntimeError(f"no free port between {bottom} and {top}")


def post(url: str, body: Any, content_type: str = "application/json", timeout: float = 30):
    """POST and return (status, parsed JSON body)."""
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers={"Content-Type": content_type}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as reply:
            return reply.status, json.loads(reply.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


class Patient:
    """One conversation through the REST webhook, as the widget would hold it."""

    def __init__(self, webhook_url: str) -> None:
        self.url = webhook_url
        self.sender = f"e2e-{uuid.uuid4().hex[:12]}"

    def say(self, text: str, language: Optional[str] = None) -> List[Dict[str, Any]]:
        """``language``: the widget's choice, sent as the webhook's `language` field (None: not sent)."""
        body = {"sender": self.sender, "message": text, **({"language": language} if language else {})}
        status, messages = post(self.url, body)
        assert status == 200, messages
        return messages


# Messages around the answer: the session's disclaimer, the related-topic offer after a close answer, and the "Was
# this helpful?" question after FAQ answers.
FRAMING_MARKERS = {"disclaimer", RELATED_MARKER, HELPFUL_QUESTION}


def replies(messages: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The bot's messages that answer the patient, disclaimer and "Was this helpful?" left out."""
    return [m for m in messages if (m.get("custom") or {}).get("answer") not in FRAMING_MARKERS]


def answers(messages: List[Dict[str, Any]]) -> List[Optional[str]]:
    """The answer markers of the bot's replies (see ``replies``)."""
    return [(m.get("custom") or {}).get("answer") for m in replies(messages)]


@pytest.fixture(scope="session")
def servers(model_path, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("servers")
    # Every test talks from 127.0.0.1: only tests/e2e/test_default_launch.py runs with the default rate limits.
    with running_servers(free_port(), free_port(), tracker_db=tmp / "conversations.db", model=model_path,
                         log_dir=tmp / "logs", channel_settings=NO_RATE_LIMITS) as running:
        yield running


@pytest.fixture
def patient(servers) -> Patient:
    return Patient(servers.webhook_url)


# --- Raw HTTP for the endpoint's safety tests (tests/e2e/test_endpoint_safety.py, test_default_launch.py) ---

class Reply:
    """Status, headers and body of one HTTP exchange, whatever the status."""

    def __init__(self, status: int, headers: Any, body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body

    def json(self) -> Any:
        return json.loads(self.body or b"null")


def send(url: str, data: Optional[bytes] = None, method: str = "POST", headers: Optional[Dict[str, str]] = None,
         timeout: float = 30) -> Reply:
    """Any request exactly as given (no Content-Type unless in `headers`)."""
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as reply:
            return Reply(reply.status, reply.headers, reply.read())
    except urllib.error.HTTPError as error:
        return Reply(error.code, error.headers, error.read())
