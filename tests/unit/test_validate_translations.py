"""`make validate`'s checks of the Spanish texts (es:) of knowledge/, each code on a broken copy: placeholders, sources,
title, `more`, translates (missing, stale), reviewed, the safety messages' numbers, and the summary of unreviewed
translations. Problems by their code, level, values and part; the words only by the facts they must name."""
import datetime as dt
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable, Dict, List, Tuple

import pytest
import yaml

from clinic_bot import paths
from clinic_bot.content.yaml_lines import line_of, load_yaml
from clinic_bot.intents import FAQ_ACTION, PRACTICAL_ACTION
from clinic_bot.staff.problem_wording import plain
from clinic_bot.tools.answer_parts import (
    CURATED,
    IF_UNSET,
    MESSAGE,
    MORE,
    PRACTICAL,
    REVIEWED,
    SOURCES,
    TEXT,
    TITLE,
    TRANSLATES,
    AnswerPart,
)
from clinic_bot.tools.problems import Problem
from clinic_bot.tools.validate import (
    check_answers,
    check_messages,
    check_translations_reviewed,
    rule_intents,
    run_checks,
)
from clinic_bot.tools.validate_practical import check_practical_answers
from tests.unit.text_edits import copy_with

DOMAIN_INTENTS = {str(i) for i in yaml.safe_load(paths.DOMAIN_FILE.read_text())["intents"]}
TODAY = dt.date.today()
INSURANCE = AnswerPart(CURATED, "ask_insurance", language="es")
VARIANT = AnswerPart(CURATED, "ask_safety", "procedure", "spinal_cord_stimulation", language="es")



def answer_problems(tmp_path: Path, change: Callable[[Dict[str, Any]], None]) -> List[Problem]:
    copy = copy_with(tmp_path, paths.ANSWERS_FILE, change)
    return [p for p in check_answers(rule_intents(FAQ_ACTION), DOMAIN_INTENTS, TODAY, copy)
            if p.code != "review_overdue"]


def practical_problems(tmp_path: Path, change: Callable[[Dict[str, Any]], None]) -> List[Problem]:
    copy = copy_with(tmp_path, paths.PRACTICAL_ANSWERS_FILE, change)
    return [p for p in check_practical_answers(rule_intents(PRACTICAL_ACTION), DOMAIN_INTENTS, copy)
            if p.code != "details_empty"]


def message_problems(tmp_path: Path, monkeypatch, change: Callable[[Dict[str, Any]], None]) -> List[Problem]:
    monkeypatch.setattr(paths, "MESSAGES_FILE", copy_with(tmp_path, paths.MESSAGES_FILE, change))
    return check_messages(rule_intents("action_reply"))


def found(problems: List[Problem]) -> List[Tuple[str, str, Any, Dict[str, str]]]:
    """(code, level, part, values) of each problem."""
    return [(p.code, p.level, p.part, dict(p.values)) for p in problems]


def test_the_repository_has_no_translation_error_and_only_the_summary_warning():
    problems = [p for p in run_checks() if p.part is not None and p.part.language == "es"]
    assert problems == []
    summary = [p for p in run_checks() if p.code.endswith("translations_unreviewed")]
    assert [(p.code, p.level, p.file) for p in summary] == [("translations_unreviewed", "warning",
                                                            paths.CLINIC_CONFIG_FILE)]


def test_spanish_placeholders_must_be_the_englishs(tmp_path):
    def change(data):
        answer = data["answers"]["ask_insurance"]
        answer["es"]["text"] = answer["es"]["text"].replace("{phone}", "{booking_url}")

    problems = answer_problems(tmp_path, change)
    assert found(problems) == [("translation_placeholders_differ", "error", replace(INSURANCE, field=TEXT),
                                {"missing": "{phone}", "extra": "{booking_url}"})]
    assert "answer 'ask_insurance' (es)" in str(problems[0]) and "{phone}" in str(problems[0])


