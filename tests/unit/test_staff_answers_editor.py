"""The staff console's answer editor (clinic_bot/staff/answers_editor.py), on a copy of knowledge/answers.yml:
the checks are validate's, a save changes only the edited answer, and the file keeps its comments and style.
Asserts markers, intents and values read from the files, never the clinic's wording (staff may edit it); problems by
their code and values, and their words by the facts they must name."""
import datetime as dt
import difflib
import json
import shutil
from pathlib import Path
from typing import Dict, List, Set

import pytest
import yaml

from clinic_bot import paths
from clinic_bot.content.clinic_config import load_clinic_details
from clinic_bot.content.knowledge import load_knowledge, parse_answers
from clinic_bot.content.yaml_lines import line_of, load_yaml
from clinic_bot.staff.answers_editor import AnswerForm, AnswersFile, SourceRef, VariantForm
from clinic_bot.staff.audit import AuditLog
from clinic_bot.staff.problem_wording import plain_problems
from clinic_bot.tools import validate
from clinic_bot.tools.answer_parts import CURATED, SOURCES, TEXT, AnswerPart
from clinic_bot.tools.problems import Problem
from tests.unit.text_edits import changed_lines

TODAY = dt.date(2030, 1, 15)
MARKER = "Staff edit marker 7Q."
STAFF = "maria"


@pytest.fixture()
def copy(tmp_path: Path) -> Path:
    return Path(shutil.copy(paths.ANSWERS_FILE, tmp_path / "answers.yml"))


@pytest.fixture()
def audit(tmp_path: Path) -> AuditLog:
    return AuditLog(tmp_path / "staff" / "audit.jsonl")


@pytest.fixture()
def editor(copy: Path, audit: AuditLog) -> AnswersFile:
    return AnswersFile(copy, audit=audit, today=lambda: TODAY)


def headings(file_name: str) -> List[str]:
    return validate.article_headings(file_name)


def first_with_variant(kind: str) -> str:
    answers = parse_answers(load_yaml(paths.ANSWERS_FILE))
    return next(intent for intent, answer in answers.items() if answer.variants.get(kind))


def answer_lines(file: Path, intent: str) -> Set[int]:
    """The (1-based) lines of ``intent``'s entry, from its key to the line before the next answer's key."""
    answers = load_yaml(file)["answers"]
    keys = list(answers)
    start = line_of(answers, intent)
    following = keys.index(intent) + 1
    end = line_of(answers, keys[following]) if following < len(keys) else len(file.read_text().splitlines()) + 1
    return set(range(start, end))


def errors_about(file: Path, intent: str) -> List[str]:
    domain = load_yaml(paths.DOMAIN_FILE) or {}
    problems = validate.check_answers(validate.rule_intents("action_answer_faq"),
                                      {str(i) for i in domain.get("intents") or []}, TODAY, file)
    return [str(p) for p in problems if p.level == "error" and intent in (p.values.get("intent"),
                                                                         p.part.intent if p.part else None)]


def test_the_forms_are_the_file_and_pass_as_the_file_does(editor: AnswersFile, copy: Path):
    answers = parse_answers(load_yaml(copy))
    assert editor.intents() == list(answers)
    for intent in editor.intents():
        form = editor.form(intent)
        assert form.intent == intent and form.reviewed == answers[intent].reviewed
        assert [(s.file, s.section) for s in form.sources] == [(s.file, s.section) for s in answers[intent].sources]
        assert {(v.kind, v.value) for v in form.variants} == {
            (kind, value) for kind, values in answers[intent].variants.items() for value in values}
        assert editor.problems(form) == [], intent  # make validate passes the repo's file
    assert editor.source_files() == sorted(p.name for p in paths.SOURCES_DIR.glob("*.txt"))
    with pytest.raises(KeyError):
        editor.form("ask_no_such_thing")
    with pytest.raises(KeyError):
        editor.problems(AnswerForm("ask_no_such_thing", "T", "Text.", [], [], ""))


