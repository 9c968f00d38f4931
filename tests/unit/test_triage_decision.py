"""How the two opinions combine, and which message each decision gets (no model needed)."""
import pytest

from clinic_bot.content.triage_replies import (
    URGENT_MESSAGE_KEYS,
    general_intent_for_personal,
    gentle_crisis_reply,
    urgent_reply,
)
from clinic_bot.nlu.triage.decision import GENERAL, PERSONAL, URGENT, Thresholds, decide
from clinic_bot.nlu.triage.rules import Finding

THRESHOLDS = Thresholds(urgent=0.45, personal=0.3)
CALM = {"emergency": 0.05, "crisis": 0.05, "personal": 0.1, "general": 0.7, "off_topic": 0.1}


def finding(concept: str, kind: str = "medical", *modifiers: str) -> Finding:
    return Finding(concept, kind, concept, frozenset(modifiers))


def test_rules_alone_raise_the_alarm():
    decision = decide([finding("chest_pain")], CALM, "en", THRESHOLDS)
    assert (decision.level, decision.kind, decision.concept, decision.raised_by) == (
        URGENT, "medical", "chest_pain", ["rules"])


def test_the_classifier_alone_raises_the_alarm_and_picks_crisis():
    probabilities = {**CALM, "crisis": 0.4, "emergency": 0.1, "general": 0.35}
    decision = decide([], probabilities, "es", THRESHOLDS)
    assert (decision.level, decision.kind, decision.language, decision.raised_by) == (
        URGENT, "crisis", "es", ["classifier"])


def test_a_set_aside_mention_raises_nothing_and_suicide_history_gets_the_gentle_line():
    decision = decide([finding("suicide_self_harm", "crisis", "historical")], CALM, "en", THRESHOLDS)
    assert decision.level == GENERAL and decision.gentle_crisis_line


def test_personal_needs_the_personal_threshold():
    assert decide([], {**CALM, "personal": 0.31, "general": 0.49}, "en", THRESHOLDS).level == PERSONAL
    assert decide([], CALM, "en", THRESHOLDS).level == GENERAL


@pytest.mark.parametrize("kind,language", sorted(URGENT_MESSAGE_KEYS))
def test_every_urgent_variant_keeps_the_emergency_marker(knowledge, kind, language):
    reply = urgent_reply(knowledge, {"triage": {"kind": kind, "language": language, "concept": "x"}})
    assert reply.marker == {"answer": "emergency", "variant": kind, "language": language, "concept": "x"}
    assert "911" in reply.text and "988" in reply.text  # the numbers are the point of the message


def test_an_urgent_intent_without_a_triage_record_gets_the_english_medical_message(knowledge):
    assert urgent_reply(knowledge, {}).marker["variant"] == "medical"


def test_gentle_line_only_when_the_triage_asks_for_it(knowledge):
    assert gentle_crisis_reply(knowledge, {"triage": {"gentle_crisis_line": False}}) is None
    reply = gentle_crisis_reply(knowledge, {"triage": {"gentle_crisis_line": True, "language": "es"}})
    assert reply is not None and reply.marker == {"answer": "crisis_line_gentle_es"}


def test_a_personal_question_gets_the_general_answer_only_for_a_confident_faq_topic(knowledge):
    sure = {"triage": {"general_intent": {"name": "ask_procedures", "confidence": 0.9}}}
    unsure = {"triage": {"general_intent": {"name": "ask_procedures", "confidence": 0.2}}}
    not_faq = {"triage": {"general_intent": {"name": "greet", "confidence": 0.99}}}
    assert general_intent_for_personal(knowledge, sure) == "ask_procedures"
    assert general_intent_for_personal(knowledge, unsure) is None
    assert general_intent_for_personal(knowledge, not_faq) is None
