"""How the two opinions combine, and which message each decision gets (no model needed)."""
import pytest

from clinic_bot.content.translations import SAFETY_MESSAGES
from clinic_bot.content.triage_replies import (
    SAFETY_MESSAGE_KEYS,
    URGENT_MESSAGE_KEYS,
    check_in_reply,
    general_intent_for_personal,
    gentle_crisis_reply,
    is_check_in,
    urgent_reply,
)
from clinic_bot.intents import CHECK_IN
from clinic_bot.languages import LANGUAGES
from clinic_bot.nlu.triage.decision import EMERGENCY, GENERAL, PERSONAL, URGENT, Framing, Thresholds, decide
from clinic_bot.nlu.triage.rules import Finding

THRESHOLDS = Thresholds(urgent=0.45, personal=0.3, emergency=0.8, rules_confirmed=0.1, rules_dismissed=0.01)
CALM = {"emergency": 0.05, "crisis": 0.05, "personal": 0.1, "general": 0.7, "off_topic": 0.1}


def finding(concept: str, kind: str = "medical", *modifiers: str) -> Finding:
    return Finding(concept, kind, concept, frozenset(modifiers))


def test_rules_the_classifier_does_not_rule_out_raise_the_alarm():
    decision = decide([finding("chest_pain")], CALM, "en", THRESHOLDS)
    assert (decision.level, decision.disposition, decision.kind, decision.concept, decision.raised_by) == (
        URGENT, EMERGENCY, "medical", "chest_pain", ["rules"])


def test_rules_the_classifier_finds_very_unlikely_get_a_check_in():
    unlikely = {**CALM, "emergency": 0.02, "crisis": 0.01, "general": 0.87}
    decision = decide([finding("saddle_numbness")], unlikely, "en", THRESHOLDS)
    assert (decision.level, decision.disposition, decision.concept) == (URGENT, CHECK_IN, "saddle_numbness")


def test_rules_the_classifier_all_but_rules_out_raise_nothing_but_keep_the_gentle_line():
    ruled_out = {**CALM, "emergency": 0.002, "crisis": 0.003, "general": 0.9}
    assert decide([finding("saddle_numbness")], ruled_out, "en", THRESHOLDS).level == GENERAL
    decision = decide([finding("suicide_self_harm", "crisis")], ruled_out, "en", THRESHOLDS)
    assert decision.level == GENERAL and decision.gentle_crisis_line


def test_the_classifier_alone_asks_when_moderately_sure_and_alarms_when_sure():
    moderate = {**CALM, "crisis": 0.4, "emergency": 0.1, "general": 0.35}
    decision = decide([], moderate, "es", THRESHOLDS)
    assert (decision.level, decision.disposition, decision.kind, decision.language, decision.raised_by) == (
        URGENT, CHECK_IN, "crisis", "es", ["classifier"])
    sure = {**CALM, "emergency": 0.85, "crisis": 0.0, "general": 0.05}
    assert decide([], sure, "en", THRESHOLDS).disposition == EMERGENCY


def test_a_check_in_remembers_what_the_message_is_without_the_alarm():
    moderate_personal = {"emergency": 0.3, "crisis": 0.2, "personal": 0.4, "general": 0.05, "off_topic": 0.05}
    assert decide([], moderate_personal, "en", THRESHOLDS).calm_level == PERSONAL


def test_a_short_reply_is_never_an_emergency_on_the_classifier_alone_but_the_rules_still_count():
    moderate = {**CALM, "emergency": 0.0, "crisis": 0.6, "general": 0.2}
    sure = {**CALM, "emergency": 0.0, "crisis": 0.92, "general": 0.0}
    reply = Framing(short=True, short_reply=True)
    assert decide([], moderate, "en", THRESHOLDS, reply).level == GENERAL
    assert decide([], sure, "en", THRESHOLDS, reply).disposition == CHECK_IN  # "no quiero estar aqui"
    answer = Framing(short=True, short_reply=True, answers_question=True)
    assert decide([], sure, "en", THRESHOLDS, answer).level == GENERAL  # "no" to "Was this helpful?"
    assert decide([finding("suicide_self_harm", "crisis")], sure, "en", THRESHOLDS, answer).disposition == EMERGENCY


def test_a_few_words_alone_get_at_most_a_check_in():
    sure = {**CALM, "emergency": 0.0, "crisis": 0.95, "general": 0.0}
    assert decide([], sure, "en", THRESHOLDS, Framing(short=True)).disposition == CHECK_IN


def test_after_the_assistant_asked_the_classifier_alone_can_only_check_in():
    sure = {**CALM, "emergency": 0.9, "crisis": 0.0, "general": 0.0}
    answering = Framing(answers_question=True)
    assert decide([], sure, "en", THRESHOLDS, answering).disposition == CHECK_IN
    assert decide([finding("breathing")], sure, "en", THRESHOLDS, answering).disposition == EMERGENCY


