"""`make validate`'s checks of clinic.yml and knowledge/clinic_answers.yml, on copies in tmp_path."""
import re
from pathlib import Path
from typing import Any, Dict

import pytest
import yaml

from clinic_bot import paths
from clinic_bot.content.clinic_config import PLACEHOLDER_COMMENT
from clinic_bot.content.yaml_lines import line_of, load_yaml
from clinic_bot.tools.validate import rule_intents
from clinic_bot.tools.validate_clinic import check_clinic, check_clinic_answers, check_practical_intents_of_triage
from tests.unit.test_clinic_answers import REQUIRED_ONLY

PRACTICAL = rule_intents("action_answer_clinic")
DOMAIN_INTENTS = {str(i) for i in yaml.safe_load(paths.DOMAIN_FILE.read_text())["intents"]}


def levels(problems):
    return [(p.level, p.line) for p in problems]


def test_every_demo_value_marked_placeholder_is_warned_with_its_line():
    lines = paths.CLINIC_CONFIG_FILE.read_text().splitlines()
    marked = [n for n, line in enumerate(lines, start=1) if PLACEHOLDER_COMMENT.search(line)]
    problems = check_clinic(paths.CLINIC_CONFIG_FILE)
    assert marked and {p.line for p in problems if "PLACEHOLDER" in p.message} == set(marked)
    assert all(p.level == "warning" for p in problems)


def test_a_filled_config_has_no_warning(tmp_path):
    clinic = tmp_path / "clinic.yml"
    clinic.write_text(yaml.safe_dump({**REQUIRED_ONLY, "locations": [{"name": "Main", "address": "1 Oak St"}]}))
    assert check_clinic(clinic) == []


def test_a_misspelt_detail_and_a_location_without_address_are_warned(tmp_path):
    clinic = tmp_path / "clinic.yml"
    clinic.write_text(yaml.safe_dump({**REQUIRED_ONLY, "adress": "1 Oak St", "locations": [{"name": "Main"}]}))
    messages = [p.message for p in check_clinic(clinic)]
    assert any("'adress'" in m for m in messages)
    assert any("no address" in m for m in messages)


def test_a_missing_required_detail_is_an_error(tmp_path):
    clinic = tmp_path / "clinic.yml"
    clinic.write_text(yaml.safe_dump({k: v for k, v in REQUIRED_ONLY.items() if k != "phone"}))
    [problem] = check_clinic(clinic)
    assert problem.level == "error" and "phone" in problem.message


def test_the_repos_practical_answers_have_no_error():
    assert [p for p in check_clinic_answers(PRACTICAL, DOMAIN_INTENTS) if p.level == "error"] == []


def copy_answers(tmp_path: Path, change) -> Path:
    data = yaml.safe_load(paths.CLINIC_ANSWERS_FILE.read_text())
    change(data["answers"])
    copy = tmp_path / "clinic_answers.yml"
    copy.write_text(yaml.safe_dump(data, sort_keys=False))
    return copy


def test_an_unknown_placeholder_and_a_missing_answer_are_errors(tmp_path):
    def change(answers):
        answers["ask_hours"]["text"] = "Open {opening_times}."
        del answers["ask_refill"]
    problems = check_clinic_answers(PRACTICAL, DOMAIN_INTENTS, copy_answers(tmp_path, change))
    errors = [p.message for p in problems if p.level == "error"]
    assert any("{opening_times}" in m for m in errors)
    assert any("'ask_refill' has no answer" in m for m in errors)


def test_if_unset_may_use_only_the_details_that_are_always_set(tmp_path):
    def change(answers):
        answers["ask_languages"]["if_unset"] = "Call {fax}."
    problems = check_clinic_answers(PRACTICAL, DOMAIN_INTENTS, copy_answers(tmp_path, change))
    assert any("if_unset" in p.message and "{fax}" in p.message for p in problems if p.level == "error")


def test_location_placeholders_need_per_location(tmp_path):
    def change(answers):
        answers["ask_contact"]["text"] = "Call {location_phone}."
    problems = check_clinic_answers(PRACTICAL, DOMAIN_INTENTS, copy_answers(tmp_path, change))
    assert any("{location_phone}" in p.message for p in problems if p.level == "error")


def test_the_triage_lists_exactly_the_practical_intents(tmp_path):
    assert check_practical_intents_of_triage(PRACTICAL) == []
    config = yaml.safe_load(paths.CONFIG_FILE.read_text())
    triage = next(step for step in config["pipeline"] if step.get("practical_intents"))
    triage["practical_intents"] = sorted(PRACTICAL - {"ask_refill"}) + ["ask_weather"]
    copy = tmp_path / "config.yml"
    copy.write_text(yaml.safe_dump(config))
    [problem] = check_practical_intents_of_triage(PRACTICAL, copy)
    assert problem.level == "error" and "add ask_refill" in problem.message and "remove ask_weather" in problem.message


# A stray bracket, attribute access, a format spec and an unknown name; {phone} is a placeholder every text may use.
BAD_FIELDS = {"Call {phone.": "curly bracket {", "{phone.__class__.__mro__}": "{phone.__class__.__mro__}",
              "{phone:>9}": "{phone:>9}", "{opening_times}": "{opening_times}"}


@pytest.mark.parametrize("written", list(BAD_FIELDS))
def test_every_bad_brace_of_a_practical_text_more_and_if_unset_is_an_error_with_its_line(tmp_path: Path,
                                                                                        written: str):
    intent = "ask_contact"

    def change(answers: Dict[str, Any]) -> None:
        answers[intent]["text"] = f"Call {{phone}}. {written}"
        answers[intent]["more"] = ["Or call {phone}.", f"Or {written}"]
        answers[intent]["if_unset"] = f"Call {{phone}}. {written}"

    copy = copy_answers(tmp_path, change)
    entry = load_yaml(copy)["answers"][intent]
    errors = [p for p in check_clinic_answers(PRACTICAL, DOMAIN_INTENTS, copy) if p.level == "error"]
    part = re.compile(rf"practical answer '{intent}'(| \(more, sentence 2\)| \(if_unset\)) (uses|has) ")
    assert all(BAD_FIELDS[written] in p.message for p in errors), errors
    assert sorted((p.file, p.line, part.match(p.message).group(1)) for p in errors) == sorted([
        (copy, line_of(entry, "text"), ""),
        (copy, line_of(entry, "more"), " (more, sentence 2)"),
        (copy, line_of(entry, "if_unset"), " (if_unset)"),
    ]), errors  # nothing else: {phone} is no problem, and sentence 1 has none
