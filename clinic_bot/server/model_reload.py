"""POST /webhooks/rest/model/reload: the Rasa server loads its model file again, without a restart.

The staff console (clinic_bot/staff/switch.py) installs a newly trained model onto the file the servers run
(paths.MODEL_FILE) and then asks each running server, one after the other, to load it:
- the request names no path: the server loads the file it was started with (agent.processor.model_path) and
  nothing else;
- the model loads in a worker thread while the old processor goes on answering patients; the swap is the one
  attribute assignment in Agent.load_model (`self.processor = MessageProcessor(...)`), and each message uses
  the processor that was current when it started. Conversations live in the store, not in the processor:
  none is lost;
- one reload at a time per server; afterwards one message warms the NLU up and the freed heap is handed back
  (server/warm_up.py);
- a model that fails to load changes nothing: the old one keeps answering, the reply is a 500 with the error.

Access: `Authorization: Bearer <token>`, the token being the content of paths.MODEL_RELOAD_TOKEN_FILE (read at
each request by clinic_bot/reload_token.py; the launchers create it), and only from the machine itself: a request
from a non-loopback address (clinic_bot/net.py), or one carrying X-Forwarded-For or Forwarded (it came through a
proxy, so from outside), is refused. The scaled profile's proxy also answers 404 for the path
(clinic_bot/launcher/proxy.py).
"""
import asyncio
import hmac
import logging
import time
from typing import Any, Mapping, Optional, Tuple

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from clinic_bot import paths
from clinic_bot.net import is_loopback
from clinic_bot.reload_token import read_token
from clinic_bot.server.warm_up import release_freed_memory, warm_up

logger = logging.getLogger(__name__)

CHANNEL_PREFIX = "/webhooks/rest"  # where Rasa mounts the channel's blueprint (its name: "rest")
ROUTE = paths.MODEL_RELOAD_PATH[len(CHANNEL_PREFIX):]  # "/model/reload", within the blueprint
assert paths.MODEL_RELOAD_PATH.startswith(CHANNEL_PREFIX + "/")
FORWARDING_HEADERS = ("x-forwarded-for", "forwarded")
NOT_SET_UP = "model reload is not set up"
__all__ = ["add_reload_route", "refusal", "reload_model"]


def refusal(ip: str, headers: Mapping[str, Any], token: Optional[str]) -> Optional[Tuple[int, str]]:
    """(status, error) when the request may not reload the model, None when it may. `headers` are the request's
    (case-insensitive, as Sanic's); `token` the one the reload is set up with (None: not set up)."""
    if any(headers.get(name) is not None for name in FORWARDING_HEADERS):
        return 403, "model reload is refused through a proxy"
    if not is_loopback(ip):
        return 403, "model reload is accepted from this machine only"
    if not token:
        return 403, NOT_SET_UP
    scheme, _, given = str(headers.get("authorization") or "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
        return 403, "model reload needs the reload token: Authorization: Bearer <token>"
    return None


_reload_lock: Optional[asyncio.Lock] = None  # created in the server's loop, at the first reload


async def reload_model(app: Any) -> HTTPResponse:
    """Loads the model file of app.ctx.agent again (in a thread), then warms up and frees memory (warm_up.py)."""
    global _reload_lock
    if _reload_lock is None:
        _reload_lock = asyncio.Lock()
    async with _reload_lock:
        agent: Any = getattr(app.ctx, "agent", None)
        processor = getattr(agent, "processor", None)
        if agent is None or processor is None:
            return response.json({"error": "no model is loaded"}, status=503)
        model_path, previous_id = processor.model_path, agent.model_id
        started = time.monotonic()
        logger.info("Reloading the model %s (running %s)", model_path, previous_id)
        try:
            await asyncio.get_running_loop().run_in_executor(None, agent.load_model, model_path)
        except Exception as error:  # whatever went wrong, the old processor is still in place
            logger.exception("Reloading the model %s failed; the model %s keeps answering", model_path, previous_id)
            release_freed_memory()
            return response.json({"error": f"loading {model_path} failed, the previous model keeps answering: "
                                           f"{type(error).__name__}: {error}"}, status=500)
        await warm_up(app, None)  # one message through the new NLU, then the old model's heap handed back
        seconds = time.monotonic() - started
        logger.info("Reloaded the model %s in %.1f s: now %s (was %s)", model_path, seconds, agent.model_id,
                    previous_id)
        return response.json({"model_id": agent.model_id, "previous_model_id": previous_id,
                              "seconds": round(seconds, 2)})


def add_reload_route(blueprint: Blueprint) -> None:
    """Adds POST <channel>/model/reload to the channel's blueprint."""

    @blueprint.route(ROUTE, methods=["POST"], strict_slashes=True)
    async def reload(request: Request) -> HTTPResponse:
        try:
            token = read_token()
        except OSError as unreadable:
            logger.error("Cannot read the model reload token %s: %s", paths.MODEL_RELOAD_TOKEN_FILE, unreadable)
            token = None
        refused = refusal(request.ip, request.headers, token)
        if refused is not None:
            status, reason = refused
            logger.warning("Refused a model reload from %s: %s", request.ip, reason)
            return response.json({"error": reason}, status=status)
        return await reload_model(request.app)
