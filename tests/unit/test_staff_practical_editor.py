"""The staff console's editor of the practical answers (clinic_bot/staff/practical_editor.py), on a copy of
knowledge/practical_answers.yml: the checks are validate's, a save changes only the edited entry (the rest of the file
byte for byte), `more` and the folded texts round-trip, the preview is the bot's, and every save is audited.
Asserts markers, intents and values read from the files, never the clinic's wording (staff may edit it); problems by
their code and part, and their words (clinic_bot/staff/problem_wording.py) by the facts they must name."""
import shutil
from pathlib import Path
from typing import List, Tuple

import pytest
import yaml

from clinic_bot import paths
from clinic_bot.content.clinic_config import LOCATION_PLACEHOLDERS, load_clinic_details
from clinic_bot.content.knowledge import load_knowledge
from clinic_bot.content.practical_answers import parse_practical_answers, placeholders_in
from clinic_bot.content.yaml_lines import line_of, load_yaml
from clinic_bot.intents import PRACTICAL_ACTION
from clinic_bot.staff.audit import AuditLog
from clinic_bot.staff.practical_editor import AUDIT_ACTION, PracticalAnswersFile, PracticalForm
from clinic_bot.staff.problem_wording import plain_problems
from clinic_bot.tools import validate
from clinic_bot.tools.answer_parts import IF_UNSET, MORE, PRACTICAL, TEXT, TITLE, AnswerPart
from clinic_bot.tools.validate_practical import check_practical_answers

MARKER = "Staff edit marker 8P."
MORE_MARKER = "Another sentence for the marker 8P, with {phone}."
STAFF = "maria"


@pytest.fixture()
def copy(tmp_path: Path) -> Path:
    return Path(shutil.copy(paths.PRACTICAL_ANSWERS_FILE, tmp_path / "practical_answers.yml"))


@pytest.fixture()
def audit(tmp_path: Path) -> AuditLog:
    return AuditLog(tmp_path / "staff" / "audit.jsonl")


@pytest.fixture()
def editor(copy: Path, audit: AuditLog) -> PracticalAnswersFile:
    return PracticalAnswersFile(copy, audit=audit)


def intents_in_file() -> List[str]:
    return list(load_yaml(paths.PRACTICAL_ANSWERS_FILE)["answers"])


def around(text: str, file: Path, intent: str) -> Tuple[str, str]:
    """The file's text before ``intent``'s entry and from the next entry's key on (empty after the last entry)."""
    entries = load_yaml(file)["answers"]
    keys = list(entries)
    lines = text.splitlines(keepends=True)
    start = line_of(entries, intent) - 1
    following = keys.index(intent) + 1
    end = line_of(entries, keys[following]) - 1 if following < len(keys) else len(lines)
    while end > start + 1 and not lines[end - 1].strip():  # the blank line between entries counts as outside
        end -= 1
    return "".join(lines[:start]), "".join(lines[end:])


def errors_about(file: Path, intent: str) -> List[str]:
    """`make validate`'s errors about ``intent`` in ``file``."""
    domain = load_yaml(paths.DOMAIN_FILE) or {}
    problems = check_practical_answers(validate.rule_intents(PRACTICAL_ACTION),
                                       {str(i) for i in domain.get("intents") or []}, file)
    return [str(p) for p in problems if p.level == "error" and intent in (p.values.get("intent"),
                                                                         p.part.intent if p.part else None)]


def refused(editor: PracticalAnswersFile, copy: Path, audit: AuditLog, form: PracticalForm) -> List[str]:
    original = copy.read_bytes()
    result = editor.save(form, STAFF)
    assert not result.saved and result.problems
    assert result.problems == editor.problems(form)
    assert copy.read_bytes() == original  # untouched
    assert audit.recent() == []  # nothing saved, nothing audited
    words = plain_problems(result.problems)
    assert all("practical_answers.yml" not in p and "practical answer '" not in p for p in words)
    return words


def test_the_forms_are_the_file_and_pass_as_the_file_does(editor: PracticalAnswersFile, copy: Path):
    answers = parse_practical_answers(load_yaml(copy))
    assert editor.intents() == list(answers) == intents_in_file()
    assert editor.titles() == {intent: answer.title for intent, answer in answers.items()}
    for intent, answer in answers.items():
        form = editor.form(intent)
        assert (form.title, form.text, form.more, form.if_unset) == (answer.title, answer.text, list(answer.more),
                                                                     answer.if_unset)
        assert editor.problems(form) == [], intent  # make validate passes the repo's file
        assert editor.per_location(intent) == answer.per_location
    with pytest.raises(KeyError):
        editor.form("ask_no_such_thing")