def test_a_saved_text_changes_only_that_answer(editor: AnswersFile, copy: Path):
    original = copy.read_text(encoding="utf-8")
    before = parse_answers(load_yaml(copy))
    intent = "ask_insurance"
    form = editor.form(intent)
    form.text = form.text + "\r\n\r\n   " + MARKER.replace(" ", "   ") + "  \r\n"
    form.sources.append(SourceRef("", ""))  # the browser's empty row: ignored
    result = editor.save(form, STAFF)
    assert result.saved and result.problems == []

    saved = copy.read_text(encoding="utf-8")
    after = parse_answers(load_yaml(copy))
    assert after[intent].text.endswith(MARKER) and "\r" not in after[intent].text and "  " not in after[intent].text
    assert after[intent].sources == before[intent].sources
    assert {i: a for i, a in after.items() if i != intent} == {i: a for i, a in before.items() if i != intent}
    assert yaml.safe_load(saved)["answers"][intent]["reviewed"] == TODAY  # a YAML date, not a string
    span = answer_lines(paths.ANSWERS_FILE, intent)  # in the file as it was
    assert changed_lines(original, saved) <= span - {min(span)}
    comments = [line for line in original.splitlines() if line.lstrip().startswith("#")]
    assert comments and [line for line in saved.splitlines() if line.lstrip().startswith("#")] == comments
    saved_span = answer_lines(copy, intent)
    text_key = next(line for n, line in enumerate(saved.splitlines(), 1)
                    if n in saved_span and line.strip().startswith("text:"))
    assert text_key.strip() == "text: >-"
    assert max(len(line) for line in saved.splitlines()) <= max(len(line) for line in original.splitlines())
    assert errors_about(copy, intent) == []
    assert json.loads(json.dumps(result.after))["reviewed"] == TODAY.isoformat()
    assert result.after["text"].endswith(MARKER) and not result.before["text"].endswith(MARKER)
    assert not [p for p in copy.parent.iterdir() if p.name not in (copy.name, "staff")]  # no temporary file left


def test_saving_an_unchanged_form_only_sets_the_reviewed_date(editor: AnswersFile, copy: Path):
    original = copy.read_text(encoding="utf-8")
    intent = first_with_variant("procedure")
    assert editor.save(editor.form(intent), STAFF).saved
    removed = [line for line in difflib.ndiff(original.splitlines(), copy.read_text().splitlines())
               if line.startswith("- ")]
    assert [line.split(":")[0].strip("- ") for line in removed] == ["reviewed"]


def refused_problems(editor: AnswersFile, copy: Path, form: AnswerForm) -> List[Problem]:
    """The problems a save of ``form`` is refused for: the same as problems() finds, the file untouched, no audit."""
    original = copy.read_bytes()
    result = editor.save(form, STAFF)
    assert not result.saved and result.problems and not result.changed
    assert result.problems == editor.problems(form)
    assert copy.read_bytes() == original  # untouched
    assert editor.audit.recent() == []  # nothing saved, nothing audited
    return result.problems


def refused(editor: AnswersFile, copy: Path, form: AnswerForm) -> List[str]:
    """The problems as the console words them."""
    problems = plain_problems(refused_problems(editor, copy, form))
    assert all(":" not in p.split(" ")[0] and "answers.yml" not in p for p in problems)  # no file:line
    return problems


def test_a_section_that_is_no_heading_is_refused_naming_it(editor: AnswersFile, copy: Path):
    form = editor.form("ask_insurance")
    form.sources.append(SourceRef(form.sources[0].file, "Risks of RFA"))
    [found] = editor.problems(form)
    assert (found.code, dict(found.values)) == ("section_not_in_article", {"section": "Risks of RFA",
                                                                           "file": form.sources[0].file})
    assert found.part == AnswerPart(CURATED, "ask_insurance", field=SOURCES, source=len(form.sources))
    problems = refused(editor, copy, form)
    assert len(problems) == 1
    problem = problems[0]
    assert problem.startswith(f"Source {len(form.sources)} ") and "'Risks of RFA'" in problem
    assert form.sources[0].file in problem
    example = problem.split("for example '")[1].rstrip("')")
    assert example in headings(form.sources[0].file)


