"""The Spanish beside the English in the staff console's editors (clinic_bot/staff/spanish_texts.py, through
answers_editor.py, practical_editor.py and their routes), on copies of the knowledge files: a Spanish edit changes only
the entry's es: block, the review tick sets reviewed and translates, an English edit makes the Spanish stale (the
page says so, the list shows it first), a Spanish text with other placeholders than its English is refused in the
form's words, and the preview shows the Spanish as a Spanish-speaking patient reads it, or why that patient gets the
English. Asserts markers, values read from the files and the facts the words must name, never the clinic's wording."""
import datetime as dt
import re
import shutil
from pathlib import Path
from typing import Any, Dict, List, Set

import pytest
import yaml

from clinic_bot import paths
from clinic_bot.content.clinic_config import load_clinic_details
from clinic_bot.content.knowledge import load_knowledge, parse_answers
from clinic_bot.content.practical_answers import parse_practical_answers
from clinic_bot.content.translations import STALE, UNREVIEWED
from clinic_bot.content.yaml_lines import line_of, load_yaml
from clinic_bot.staff.answers_editor import AnswerForm, AnswersFile
from clinic_bot.staff.audit import AuditLog
from clinic_bot.staff.practical_editor import PracticalAnswersFile
from clinic_bot.staff.problem_wording import plain_problems
from clinic_bot.staff.spanish_texts import WHY_ENGLISH, SpanishForm
from clinic_bot.tools import validate
from clinic_bot.tools.answer_parts import CURATED, MORE, PRACTICAL, TEXT, AnswerPart
from tests.unit.test_staff_console import Setup, logged_in, setup  # noqa: F401  (setup: a fixture)
from tests.unit.text_edits import changed_lines

TODAY = dt.date(2030, 1, 15)
STAFF = "maria"
INTENT = "ask_insurance"  # a curated answer whose Spanish uses {phone}
SPANISH_MARKER = "Frase de prueba 9E."
ENGLISH_MARKER = "Staff edit marker 9E."


def first_with_variant() -> str:
    return next(intent for intent, answer in parse_answers(load_yaml(paths.ANSWERS_FILE)).items()
                if answer.variants.get("procedure"))


@pytest.fixture()
def copies(tmp_path: Path) -> Dict[str, Path]:
    return {"answers": Path(shutil.copy(paths.ANSWERS_FILE, tmp_path / "answers.yml")),
            "practical": Path(shutil.copy(paths.PRACTICAL_ANSWERS_FILE, tmp_path / "practical_answers.yml")),
            "clinic": Path(shutil.copy(paths.CLINIC_CONFIG_FILE, tmp_path / "clinic.yml"))}


@pytest.fixture()
def audit(tmp_path: Path) -> AuditLog:
    return AuditLog(tmp_path / "staff" / "audit.jsonl")


@pytest.fixture()
def answers(copies: Dict[str, Path], audit: AuditLog) -> AnswersFile:
    return AnswersFile(copies["answers"], clinic_file=copies["clinic"], audit=audit, today=lambda: TODAY)


@pytest.fixture()
def practical(copies: Dict[str, Path], audit: AuditLog) -> PracticalAnswersFile:
    return PracticalAnswersFile(copies["practical"], clinic_file=copies["clinic"], audit=audit, today=lambda: TODAY)


def show_unreviewed(clinic: Path, shown: bool) -> None:
    text = clinic.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^show_unreviewed_translations: \w+", f"show_unreviewed_translations: {str(shown).lower()}",
                  text)
    clinic.write_text(text, encoding="utf-8")
    assert load_clinic_details(clinic).show_unreviewed_translations is shown


def raw_entry(file: Path, intent: str) -> Dict[str, Any]:
    return yaml.safe_load(file.read_text(encoding="utf-8"))["answers"][intent]


