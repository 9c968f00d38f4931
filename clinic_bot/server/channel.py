"""The public chat endpoint: POST /webhooks/rest/webhook, Rasa's REST channel made safe for a clinic's site.

Differences from Rasa's RestInput:
- each bot message comes back as ONE JSON object: text, buttons and the answer marker (`custom`) together
  (Rasa's collector splits them, and splits text at blank lines);
- input is checked before any NLU runs (size, content type, JSON, types, valid Unicode), with a JSON error that
  says what was wrong; control characters are dropped from the message; the client's `metadata` is not kept;
- the optional `"language"` ("en" or "es": the language the patient chose in the widget) goes to Rasa as the
  message's only metadata, {"language": ...}; the apology below is in that language;
- Rasa's slash syntax ("/intent{...}", which skips the NLU and the triage) is honoured only for the assistant's
  own buttons; any other message starting with "/" is read as text (server/slash_payloads.py);
- each sender and each client address may send a limited number of messages a minute (429 + Retry-After),
  counted in Redis when the lock store is Redis (several Rasa servers: the scaled profile);
- every response carries Cache-Control: no-store and X-Content-Type-Options: nosniff;
- when the bot did not answer the message (action server down, failing or too slow) or the conversation store
  failed for it (server/tracker_store.py: the store reports it for this message), the patient gets the apology
  (`unavailable` in knowledge/messages.yml) with the clinic's phone number, never an empty list nor an answer
  given without the conversation's context; the log says which, without the message;
- once the model has loaded, one message warms the NLU up (server/warm_up.py);
- POST /webhooks/rest/model/reload loads the model file again without a restart, for the staff console, from
  this machine only and with its token (server/model_reload.py).

The Rasa server reads the patient-facing knowledge (clinic_bot/content/knowledge.py, the actions' source too) for
two things: which topics the widget's buttons may name (answers.yml, practical_answers.yml) and the apology (one
message of messages.yml, filled with the clinic's phone and hours from clinic.yml). One reader for both keeps one
source of truth for every text a patient sees; it loads at the first slash message or apology, not at start, and
an edit reaches the server without a restart.
"""
import json
import logging
import os
import unicodedata
from contextlib import nullcontext
from typing import Any, Awaitable, Callable, ContextManager, Dict, List, Optional, Set, Text, Tuple, Union

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.core.lock_store import RedisLockStore
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from clinic_bot.content.knowledge import default_knowledge
from clinic_bot.languages import LANGUAGES
from clinic_bot.paths import TRUSTED_PROXIES_ENV
from clinic_bot.server.model_reload import add_reload_route
from clinic_bot.server.rate_limit import (
    ADDRESS_LIMIT,
    DEFAULT_MESSAGES_PER_MINUTE,
    SENDER_LIMIT,
    TRUSTED_PROXIES,
    MessageRateLimits,
    RedisMessageRateLimits,
    client_address,
    parse_networks,
)
from clinic_bot.server.slash_payloads import (
    as_patient_text,
    greeting_in,
    is_topic_button,
    offered_payloads,
    uses_slash_syntax,
)
from clinic_bot.server.tracker_store import TurnOutcome, events_store_of
from clinic_bot.server.warm_up import warm_up

logger = logging.getLogger(__name__)

DEFAULT_MAX_MESSAGE_CHARS = 1000
MAX_SENDER_CHARS = 128
# JSON may spend up to 12 bytes on one character (an escaped emoji: \ud83d\ude00); a longer body cannot hold
# an acceptable message, so it is refused before it is parsed.
_MAX_BYTES_PER_CHAR = 12
_KEPT_CONTROL_CHARS = "\n\t"
LANGUAGE_CHOICES = " or ".join(json.dumps(language) for language in LANGUAGES)  # '"en" or "es"'
SECURITY_HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
# What action_session_start sends (actions/session_start.py) when a message opens a new session: it comes before
# the message is read, so it answers nothing.
SESSION_OPENING_MARKERS = frozenset({"disclaimer"})


def trusted_proxies_from_env() -> List[Text]:
    return [entry.strip() for entry in os.environ.get(TRUSTED_PROXIES_ENV, "").split(",") if entry.strip()]


class ClinicOutputChannel(CollectingOutputChannel):
    """Collects each bot message whole: {"recipient_id", "text", "buttons"?, "custom"?, "image"?}."""

    @classmethod
    def name(cls) -> Text:
        return "rest"

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        out: Dict[Text, Any] = {"recipient_id": recipient_id}
        for key in ("text", "buttons", "custom", "image", "attachment"):
            if message.get(key):
                out[key] = message[key]
        if len(out) > 1:
            await self._persist_message(out)


