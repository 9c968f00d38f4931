"""The triage component: what it depends on is in its fingerprint, so an edit retrains the model; the practical
intents it gives way to are those of the practical answers file, read at training and kept in the model."""
import shutil
from pathlib import Path
from typing import Any, Dict

import pytest
import yaml
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from clinic_bot.content.practical_answers import practical_intents as intents_of_practical_answers
from clinic_bot.intents import PERSONAL_INTENT
from clinic_bot.nlu.triage.component import (
    TriageGate,
    input_files,
    load_practical_intents,
    practical_intents,
    save_practical_intents,
)
from clinic_bot.nlu.triage.decision import PERSONAL, TriageDecision
from clinic_bot.nlu.triage.text import ENGLISH
from clinic_bot.paths import (
    CONFIG_FILE,
    CONTEXT_TRIGGERS_FILE,
    PRACTICAL_ANSWERS_FILE,
    RED_FLAGS_FILE,
    TRIAGE_TRAINING_DIR,
)


def copied_config(tmp_path: Path) -> Dict[str, Any]:
    for source in (RED_FLAGS_FILE, CONTEXT_TRIGGERS_FILE, PRACTICAL_ANSWERS_FILE):
        shutil.copy(source, tmp_path / source.name)
    (tmp_path / "data").mkdir()
    for source in TRIAGE_TRAINING_DIR.glob("*.jsonl"):
        shutil.copy(source, tmp_path / "data" / source.name)
    return {**TriageGate.get_default_config(), "red_flags": str(tmp_path / RED_FLAGS_FILE.name),
            "context": str(tmp_path / CONTEXT_TRIGGERS_FILE.name), "training_data": str(tmp_path / "data" / "*.jsonl"),
            "practical_answers": str(tmp_path / PRACTICAL_ANSWERS_FILE.name)}


def test_the_default_inputs_are_the_projects_lexicons_and_training_sets():
    files = input_files(TriageGate.get_default_config())
    assert RED_FLAGS_FILE in files and CONTEXT_TRIGGERS_FILE in files
    assert set(TRIAGE_TRAINING_DIR.glob("*.jsonl")) <= set(files)


def test_an_edit_to_any_input_changes_the_fingerprint(tmp_path):
    config = copied_config(tmp_path)
    before = TriageGate.fingerprint_addon(config)
    assert TriageGate.fingerprint_addon(config) == before
    for path in input_files(config):
        original = path.read_bytes()
        path.write_bytes(original + b"\n")
        assert TriageGate.fingerprint_addon(config) != before, path
        path.write_bytes(original)
    (tmp_path / "data" / "new.jsonl").write_text('{"text": "hi", "label": "off_topic"}\n')
    assert TriageGate.fingerprint_addon(config) != before


def test_the_practical_intents_are_those_of_the_practical_answers_file():
    """The list the practical answer action answers, whatever its length: no copy of it anywhere else."""
    assert practical_intents(TriageGate.get_default_config()) == sorted(intents_of_practical_answers())


def test_a_practical_topic_added_retrains_the_triage_and_a_reworded_answer_does_not(tmp_path):
    config = copied_config(tmp_path)
    answers_file = Path(config["practical_answers"])
    data = yaml.safe_load(answers_file.read_text())
    before = TriageGate.fingerprint_addon(config)
    first = next(iter(data["answers"]))
    data["answers"][first]["text"] = "Reworded, with {phone}."
    answers_file.write_text(yaml.safe_dump(data, sort_keys=False))
    assert TriageGate.fingerprint_addon(config) == before
    data["answers"]["ask_topic_not_in_the_data"] = {"title": "A new topic", "text": "Ask the front desk at {phone}."}
    answers_file.write_text(yaml.safe_dump(data, sort_keys=False))
    assert "ask_topic_not_in_the_data" in practical_intents(config)
    assert TriageGate.fingerprint_addon(config) != before


def test_a_list_of_practical_intents_in_config_yml_is_refused():
    """It would be a second copy of the list, ignored: training says to remove it instead."""
    config = {**TriageGate.get_default_config(), "practical_intents": ["ask_hours"]}
    with pytest.raises(ValueError, match="remove it"):
        TriageGate.fingerprint_addon(config)


def test_the_model_keeps_the_practical_intents_it_was_trained_with(tmp_path):
    intents = practical_intents(TriageGate.get_default_config())
    save_practical_intents(tmp_path, intents)
    assert load_practical_intents(tmp_path) == frozenset(intents)


def test_a_model_trained_before_it_kept_them_asks_for_training(tmp_path):
    with pytest.raises(RuntimeError, match="make train"):
        load_practical_intents(tmp_path)


def gate_as_configured() -> TriageGate:
    """The component with config.yml's settings and the practical intents training would keep (no model needed:
    the decision about a practical request reads only the intent classifier's ranking and the triage's verdict)."""
    pipeline = yaml.safe_load(CONFIG_FILE.read_text())["pipeline"]
    step = next(s for s in pipeline if str(s["name"]).endswith("TriageGate"))
    config = {**TriageGate.get_default_config(), **{k: v for k, v in step.items() if k != "name"}}
    return TriageGate(config, None, None, practical=practical_intents(config))  # type: ignore[arg-type]


@pytest.mark.parametrize("intent", intents_of_practical_answers())
def test_a_personal_verdict_gives_way_to_every_practical_request_the_classifier_is_sure_of(intent):
    gate = gate_as_configured()
    ranking = [{"name": intent, "confidence": 0.9}, {"name": "ask_safety", "confidence": 0.05}]
    message = Message(data={TEXT: "can you send my records to my new doctor", INTENT: ranking[0],
                            INTENT_RANKING_KEY: ranking})
    personal = TriageDecision(level=PERSONAL, kind=None, concept=None, language=ENGLISH,
                              probabilities={"personal": 0.6, "general": 0.4})
    gate._apply(message, personal, ranking, ranking[0])
    assert message.get(INTENT)["name"] == intent


def test_a_personal_verdict_stands_for_a_faq_topic():
    gate = gate_as_configured()
    ranking = [{"name": "ask_medication", "confidence": 0.9}]
    message = Message(data={TEXT: "should i double my dose", INTENT: ranking[0], INTENT_RANKING_KEY: ranking})
    personal = TriageDecision(level=PERSONAL, kind=None, concept=None, language=ENGLISH,
                              probabilities={"personal": 0.6, "general": 0.4})
    gate._apply(message, personal, ranking, ranking[0])
    assert message.get(INTENT)["name"] == PERSONAL_INTENT
