"""The trained model on messages it never saw: the hold-out set (written apart from the training data)
and the red-flag set. Accuracy has a floor; emergencies must all be caught."""
import datetime as dt
import json
import os

import pytest
import yaml

from clinic_bot.content.nlu_data import Example, procedure_questions, read_examples
from clinic_bot.holdout import choice_figures, describe_choices, evaluate, evaluate_file
from clinic_bot.intents import OUT_OF_SCOPE_INTENT
from clinic_bot.paths import (
    DEV_NLU_FILES,
    ENTITY_PATTERNS_FILE,
    HOLDOUT_FILE,
    OFF_TOPIC_FILE,
    PROCEDURE_FORMS_FILE,
    REPO_ROOT,
    SPANISH_HOLDOUT_FILE,
)
from tests.conftest import FIGURES

HOLDOUT_ACCURACY_FLOOR = 0.90
DEV_ACCURACY_FLOOR = 0.90
# The practical intents' development sets are new and below the understanding aim (96%, `make bench`):
# their floor catches a change that breaks them, not the aim.
PRACTICAL_DEV_FLOOR = 0.85
PRACTICAL_DEV_SETS = {"dev_logistics", "dev_logistics_first_holdout"}
# make bench's aim is every form; below this share a change clearly broke plain procedure questions.
PROCEDURE_FORMS_FLOOR = 0.95
# The figure of the last accepted model; `make record-baseline` rewrites it after a deliberate change.
BASELINE_FILE = REPO_ROOT / "tests" / "nlu" / "holdout_baseline.json"
NOTABLE_DROP = 0.02  # below this, a change is noise between trainings; no test fails on a drop either way
# The related-topic button stays a help, not noise: after at most a third of the replies (the aim of `make bench`).
RELATED_BUTTON_AT_MOST = 1 / 3
RED_FLAGS = yaml.safe_load((REPO_ROOT / "tests" / "nlu" / "red_flags.yml").read_text())


def test_holdout_accuracy_is_above_the_floor(parse):
    examples = read_examples(HOLDOUT_FILE)
    assert len(examples) >= 5 * len({e.intent for e in examples})
    holdout = evaluate(parse, examples)
    FIGURES["NLU hold-out intent accuracy"] = f"{holdout.accuracy:.1%} ({holdout.hits}/{holdout.total})"
    confused = holdout.confusions(8)
    FIGURES["most frequent hold-out confusions"] = ", ".join(f"{k} ({n})" for k, n in confused) or "none"
    FIGURES["NLU hold-out vs last recorded"] = compare_with_baseline(holdout.accuracy, holdout.total)
    if os.environ.get("RECORD_HOLDOUT_BASELINE"):
        record_baseline(holdout.accuracy, holdout.hits, holdout.total)
    assert holdout.accuracy >= HOLDOUT_ACCURACY_FLOOR, holdout.misses


@pytest.mark.parametrize("path", DEV_NLU_FILES, ids=lambda p: p.stem)
def test_development_set_accuracy_is_above_the_floor(parse, path):
    dev = evaluate_file(parse, path)
    FIGURES[f"NLU development set {path.stem}"] = f"{dev.accuracy:.1%} of {dev.total}"
    floor = PRACTICAL_DEV_FLOOR if path.stem in PRACTICAL_DEV_SETS else DEV_ACCURACY_FLOOR
    assert dev.accuracy >= floor, dev.misses


def test_plain_requests_for_a_named_procedure_get_that_procedures_answer(parse):
    questions = procedure_questions(PROCEDURE_FORMS_FILE, ENTITY_PATTERNS_FILE)
    assert len(questions) >= 9 * 5  # every procedure, several forms
    wrong = []
    for question in questions:
        parsed = parse(question.text)
        named = {e["value"] for e in parsed["entities"] if e["entity"] == "procedure"}
        if parsed["intent"]["name"] != question.intent or question.procedure not in named:
            wrong.append((question.text, parsed["intent"]["name"], sorted(named)))
    FIGURES["'explain <procedure>' forms with that procedure's answer"] = (
        f"{len(questions) - len(wrong)}/{len(questions)}" + (f" (wrong: {wrong[:3]})" if wrong else ""))
    assert 1 - len(wrong) / len(questions) >= PROCEDURE_FORMS_FLOOR, wrong


