"""What both kinds of answer share in the staff console: the one editor (clinic_bot/staff/entry_editor.py), on
copies of knowledge/answers.yml and knowledge/practical_answers.yml, each with an audit log of its own."""
import datetime as dt
import shutil
from pathlib import Path

import pytest

from clinic_bot import paths
from clinic_bot.staff import entry_editor
from clinic_bot.staff.answers_editor import AnswersFile
from clinic_bot.staff.audit import AuditLog
from clinic_bot.staff.entry_editor import EntryEditor
from clinic_bot.staff.practical_editor import PracticalAnswersFile
from clinic_bot.staff.problem_wording import plain
from clinic_bot.tools.answer_parts import CURATED, PRACTICAL, AnswerPart
from clinic_bot.tools.problems import Problem

TODAY = dt.date(2030, 1, 15)
MARKER = "Staff edit marker 7Q."
STAFF = "maria"


@pytest.fixture(params=["curated", "practical"])
def any_editor(request, tmp_path: Path) -> EntryEditor:
    """The editor of either kind, on a copy of its file, with an audit log of its own."""
    audit = AuditLog(tmp_path / "staff" / "audit.jsonl")
    if request.param == "curated":
        return AnswersFile(Path(shutil.copy(paths.ANSWERS_FILE, tmp_path / "answers.yml")), audit=audit,
                           today=lambda: TODAY)
    return PracticalAnswersFile(Path(shutil.copy(paths.PRACTICAL_ANSWERS_FILE, tmp_path / "practical_answers.yml")),
                                audit=audit)


def test_either_kind_audits_a_save_and_neither_rewrites_nor_audits_an_unchanged_form(any_editor: EntryEditor):
    intent = any_editor.intents()[0]
    form = any_editor.form(intent)
    form.text += " " + MARKER
    first = any_editor.save(form, STAFF)
    assert first.saved and first.changed and first.problems == []
    [entry] = any_editor.audit.recent()
    assert (entry["user"], entry["action"], entry["target"]) == (STAFF, any_editor.audit_action, intent)
    assert entry["after"]["text"].endswith(MARKER) and not entry["before"]["text"].endswith(MARKER)

    saved = any_editor.path.read_bytes()
    modified = any_editor.path.stat().st_mtime_ns
    again = any_editor.save(any_editor.form(intent), STAFF)  # as it is now (a curated one: reviewed today already)
    assert again.saved and not again.changed and again.problems == []
    assert any_editor.path.read_bytes() == saved and any_editor.path.stat().st_mtime_ns == modified  # not rewritten
    assert len(any_editor.audit.recent()) == 1  # nothing changed: nothing more audited


@pytest.mark.parametrize("corrupt", [lambda edited: edited + "extra: a key the edit must not add\n",
                                     lambda edited: edited + "  broken: [\n"], ids=["other-keys", "not-yaml"])
def test_either_kind_returns_a_failed_read_back_as_a_problem(any_editor: EntryEditor, monkeypatch, corrupt):
    original = any_editor.path.read_bytes()
    real_splice = entry_editor.splice_entry
    monkeypatch.setattr(entry_editor, "splice_entry", lambda *args: corrupt(real_splice(*args)))
    intent = any_editor.intents()[0]
    form = any_editor.form(intent)
    form.text += " " + MARKER
    result = any_editor.save(form, STAFF)
    assert not result.saved and not result.changed
    assert result.problems == [Problem(any_editor.path, 0, "error", "read_back_failed",
                                       part=AnswerPart(any_editor.entry, intent))]
    assert any_editor.path.read_bytes() == original and any_editor.audit.recent() == []
    assert f"'{intent}'" in plain(result.problems[0]) and "nothing was saved" in plain(result.problems[0])


def test_either_kind_names_an_unreadable_file_as_a_problem(any_editor: EntryEditor):
    intent = any_editor.intents()[0]
    form = any_editor.form(intent)
    any_editor.path.write_text(any_editor.path.read_text() + "  broken: [\n")
    result = any_editor.save(form, STAFF)
    assert not result.saved and result.problems == any_editor.problems(form)
    [found] = result.problems
    assert found.code == "unreadable_yaml" and found.values["error"]
    named = {CURATED: "The answers file", PRACTICAL: "The practical answers file"}[any_editor.entry]
    assert plain(found).startswith(f"{named} does not read as YAML ({found.values['error']})")
    assert any_editor.audit.recent() == []