def es_block_lines(file: Path, intent: str) -> Set[int]:
    """The (1-based) lines of the es: block of ``intent``'s own text (not its variants')."""
    entry = load_yaml(file)["answers"][intent]
    keys = list(entry)
    start = line_of(entry, "es")
    following = keys.index("es") + 1
    if following < len(keys):
        end = line_of(entry, keys[following])
    else:
        answers = load_yaml(file)["answers"]
        names = list(answers)
        after = names.index(intent) + 1
        end = line_of(answers, names[after]) if after < len(names) else len(file.read_text().splitlines()) + 1
    return set(range(start, end))


def no_validate_errors(file: Path, intent: str) -> List[str]:
    domain = load_yaml(paths.DOMAIN_FILE) or {}
    problems = validate.check_answers(validate.rule_intents("action_answer_faq"),
                                      {str(i) for i in domain.get("intents") or []}, TODAY, file)
    return [str(p) for p in problems if p.level == "error" and p.part and p.part.intent == intent]


def reviewed_by_hand(file: Path, intent: str, on: str = "2029-12-01") -> None:
    """The Spanish of ``intent`` marked reviewed in the file, as a staff member would by hand."""
    entries = load_yaml(file)["answers"]
    line = line_of(entries[intent]["es"], "reviewed")
    lines = file.read_text(encoding="utf-8").splitlines(keepends=True)
    assert lines[line - 1].strip() == "reviewed:"
    lines[line - 1] = lines[line - 1].rstrip("\n") + f" {on}\n"
    file.write_text("".join(lines), encoding="utf-8")


# --- the file: a Spanish edit, the review tick, an English edit --------------------------------------------------

def test_the_forms_show_the_spanish_of_the_file(answers: AnswersFile, practical: PracticalAnswersFile,
                                                copies: Dict[str, Path]):
    for intent, answer in parse_answers(load_yaml(copies["answers"])).items():
        form = answers.form(intent)
        assert form.es is not None and answer.es is not None
        assert (form.es.title, form.es.text, form.es.translates) == (answer.es.title, answer.es.text,
                                                                     answer.es.translates)
        for variant in form.variants:
            es = answer.variants[variant.kind][variant.value].es
            assert variant.es is not None and es is not None and variant.es.text == es.text
    for intent, entry in parse_practical_answers(load_yaml(copies["practical"])).items():
        form = practical.form(intent)
        assert form.es is not None and entry.es is not None
        assert (form.es.title, form.es.text, form.es.more, form.es.if_unset) == (
            entry.es.title, entry.es.text, list(entry.es.more), entry.es.if_unset)


def test_a_spanish_edit_changes_only_that_entrys_es_block(answers: AnswersFile, copies: Dict[str, Path],
                                                          audit: AuditLog):
    file = copies["answers"]
    original = file.read_text(encoding="utf-8")
    before = raw_entry(file, INTENT)
    form = answers.form(INTENT)
    assert form.es is not None
    form.es.text += "\r\n  " + SPANISH_MARKER
    result = answers.save(form, STAFF)
    assert result.saved and result.changed and result.problems == []
    saved = file.read_text(encoding="utf-8")
    assert changed_lines(original, saved) <= es_block_lines(paths.ANSWERS_FILE, INTENT)
    after = raw_entry(file, INTENT)
    assert after["es"]["text"] == before["es"]["text"] + " " + SPANISH_MARKER
    # The English, its sources and its own reviewed date as they were: nobody reviewed the English.
    assert {k: v for k, v in after.items() if k != "es"} == {k: v for k, v in before.items() if k != "es"}
    # Not reviewed; still the English it translated (it was current: it stays current, unreviewed).
    assert after["es"]["reviewed"] is None and after["es"]["translates"] == before["es"]["translates"]
    assert answers.spanish_states(INTENT)[0].state == UNREVIEWED
    assert no_validate_errors(file, INTENT) == []
    [record] = audit.recent()
    assert record["after"]["es"]["text"].endswith(SPANISH_MARKER)