def answered(messages: List[Dict[Text, Any]]) -> bool:
    """Whether the bot replied to the patient's message: it sent something besides the session's opening. Rasa
    leaves no trace of a failed action in the conversation (it logs the action as run and drops its events), so
    what was sent is the one sign."""
    return any((m.get("custom") or {}).get("answer") not in SESSION_OPENING_MARKERS for m in messages)


def apology(sender: Text, language: Optional[Text] = None) -> Dict[Text, Any]:
    """The message sent instead when the bot could not answer: `unavailable`, with the clinic's phone, in the
    language the patient chose (Knowledge's own default, English, when the request named none)."""
    if language is None:
        return default_knowledge().unavailable(sender)
    return default_knowledge().unavailable(sender, language=language)


def _error(status: int, error: str, headers: Optional[Dict[str, str]] = None) -> HTTPResponse:
    return response.json({"error": error}, status=status, headers=headers)


def without_control_characters(text: Text) -> Text:
    """Drops C0/C1 control characters (keeps newline and tab; keeps format marks such as RTL marks)."""
    return "".join(ch for ch in text if ch in _KEPT_CONTROL_CHARS or unicodedata.category(ch) != "Cc")


def has_lone_surrogate(text: Text) -> bool:
    """JSON's \\ud800 escapes decode to half a character, which no store, log or reply can encode."""
    return any("\ud800" <= ch <= "\udfff" for ch in text)


def _is_json(content_type: Text) -> bool:
    return content_type.split(";")[0].strip().lower() == "application/json"


