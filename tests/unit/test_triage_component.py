"""The triage component: what it depends on is in its fingerprint, so an edit retrains the model."""
import shutil

from clinic_bot.nlu.triage.component import TriageGate, input_files
from clinic_bot.paths import CONTEXT_TRIGGERS_FILE, RED_FLAGS_FILE, TRIAGE_TRAINING_DIR


def copied_config(tmp_path):
    for source in (RED_FLAGS_FILE, CONTEXT_TRIGGERS_FILE):
        shutil.copy(source, tmp_path / source.name)
    (tmp_path / "data").mkdir()
    for source in TRIAGE_TRAINING_DIR.glob("*.jsonl"):
        shutil.copy(source, tmp_path / "data" / source.name)
    return {**TriageGate.get_default_config(), "red_flags": str(tmp_path / RED_FLAGS_FILE.name),
            "context": str(tmp_path / CONTEXT_TRIGGERS_FILE.name), "training_data": str(tmp_path / "data" / "*.jsonl")}


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
