"""The learned classifier: the fast scorer gives scikit-learn's probabilities; it saves and loads safely."""
from itertools import islice

import pytest

from clinic_bot.nlu.triage.data import LABELS, TriageDataError, read_all, read_messages
from clinic_bot.nlu.triage.learned import VIEW, TriageClassifier, fit_pipeline
from clinic_bot.paths import TRIAGE_TRAINING_DIR, TRIAGE_TUNING_FILES


@pytest.fixture(scope="module")
def small_pipeline():
    messages = read_all(TRIAGE_TRAINING_DIR.glob("*.jsonl"))
    sample = [m for label in LABELS for m in islice((m for m in messages if m.label == label), 150)]
    return fit_pipeline([m.text.lower() for m in sample], [m.label for m in sample])


def test_the_classifier_computes_the_pipelines_probabilities(small_pipeline):
    texts = [m.text.lower() for m in read_messages(TRIAGE_TUNING_FILES[0])[:200]] + ["", "a", "zzzz qqqq", "x  y"]
    classifier = TriageClassifier.from_pipeline(small_pipeline)
    reference = small_pipeline.predict_proba([{VIEW: t} for t in texts])
    for fast, row in zip(classifier.probabilities(texts), reference):
        expected = dict(zip(small_pipeline.classes_, row))
        assert fast.keys() == expected.keys()
        assert max(abs(fast[k] - expected[k]) for k in fast) < 1e-9


def test_saved_classifier_loads_and_predicts_the_same(small_pipeline, tmp_path):
    classifier = TriageClassifier.from_pipeline(small_pipeline)
    classifier.save(tmp_path)
    loaded = TriageClassifier.load(tmp_path)
    assert loaded.probabilities(["my chest hurts"]) == classifier.probabilities(["my chest hurts"])


def test_every_triage_set_reads_and_has_every_label():
    for path in [*TRIAGE_TRAINING_DIR.glob("*.jsonl"), *TRIAGE_TUNING_FILES]:
        assert read_messages(path), path
    assert {m.label for m in read_all(TRIAGE_TRAINING_DIR.glob("*.jsonl"))} == set(LABELS)


def test_a_bad_line_is_reported_with_file_and_line(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "ok", "label": "general"}\n{"text": "x", "label": "urgentish"}\n')
    with pytest.raises(TriageDataError, match=r"bad.jsonl:2"):
        read_messages(bad)
