"""The real action server and Rasa server on free ports, with a throw-away SQLite tracker store."""
import json
import socket
import urllib.request
import uuid
from typing import Any, Dict, List

import pytest

from clinic_bot.servers import running_servers


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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

    def say(self, text: str) -> List[Dict[str, Any]]:
        status, messages = post(self.url, {"sender": self.sender, "message": text})
        assert status == 200, messages
        return messages


def answers(messages: List[Dict[str, Any]]) -> List[str]:
    """The answer markers of the bot's messages, disclaimer left out."""
    return [(m.get("custom") or {}).get("answer") for m in messages if (m.get("custom") or {}).get("answer") != "disclaimer"]


@pytest.fixture(scope="session")
def servers(model_path, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("servers")
    with running_servers(free_port(), free_port(), tracker_db=tmp / "conversations.db", model=model_path,
                         log_dir=tmp / "logs") as running:
        yield running


@pytest.fixture
def patient(servers) -> Patient:
    return Patient(servers.webhook_url)