def test_a_translation_has_no_sources_of_its_own(tmp_path):
    def change(data):
        answer = data["answers"]["ask_insurance"]
        answer["es"]["sources"] = answer["sources"]  # the same as the English: allowed
        variant = data["answers"]["ask_safety"]["by_procedure"]["spinal_cord_stimulation"]
        variant["es"]["sources"] = variant["sources"][:1]

    assert found(answer_problems(tmp_path, change)) == [
        ("translation_own_sources", "error", replace(VARIANT, field=SOURCES), {})]


def test_a_translation_needs_a_title_a_text_and_translates(tmp_path):
    english = {}

    def change(data):
        answer = data["answers"]["ask_insurance"]
        english["fingerprint"] = answer["es"].pop("translates")
        answer["es"]["title"] = ""
        data["answers"]["ask_safety"]["by_procedure"]["spinal_cord_stimulation"]["es"]["text"] = " "

    assert found(answer_problems(tmp_path, change)) == [
        ("translation_without_text", "error", replace(VARIANT, field=TEXT), {}),
        ("translation_without_title", "error", replace(INSURANCE, field=TITLE), {}),
        ("translation_without_fingerprint", "error", replace(INSURANCE, field=TRANSLATES), english)]


def test_a_stale_translation_is_a_warning_naming_it_and_its_differences_too(tmp_path):
    def change(data):
        answer = data["answers"]["ask_insurance"]
        answer["text"] += " Or book at {booking_url}."

    problems = answer_problems(tmp_path, change)
    assert [(code, level, part) for code, level, part, _ in found(problems)] == [
        ("translation_stale", "warning", replace(INSURANCE, field=TRANSLATES)),
        ("translation_placeholders_differ", "warning", replace(INSURANCE, field=TEXT))]
    stale = problems[0]
    assert stale.values["translates"] != stale.values["fingerprint"]
    copy = tmp_path / paths.ANSWERS_FILE.name
    assert stale.line == line_of(load_yaml(copy)["answers"]["ask_insurance"]["es"], "translates")
    assert "answer 'ask_insurance' (es)" in str(stale) and stale.values["fingerprint"] in str(stale)


def test_reviewed_is_a_date_or_empty(tmp_path):
    def change(data):
        data["answers"]["ask_insurance"]["es"]["reviewed"] = "last week"
        data["answers"]["ask_cost"]["es"]["reviewed"] = dt.date(2026, 12, 1)
        data["answers"]["ask_recovery"]["es"]["reviewed"] = "2026-12-01"

    assert found(answer_problems(tmp_path, change)) == [
        ("translation_reviewed_not_date", "error", replace(INSURANCE, field=REVIEWED), {"reviewed": "last week"})]


def test_a_translation_that_is_not_a_mapping_or_has_an_unknown_key(tmp_path):
    def change(data):
        data["answers"]["ask_insurance"]["es"] = "Texto"
        data["answers"]["ask_cost"]["es"]["reviewd"] = "2026-12-01"

    problems = answer_problems(tmp_path, change)
    assert [(code, level, part, values.get("key")) for code, level, part, values in found(problems)] == [
        ("translation_not_mapping", "error", INSURANCE, None),
        ("translation_unknown_key", "warning", AnswerPart(CURATED, "ask_cost", language="es"), "reviewd")]


def test_a_bad_bracket_in_a_spanish_text_is_named_as_the_spanish(tmp_path):
    def change(data):
        data["answers"]["ask_insurance"]["es"]["text"] += " {phone"

    [problem] = answer_problems(tmp_path, change)
    assert (problem.code, problem.part) == ("lone_opening_bracket", replace(INSURANCE, field=TEXT))
    assert str(problem).split(": error: ")[1].startswith("answer 'ask_insurance' (es) has a curly bracket")


def test_more_has_as_many_sentences_as_the_english_and_if_unset_where_it_has_one(tmp_path):
    def change(data):
        data["answers"]["ask_contact"]["es"]["more"].pop()
        data["answers"]["ask_hours"]["es"].pop("if_unset")
        data["answers"]["ask_location"]["es"]["more"][1] = "Estacionamiento: {accessibility}"

    whole = AnswerPart(PRACTICAL, "ask_contact", language="es")
    location = AnswerPart(PRACTICAL, "ask_location", language="es")
    problems = practical_problems(tmp_path, change)
    assert found(problems) == [
        ("translation_without_if_unset", "error", AnswerPart(PRACTICAL, "ask_hours", field=IF_UNSET, language="es"),
         {}),
        ("translation_placeholders_differ", "error", replace(location, field=MORE, sentence=2),
         {"missing": "{parking}", "extra": "{accessibility}"}),
        ("translation_more_count", "error", replace(whole, field=MORE), {"spanish": "1", "english": "2"})]
    assert "practical answer 'ask_location' (es, more, sentence 2)" in str(problems[1])


