"""The public chat endpoint: POST /webhooks/rest/webhook, Rasa's REST channel made safe for a clinic's site.

Differences from Rasa's RestInput:
- each bot message comes back as ONE JSON object: text, buttons and the answer marker (`custom`) together
  (Rasa's collector splits them, and splits text at blank lines);
- input is checked before any NLU runs (size, JSON, types), with a JSON error that says what was wrong;
- when the bot produced nothing (action server down or failing), the patient gets a fixed apology
  with the clinic's phone number instead of an empty list.
"""
import json
import logging
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text, Tuple

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from clinic_bot.clinic_config import load_clinic_details

logger = logging.getLogger(__name__)

DEFAULT_MAX_MESSAGE_CHARS = 1000
MAX_SENDER_CHARS = 128
UNAVAILABLE_TEXT = (
    "Sorry, I can't answer right now because of a technical problem. "
    "Please call {clinic_name} at {phone} ({hours}), or try again in a few minutes. "
    "In an emergency call 911."
)


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


def _error(status: int, error: str) -> HTTPResponse:
    return response.json({"error": error}, status=status)


class ClinicRestInput(InputChannel):
    def __init__(self, max_message_chars: int = DEFAULT_MAX_MESSAGE_CHARS) -> None:
        self.max_message_chars = int(max_message_chars)

    @classmethod
    def name(cls) -> Text:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        credentials = credentials or {}
        return cls(max_message_chars=credentials.get("max_message_chars", DEFAULT_MAX_MESSAGE_CHARS))

    def parse_request(self, request: Request) -> Tuple[Optional[Dict[Text, Any]], Optional[HTTPResponse]]:
        """The validated body, or the error response to send instead."""
        # Checked on the raw body, before JSON parsing: a huge message must cost nothing.
        if len(request.body or b"") > self.max_message_chars * 4 + 1024:
            return None, _error(413, f"message too long: at most {self.max_message_chars} characters")
        try:
            body = json.loads(request.body or b"")
        except (ValueError, UnicodeDecodeError):
            return None, _error(400, 'body must be JSON: {"sender": "...", "message": "..."}')
        if not isinstance(body, dict):
            return None, _error(400, 'body must be a JSON object: {"sender": "...", "message": "..."}')
        message, sender = body.get("message"), body.get("sender", "default")
        if not isinstance(message, str) or not message.strip():
            return None, _error(400, '"message" must be a non-empty string')
        if len(message) > self.max_message_chars:
            return None, _error(413, f"message too long: at most {self.max_message_chars} characters")
        if not isinstance(sender, str) or not sender or len(sender) > MAX_SENDER_CHARS:
            return None, _error(400, f'"sender" must be a string of 1 to {MAX_SENDER_CHARS} characters')
        return {"message": message, "sender": sender, "metadata": body.get("metadata")}, None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("clinic_rest_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            body, error = self.parse_request(request)
            if error is not None:
                return error
            collector = ClinicOutputChannel()
            try:
                await on_new_message(
                    UserMessage(body["message"], collector, body["sender"], input_channel=self.name(),
                                metadata=body["metadata"] if isinstance(body["metadata"], dict) else None)
                )
            except Exception:  # the patient must still get an answer; details go to the log only
                logger.exception("Handling a message failed")
            messages: List[Dict[Text, Any]] = collector.messages
            if all((m.get("custom") or {}).get("answer") == "disclaimer" for m in messages):
                logger.error("The bot produced no reply (is the action server up?)")
                messages = [self.unavailable_message(body["sender"])]
            return response.json(messages)

        return webhook

    @staticmethod
    def unavailable_message(sender: Text) -> Dict[Text, Any]:
        clinic = load_clinic_details()
        return {
            "recipient_id": sender,
            "text": UNAVAILABLE_TEXT.format_map(clinic.placeholders()),
            "custom": {"answer": "unavailable"},
        }