def test_the_review_tick_sets_reviewed_and_translates(answers: AnswersFile, copies: Dict[str, Path]):
    file = copies["answers"]
    intent = first_with_variant()
    form = answers.form(intent)
    assert form.es is not None and form.variants[0].es is not None
    form.es.review = True
    form.variants[0].es.review = True
    assert answers.save(form, STAFF).saved
    after = raw_entry(file, intent)
    answer = parse_answers(load_yaml(file))[intent]
    variant = form.variants[0]
    assert after["es"]["reviewed"] == TODAY and after["es"]["translates"] == answer.fingerprint()
    saved_variant = after[f"by_{variant.kind}"][variant.value]["es"]
    assert saved_variant["reviewed"] == TODAY
    assert saved_variant["translates"] == answer.variants[variant.kind][variant.value].fingerprint()
    assert "&id" not in file.read_text(encoding="utf-8")  # each date written as itself, no YAML alias
    states = {state.key: state.state for state in answers.spanish_states(intent)}
    assert states[""] == states[f"{variant.kind}:{variant.value}"] == "reviewed"
    assert [s for k, s in states.items() if k not in ("", f"{variant.kind}:{variant.value}")] == [UNREVIEWED] * (
        len(states) - 2)  # the others untouched
    # A clinic that shows only reviewed translations now gives the Spanish of these two.
    show_unreviewed(copies["clinic"], False)
    knowledge = load_knowledge(answers_file=file, clinic_file=copies["clinic"])
    assert knowledge.faq(intent, {}, "es").marker["language"] == "es"
    marker = knowledge.faq(intent, {variant.kind: variant.value}, "es").marker
    assert marker["translation_reviewed"] == TODAY.isoformat()


def test_an_english_edit_with_the_tick_reviews_the_spanish_against_the_new_english(answers: AnswersFile,
                                                                                 copies: Dict[str, Path]):
    form = answers.form(INTENT)
    assert form.es is not None
    form.text += " " + ENGLISH_MARKER
    form.es.text += " " + SPANISH_MARKER
    form.es.review = True
    assert answers.save(form, STAFF).saved
    after = raw_entry(copies["answers"], INTENT)
    assert after["es"]["translates"] == parse_answers(load_yaml(copies["answers"]))[INTENT].fingerprint()
    assert after["es"]["reviewed"] == TODAY and after["reviewed"] == TODAY
    assert answers.spanish_states(INTENT)[0].state == "reviewed"


def test_an_english_edit_makes_the_spanish_stale_and_empties_its_reviewed_date(answers: AnswersFile,
                                                                               copies: Dict[str, Path]):
    file = copies["answers"]
    reviewed_by_hand(file, INTENT)
    assert answers.spanish_states(INTENT)[0].state == "reviewed"
    before = raw_entry(file, INTENT)["es"]
    form = answers.form(INTENT)
    form.text += " " + ENGLISH_MARKER
    assert answers.save(form, STAFF).saved
    after = raw_entry(file, INTENT)["es"]
    assert after["translates"] == before["translates"]  # the English it translated: an earlier one
    assert after["reviewed"] is None  # its review was of the earlier English
    assert after["text"] == before["text"]
    [state] = answers.spanish_states(INTENT)[:1]
    assert state.state == STALE
    assert no_validate_errors(file, INTENT) == []  # stale is a warning: saved, and patients get the English
    marker = load_knowledge(answers_file=file, clinic_file=copies["clinic"]).faq(INTENT, {}, "es").marker
    assert (marker["language"], marker["translation"]) == ("en", STALE)


def test_rewording_a_stale_spanish_without_the_tick_leaves_it_stale(answers: AnswersFile, copies: Dict[str, Path]):
    form = answers.form(INTENT)
    form.text += " " + ENGLISH_MARKER
    assert answers.save(form, STAFF).saved
    stale_translates = raw_entry(copies["answers"], INTENT)["es"]["translates"]
    form = answers.form(INTENT)
    assert form.es is not None
    form.es.text += " " + SPANISH_MARKER
    assert answers.save(form, STAFF).saved
    after = raw_entry(copies["answers"], INTENT)["es"]
    assert after["text"].endswith(SPANISH_MARKER) and after["translates"] == stale_translates
    assert after["reviewed"] is None and answers.spanish_states(INTENT)[0].state == STALE


