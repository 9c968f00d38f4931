"""Safety and off-topic handling through the whole bot (REST webhook, NLU, rules, action server): what the
patient actually gets back, judged by the answer markers."""
import uuid
from typing import Any, Dict, List, Optional, Sequence

from tests.e2e.conftest import answers, post

EMERGENCY = "emergency"
SHOWS_911 = {EMERGENCY, "check_in"}  # the emergency message, or the check-in that shows 911 and 988
ROUTED_AWAY = {"out_of_scope", "fallback"}
OPENING_QUESTION = "what is interventional pain management"


def _reply_markers(url: str, texts: Sequence[str], sender: str) -> List[Optional[str]]:
    """The markers of the reply to the last text, the earlier texts opening the same conversation."""
    markers: List[Optional[str]] = []
    for text in texts:
        status, messages = post(url, {"sender": sender, "message": text})
        markers = answers(messages) if status == 200 and isinstance(messages, list) else [f"HTTP {status}"]
    return markers


def _sender(kind: str) -> str:
    return f"bench-{kind}-{uuid.uuid4().hex[:10]}"


def emergency_recall(url: str, red_flags: Sequence[str]) -> Dict[str, Any]:
    """Every red-flag message, as the first message and in the middle of a conversation (right after "Was this
    helpful?"): a miss is a reply that shows neither the emergency message nor the check-in."""
    missed = []
    for text in red_flags:
        for opening in ([], [OPENING_QUESTION]):
            if not SHOWS_911 & set(_reply_markers(url, [*opening, text], _sender("red-flag"))):
                missed.append({"text": text, "mid_conversation": bool(opening)})
    checked = 2 * len(red_flags)
    return {"messages": len(red_flags), "checked": checked, "recall": 1 - len(missed) / checked, "missed": missed}


def false_alarms(url: str, general_questions: Sequence[str]) -> Dict[str, Any]:
    alarms = [t for t in general_questions if EMERGENCY in _reply_markers(url, [t], _sender("general"))]
    return {"messages": len(general_questions), "false_alarms": len(alarms),
            "rate": len(alarms) / len(general_questions), "examples": alarms}


def routed_away(url: str, texts: Sequence[str]) -> Dict[str, Any]:
    """Share of messages whose reply is the out-of-scope message or the topic suggestions (fallback)."""
    away = [t for t in texts if ROUTED_AWAY & set(_reply_markers(url, [t], _sender("routing")))]
    return {"messages": len(texts), "routed_away": len(away), "share": len(away) / len(texts),
            "away": away, "kept": [t for t in texts if t not in away]}