class ClinicRestInput(InputChannel):
    def __init__(self, max_message_chars: int = DEFAULT_MAX_MESSAGE_CHARS,
                 sender_messages_per_minute: int = DEFAULT_MESSAGES_PER_MINUTE,
                 address_messages_per_minute: int = DEFAULT_MESSAGES_PER_MINUTE,
                 trusted_proxies: Optional[List[Text]] = None) -> None:
        self.max_message_chars = int(max_message_chars)
        self.per_minute = (int(sender_messages_per_minute), int(address_messages_per_minute))
        self.rate_limits: Union[MessageRateLimits, RedisMessageRateLimits] = MessageRateLimits(*self.per_minute)
        self._limits_follow_lock_store = True  # decided once, at the first message (the agent exists by then)
        self.trusted_proxies = parse_networks(list(trusted_proxies or []) + trusted_proxies_from_env())

    @classmethod
    def name(cls) -> Text:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        credentials = credentials or {}
        return cls(
            max_message_chars=credentials.get("max_message_chars", DEFAULT_MAX_MESSAGE_CHARS),
            sender_messages_per_minute=credentials.get(SENDER_LIMIT, DEFAULT_MESSAGES_PER_MINUTE),
            address_messages_per_minute=credentials.get(ADDRESS_LIMIT, DEFAULT_MESSAGES_PER_MINUTE),
            trusted_proxies=credentials.get(TRUSTED_PROXIES),
        )

    def parse_request(self, request: Request) -> Tuple[Optional[Dict[Text, Any]], Optional[HTTPResponse]]:
        """The validated body, or the error response to send instead."""
        too_long = f"message too long: at most {self.max_message_chars} characters"
        # Checked on the raw body, before JSON parsing: a huge message must cost nothing.
        raw = request.body or b""
        if len(raw) > (self.max_message_chars + MAX_SENDER_CHARS) * _MAX_BYTES_PER_CHAR + 1024:
            return None, _error(413, too_long)
        if not _is_json(request.content_type):
            return None, _error(415, "Content-Type must be application/json")
        if not raw.strip():
            return None, _error(400, 'empty body: send {"sender": "...", "message": "..."}')
        try:
            body = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            return None, _error(400, 'body must be JSON: {"sender": "...", "message": "..."}')
        except RecursionError:
            return None, _error(400, "body is nested too deeply: send {\"sender\": \"...\", \"message\": \"...\"}")
        if not isinstance(body, dict):
            return None, _error(400, 'body must be a JSON object: {"sender": "...", "message": "..."}')
        message, sender = body.get("message"), body.get("sender")
        if "message" not in body:
            return None, _error(400, '"message" is missing: send {"sender": "...", "message": "..."}')
        if not isinstance(message, str):
            return None, _error(400, '"message" must be a string')
        if len(message) > self.max_message_chars:
            return None, _error(413, too_long)
        if has_lone_surrogate(message):
            return None, _error(400, '"message" must be valid Unicode text (it holds half of a character)')
        message = without_control_characters(message)
        if not message.strip():
            return None, _error(400, '"message" must not be empty')
        # A missing sender would put every such patient into one shared conversation ("default").
        if not isinstance(sender, str) or not sender.strip() or len(sender) > MAX_SENDER_CHARS:
            return None, _error(400, f'"sender" must be a string of 1 to {MAX_SENDER_CHARS} characters')
        if has_lone_surrogate(sender):
            return None, _error(400, '"sender" must be valid Unicode text (it holds half of a character)')
        kept = {"message": message, "sender": sender}
        if "language" in body:  # optional; null or "" is a wrong value, not a missing one
            language = body["language"]
            if not isinstance(language, str) or language not in LANGUAGES:
                return None, _error(400, f'"language" must be {LANGUAGE_CHOICES}, or left out')
            kept["language"] = language
        # `metadata` is dropped: nothing the widget sends needs it, and Rasa would store it verbatim.
        return kept, None

    async def read_slash_syntax(self, request: Request, message: Text, sender: Text) -> Text:
        """The message as the assistant should read it: a button's payload as sent, any other "/..." as text."""
        if not uses_slash_syntax(message):
            return message
        payload = message.strip()
        # The widget's topic buttons first: they need no look at the conversation.
        if is_topic_button(payload, default_knowledge().has_topic) or payload in await self._offered(request, sender):
            return payload
        return as_patient_text(message)

    @staticmethod
    async def _offered(request: Request, sender: Text) -> Set[Text]:
        """The slash payloads of the buttons the assistant sent this conversation (none when it cannot tell)."""
        store = getattr(getattr(request.app.ctx, "agent", None), "tracker_store", None)
        if store is None:
            return set()
        try:
            tracker = await store.retrieve(sender)
        except Exception:  # the message is then read as text, which is always safe
            logger.exception("Reading the offered buttons of sender %s failed", sender)
            return set()
        return offered_payloads(tracker.events) if tracker is not None else set()

    @staticmethod
    def _watch_store(request: Request, sender: Text) -> ContextManager[TurnOutcome]:
        """The store's outcome for this sender while one message is handled; nothing to watch when endpoints.yml
        names another store (the benchmark's stock Rasa)."""
        store = events_store_of(getattr(request.app.ctx, "agent", None))
        return store.watching(sender) if store is not None else nullcontext(TurnOutcome())

    def _limits_for(self, request: Request) -> Union[MessageRateLimits, RedisMessageRateLimits]:
        """The counts go where the lock store is: with a RedisLockStore (several Rasa servers) into its Redis."""
        if self._limits_follow_lock_store:
            self._limits_follow_lock_store = False
            agent = getattr(request.app.ctx, "agent", None)
            lock_store = getattr(agent, "lock_store", None)
            if isinstance(lock_store, RedisLockStore):
                self.rate_limits = RedisMessageRateLimits(lock_store.red, *self.per_minute)
                logger.info("Rate limits are counted in the lock store's Redis")
        return self.rate_limits

    def throttle(self, request: Request, sender: Text) -> Optional[HTTPResponse]:
        """A 429 when this sender or this client address has used up its messages for the minute."""
        address = client_address(request.ip, ",".join(request.headers.getall("x-forwarded-for", [])),
                                 self.trusted_proxies)
        wait_s = self._limits_for(request).retry_after_s(sender, address)
        if not wait_s:
            return None
        logger.info("Rate limit reached for sender %s or address %s; asked to retry in %d s", sender, address, wait_s)
        return _error(429, f"too many messages: please wait {wait_s} s", headers={"Retry-After": str(wait_s)})

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("clinic_rest_webhook", __name__)
        webhook.after_server_start(warm_up)
        add_reload_route(webhook)

        @webhook.middleware("response")
        async def add_security_headers(_: Request, reply: HTTPResponse) -> None:
            reply.headers.update(SECURITY_HEADERS)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            body, error = self.parse_request(request)
            if error is not None:
                return error
            assert body is not None  # parse_request returns a body whenever it returns no error
            error = self.throttle(request, body["sender"])
            if error is not None:
                return error
            sender, language = body["sender"], body.get("language")
            # The patient's chosen language is the message's only metadata (none without it): Rasa keeps it with the
            # message, and the NLU and the actions find it in the message's metadata.
            metadata = {"language": language} if language is not None else None
            collector = ClinicOutputChannel()
            with self._watch_store(request, sender) as outcome:
                message = greeting_in(await self.read_slash_syntax(request, body["message"], sender), language)
                if not message:
                    return _error(400, '"message" must not be empty')
                try:
                    await on_new_message(UserMessage(message, collector, sender, input_channel=self.name(),
                                                     metadata=metadata))
                except Exception:  # the patient must still get an answer; details go to the log only
                    logger.exception("Handling a message failed")
            messages: List[Dict[Text, Any]] = collector.messages
            if outcome.store_failed:
                logger.error("The conversation store failed for sender %s; sent the apology", sender)
                messages = [apology(sender, language)]
            elif not answered(messages):
                logger.error("The bot produced no reply for sender %s (action server down, failing or too slow?); "
                             "sent the apology", sender)
                messages = [apology(sender, language)]
            return response.json(messages)

        return webhook
