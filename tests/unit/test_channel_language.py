"""The webhook's optional `language` field (clinic_bot/server/channel.py): checked with the rest of the body, kept
as the message's only metadata, and the language of the apology. No model, no servers: the channel's own code with a
stand-in for Sanic's request and for Rasa's message handler. Through the real servers: tests/e2e/
test_endpoint_safety.py and tests/browser/test_widget_language.py."""
import json
from types import SimpleNamespace
from typing import Any, Awaitable, Callable, Dict, List, Optional

import pytest
from rasa.core.channels.channel import UserMessage

from clinic_bot.content.knowledge import default_knowledge
from clinic_bot.languages import LANGUAGES
from clinic_bot.launcher.proxy import apology_json
from clinic_bot.server.channel import ClinicRestInput, apology
from tests.conftest import run_apart

LANGUAGE_ERROR = '"language" must be "en" or "es", or left out'


class Headers(dict):
    def getall(self, name: str, default: Optional[List[str]] = None) -> List[str]:
        return [self[name]] if name in self else (default or [])


def request(body: Any, raw: Optional[bytes] = None) -> Any:
    """What the channel reads of Sanic's request: the body, its type, the client and the app (no agent)."""
    return SimpleNamespace(body=raw if raw is not None else json.dumps(body).encode(), content_type="application/json",
                           ip="127.0.0.1", headers=Headers(), app=SimpleNamespace(ctx=SimpleNamespace(agent=None)))


def parse(body: Any) -> Any:
    return ClinicRestInput().parse_request(request(body))


def error_of(reply: Any) -> Dict[str, Any]:
    return {"status": reply.status, **json.loads(reply.body)}


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_known_language_is_kept_beside_sender_and_message(language):
    body, error = parse({"sender": "s1", "message": "hola", "language": language})
    assert error is None and body == {"sender": "s1", "message": "hola", "language": language}


def test_without_a_language_the_body_has_none():
    body, error = parse({"sender": "s1", "message": "hi"})
    assert error is None and body == {"sender": "s1", "message": "hi"}


@pytest.mark.parametrize("value", ["fr", "EN", "Es", "es-MX", "spanish", " es", "", None, 1, True, ["es"], {"es": 1}],
                         ids=repr)
def test_any_other_language_is_refused_with_a_clear_message(value):
    body, error = parse({"sender": "s1", "message": "hola", "language": value})
    assert body is None and error_of(error) == {"status": 400, "error": LANGUAGE_ERROR}


def test_the_language_is_checked_after_the_message_and_the_sender():
    # The first problem found is the one reported, in the order the fields are documented.
    _, error = parse({"sender": "s1", "message": 42, "language": "fr"})
    assert '"message"' in error_of(error)["error"]
    _, error = parse({"message": "hola", "language": "fr"})
    assert '"sender"' in error_of(error)["error"]


def test_nothing_else_of_the_body_is_kept():
    body, _ = parse({"sender": "s1", "message": "hola", "language": "es", "metadata": {"language": "en", "name": "x"},
                     "lang": "en", "extra": 1})
    assert body == {"sender": "s1", "message": "hola", "language": "es"}


# --- receive: what reaches Rasa, and the apology ---

def handler(channel: ClinicRestInput, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Any:
    """The webhook's POST /webhook handler, as the channel's blueprint registers it."""
    routes = [route for route in channel.blueprint(on_new_message)._future_routes if route.uri == "/webhook"]
    assert len(routes) == 1
    return routes[0].handler


def post(body: Dict[str, Any], answer: bool = True) -> Any:
    """Sends one body through the channel; returns (what Rasa was given, the JSON reply)."""
    received: List[UserMessage] = []

    async def on_new_message(message: UserMessage) -> None:
        received.append(message)
        if answer:
            await message.output_channel.send_response(message.sender_id,
                                                       {"text": "Hi", "custom": {"answer": "greet"}})

    reply = run_apart(handler(ClinicRestInput(), on_new_message)(request(body)))
    return received, reply.status, json.loads(reply.body)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_language_is_the_messages_only_metadata(language):
    received, status, reply = post({"sender": "s2", "message": "hola", "language": language,
                                    "metadata": {"patient_name": "Jane Quokkaroe"}})
    assert status == 200 and [m["text"] for m in reply] == ["Hi"]
    assert len(received) == 1 and received[0].metadata == {"language": language}
    assert received[0].text == "hola" and received[0].sender_id == "s2"


def test_without_a_language_rasa_gets_no_metadata():
    received, status, _ = post({"sender": "s3", "message": "hi", "metadata": {"language": "es"}})
    assert status == 200 and received[0].metadata is None


def test_a_refused_language_never_reaches_rasa():
    received, status, reply = post({"sender": "s4", "message": "hi", "language": "de"})
    assert (status, reply, received) == (400, {"error": LANGUAGE_ERROR}, [])


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_apology_is_in_the_chosen_language(language):
    _, status, reply = post({"sender": "s5", "message": "hola", "language": language}, answer=False)
    assert status == 200
    assert reply == [default_knowledge().unavailable("s5", language=language)] == [apology("s5", language)]
    assert default_knowledge().clinic.phone in reply[0]["text"]


def test_without_a_language_the_apology_is_knowledges_default():
    _, _, reply = post({"sender": "s6", "message": "hi"}, answer=False)
    assert reply == [default_knowledge().unavailable("s6")] == [apology("s6")]


def test_the_proxys_apology_is_in_every_language_since_it_cannot_know_the_conversations():
    messages = json.loads(apology_json())
    assert messages == [default_knowledge().unavailable("", language) for language in LANGUAGES]
    assert [m["custom"]["language"] for m in messages] == list(LANGUAGES)  # each in its own, English first
