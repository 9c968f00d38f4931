"""The shared linear classifier: with two views and both analyzers it gives scikit-learn's probabilities,
and it saves and loads as arrays and word lists."""
import pytest

from clinic_bot.nlu.linear_text import Block, LinearTextClassifier, fit_pipeline

BLOCKS = (Block("words", "masked", "word"), Block("characters", "raw", "char_wb", max_features=500))
TRAIN = [
    ("how much is an epidural", "how much is an entityprocedure", "ask_cost"),
    ("rfa price", "entityprocedure price", "ask_cost"),
    ("does medicare pay for a nerve block", "do medicare pay for a entityprocedure", "ask_insurance"),
    ("is it covered", "be it cover", "ask_insurance"),
    ("explain kyphoplasty", "explain entityprocedure", "ask_procedure_info"),
    ("tell me about facet injections", "tell i about entityprocedure", "ask_procedure_info"),
]


def views(rows):
    return [{"raw": raw, "masked": masked} for raw, masked, *_ in rows]


@pytest.fixture(scope="module")
def pipeline():
    return fit_pipeline(views(TRAIN), [r[2] for r in TRAIN], BLOCKS, c=10.0)


def test_probabilities_are_the_pipelines(pipeline):
    asked = views([("what does a scs cost", "what do a entityprocedure cost"), ("", ""), ("zzzz", "zzzz"),
                   ("explain  it", "explain it")])
    fast = LinearTextClassifier.from_pipeline(pipeline, BLOCKS).probabilities(asked)
    for mine, row in zip(fast, pipeline.predict_proba(asked)):
        expected = dict(zip(pipeline.classes_, row))
        assert mine.keys() == expected.keys()
        assert max(abs(mine[k] - expected[k]) for k in mine) < 1e-9


def test_saved_classifier_loads_with_its_blocks(pipeline, tmp_path):
    classifier = LinearTextClassifier.from_pipeline(pipeline, BLOCKS)
    classifier.save(tmp_path, "intents")
    loaded = LinearTextClassifier.load(tmp_path, "intents")
    assert loaded.blocks == list(BLOCKS)
    asked = views([("rfa cost?", "entityprocedure cost")])
    assert loaded.probabilities(asked) == classifier.probabilities(asked)
    assert max(loaded.probabilities(asked)[0].items(), key=lambda kv: kv[1])[0] == "ask_cost"


def test_an_unknown_analyzer_is_refused():
    with pytest.raises(ValueError, match="analyzer"):
        Block("x", "raw", "sentence").vectorizer()
