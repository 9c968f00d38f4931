"""Combines the two opinions into one decision for a message: urgent, personal or general, and for an urgent
message its disposition, as nurse telephone triage does it: strong evidence gets the emergency message at
once, weak evidence a check-in that shows 911 and 988 and asks whether this is happening now.

- **emergency**: a current red-flag concept found by the rules that the classifier does not rule out
  (P(emergency) + P(crisis) >= ``rules_confirmed``), or the classifier alone at ``emergency`` or above on a
  message that is not a reply to the assistant's own question;
- **check-in**: the classifier alone between ``urgent`` and ``emergency`` (or at ``emergency`` on a reply to the
  assistant's question), or a red-flag concept the classifier finds unlikely ("can sciatica cause leg
  weakness? mine is just pain");
- a red-flag concept that the classifier all but rules out (below ``rules_dismissed``: "the nurse asked me about
  numbness in the groin, why do you ask that") is read as the classifier reads it: no urgent case among the
  2,602 urgent messages of the training and tuning sets that the rules caught fell below it;
- nothing urgent: everything else, and always a short conversational reply ("no", "no thanks", "not sure")
  that the rules find nothing in, whatever the classifier says; after the assistant asked something (its
  buttons), a short answer is read as that answer and only the rules may raise the alarm on it. Any other
  message of a few words that the rules find nothing in gets at most a check-in ("im done", "tired of waking
  up"): a few words are weak evidence, however sure the classifier is.

Thresholds are chosen on the tuning set (`make triage-tune`). Crisis (988 first) when the rules found suicide or
self-harm now, or when the classifier leans to crisis.
"""
from dataclasses import asdict, dataclass, field
from typing import Any, Dict, List, Optional, Sequence

from clinic_bot.intents import CHECK_IN
from clinic_bot.nlu.triage.rules import CRISIS, MEDICAL, Finding

URGENT, PERSONAL, GENERAL = "urgent", "personal", "general"
EMERGENCY = "emergency"  # the strong-evidence disposition of an urgent decision; the weak one is CHECK_IN


@dataclass(frozen=True)
class Thresholds:
    urgent: float  # P(urgent) from which the classifier alone asks "is this happening now?"
    personal: float
    emergency: float = 1.01  # P(urgent) from which the classifier alone gives the emergency message
    rules_confirmed: float = 0.0  # a rule alarm whose P(urgent) is below this is a check-in
    rules_dismissed: float = 0.0  # ... and below this, no alarm at all: the classifier rules it out


@dataclass(frozen=True)
class Framing:
    """How the conversation frames the message (clinic_bot/nlu/triage/conversation.py)."""
    short: bool = False  # a few words only: too little for the classifier alone to be strong evidence
    short_reply: bool = False  # a short message that reads as a conversational reply: "no", "not sure", "gracias"
    answers_question: bool = False  # the assistant's last message asked the patient something (buttons)


@dataclass(frozen=True)
class TriageDecision:
    level: str  # urgent | personal | general
    kind: Optional[str]  # for urgent: medical (911 / ER) or crisis (988)
    concept: Optional[str]  # the red-flag concept the rules found, if any
    language: str  # en | es: the language of the urgent message
    raised_by: List[str] = field(default_factory=list)  # rules and/or classifier
    # Suicide or self-harm mentioned, but not now (history, a general question): answer, plus a gentle 988 line.
    gentle_crisis_line: bool = False
    probabilities: Dict[str, float] = field(default_factory=dict)
    disposition: Optional[str] = None  # for urgent: emergency | check_in
    calm_level: str = GENERAL  # the level without the alarm (personal | general): what a check-in's "no" leads to

    def as_dict(self) -> Dict[str, Any]:
        """The record the parse carries; ``p_urgent`` is the classifier's P(emergency) + P(crisis), for the
        check-in's marker and the staff's review."""
        return {**asdict(self), "probabilities": {k: round(v, 4) for k, v in self.probabilities.items()},
                "p_urgent": round(urgent_probability(self.probabilities), 4)}

    @property
    def emergency(self) -> bool:
        return self.level == URGENT and self.disposition == EMERGENCY


def urgent_probability(probabilities: Dict[str, float]) -> float:
    return probabilities.get("emergency", 0.0) + probabilities.get("crisis", 0.0)


def _disposition(current: bool, p_urgent: float, thresholds: Thresholds, framing: Framing) -> Optional[str]:
    if current and p_urgent >= thresholds.rules_dismissed:
        return EMERGENCY if p_urgent >= thresholds.rules_confirmed else CHECK_IN
    if p_urgent < thresholds.urgent:
        return None
    if framing.short_reply:  # "no", "not sure": never urgent, unless it is no reply and the classifier is sure
        return CHECK_IN if p_urgent >= thresholds.emergency and not framing.answers_question else None
    if framing.short:  # "im done", "tired of waking up": a few words are weak evidence, however sure the classifier
        return CHECK_IN
    if p_urgent >= thresholds.emergency and not framing.answers_question:
        return EMERGENCY
    return CHECK_IN


def decide(findings: Sequence[Finding], probabilities: Dict[str, float], language: str,
           thresholds: Thresholds, framing: Framing = Framing()) -> TriageDecision:
    current = [f for f in findings if f.current]
    p_urgent = urgent_probability(probabilities)
    calm = PERSONAL if probabilities.get("personal", 0.0) >= thresholds.personal else GENERAL
    disposition = _disposition(bool(current), p_urgent, thresholds, framing)
    if disposition is not None:
        raised_by = (["rules"] if current else []) + (["classifier"] if p_urgent >= thresholds.urgent else [])
        crisis_now = [f for f in current if f.kind == CRISIS]
        medical_now = [f for f in current if f.kind == MEDICAL]
        leans_crisis = probabilities.get("crisis", 0.0) > probabilities.get("emergency", 0.0)
        # The crisis message also says 911 for danger now, so a lean to crisis wins over a medical concept
        # ("thinking about overdosing on purpose").
        kind = CRISIS if crisis_now or leans_crisis else MEDICAL
        concept = (crisis_now or medical_now)[0].concept if current else None
        return TriageDecision(URGENT, kind, concept, language, raised_by, False, dict(probabilities),
                              disposition, calm)
    gentle = any(f.kind == CRISIS for f in findings)
    return TriageDecision(calm, None, None, language, [], gentle, dict(probabilities), None, calm)