def compare_with_baseline(accuracy: float, total: int) -> str:
    if not BASELINE_FILE.exists():
        return f"{accuracy:.1%} now; no recorded figure yet (make record-baseline)"
    baseline = json.loads(BASELINE_FILE.read_text())
    change = accuracy - baseline["accuracy"]
    verdict = ("WORSE: look at the confusions above and the examples added since" if change <= -NOTABLE_DROP
               else "better" if change >= NOTABLE_DROP else "about the same")
    if total != baseline["total"]:
        verdict += f"; the hold-out set changed ({baseline['total']} -> {total} examples)"
    return (f"{accuracy:.1%} now vs {baseline['accuracy']:.1%} recorded {baseline['recorded']} "
            f"({change * 100:+.1f} points, {verdict})")


def record_baseline(accuracy: float, correct: int, total: int) -> None:
    BASELINE_FILE.write_text(json.dumps({"accuracy": round(accuracy, 4), "correct": correct, "total": total,
                                         "recorded": dt.date.today().isoformat()}, indent=2) + "\n")


def test_every_red_flag_message_is_an_emergency(parse):
    missed = [text for text in RED_FLAGS["messages"] if parse(text)["intent"]["name"] != "emergency"]
    FIGURES["emergency recall (red-flag set, whole NLU)"] = (
        f"{1 - len(missed) / len(RED_FLAGS['messages']):.1%} of {len(RED_FLAGS['messages'])}")
    assert missed == []


def test_general_risk_questions_rarely_raise_a_false_alarm(parse):
    alarms = [text for text in RED_FLAGS["not_emergency"] if parse(text)["intent"]["name"] == "emergency"]
    FIGURES["false emergency alarms on general questions"] = f"{len(alarms)}/{len(RED_FLAGS['not_emergency'])}"
    # A false alarm is the safe direction (the patient sees the urgent message and can ask again), so the
    # bound is loose; it is here to catch drift, e.g. training data that makes every symptom word urgent.
    assert len(alarms) <= len(RED_FLAGS["not_emergency"]) // 5, alarms


@pytest.mark.parametrize("text,value", [
    ("how long does recovery take after an epidural", "epidural_steroid_injection"),
    ("is RFA covered by medicare", "radiofrequency_ablation"),
])
def test_model_extracts_canonical_procedures(parse, text, value):
    entities = parse(text)["entities"]
    assert {"entity": "procedure", "value": value} in [{k: e[k] for k in ("entity", "value")} for e in entities]


def test_red_flag_override_is_marked(parse):
    result = parse("my legs went numb and i lost control of my bladder")
    assert result["intent"] == {"name": "emergency", "confidence": 1.0}
    assert result["red_flag"] in {"leg_weakness_numbness", "bladder_bowel"}


@pytest.mark.parametrize("path", [HOLDOUT_FILE, SPANISH_HOLDOUT_FILE, *DEV_NLU_FILES], ids=lambda p: p.stem)
def test_the_related_button_adds_right_answers_and_shows_after_at_most_a_third_of_replies(parse, knowledge, path):
    measured = evaluate_file(parse, path)
    figures = choice_figures(measured, knowledge)
    FIGURES[f"choices on {path.stem}"] = describe_choices(figures)
    topics = choice_figures(measured, knowledge, topics_only=True)
    FIGURES[f"choices on {path.stem}, topic questions"] = describe_choices(topics)
    assert figures.first_or_button_right > figures.first_right, "the button brings no right answer the first missed"
    assert figures.share(figures.buttons, figures.replies) <= RELATED_BUTTON_AT_MOST, describe_choices(figures)


def test_off_topic_messages_rarely_get_a_related_button(parse, knowledge):
    """An off-topic message gets the out-of-scope reply; a topic button after it is noise unless a topic came near."""
    messages = yaml.safe_load(OFF_TOPIC_FILE.read_text())["messages"]
    examples = [Example(OUT_OF_SCOPE_INTENT, text, OFF_TOPIC_FILE, 0) for text in messages]
    figures = choice_figures(evaluate(parse, examples), knowledge)
    FIGURES["choices on off-topic messages"] = describe_choices(figures)
    assert figures.share(figures.buttons, figures.replies) <= RELATED_BUTTON_AT_MOST, describe_choices(figures)