@pytest.mark.parametrize("position", [0, len(intents_in_file()) // 2, -1])  # the first, one between, the last
def test_a_save_changes_only_that_entry(editor: PracticalAnswersFile, copy: Path, position: int):
    intent = intents_in_file()[position]
    original = copy.read_text(encoding="utf-8")
    before = parse_practical_answers(load_yaml(copy))
    form = editor.form(intent)
    form.text = form.text + "\r\n\r\n   " + MARKER.replace(" ", "   ") + "  \r\n"
    result = editor.save(form, STAFF)
    assert result.saved and result.changed and result.problems == []

    saved = copy.read_text(encoding="utf-8")
    assert around(saved, copy, intent) == around(original, paths.PRACTICAL_ANSWERS_FILE, intent)  # byte for byte
    after = parse_practical_answers(load_yaml(copy))
    assert after[intent].text == before[intent].text + " " + MARKER
    assert after[intent].more == before[intent].more and after[intent].if_unset == before[intent].if_unset
    assert after[intent].per_location == before[intent].per_location  # not editable: kept as it was
    assert {i: a for i, a in after.items() if i != intent} == {i: a for i, a in before.items() if i != intent}
    entry_lines = saved[len(around(saved, copy, intent)[0]):].splitlines()
    assert next(line for line in entry_lines if line.strip().startswith("text:")).strip() == "text: >-"
    assert max(len(line) for line in saved.splitlines()) <= max(len(line) for line in original.splitlines())
    assert errors_about(copy, intent) == []
    assert not [p for p in copy.parent.iterdir() if p.name not in (copy.name, "staff")]  # no temporary file left


def test_an_unchanged_form_leaves_the_file_as_it_is(editor: PracticalAnswersFile, copy: Path, audit: AuditLog):
    original = copy.read_bytes()
    for intent in editor.intents():
        result = editor.save(editor.form(intent), STAFF)
        assert result.saved and not result.changed, intent
    assert copy.read_bytes() == original
    assert audit.recent() == []  # nothing changed: nothing to audit


def test_more_round_trips_as_a_list(editor: PracticalAnswersFile, copy: Path):
    intent = next(i for i, a in parse_practical_answers(load_yaml(copy)).items() if len(a.more) >= 2)
    form = editor.form(intent)
    kept = form.more[1]
    form.more = ["", "  " + kept + "  ", "\r", MORE_MARKER]  # a textarea's lines: blank ones are dropped
    assert editor.save(form, STAFF).saved
    raw = yaml.safe_load(copy.read_text(encoding="utf-8"))["answers"][intent]["more"]
    assert raw == [kept, MORE_MARKER]
    assert editor.form(intent).more == [kept, MORE_MARKER]
    assert f'- "{MORE_MARKER}"' in copy.read_text(encoding="utf-8")  # quoted like the file's other sentences
    assert errors_about(copy, intent) == []

    form.more = []
    assert editor.save(form, STAFF).saved
    assert "more" not in yaml.safe_load(copy.read_text(encoding="utf-8"))["answers"][intent]


def test_an_if_unset_is_added_and_removed(editor: PracticalAnswersFile, copy: Path):
    intent = next(i for i, a in parse_practical_answers(load_yaml(copy)).items() if not a.if_unset)
    form = editor.form(intent)
    form.if_unset = MARKER + " {phone}"
    assert editor.save(form, STAFF).saved
    assert editor.form(intent).if_unset == MARKER + " {phone}"
    assert errors_about(copy, intent) == []
    form.if_unset = ""
    assert editor.save(form, STAFF).saved
    assert "if_unset" not in yaml.safe_load(copy.read_text(encoding="utf-8"))["answers"][intent]


def test_an_unknown_placeholder_is_refused_with_the_reason(editor: PracticalAnswersFile, copy: Path,
                                                           audit: AuditLog):
    intent = intents_in_file()[0]
    form = editor.form(intent)
    form.text += " Ask for {no_such_detail}."
    assert [(p.code, p.values["written"], p.part) for p in editor.problems(form)] == [
        ("unknown_placeholder", "{no_such_detail}", AnswerPart(PRACTICAL, intent, field=TEXT))]
    problems = refused(editor, copy, audit, form)
    assert len(problems) == 1 and "{no_such_detail}" in problems[0] and "{phone}" in problems[0]

    form = editor.form(intent)
    form.more.append("A sentence with {no_such_detail}.")
    assert [p.part for p in editor.problems(form)] == [AnswerPart(PRACTICAL, intent, field=MORE,
                                                                  sentence=len(form.more))]
    problems = refused(editor, copy, audit, form)
    assert len(problems) == 1 and problems[0].startswith(f"Sentence {len(form.more)} ")


def test_a_location_detail_needs_a_per_location_answer(editor: PracticalAnswersFile, copy: Path, audit: AuditLog):
    intent = next(i for i in editor.intents() if not editor.per_location(i))
    detail = LOCATION_PLACEHOLDERS["address"]
    form = editor.form(intent)
    form.text += f" We are at {{{detail}}}."
    assert [p.code for p in editor.problems(form)] == ["location_placeholder"]
    problems = refused(editor, copy, audit, form)
    assert len(problems) == 1 and f"{{{detail}}}" in problems[0] and "location" in problems[0]


def test_if_unset_may_use_only_the_details_that_are_never_empty(editor: PracticalAnswersFile, copy: Path,
                                                                audit: AuditLog):
    form = editor.form(intents_in_file()[0])
    form.if_unset = "Fax us at {fax}."
    assert [(p.code, p.part.field if p.part else None) for p in editor.problems(form)] == [
        ("optional_placeholder", IF_UNSET)]
    problems = refused(editor, copy, audit, form)
    assert len(problems) == 1 and "{fax}" in problems[0] and "{phone}" in problems[0]


def test_an_empty_text_or_title_and_a_stray_brace_are_refused(editor: PracticalAnswersFile, copy: Path,
                                                              audit: AuditLog):
    intent = intents_in_file()[0]
    form = editor.form(intent)
    form.text = " \r\n  "
    assert [(p.code, p.part) for p in editor.problems(form)] == [("no_text", AnswerPart(PRACTICAL, intent,
                                                                                        field=TEXT))]
    problems = refused(editor, copy, audit, form)
    assert len(problems) == 1 and "no text" in problems[0]

    form = editor.form(intent)
    form.title = "  "
    assert [(p.code, p.part) for p in editor.problems(form)] == [("no_title", AnswerPart(PRACTICAL, intent,
                                                                                         field=TITLE))]
    problems = refused(editor, copy, audit, form)
    assert len(problems) == 1 and "title" in problems[0]

    form = editor.form(intent)
    form.text += " Call {phone."
    assert [p.code for p in editor.problems(form)] == ["lone_opening_bracket"]
    problems = refused(editor, copy, audit, form)
    assert len(problems) == 1 and "curly bracket" in problems[0]


def test_the_preview_fills_in_the_clinic_details(editor: PracticalAnswersFile, copy: Path):
    clinic = load_clinic_details()
    answers = parse_practical_answers(load_yaml(copy))
    intent = next(i for i, a in answers.items()  # one whose text clinic.yml fills: not its if_unset instead
                  if "phone" in placeholders_in(a.text) and not editor.preview(editor.form(i)).missing)
    form = editor.form(intent)
    form.text += " " + MARKER
    form.more.append("Or call {phone}, {no_such_detail}.")
    preview = editor.preview(form)
    assert MARKER in preview.text and clinic.phone in preview.text and "{phone}" not in preview.text
    # As the bot would show it, were it saved (saving refuses it): a sentence naming an unknown detail is left out.
    assert "{no_such_detail}" not in preview.text and form.more[-1] in preview.left_out
    assert clinic.phone in preview.when_missing
    assert copy.read_text(encoding="utf-8") == paths.PRACTICAL_ANSWERS_FILE.read_text(encoding="utf-8")


def test_the_preview_is_for_the_first_location_and_names_what_is_left_out(editor: PracticalAnswersFile):
    clinic = load_clinic_details()
    intent = next(i for i in editor.intents() if editor.per_location(i))
    form = editor.form(intent)
    form.text = "{location_name}: " + MARKER
    empty = next((name for name, value in clinic.placeholders().items() if not value), None)
    if empty:
        form.more = [f"Also {{{empty}}}."]
    preview = editor.preview(form)
    assert preview.location == clinic.locations[0].name
    assert preview.text.startswith(clinic.locations[0].name + ": " + MARKER)
    assert preview.left_out == form.more if empty else preview.left_out == []


def test_a_save_is_audited(editor: PracticalAnswersFile, audit: AuditLog):
    intent = intents_in_file()[0]
    form = editor.form(intent)
    form.text += " " + MARKER
    assert editor.save(form, STAFF).saved
    entries = audit.recent()
    assert len(entries) == 1
    entry = entries[0]
    assert (entry["user"], entry["action"], entry["target"]) == (STAFF, AUDIT_ACTION, intent)
    assert entry["after"]["text"].endswith(MARKER) and not entry["before"]["text"].endswith(MARKER)
    assert {k: v for k, v in entry["after"].items() if k != "text"} == {
        k: v for k, v in entry["before"].items() if k != "text"}


def test_another_audit_log_can_be_given_to_save(editor: PracticalAnswersFile, audit: AuditLog, tmp_path: Path):
    other = AuditLog(tmp_path / "other" / "audit.jsonl")
    form = editor.form(intents_in_file()[0])
    form.title = form.title + " 8P"
    assert editor.save(form, STAFF, audit=other).saved
    assert audit.recent() == [] and other.recent()[0]["after"]["title"] == form.title


# The words each problem must say: the bracket as written, and how to write it instead. A format spec, a conversion
# and doubled brackets passed the editor's checks before; the others were refused in vaguer words.
MALFORMED = {"Call phone} now.": ("curly bracket }", "phone} now."),
             "Call {phone.__class__.__mro__}.": ("{phone.__class__.__mro__}", "write {phone},"),
             "Call {phone[0]}.": ("{phone[0]}", "write {phone},"),
             "Call {phone:>9}.": ("{phone:>9}", "write {phone},"),
             "Call {phone!r}.": ("{phone!r}", "write {phone},"),
             "Call {{phone}}.": ("{{phone}}", "single ones, {phone}")}
# One of each: a stray bracket, attribute access, a format spec and an unknown name.
EVERY_KIND = "Call {phone} ({phone.__class__.__mro__}, {phone:>9}) about {opening_times}, or {soon."
EVERY_SHOWN = ("{phone.__class__.__mro__}", "{phone:>9}", "{opening_times}", "curly bracket {")


@pytest.mark.parametrize("written", list(MALFORMED))
def test_a_brace_that_is_not_a_placeholder_is_refused_naming_it(editor: PracticalAnswersFile, copy: Path,
                                                                audit: AuditLog, written: str):
    form = editor.form(intents_in_file()[0])
    form.text += " " + written
    problems = refused(editor, copy, audit, form)
    assert len(problems) == 1 and problems[0].startswith("The answer ")
    assert all(said in problems[0] for said in MALFORMED[written]), problems[0]


@pytest.mark.parametrize("field", ["text", "more", "if_unset"])
def test_every_bad_brace_of_each_field_is_refused(editor: PracticalAnswersFile, copy: Path, audit: AuditLog,
                                                  field: str):
    form = editor.form(intents_in_file()[0])
    if field == "more":
        form.more = ["Or call {phone}.", EVERY_KIND]
    else:
        setattr(form, field, EVERY_KIND)
    problems = refused(editor, copy, audit, form)
    label = {"text": "The answer ", "more": "Sentence 2 under \u201cmore\u201d ",
             "if_unset": "The text for a missing detail "}[field]
    assert len(problems) == len(EVERY_SHOWN) and all(p.startswith(label) for p in problems), problems
    for shown in EVERY_SHOWN:
        assert sum(shown in p for p in problems) == 1, shown


def test_the_preview_is_what_the_bot_shows_for_the_saved_text(editor: PracticalAnswersFile, copy: Path,
                                                              tmp_path: Path):
    """The same fill: the preview of a text the editor refuses is what the bot would show, had it been saved by
    hand; the clinic's details filled in, every other brace as written, nothing evaluated."""
    answers = parse_practical_answers(load_yaml(copy))
    intent = next(i for i, a in answers.items() if not a.per_location and not editor.preview(editor.form(i)).missing)
    form = editor.form(intent)
    form.text = "Call {phone} ({phone.__class__.__mro__}, {phone:>9}), or {soon."
    form.more = ["Or {clinic_name} at {phone}.", "Not {opening_times}."]
    preview = editor.preview(form)
    data = yaml.safe_load(copy.read_text())
    data["answers"][intent].update(text=form.text, more=form.more)
    on_disk = tmp_path / "by_hand.yml"
    on_disk.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    assert preview.text == load_knowledge(practical_answers_file=on_disk).practical(intent).text
    clinic = load_clinic_details()
    assert preview.text == (f"Call {clinic.phone} ({{phone.__class__.__mro__}}, {{phone:>9}}), or {{soon. "
                            f"Or {clinic.name} at {clinic.phone}.")
    assert preview.left_out == ["Not {opening_times}."]