def test_the_spanish_safety_messages_keep_their_numbers_and_must_exist(tmp_path, monkeypatch):
    def change(data):
        emergency = data["messages"]["emergency"]["es"]
        emergency["text"] = emergency["text"].replace("911", "nueve uno uno")
        data["messages"]["check_in"].pop("es")
        data["messages"]["greet"].pop("es")  # not a safety message: no Spanish is allowed

    problems = message_problems(tmp_path, monkeypatch, change)
    assert found(problems) == [
        ("translation_safety_numbers_missing", "error", AnswerPart(MESSAGE, "emergency", field=TEXT, language="es"),
         {"missing": "911"}),
        ("translation_required", "error", AnswerPart(MESSAGE, "check_in", language="es"), {})]


def test_a_message_is_a_mapping(tmp_path, monkeypatch):
    problems = message_problems(tmp_path, monkeypatch, lambda data: data["messages"].update(greet="Hello!"))
    assert found(problems) == [("message_not_mapping", "error", AnswerPart(MESSAGE, "greet"), {})]


@pytest.mark.parametrize("shown", [True, False])
def test_one_warning_sums_up_the_unreviewed_translations_patients_see(tmp_path, monkeypatch, shown):
    def messages(data):
        data["messages"]["emergency"]["es"]["reviewed"] = dt.date(2026, 12, 1)
        data["messages"]["greet"]["es"]["reviewed"] = dt.date(2026, 12, 1)

    monkeypatch.setattr(paths, "MESSAGES_FILE", copy_with(tmp_path, paths.MESSAGES_FILE, messages))
    clinic = copy_with(tmp_path, paths.CLINIC_CONFIG_FILE,
                       lambda data: data.update(show_unreviewed_translations=shown))
    [summary] = check_translations_reviewed(clinic)
    messages_data = yaml.safe_load(paths.MESSAGES_FILE.read_text())["messages"]
    unreviewed = [key for key, message in messages_data.items() if not message["es"].get("reviewed")]
    if shown:
        answers = yaml.safe_load(paths.ANSWERS_FILE.read_text())["answers"]
        curated = len(answers) + sum(len(a.get(f"by_{kind}") or {}) for a in answers.values()
                                     for kind in ("procedure", "condition"))
        practical = len(yaml.safe_load(paths.PRACTICAL_ANSWERS_FILE.read_text())["answers"])
        assert (summary.code, summary.level, summary.file) == ("translations_unreviewed", "warning", clinic)
        assert summary.values == {"count": str(curated + practical + len(unreviewed)),
                                  "counts": f"answers.yml {curated}, practical_answers.yml {practical}, "
                                            f"messages.yml {len(unreviewed)}"}
    else:  # only the safety messages are shown unreviewed
        keys = [key for key in unreviewed if key in {"emergency_crisis", "check_in", "check_in_yes", "check_in_no",
                                                     "crisis_line_gentle"}]
        assert (summary.code, summary.values) == ("safety_translations_unreviewed",
                                                  {"count": str(len(keys)), "keys": ", ".join(keys)})


def test_every_new_code_has_words_for_the_command_line_and_the_console():
    part = AnswerPart(PRACTICAL, "ask_hours", field=MORE, sentence=2, language="es")
    problem = Problem(paths.PRACTICAL_ANSWERS_FILE, 3, "error", "translation_placeholders_differ",
                      {"missing": "{phone}", "extra": ""}, part)
    assert "practical answer 'ask_hours' (es, more, sentence 2)" in str(problem) and "{phone}" in str(problem)
    worded = plain(problem)
    assert worded.startswith("The Spanish of sentence 2") and "{phone}" in worded and "practical_answers" not in worded