def test_a_missing_article_and_a_half_filled_row_are_refused(editor: AnswersFile, copy: Path):
    form = editor.form("ask_insurance")
    form.sources = [SourceRef("no_such_article.txt", "Anything"), SourceRef(form.sources[0].file, ""),
                    form.sources[0]]
    found = editor.problems(form)
    assert [(p.code, p.part.source if p.part else None) for p in found] == [("half_filled_source", 2),
                                                                             ("unknown_source_file", 1)]
    assert found[1].values["file"] == "no_such_article.txt"
    problems = refused(editor, copy, form)
    assert len(problems) == 2
    assert problems[0].startswith("Source 2 ") and "both" in problems[0]
    assert problems[1].startswith("Source 1 ") and "no_such_article.txt" in problems[1]


def test_an_unknown_placeholder_and_an_empty_text_are_refused(editor: AnswersFile, copy: Path):
    form = editor.form("ask_insurance")
    form.text += " Fax us at {fax}."
    [found] = editor.problems(form)
    assert (found.code, found.values["written"], found.part) == (
        "optional_placeholder", "{fax}", AnswerPart(CURATED, "ask_insurance", field=TEXT))
    problems = refused(editor, copy, form)
    assert len(problems) == 1 and "{fax}" in problems[0] and "{phone}" in problems[0]

    form = editor.form("ask_insurance")
    form.text = " \r\n  "
    assert [p.code for p in editor.problems(form)] == ["no_text"]
    problems = refused(editor, copy, form)
    assert len(problems) == 1 and "general answer has no text" in problems[0]

    form = editor.form("ask_insurance")
    form.sources = [SourceRef("", "")]
    assert [p.code for p in editor.problems(form)] == ["no_source"]
    problems = refused(editor, copy, form)
    assert len(problems) == 1 and "no source" in problems[0]


def test_a_variant_is_edited(editor: AnswersFile, copy: Path):
    intent = first_with_variant("procedure")
    before = parse_answers(load_yaml(copy))[intent]
    form = editor.form(intent)
    edited = form.variants[0]
    edited.text += "\r\n " + MARKER
    assert editor.save(form, STAFF).saved
    after = parse_answers(load_yaml(copy))[intent]
    assert after.variants[edited.kind][edited.value].text.endswith(MARKER)
    assert after.text == before.text and after.sources == before.sources
    assert {v: a for v, a in after.variants[edited.kind].items() if v != edited.value} == {
        v: a for v, a in before.variants[edited.kind].items() if v != edited.value}
    assert errors_about(copy, intent) == []


def test_a_variant_is_removed(editor: AnswersFile, copy: Path):
    intent = first_with_variant("procedure")
    before = parse_answers(load_yaml(copy))[intent]
    form = editor.form(intent)
    gone = form.variants[-1]
    gone.remove = True
    assert editor.save(form, STAFF).saved
    after = parse_answers(load_yaml(copy))[intent]
    assert gone.value not in after.variants[gone.kind]
    assert after.variants[gone.kind] == {v: a for v, a in before.variants[gone.kind].items() if v != gone.value}
    assert errors_about(copy, intent) == []


def test_all_variants_removed_leave_no_empty_block(editor: AnswersFile, copy: Path):
    intent = first_with_variant("condition")
    form = editor.form(intent)
    for variant in form.variants:
        variant.remove = True
    assert editor.save(form, STAFF).saved
    raw = yaml.safe_load(copy.read_text())["answers"][intent]
    assert "by_condition" not in raw and "by_procedure" not in raw
    assert errors_about(copy, intent) == []


def test_a_variant_for_a_known_value_is_added_and_answers(editor: AnswersFile, copy: Path):
    intent = "ask_insurance"
    values = validate.canonical_values()
    taken = {v.value for v in editor.form(intent).variants}
    value = sorted(values["procedure"] - taken)[0]
    article = editor.source_files()[0]
    form = editor.form(intent)
    form.variants.append(VariantForm("procedure", value, f"{MARKER} Call {{phone}}.",
                                     [SourceRef(article, headings(article)[0]), SourceRef("", "")]))
    assert editor.save(form, STAFF).saved
    assert errors_about(copy, intent) == []
    knowledge = load_knowledge(answers_file=copy)
    reply = knowledge.faq(intent, {"procedure": value})
    assert reply.marker["variant"] == f"procedure:{value}"
    assert reply.text.startswith(MARKER) and load_clinic_details().phone in reply.text


