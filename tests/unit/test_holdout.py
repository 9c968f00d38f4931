"""The intent accuracy the model tests, the benchmark and the console's retrain report (clinic_bot/holdout.py),
with a stand-in for the model's parse."""
from pathlib import Path
from typing import Any, Dict, List

import pytest

from clinic_bot import paths
from clinic_bot.content.nlu_data import Example, read_examples
from clinic_bot.holdout import Miss, evaluate, evaluate_file


def example(intent: str, text: str) -> Example:
    return Example(intent, text, Path("holdout.yml"), 1)


EXAMPLES = [example("ask_hours", "when are you open"), example("ask_hours", "opening times"),
            example("ask_cost", "how much is it"), example("greet", "hi"), example("ask_cost", "price")]
# What the stand-in model answers for each text (a fallback counts as a miss).
ANSWERS = {"when are you open": "ask_hours", "opening times": "ask_address", "how much is it": "ask_cost",
           "hi": "nlu_fallback", "price": "ask_address"}


def fake_parse(text: str) -> Dict[str, Any]:
    return {"text": text, "intent": {"name": ANSWERS[text], "confidence": 0.9}}


def test_the_figures_of_a_set():
    result = evaluate(fake_parse, EXAMPLES)
    assert (result.hits, result.total, result.accuracy) == (2, 5, 2 / 5)
    assert result.truth == [e.intent for e in EXAMPLES]
    assert result.predicted == [ANSWERS[e.text] for e in EXAMPLES]
    assert [p["text"] for p in result.parsed] == [e.text for e in EXAMPLES]
    assert result.misses == [Miss("ask_hours", "ask_address", "opening times"), Miss("greet", "nlu_fallback", "hi"),
                             Miss("ask_cost", "ask_address", "price")]


def test_confusions_are_counted_most_frequent_first_ties_in_order_met():
    result = evaluate(fake_parse, EXAMPLES + [example("ask_cost", "price")])
    assert result.confusions() == [("ask_cost -> ask_address", 2), ("ask_hours -> ask_address", 1),
                                   ("greet -> nlu_fallback", 1)]
    assert result.confusions(1) == [("ask_cost -> ask_address", 2)]


def test_each_example_is_parsed_once_in_order():
    seen: List[str] = []
    evaluate(lambda text: seen.append(text) or fake_parse(text), EXAMPLES)
    assert seen == [e.text for e in EXAMPLES]


def test_no_examples_is_an_error_not_a_figure():
    with pytest.raises(ValueError):
        evaluate(fake_parse, [])


def test_a_file_is_read_as_the_nlu_data_reader_reads_it():
    expected = read_examples(paths.HOLDOUT_FILE)
    result = evaluate_file(lambda text: {"intent": {"name": "greet"}}, paths.HOLDOUT_FILE)
    assert list(result.examples) == expected
    assert result.hits == sum(e.intent == "greet" for e in expected)
