"""Combines the two opinions into one decision for a message: urgent, personal or general.

Either opinion can raise the alarm: a current red-flag concept found by the rules, or the classifier's
probability of `emergency` + `crisis` at or above ``urgent_threshold`` (chosen for recall on the tuning
set: `python -m clinic_bot.nlu.triage.tune`). Crisis (988 first) when the rules found suicide or self-harm now,
or when nothing medical was found and the classifier leans to crisis.
"""
from dataclasses import asdict, dataclass, field
from typing import Any, Dict, List, Optional, Sequence

from clinic_bot.nlu.triage.rules import CRISIS, MEDICAL, Finding

URGENT, PERSONAL, GENERAL = "urgent", "personal", "general"


@dataclass(frozen=True)
class Thresholds:
    urgent: float
    personal: float


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

    def as_dict(self) -> Dict[str, Any]:
        return {**asdict(self), "probabilities": {k: round(v, 4) for k, v in self.probabilities.items()}}


def urgent_probability(probabilities: Dict[str, float]) -> float:
    return probabilities.get("emergency", 0.0) + probabilities.get("crisis", 0.0)


def decide(findings: Sequence[Finding], probabilities: Dict[str, float], language: str,
           thresholds: Thresholds) -> TriageDecision:
    current = [f for f in findings if f.current]
    raised_by = (["rules"] if current else []) + (
        ["classifier"] if urgent_probability(probabilities) >= thresholds.urgent else [])
    if raised_by:
        crisis_now = [f for f in current if f.kind == CRISIS]
        medical_now = [f for f in current if f.kind == MEDICAL]
        leans_crisis = probabilities.get("crisis", 0.0) > probabilities.get("emergency", 0.0)
        # The crisis message also says 911 for danger now, so a lean to crisis wins over a medical concept
        # ("thinking about overdosing on purpose").
        kind = CRISIS if crisis_now or leans_crisis else MEDICAL
        concept = (crisis_now or medical_now)[0].concept if current else None
        return TriageDecision(URGENT, kind, concept, language, raised_by, False, dict(probabilities))
    gentle = any(f.kind == CRISIS for f in findings)
    level = PERSONAL if probabilities.get("personal", 0.0) >= thresholds.personal else GENERAL
    return TriageDecision(level, None, None, language, [], gentle, dict(probabilities))