def test_a_variant_for_an_unknown_value_or_twice_is_refused(editor: AnswersFile, copy: Path):
    article = editor.source_files()[0]
    source = SourceRef(article, headings(article)[0])
    form = editor.form("ask_insurance")
    form.variants.append(VariantForm("procedure", "laser_magic", MARKER, [source]))
    [found] = editor.problems(form)
    assert (found.code, found.values["kind"], found.values["value"]) == ("unknown_variant_value", "procedure",
                                                                         "laser_magic")
    assert found.part == AnswerPart(CURATED, "ask_insurance", "procedure", "laser_magic")
    problems = refused(editor, copy, form)
    assert len(problems) == 1 and "laser magic" in problems[0]

    intent = first_with_variant("procedure")
    form = editor.form(intent)
    existing = form.variants[0]
    form.variants.append(VariantForm(existing.kind, existing.value, MARKER, [source]))
    assert [(p.code, p.part) for p in editor.problems(form)] == [
        ("duplicate_variant", AnswerPart(CURATED, intent, existing.kind, existing.value))]
    problems = refused(editor, copy, form)
    assert len(problems) == 1 and existing.value.replace("_", " ") in problems[0]

    form = editor.form("ask_insurance")
    form.variants.append(VariantForm("procedure", "", MARKER, [source]))
    form.variants.append(VariantForm("drug", "aspirin", MARKER, [source]))
    assert [(p.code, dict(p.values)) for p in editor.problems(form)] == [
        ("variant_without_value", {"kind": "procedure"}), ("variant_kind_unknown", {"kind": "drug"})]
    assert len(refused(editor, copy, form)) == 2


def test_the_preview_fills_the_clinic_details_and_keeps_unknown_placeholders(editor: AnswersFile):
    clinic = load_clinic_details()
    form = editor.form(first_with_variant("procedure"))
    form.text = "Call {phone} at {clinic_name}.\r\n  Fax {fax}; odd { brace"
    form.variants[0].text = "Book at {booking_url}."
    form.variants[-1].remove = True
    shown: Dict[str, str] = dict(editor.preview(form))
    labels = [label for label, _ in editor.preview(form)]
    assert labels[0] == "General answer" and len(labels) == len(form.variants)
    assert labels[1].endswith(form.variants[0].value.replace("_", " "))
    general = shown["General answer"]
    assert clinic.phone in general and clinic.name in general and "{fax}" in general and "{ brace" in general
    assert clinic.booking_url in shown[labels[1]]


def test_due_for_review_orders_and_filters(tmp_path: Path):
    data = yaml.safe_load(paths.ANSWERS_FILE.read_text())
    today = TODAY
    max_age = validate.REVIEW_MAX_AGE_DAYS
    intents = list(data["answers"])
    for intent in intents:
        data["answers"][intent]["reviewed"] = today
    data["answers"][intents[0]]["reviewed"] = today - dt.timedelta(days=max_age - 10)  # due in 10 days
    data["answers"][intents[1]]["reviewed"] = today - dt.timedelta(days=max_age + 3)  # 3 days overdue
    data["answers"][intents[2]]["reviewed"] = "soon"  # no valid date
    data["answers"][intents[3]]["reviewed"] = today - dt.timedelta(days=max_age - 40)  # due in 40 days
    file = tmp_path / "answers.yml"
    file.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    editor = AnswersFile(file)
    assert editor.due_for_review(today) == [
        (intents[2], "soon", 0),
        (intents[1], (today - dt.timedelta(days=max_age + 3)).isoformat(), -3),
        (intents[0], (today - dt.timedelta(days=max_age - 10)).isoformat(), 10),
    ]
    assert [intent for intent, _, _ in editor.due_for_review(today, within_days=5)] == [intents[2], intents[1]]
    assert len(editor.due_for_review(today, within_days=40)) == 4


