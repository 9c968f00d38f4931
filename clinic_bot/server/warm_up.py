"""Readies a freshly started Rasa server: one message through the NLU, then the freed heap handed back.

Registered by the channel as a Sanic `after_server_start` listener, which runs after Rasa's own
`before_server_start` listener has loaded the model (rasa/core/run.py): the first patient does not pay for
the first use of spaCy's and scikit-learn's code, and the ~80 MB of C heap that loading the model frees
does not stay resident (measured in `make bench`: memory per process).
"""
import ctypes
import gc
import logging
from typing import Any

logger = logging.getLogger(__name__)

WARM_UP_TEXT = "hello, is interventional pain management covered by insurance?"


def release_freed_memory() -> None:
    """Collects garbage and asks glibc (malloc_trim) to give free pages back to the system."""
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to do
        pass


async def warm_up(app: Any, _loop: Any) -> None:
    agent = getattr(app.ctx, "agent", None)
    if agent is not None and agent.is_ready():
        try:
            await agent.parse_message(WARM_UP_TEXT)  # NLU only: nothing is stored
        except Exception:  # a failed warm-up must not stop the server; the first message will show the error
            logger.exception("Warming up the NLU failed")
    release_freed_memory()
