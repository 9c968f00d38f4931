"""Which message the patient gets from a triage decision: the urgent message's variant (crisis or medical,
English or Spanish), the gentle 988 line, and whether a personal question also gets the general answer.
Texts live in knowledge/messages.yml; this module only picks keys. The decision arrives as the ``triage``
entry of the parsed message (``TriageDecision.as_dict`` plus ``general_intent``).
"""
from typing import Any, Dict, List, Mapping, Optional, Tuple

from clinic_bot.content.knowledge import Knowledge, Reply
from clinic_bot.intents import CHECK_IN

EMERGENCY_ANSWER = "emergency"  # every urgent variant keeps this marker
URGENT_MESSAGE_KEYS = {
    ("medical", "en"): "emergency",
    ("crisis", "en"): "emergency_crisis",
    ("medical", "es"): "emergency_es",
    ("crisis", "es"): "emergency_crisis_es",
}
GENTLE_CRISIS_KEYS = {"en": "crisis_line_gentle", "es": "crisis_line_gentle_es"}
CHECK_IN_KEYS = {"en": "check_in", "es": "check_in_es"}
# The buttons' titles, which are also what they send: the triage reads the reply to the check-in, pressed or typed.
CHECK_IN_BUTTON_KEYS = {"en": ("check_in_yes", "check_in_no"), "es": ("check_in_yes_es", "check_in_no_es")}
GENERAL_NOT_YOUR_CASE = "general_not_your_case"
MESSAGE_KEYS = (*URGENT_MESSAGE_KEYS.values(), *GENTLE_CRISIS_KEYS.values(), *CHECK_IN_KEYS.values(),
                *(key for pair in CHECK_IN_BUTTON_KEYS.values() for key in pair), GENERAL_NOT_YOUR_CASE)
# A personal message gets the general answer after the refusal only when the intent classifier is this sure
# of the general topic ("I have arthritis in my knees, what procedures do you offer?").
GENERAL_ANSWER_MIN_CONFIDENCE = 0.6


def _triage(parse: Mapping[str, Any]) -> Dict[str, Any]:
    triage = parse.get("triage")
    return triage if isinstance(triage, dict) else {}


def _language(triage: Mapping[str, Any]) -> str:
    return "es" if triage.get("language") == "es" else "en"


def urgent_reply(knowledge: Knowledge, parse: Mapping[str, Any]) -> Reply:
    """The urgent message in the patient's language, 988 first for a crisis. A message forced to
    `emergency` without a triage record (a button, an old model) gets the English medical message."""
    triage = _triage(parse)
    kind = "crisis" if triage.get("kind") == "crisis" else "medical"
    language = _language(triage)
    reply = knowledge.message(URGENT_MESSAGE_KEYS[(kind, language)])
    return Reply(reply.text, {"answer": EMERGENCY_ANSWER, "variant": kind, "language": language,
                              "concept": triage.get("concept")})


def is_check_in(parse: Mapping[str, Any]) -> bool:
    """The triage's weak-evidence disposition: ask "is this happening now?" instead of the urgent message."""
    return _triage(parse).get("disposition") == CHECK_IN


def check_in_reply(knowledge: Knowledge, parse: Mapping[str, Any]) -> Tuple[Reply, List[Dict[str, str]]]:
    """The check-in in the patient's language, with its yes and no buttons. Its marker keeps what a "yes" leads
    to (the urgent message's kind and language) and what a "no" leads to (the intent the message had without the
    alarm), for the triage to read the reply, and what raised it, for the staff."""
    triage = _triage(parse)
    language = _language(triage)
    reply = knowledge.message(CHECK_IN_KEYS[language])
    marker = {"answer": CHECK_IN, "variant": "crisis" if triage.get("kind") == "crisis" else "medical",
              "language": language, "concept": triage.get("concept"), "raised_by": list(triage.get("raised_by") or []),
              "p_urgent": triage.get("p_urgent"), "otherwise": triage.get("otherwise")}
    titles = [knowledge.message(key).text for key in CHECK_IN_BUTTON_KEYS[language]]
    return Reply(reply.text, marker), [{"title": title, "payload": title} for title in titles]


def gentle_crisis_reply(knowledge: Knowledge, parse: Mapping[str, Any]) -> Optional[Reply]:
    triage = _triage(parse)
    if not triage.get("gentle_crisis_line"):
        return None
    return knowledge.message(GENTLE_CRISIS_KEYS[_language(triage)])


def general_intent_for_personal(knowledge: Knowledge, parse: Mapping[str, Any]) -> Optional[str]:
    """The FAQ topic a personal message also asks about in general terms, when there is a confident one."""
    general = _triage(parse).get("general_intent") or {}
    intent = general.get("name")
    confident = float(general.get("confidence") or 0.0) >= GENERAL_ANSWER_MIN_CONFIDENCE
    if intent and knowledge.has_topic(str(intent)) and confident:
        return str(intent)
    return None