def test_a_new_spanish_text_is_current_and_not_reviewed_and_an_empty_one_is_removed(answers: AnswersFile,
                                                                                    copies: Dict[str, Path]):
    file = copies["answers"]
    intent = first_with_variant()
    form = answers.form(intent)
    variant = form.variants[0]
    variant.es = SpanishForm()  # every box emptied: the Spanish is removed
    assert answers.save(form, STAFF).saved
    assert "es" not in raw_entry(file, intent)[f"by_{variant.kind}"][variant.value]
    assert {s.key: s.state for s in answers.spanish_states(intent)}[f"{variant.kind}:{variant.value}"] == "missing"

    form = answers.form(intent)
    form.variants[0].es = SpanishForm(text="Texto nuevo de la variante. " + SPANISH_MARKER)
    assert answers.save(form, STAFF).saved
    es = raw_entry(file, intent)[f"by_{variant.kind}"][variant.value]["es"]
    assert es["text"].endswith(SPANISH_MARKER) and es["reviewed"] is None
    saved = parse_answers(load_yaml(file))[intent].variants[variant.kind][variant.value]
    assert es["translates"] == saved.fingerprint()
    assert no_validate_errors(file, intent) == []

    form = answers.form(intent)
    form.variants[0].es = SpanishForm(review=True)  # a review of nothing
    assert [(p.code, p.part) for p in answers.problems(form)] == [
        ("translation_without_text", AnswerPart(CURATED, intent, variant.kind, variant.value, field=TEXT,
                                                language="es"))]


# --- refused in the form's words -------------------------------------------------------------------------------

def refused(editor: Any, file: Path, audit: AuditLog, form: Any) -> List[str]:
    original = file.read_bytes()
    result = editor.save(form, STAFF)
    assert not result.saved and result.problems == editor.problems(form)
    assert file.read_bytes() == original and audit.recent() == []
    words = plain_problems(result.problems)
    assert all(".yml" not in w and "(es)" not in w for w in words)  # no file, no command-line naming
    return words


def test_a_placeholder_missing_from_the_spanish_is_refused_in_the_forms_words(answers: AnswersFile, audit: AuditLog,
                                                                              copies: Dict[str, Path]):
    form = answers.form(INTENT)
    assert form.es is not None and "{phone}" in form.es.text
    form.es.text = form.es.text.replace("{phone}", "el teléfono")
    [problem] = answers.problems(form)
    assert (problem.code, problem.part, problem.values["missing"]) == (
        "translation_placeholders_differ", AnswerPart(CURATED, INTENT, field=TEXT, language="es"), "{phone}")
    [words] = refused(answers, copies["answers"], audit, form)
    assert words.startswith("The Spanish of the general answer ") and "add {phone}" in words

    # Also when the English changed in the same save (validate only warns of a stale Spanish): the form changed it.
    form = answers.form(INTENT)
    assert form.es is not None
    form.text += " " + ENGLISH_MARKER
    form.es.text = form.es.text.replace("{phone}", "el teléfono")
    assert [p.code for p in answers.problems(form)] == ["translation_placeholders_differ"]


