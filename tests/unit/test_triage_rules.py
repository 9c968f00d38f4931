"""The red-flag concepts and ConText on their own: which mentions count as current (no model needed)."""
import pytest

from clinic_bot.content.yaml_lines import load_yaml
from clinic_bot.nlu.triage.engine import plain
from clinic_bot.nlu.triage.rules import RedFlagRules
from clinic_bot.nlu.triage.terms import TermError, TermSet, check_term
from clinic_bot.nlu.triage.text import language, tokenize
from clinic_bot.paths import CONTEXT_TRIGGERS_FILE, RED_FLAGS_FILE


@pytest.fixture(scope="module")
def rules() -> RedFlagRules:
    return RedFlagRules.from_config(plain(load_yaml(RED_FLAGS_FILE)), plain(load_yaml(CONTEXT_TRIGGERS_FILE)))


def current(rules: RedFlagRules, text: str):
    return sorted({f.concept for f in rules.findings(tokenize(text)) if f.current})


# --- the term syntax ---

def spans(term: str, text: str):
    tokens = tokenize(text)
    return [" ".join(tokens.words[a:b]) for a, b in TermSet([term]).find(tokens)]


def test_alternatives_may_be_phrases_and_stems_match_endings():
    assert spans("too many|whole bottle ~ pill*", "he took a whole bottle of pills") == ["whole bottle of pills"]
    assert spans("numb*", "Numbness and numb toes") == ["numbness", "numb"]


def test_a_gap_is_bounded_and_never_crosses_a_negation_or_a_sentence():
    assert spans("leg ~ numb", "leg is so very numb") == ["leg is so very numb"]
    assert spans("leg ~ numb", "leg one two three four numb") == []
    assert spans("incision ~ red*", "incision looks great, no redness") == []
    assert spans("leg ~ numb", "my leg. numb") == []


def test_matching_ignores_case_accents_and_apostrophes():
    assert spans("cant breathe", "I CAN'T breathe") == ["cant breathe"]
    assert spans("no puedo respirar", "No puedo respirár") == ["no puedo respirar"]


@pytest.mark.parametrize("term", ["~ leg", "leg ~", "leg|", "leg ~ ~ numb", ""])
def test_unreadable_terms_are_refused_with_a_reason(term):
    with pytest.raises(TermError):
        check_term(term)


# --- concepts and their context ---

@pytest.mark.parametrize("text,concept", [
    ("my husband is clutching his chest and sweating", "chest_pain"),
    ("cant catch my breath since the nerve block", "breathing"),
    ("her smile is crooked and her words are jumbled", "stroke"),
    ("since the epidural my legs are numb and weak", "leg_weakness_numbness"),
    ("fever of 102 two days after my stimulator implant", "infection_site"),
    ("worst headache of my life, worse when i sit up", "severe_headache"),
    ("the injection site wont stop bleeding", "bleeding"),
    ("my lips are swelling up after the shot", "allergic_reaction"),
    ("my mom took too many pills and we cant wake her", "overdose_unresponsive"),
    ("i have been saving up my pills", "suicide_self_harm"),
    ("mi papa no puede respirar", "breathing"),
    ("me quiero morir", "suicide_self_harm"),
])
def test_current_red_flags_are_found(rules, text, concept):
    assert concept in current(rules, text)


@pytest.mark.parametrize("text,modifier", [
    ("no fever after my shot, just sore", "negated"),
    ("sin fiebre despues de la inyeccion", "negated"),
    ("i had a stroke in 2019 and recovered fully", "historical"),
    ("years ago my legs went numb after surgery", "historical"),
    ("what does saddle numbness mean on the leaflet", "educational"),
    ("how common are chest pains after an epidural", "educational"),
    ("if i get a fever after the injection should i call", "hypothetical"),
])
def test_context_sets_mentions_aside(rules, text, modifier):
    findings = rules.findings(tokenize(text))
    assert findings, "the concept itself should be recognised"
    assert all(not f.current for f in findings) and any(modifier in f.modifiers for f in findings)


def test_a_termination_word_ends_the_scope(rules):
    assert current(rules, "i had a fever last year but now my incision is red and oozing") == ["infection_site"]


def test_a_question_about_a_symptom_going_on_now_is_not_general(rules):
    assert "chest_pain" in current(rules, "is chest pressure normal after a nerve block? it started 20 min ago")


def test_fever_counts_only_with_a_procedure_or_its_site(rules):
    assert current(rules, "i have a fever and a cold") == []
    assert current(rules, "i have a fever since the epidural") == ["infection_site"]


def test_topic_words_count_only_about_someone_or_now(rules):
    assert current(rules, "stroke warning signs list please") == []
    assert "stroke" in current(rules, "i think my dad is having a stroke")


def test_everyday_phrases_are_not_red_flags(rules):
    assert current(rules, "my phone battery is dying and the screen is unresponsive") == []
    assert current(rules, "i cant breathe this meme is so funny lol") == []


def test_the_classifier_view_masks_what_context_set_aside(rules):
    view = rules.analyse(tokenize("no fever, just wondering about parking"))[1]
    assert "fever" not in view.split() and "negatedmention" in view


def test_spanish_is_recognised_for_the_urgent_message():
    assert language(tokenize("mi esposo no puede respirar desde la inyeccion")) == "es"
    assert language(tokenize("no, i have no fever")) == "en"
