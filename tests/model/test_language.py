"""The trained model's Spanish: intent accuracy on the Spanish hold-out, and the language detector's reading of
every message of the hold-outs and development sets whose language a bilingual annotator could tell
(tests/nlu/message_languages.jsonl; "either" messages, such as "ok" or "medicaid?", are left out: they never
switch a conversation's language)."""
import json
from typing import Dict, List, Tuple

from clinic_bot.content.nlu_data import read_examples
from clinic_bot.holdout import evaluate
from clinic_bot.languages import ENGLISH, LANGUAGES, SPANISH
from clinic_bot.paths import MESSAGE_LANGUAGES_FILE, SPANISH_HOLDOUT_FILE
from tests.conftest import FIGURES

SPANISH_HOLDOUT_FLOOR = 0.90  # the aim itself (README): below it, Spanish-speaking patients are not understood
DETECTION_FLOOR = 0.98
SHORT = 3  # words: where detectors fail


def labelled() -> List[Tuple[str, str]]:
    rows = [json.loads(line) for line in MESSAGE_LANGUAGES_FILE.read_text(encoding="utf-8").splitlines() if line]
    return [(row["text"], row["language"]) for row in rows if row["language"] in LANGUAGES]


def test_spanish_holdout_accuracy_is_above_the_floor(parse):
    examples = read_examples(SPANISH_HOLDOUT_FILE)
    assert len(examples) >= 5 * len({e.intent for e in examples})
    holdout = evaluate(parse, examples)
    FIGURES["NLU Spanish hold-out intent accuracy"] = f"{holdout.accuracy:.1%} ({holdout.hits}/{holdout.total})"
    FIGURES["most frequent Spanish hold-out confusions"] = ", ".join(
        f"{k} ({n})" for k, n in holdout.confusions(6)) or "none"
    assert holdout.accuracy >= SPANISH_HOLDOUT_FLOOR, holdout.misses


def test_the_language_of_each_message_is_read_right(parse):
    hits: Dict[str, List[bool]] = {"all": [], "short": []}
    wrong = []
    for text, language in labelled():
        reading = SPANISH if parse(text)["language"]["p_spanish"] >= 0.5 else ENGLISH
        hits["all"].append(reading == language)
        if len(text.split()) <= SHORT:
            hits["short"].append(reading == language)
        if reading != language:
            wrong.append(text)
    shares = {name: sum(found) / len(found) for name, found in hits.items()}
    FIGURES["language read right (hold-outs and development sets)"] = (
        f"{shares['all']:.1%} of {len(hits['all'])}; of messages of up to {SHORT} words {shares['short']:.1%} "
        f"of {len(hits['short'])}")
    assert min(shares.values()) >= DETECTION_FLOOR, wrong