def test_a_spanish_that_does_not_render_the_practical_english_is_refused(practical: PracticalAnswersFile,
                                                                         audit: AuditLog, copies: Dict[str, Path]):
    intent = next(i for i, a in parse_practical_answers(load_yaml(copies["practical"])).items() if len(a.more) >= 2)
    form = practical.form(intent)
    assert form.es is not None
    form.es.more = form.es.more[:-1]
    assert [(p.code, p.part) for p in practical.problems(form)] == [
        ("translation_more_count", AnswerPart(PRACTICAL, intent, field=MORE, language="es"))]
    [words] = refused(practical, copies["practical"], audit, form)
    assert "\u201cmore\u201d" in words and str(len(form.es.more)) in words and str(len(form.more)) in words

    intent = next(i for i, a in parse_practical_answers(load_yaml(copies["practical"])).items() if not a.if_unset)
    form = practical.form(intent)
    assert form.es is not None
    form.es.if_unset = "Llámenos al {phone}."
    assert [p.code for p in practical.problems(form)] == ["translation_if_unset_without_english"]
    [words] = refused(practical, copies["practical"], audit, form)
    assert words.startswith("The Spanish of the text for a missing detail") and "English" in words


def test_a_practical_spanish_edit_and_review_change_only_its_es_block(practical: PracticalAnswersFile,
                                                                      copies: Dict[str, Path]):
    file = copies["practical"]
    intent = next(i for i, a in parse_practical_answers(load_yaml(file)).items() if a.more)
    original = file.read_text(encoding="utf-8")
    before = raw_entry(file, intent)
    form = practical.form(intent)
    assert form.es is not None
    form.es.more = [form.es.more[0] + " " + SPANISH_MARKER, *form.es.more[1:]]
    form.es.review = True
    assert practical.save(form, STAFF).saved
    after = raw_entry(file, intent)
    assert {k: v for k, v in after.items() if k != "es"} == {k: v for k, v in before.items() if k != "es"}
    assert after["es"]["more"][0].endswith(SPANISH_MARKER) and after["es"]["reviewed"] == TODAY
    assert after["es"]["translates"] == parse_practical_answers(load_yaml(file))[intent].fingerprint()
    entries = load_yaml(file)["answers"]
    names = list(entries)
    following = names.index(intent) + 1
    end = line_of(entries, names[following]) if following < len(names) else len(original.splitlines()) + 1
    assert changed_lines(original, file.read_text(encoding="utf-8")) <= set(
        range(line_of(entries[intent], "es"), end))
    assert practical.spanish_states(intent)[0].state == "reviewed"


# --- the preview in Spanish ------------------------------------------------------------------------------------

def test_the_preview_shows_the_spanish_as_the_patient_reads_it(answers: AnswersFile, copies: Dict[str, Path]):
    clinic = load_clinic_details(copies["clinic"])
    show_unreviewed(copies["clinic"], True)
    form = answers.form(INTENT)
    assert form.es is not None
    form.es.text += " " + SPANISH_MARKER
    [general, *_] = answers.spanish_preview(form)
    assert general.spanish and general.unreviewed_shown and general.why == ""
    assert general.read.endswith(SPANISH_MARKER) and clinic.phone in general.read and "{phone}" not in general.read
    assert general.title == form.es.title

    show_unreviewed(copies["clinic"], False)  # only reviewed translations: the English, and why
    [general, *_] = answers.spanish_preview(form)
    assert not general.spanish and general.why == WHY_ENGLISH[UNREVIEWED]
    bot = load_knowledge(answers_file=copies["answers"], clinic_file=copies["clinic"])
    assert general.read == bot.faq(INTENT, {}, "es").text  # the English after the line in Spanish, as the bot says it
    assert general.spanish_text.endswith(SPANISH_MARKER)  # to read before ticking the box
    form.es.review = True  # ticked: the patient will get it
    [general, *_] = answers.spanish_preview(form)
    assert general.spanish and not general.unreviewed_shown and general.read.endswith(SPANISH_MARKER)

    form = answers.form(INTENT)
    form.text += " " + ENGLISH_MARKER  # stale once saved
    [general, *_] = answers.spanish_preview(form)
    assert not general.spanish and general.why == WHY_ENGLISH[STALE] and ENGLISH_MARKER in general.read
    assert copies["answers"].read_bytes() == paths.ANSWERS_FILE.read_bytes()  # a preview saves nothing