def test_a_set_aside_mention_raises_nothing_and_suicide_history_gets_the_gentle_line():
    decision = decide([finding("suicide_self_harm", "crisis", "historical")], CALM, "en", THRESHOLDS)
    assert decision.level == GENERAL and decision.gentle_crisis_line


def test_personal_needs_the_personal_threshold():
    assert decide([], {**CALM, "personal": 0.31, "general": 0.49}, "en", THRESHOLDS).level == PERSONAL
    assert decide([], CALM, "en", THRESHOLDS).level == GENERAL


def spanish_marker(knowledge, key):
    """What the marker of a safety message shown in Spanish says of its translation."""
    translation = knowledge.message_translations[key]
    return {"translates": translation.translates, "translation_reviewed": translation.reviewed or None}


@pytest.mark.parametrize("kind,language", [(kind, language) for kind in sorted(URGENT_MESSAGE_KEYS)
                                           for language in LANGUAGES])
def test_every_urgent_variant_keeps_the_emergency_marker(knowledge, kind, language):
    reply = urgent_reply(knowledge, {"triage": {"kind": kind, "language": language, "concept": "x"}})
    translation = spanish_marker(knowledge, URGENT_MESSAGE_KEYS[kind]) if language == "es" else {}
    assert reply.marker == {"answer": "emergency", "variant": kind, "language": language, **translation,
                            "concept": "x"}
    assert "911" in reply.text and "988" in reply.text  # the numbers are the point of the message


def test_the_language_given_by_the_caller_wins_over_the_triage_record(knowledge):
    parse = {"triage": {"kind": "medical", "language": "en", "disposition": CHECK_IN, "gentle_crisis_line": True}}
    assert urgent_reply(knowledge, parse, language="es").marker["language"] == "es"
    assert check_in_reply(knowledge, parse, language="es")[0].marker["language"] == "es"
    assert gentle_crisis_reply(knowledge, parse, language="es").marker["language"] == "es"
    spanish = {"triage": {**parse["triage"], "language": "es"}}
    assert urgent_reply(knowledge, spanish, language="en").marker["language"] == "en"
    assert urgent_reply(knowledge, spanish).marker["language"] == "es"  # without one: the triage record's


def test_the_safety_messages_are_the_ones_always_shown_in_spanish():
    assert set(SAFETY_MESSAGE_KEYS) == SAFETY_MESSAGES


def test_an_urgent_intent_without_a_triage_record_gets_the_english_medical_message(knowledge):
    assert urgent_reply(knowledge, {}).marker["variant"] == "medical"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_check_in_shows_both_numbers_and_asks_with_two_buttons(knowledge, language):
    parse = {"triage": {"disposition": CHECK_IN, "kind": "crisis", "language": language, "concept": None,
                        "raised_by": ["classifier"], "p_urgent": 0.6,
                        "otherwise": "ask_side_effects"}}
    assert is_check_in(parse)
    reply, buttons = check_in_reply(knowledge, parse)
    translation = spanish_marker(knowledge, "check_in") if language == "es" else {}
    assert reply.marker == {"answer": CHECK_IN, "variant": "crisis", "language": language, **translation,
                            "concept": None, "raised_by": ["classifier"], "p_urgent": 0.6,
                            "otherwise": "ask_side_effects"}
    assert "911" in reply.text and "988" in reply.text
    assert len(buttons) == 2 and all(b["payload"] == b["title"] for b in buttons)


def test_gentle_line_only_when_the_triage_asks_for_it(knowledge):
    assert gentle_crisis_reply(knowledge, {"triage": {"gentle_crisis_line": False}}) is None
    reply = gentle_crisis_reply(knowledge, {"triage": {"gentle_crisis_line": True, "language": "es"}})
    assert reply is not None and reply.marker == {"answer": "crisis_line_gentle", "language": "es",
                                                  **spanish_marker(knowledge, "crisis_line_gentle")}


def test_a_personal_question_gets_the_general_answer_only_for_a_confident_faq_topic(knowledge):
    sure = {"triage": {"general_intent": {"name": "ask_procedures", "confidence": 0.9}}}
    unsure = {"triage": {"general_intent": {"name": "ask_procedures", "confidence": 0.2}}}
    not_faq = {"triage": {"general_intent": {"name": "greet", "confidence": 0.99}}}
    assert general_intent_for_personal(knowledge, sure) == "ask_procedures"
    assert general_intent_for_personal(knowledge, unsure) is None
    assert general_intent_for_personal(knowledge, not_faq) is None
