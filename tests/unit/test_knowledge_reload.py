"""Edited answers reach patients without a restart: default_knowledge() reads knowledge/ and the clinic config
again when they change, and keeps the previous knowledge when the new files do not load."""
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from clinic_bot import paths
from clinic_bot.content.knowledge import ReloadingKnowledge, default_knowledge


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def copies(tmp_path):
    knowledge = Path(shutil.copytree(paths.KNOWLEDGE_DIR, tmp_path / "knowledge",
                                     ignore=shutil.ignore_patterns("sources", "triage")))
    clinic = Path(shutil.copy(paths.CLINIC_CONFIG_FILE, tmp_path / "clinic.yml"))
    return knowledge / "answers.yml", knowledge / "messages.yml", clinic


def edit(path: Path, change) -> None:
    """Rewrites a YAML file through `change`, with a later mtime than before (coarse file system clocks)."""
    before = path.stat().st_mtime_ns
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    os.utime(path, ns=(before + 1_000_000_000, before + 1_000_000_000))


def set_greeting(text: str):
    def change(data):
        data["messages"]["greet"]["text"] = text
    return change


def test_an_edited_answer_is_served_after_the_next_check(copies):
    answers, messages, clinic = copies
    clock = Clock()
    knowledge = ReloadingKnowledge(answers, messages, clinic, clock=clock)
    first = knowledge()
    assert knowledge() is first
    edit(answers, lambda data: data["answers"]["ask_insurance"].update(text="Edited: call {phone}."))
    assert knowledge() is first, "checked at most once a second"
    clock.now += 1.0
    assert knowledge().faq("ask_insurance", {}).text == f"Edited: call {first.clinic.phone}."
    edit(messages, set_greeting("Edited hello"))
    clock.now += 1.0
    assert knowledge().message("greet").text == "Edited hello"
    edit(clinic, lambda data: data.update(phone="(555) 010-0123"))
    clock.now += 1.0
    assert knowledge().clinic.phone == "(555) 010-0123"
    unchanged = knowledge()
    clock.now += 5.0
    assert knowledge() is unchanged, "nothing changed: nothing read"


def test_broken_files_keep_the_previous_knowledge_with_one_error_per_change(copies, caplog):
    answers, messages, clinic = copies
    clock = Clock()
    knowledge = ReloadingKnowledge(answers, messages, clinic, clock=clock)
    good = knowledge()
    caplog.set_level(logging.ERROR, logger="clinic_bot.content.knowledge")

    answers.write_text(answers.read_text() + "\n  broken: [unclosed\n")  # a YAML error
    os.utime(answers, ns=(1, 1))
    for _ in range(3):
        clock.now += 1.0
        assert knowledge() is good
    assert len(caplog.records) == 1 and "previous" in caplog.records[0].getMessage()

    shutil.copy(paths.ANSWERS_FILE, answers)
    os.utime(answers, ns=(2, 2))
    edit(clinic, lambda data: data.pop("phone"))  # a clinic field missing: another change, another error
    clock.now += 1.0
    assert knowledge() is good and len(caplog.records) == 2
    assert "phone" in caplog.records[1].getMessage()

    shutil.copy(paths.CLINIC_CONFIG_FILE, clinic)
    os.utime(clinic, ns=(3, 3))
    messages.unlink()  # mid-save: missing for a moment
    clock.now += 1.0
    assert knowledge() is good and len(caplog.records) == 3
    shutil.copy(paths.MESSAGES_FILE, messages)
    clock.now += 1.0
    fixed = knowledge()
    assert fixed is not good and fixed.message("greet").text == good.message("greet").text
    assert len(caplog.records) == 3


def test_the_first_load_still_raises(copies):
    answers, messages, clinic = copies
    clinic.write_text("name: Only a name\n")
    with pytest.raises(ValueError, match="phone"):
        ReloadingKnowledge(answers, messages, clinic)()


def test_cache_clear_reads_again():
    first = default_knowledge()
    assert default_knowledge() is first
    default_knowledge.cache_clear()
    again = default_knowledge()
    assert again is not first and again.messages == first.messages


def test_the_files_follow_the_environment(tmp_path, copies):
    answers, messages, clinic = copies
    edit(messages, set_greeting("From the copy"))
    env = {**os.environ, "CLINIC_KNOWLEDGE_DIR": str(answers.parent), "CLINIC_CONFIG": str(clinic)}
    code = ("from clinic_bot.content.knowledge import default_knowledge as k; "
            "print(k().message('greet').text, [str(f) for f in k.files])")
    seen = subprocess.run([sys.executable, "-c", code], cwd=paths.REPO_ROOT, env=env, capture_output=True,
                          text=True, timeout=60)
    assert seen.stdout.startswith("From the copy"), seen.stderr
    assert str(clinic) in seen.stdout and str(answers) in seen.stdout