def test_the_practical_preview_fills_the_spanish_values_of_clinic_yml(practical: PracticalAnswersFile,
                                                                      copies: Dict[str, Path]):
    clinic = load_clinic_details(copies["clinic"])
    place = clinic.locations[0]
    detail, spanish_value = next((name, value) for name, value in place.placeholders("es").items()
                                 if value != place.placeholders()[name])
    intent = next(i for i, a in parse_practical_answers(load_yaml(copies["practical"])).items()
                  if a.per_location and a.es and f"{{{detail}}}" in a.es.text)
    preview = practical.spanish_preview(practical.form(intent))
    assert preview.spanish and spanish_value in preview.read and "{" not in preview.read
    assert preview.title == practical.form(intent).es.title  # type: ignore[union-attr]


# --- the routes: the page, the preview, the save, the list -----------------------------------------------------

@pytest.fixture()
def console(setup: Setup, answers: AnswersFile, practical: PracticalAnswersFile) -> Setup:  # noqa: F811
    """The console of test_staff_console.py, editing the copies."""
    setup.console.answers = answers
    setup.console.practical = practical
    return setup


def posted(page: str) -> Dict[str, str]:
    """What the browser sends for the editor's form as the page shows it (text fields, textareas, ticked boxes)."""
    fields: Dict[str, str] = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page):
        fields[name] = value
    for name, value in re.findall(r'<input id="[^"]+" name="([^"]+)" value="([^"]*)"', page):
        fields[name] = value
    for name, value in re.findall(r'<textarea id="[^"]+" name="([^"]+)"[^>]*>([^<]*)</textarea>', page):
        fields[name] = value
    for select in re.findall(r'<select id="[^"]+" name="([^"]+)">(.*?)</select>', page, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', select[1])
        fields[select[0]] = chosen.group(1) if chosen else ""
    return {name: _unescaped(value) for name, value in fields.items()}


def _unescaped(value: str) -> str:
    return (value.replace("&#34;", '"').replace("&#39;", "'").replace("&lt;", "<").replace("&gt;", ">")
            .replace("&amp;", "&"))


def test_the_editor_page_shows_the_spanish_beside_the_english_and_saves_a_review(console: Setup,
                                                                                 copies: Dict[str, Path]):
    client = logged_in(console)
    page = client.get(f"/answers/{INTENT}").body
    form = console.console.answers.form(INTENT)
    assert form.es is not None
    assert 'id="es-title"' in page and 'id="es-text"' in page and 'id="es-review"' in page
    assert page.index('id="text"') < page.index('id="es-text"') < page.index('id="source-0-file"')  # under it
    assert 'data-spanish-state="unreviewed"' in page and "data-spanish-rule" in page
    fields = posted(page)
    assert fields["es-text"] == form.es.text and fields["es"] == "yes"

    fields.update({"es-text": fields["es-text"] + " " + SPANISH_MARKER, "es-review": "yes", "action": "preview"})
    preview = client.post(f"/answers/{INTENT}", fields)
    assert preview.status == 200 and "data-preview-spanish" in preview.body
    assert re.search(r'data-preview-es-text>[^<]*' + re.escape(SPANISH_MARKER), preview.body)
    assert copies["answers"].read_bytes() == paths.ANSWERS_FILE.read_bytes()

    fields["action"] = "save"
    saved = client.post(f"/answers/{INTENT}", fields)
    assert saved.status == 303, saved.body[:2000]
    es = raw_entry(copies["answers"], INTENT)["es"]
    assert es["text"].endswith(SPANISH_MARKER) and es["reviewed"] == TODAY
    page = client.get(f"/answers/{INTENT}").body
    assert "Spanish marked reviewed today" in page and 'data-spanish-state="reviewed"' in page
    [record] = [r for r in console.audit() if r["target"] == INTENT]
    assert record["user"] == "alice" and record["after"]["es"]["reviewed"] == TODAY.isoformat()


def test_a_refused_spanish_placeholder_is_said_on_the_page(console: Setup, copies: Dict[str, Path]):
    client = logged_in(console)
    fields = posted(client.get(f"/answers/{INTENT}").body)
    fields.update({"es-text": fields["es-text"].replace("{phone}", "el teléfono"), "action": "save"})
    reply = client.post(f"/answers/{INTENT}", fields)
    assert reply.status == 422
    problems = re.findall(r"<li data-problem>([^<]*)</li>", reply.body)
    assert len(problems) == 1 and "The Spanish of the general answer" in problems[0] and "{phone}" in problems[0]
    assert copies["answers"].read_bytes() == paths.ANSWERS_FILE.read_bytes()


def test_an_english_edit_says_the_spanish_is_stale_and_the_list_shows_it_first(console: Setup,
                                                                               copies: Dict[str, Path]):
    client = logged_in(console)
    listed = client.get("/answers").body
    rows = re.findall(r'<tr data-answer-intent="([^"]+)" data-spanish-state="([^"]+)"', listed)
    assert rows and all(state in ("unreviewed", "reviewed", "missing") for _, state in rows)
    assert rows[0][0] != INTENT

    fields = posted(client.get(f"/answers/{INTENT}").body)
    fields.update({"text": fields["text"] + " " + ENGLISH_MARKER, "action": "save"})
    assert client.post(f"/answers/{INTENT}", fields).status == 303
    page = client.get(f"/answers/{INTENT}").body
    warning = re.search(r'data-flash="warn">([^<]*)<', page)
    assert warning and "stale" in warning.group(1) and "General answer" in warning.group(1)
    assert 'data-spanish-state="stale"' in page

    rows = re.findall(r'<tr data-answer-intent="([^"]+)" data-spanish-state="([^"]+)"', client.get("/answers").body)
    assert rows[0] == (INTENT, "stale")
    assert [intent for intent, _ in rows[1:]] == [i for i in load_yaml(copies["answers"])["answers"] if i != INTENT]


def test_the_practical_list_and_editor_show_the_spanish(console: Setup, copies: Dict[str, Path]):
    client = logged_in(console)
    intent = list(load_yaml(copies["practical"])["answers"])[-1]
    fields = posted(client.get(f"/practical/{intent}").body)
    assert fields["es"] == "yes" and "es-title" in fields and "es-text" in fields
    fields.update({"title": fields["title"] + " 9E", "action": "save"})  # the English: its Spanish is stale
    assert client.post(f"/practical/{intent}", fields).status == 303
    assert "data-flash=\"warn\"" in client.get(f"/practical/{intent}").body
    rows = re.findall(r'<tr data-practical-intent="([^"]+)" data-spanish-state="([^"]+)"',
                      client.get("/answers").body)
    assert rows[0] == (intent, "stale") and len(rows) == len(load_yaml(copies["practical"])["answers"])

    fields = posted(client.get(f"/practical/{intent}").body)
    fields.update({"es-review": "yes", "action": "preview"})
    preview = client.post(f"/practical/{intent}", fields).body
    assert "data-preview-spanish" in preview and 'data-preview-es="es"' in preview
    fields["action"] = "save"
    assert client.post(f"/practical/{intent}", fields).status == 303
    assert raw_entry(copies["practical"], intent)["es"]["reviewed"] == TODAY
    assert 'data-spanish-state="reviewed"' in client.get(f"/practical/{intent}").body


def test_a_form_without_the_spanish_boxes_leaves_the_spanish_as_it_is(answers: AnswersFile, copies: Dict[str, Path]):
    """An older page, or a client that does not send them: the Spanish stays as it is (stale after an English edit)."""
    form = answers.form(INTENT)
    before = raw_entry(copies["answers"], INTENT)["es"]
    edited = AnswerForm(form.intent, form.title, form.text + " " + ENGLISH_MARKER, form.sources, form.variants,
                        form.reviewed)
    assert answers.save(edited, STAFF).saved
    assert raw_entry(copies["answers"], INTENT)["es"] == before