def test_comments_between_and_inside_answers_are_kept(tmp_path: Path):
    """What the real file may grow: end-of-line comments, comment lines before an answer, the last answer."""
    article = sorted(p.name for p in paths.SOURCES_DIR.glob("*.txt"))[0]
    heading = headings(article)[0]
    text = f"""# header
answers:
  ask_first:   # a comment on the key
    title: First
    follow_up: false   # why
    text: >-
      First text.
    sources:
      - file: {article}
        section: "{heading}"
    reviewed: 2026-01-01  # checked by the nurse

  # about the second one
  ask_second:
    title: Second
    text: >-
      Second text.
    sources:
      - file: {article}
        section: "{heading}"
    reviewed: 2026-01-01

# the end
"""
    file = tmp_path / "answers.yml"
    file.write_text(text)
    editor = AnswersFile(file, audit=AuditLog(tmp_path / "staff" / "audit.jsonl"), today=lambda: TODAY)
    for intent in ("ask_first", "ask_second"):
        form = editor.form(intent)
        form.text += " " + MARKER
        form.variants.append(VariantForm("procedure", sorted(validate.canonical_values()["procedure"])[0], MARKER,
                                         [SourceRef(article, heading)]))
        assert editor.save(form, STAFF).saved, editor.problems(form)
    saved = file.read_text()
    for line in ("  ask_first:   # a comment on the key", "    follow_up: false   # why",
                 f"    reviewed: {TODAY.isoformat()}  # checked by the nurse", "",
                 "  # about the second one", "# the end"):
        assert line in saved.splitlines()
    assert saved.startswith("# header\nanswers:\n  ask_first:") and saved.endswith("\n\n# the end\n")
    assert saved.count("\n\n") == 2  # the blank lines stayed where they were, no new ones
    data = yaml.safe_load(saved)["answers"]
    assert all(data[i]["text"].endswith(MARKER) and data[i]["by_procedure"] for i in ("ask_first", "ask_second"))


# Each passed the editor, its preview and `make validate` before, then failed or misused the bot's str.format. The
# words each problem must say: the bracket as written (a lone one with the words around it), and what to write.
MALFORMED = {"Call {phone.": ("curly bracket {", "Call {phone.\u201d"),
             "Call phone} now.": ("curly bracket }", "phone} now."),
             "Call {phone.__class__.__mro__}.": ("{phone.__class__.__mro__}", "write {phone},"),
             "Call {phone[0]}.": ("{phone[0]}", "write {phone},"),
             "Call {phone:>9}.": ("{phone:>9}", "write {phone},"),
             "Call {phone!r}.": ("{phone!r}", "write {phone},"),
             "Call {{phone}}.": ("{{phone}}", "single ones, {phone}")}


@pytest.mark.parametrize("written", list(MALFORMED))
def test_a_brace_that_is_not_a_placeholder_is_refused_naming_it(editor: AnswersFile, copy: Path, written: str):
    form = editor.form("ask_insurance")
    form.text += " " + written
    problems = refused(editor, copy, form)
    assert len(problems) == 1 and problems[0].startswith("The general answer ")
    assert all(said in problems[0] for said in MALFORMED[written]), problems[0]


def test_every_bad_brace_of_a_variant_is_refused(editor: AnswersFile, copy: Path):
    intent = first_with_variant("procedure")
    form = editor.form(intent)
    variant = form.variants[0]
    variant.text = "Call {phone} ({phone.__class__.__mro__}, {phone:>9}) about {opening_times}, or {soon."
    problems = refused(editor, copy, form)
    label = f"The answer for {variant.value.replace('_', ' ')} "
    assert len(problems) == 4 and all(p.startswith(label) for p in problems)
    for shown in ("{phone.__class__.__mro__}", "{phone:>9}", "{opening_times}", "curly bracket {"):
        assert sum(shown in p for p in problems) == 1, shown


def test_the_preview_is_what_the_bot_shows_for_the_saved_text(editor: AnswersFile, copy: Path, tmp_path: Path):
    """The same fill: the preview of a text the editor refuses is what the bot would show, had it been saved by
    hand; the clinic's details filled in, every other brace as written, nothing evaluated."""
    form = editor.form("ask_insurance")
    form.text = "Call {phone} at {clinic_name} ({phone.__class__.__mro__}, {phone:>9}, {fax}), or {soon."
    shown = dict(editor.preview(form))["General answer"]
    data = yaml.safe_load(copy.read_text())
    data["answers"]["ask_insurance"]["text"] = form.text
    on_disk = tmp_path / "by_hand.yml"
    on_disk.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    assert shown == load_knowledge(answers_file=on_disk).faq("ask_insurance", {}).text
    clinic = load_clinic_details()
    assert shown == (f"Call {clinic.phone} at {clinic.name} ({{phone.__class__.__mro__}}, {{phone:>9}}, {{fax}}), "
                     "or {soon.")
