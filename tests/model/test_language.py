"""The trained model's Spanish: intent accuracy on the Spanish hold-out, and the language detector's reading of
every message of the hold-outs and development sets whose language a bilingual annotator could tell
(tests/nlu/message_languages.jsonl; "either" messages, such as "ok" or "medicaid?", are left out: they never
switch a conversation's language), counted as `make bench` counts it (bench/language.py). The aim holds for the
hold-outs; the development sets, where the detector's settings were chosen, are printed beside them."""
from bench.language import labelled, read_right
from clinic_bot.content.nlu_data import read_examples
from clinic_bot.holdout import evaluate
from clinic_bot.paths import DEV_NLU_FILES, HOLDOUT_FILE, SPANISH_HOLDOUT_FILE
from tests.conftest import FIGURES

SPANISH_HOLDOUT_FLOOR = 0.90  # the aim itself: below it, Spanish-speaking patients are not understood
DETECTION_FLOOR = 0.98


def test_spanish_holdout_accuracy_is_above_the_floor(parse):
    examples = read_examples(SPANISH_HOLDOUT_FILE)
    assert len(examples) >= 5 * len({e.intent for e in examples})
    holdout = evaluate(parse, examples)
    FIGURES["NLU Spanish hold-out intent accuracy"] = f"{holdout.accuracy:.1%} ({holdout.hits}/{holdout.total})"
    FIGURES["most frequent Spanish hold-out confusions"] = ", ".join(
        f"{k} ({n})" for k, n in holdout.confusions(6)) or "none"
    assert holdout.accuracy >= SPANISH_HOLDOUT_FLOOR, holdout.misses


def test_the_language_of_each_message_is_read_right(parse):
    examples = {path: read_examples(path) for path in (HOLDOUT_FILE, SPANISH_HOLDOUT_FILE, *DEV_NLU_FILES)}
    groups = {"hold-outs": [e.text for path in (HOLDOUT_FILE, SPANISH_HOLDOUT_FILE) for e in examples[path]],
              "development sets": [e.text for path in DEV_NLU_FILES for e in examples[path]]}
    figures = read_right(parse, labelled(), groups)
    for name in groups:
        shares = figures[name]
        FIGURES[f"language read right, {name}"] = (
            f"{shares['all']['rate']:.1%} of {shares['all']['total']}; of messages of up to "
            f"{figures['short_words']} words {shares['short']['rate']:.1%} of {shares['short']['total']}")
    holdouts = figures["hold-outs"]
    assert min(holdouts["all"]["rate"], holdouts["short"]["rate"]) >= DETECTION_FLOOR, holdouts["wrong"]
