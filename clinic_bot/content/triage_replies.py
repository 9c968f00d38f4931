"""Which message the patient gets from a triage decision: the urgent message's variant (crisis or medical), the
check-in, the gentle 988 line, and whether a personal question also gets the general answer. Texts live in
knowledge/messages.yml, each with its Spanish beside it; this module only picks keys, by kind, and passes the
patient's language to the knowledge, which shows a safety message in Spanish whenever its Spanish exists
(clinic_bot/content/translations.py). The decision arrives as the ``triage`` entry of the parsed message
(``TriageDecision.as_dict`` plus ``general_intent``).
"""
from typing import Any, Dict, List, Mapping, Optional, Tuple

from clinic_bot.content.knowledge import Knowledge, Reply
from clinic_bot.intents import CHECK_IN, CHECK_IN_NO
from clinic_bot.languages import reply_language

EMERGENCY_ANSWER = "emergency"  # every urgent variant keeps this marker
URGENT_MESSAGE_KEYS = {"medical": "emergency", "crisis": "emergency_crisis"}
GENTLE_CRISIS_KEY = "crisis_line_gentle"
CHECK_IN_KEY = "check_in"
# The buttons' titles, which are also what they send: the triage reads the reply to the check-in, pressed or typed.
CHECK_IN_BUTTON_KEYS = ("check_in_yes", "check_in_no")
GENERAL_NOT_YOUR_CASE = "general_not_your_case"
# The safety messages: translations.SAFETY_MESSAGES (always shown in Spanish to a Spanish-speaking patient) is these.
SAFETY_MESSAGE_KEYS = (*URGENT_MESSAGE_KEYS.values(), CHECK_IN_KEY, *CHECK_IN_BUTTON_KEYS, GENTLE_CRISIS_KEY)
MESSAGE_KEYS = (*SAFETY_MESSAGE_KEYS, GENERAL_NOT_YOUR_CASE)
# A personal message gets the general answer after the refusal only when the intent classifier is this sure
# of the general topic ("I have arthritis in my knees, what procedures do you offer?").
GENERAL_ANSWER_MIN_CONFIDENCE = 0.6


def _triage(parse: Mapping[str, Any]) -> Dict[str, Any]:
    triage = parse.get("triage")
    return triage if isinstance(triage, dict) else {}


def _language(triage: Mapping[str, Any], language: Optional[str]) -> str:
    """The patient's language: the caller's when it gives one, else the triage record's (English without one)."""
    return reply_language(language if language is not None else triage.get("language"))


def urgent_reply(knowledge: Knowledge, parse: Mapping[str, Any], language: Optional[str] = None) -> Reply:
    """The urgent message in the patient's ``language`` (default: the triage record's), 988 first for a crisis. A
    message forced to `emergency` without a triage record (a button, an old model) gets the medical message."""
    triage = _triage(parse)
    kind = "crisis" if triage.get("kind") == "crisis" else "medical"
    reply = knowledge.message(URGENT_MESSAGE_KEYS[kind], language=_language(triage, language))
    return Reply(reply.text, {"answer": EMERGENCY_ANSWER, "variant": kind, **_language_marker(reply),
                              "concept": triage.get("concept")})


def _language_marker(reply: Reply) -> Dict[str, Any]:
    """What the marker of ``reply`` says of its language (translations.Choice.marker)."""
    return {key: value for key, value in reply.marker.items() if key != "answer"}


def is_check_in(parse: Mapping[str, Any]) -> bool:
    """The triage's weak-evidence disposition: ask "is this happening now?" instead of the urgent message."""
    return _triage(parse).get("disposition") == CHECK_IN


def check_in_reply(knowledge: Knowledge, parse: Mapping[str, Any],
                   language: Optional[str] = None) -> Tuple[Reply, List[Dict[str, str]]]:
    """The check-in in the patient's ``language`` (default: the triage record's), with its yes and no buttons. Its
    marker keeps what a "yes" leads to (the urgent message's kind, and the language it is shown in) and what a "no"
    leads to (the intent the message had without the alarm), for the triage to read the reply, and what raised it,
    for the staff."""
    triage = _triage(parse)
    wanted = _language(triage, language)
    reply = knowledge.message(CHECK_IN_KEY, language=wanted)
    marker = {"answer": CHECK_IN, "variant": "crisis" if triage.get("kind") == "crisis" else "medical",
              **_language_marker(reply), "concept": triage.get("concept"),
              "raised_by": list(triage.get("raised_by") or []), "p_urgent": triage.get("p_urgent"),
              "otherwise": triage.get("otherwise")}
    titles = [knowledge.label(key, wanted) for key in CHECK_IN_BUTTON_KEYS]
    return Reply(reply.text, marker), [{"title": title, "payload": title} for title in titles]


def gentle_crisis_reply(knowledge: Knowledge, parse: Mapping[str, Any],
                        language: Optional[str] = None) -> Optional[Reply]:
    """The gentle 988 line when the triage asks for it, in the patient's ``language`` (default: the triage
    record's)."""
    triage = _triage(parse)
    if not triage.get("gentle_crisis_line"):
        return None
    return knowledge.message(GENTLE_CRISIS_KEY, language=_language(triage, language))


def answers_check_in(parse: Mapping[str, Any]) -> bool:
    """A reply to the check-in ("is this happening now?"): its intent was carried over from the message before (the
    emergency on a yes, that message's own topic on a no), so its own ranking says nothing about its topic."""
    triage = _triage(parse)
    return triage.get("raised_by") == [CHECK_IN] or triage.get("check_in_answer") == CHECK_IN_NO


def general_intent_for_personal(knowledge: Knowledge, parse: Mapping[str, Any]) -> Optional[str]:
    """The FAQ topic a personal message also asks about in general terms, when there is a confident one."""
    general = _triage(parse).get("general_intent") or {}
    intent = general.get("name")
    confident = float(general.get("confidence") or 0.0) >= GENERAL_ANSWER_MIN_CONFIDENCE
    if intent and knowledge.has_topic(str(intent)) and confident:
        return str(intent)
    return None
