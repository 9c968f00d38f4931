"""`make validate`'s checks of the practical answers (knowledge/practical_answers.yml), on copies in tmp_path: the
answers file is the one list of the practical intents, so domain.yml and the rules must name exactly its intents."""
import re
from pathlib import Path
from typing import Any, Dict, Set

import pytest
import yaml

from clinic_bot import paths
from clinic_bot.content.yaml_lines import line_of, load_yaml
from clinic_bot.tools.validate import rule_intents
from clinic_bot.tools.validate_practical import PRACTICAL_ACTION, PRACTICAL_RULES, check_practical_answers

PRACTICAL = rule_intents(PRACTICAL_ACTION)
DOMAIN_INTENTS = {str(i) for i in yaml.safe_load(paths.DOMAIN_FILE.read_text())["intents"]}


def test_the_repos_practical_answers_have_no_error():
    assert [p for p in check_practical_answers(PRACTICAL, DOMAIN_INTENTS) if p.level == "error"] == []


def copy_answers(tmp_path: Path, change) -> Path:
    data = yaml.safe_load(paths.PRACTICAL_ANSWERS_FILE.read_text())
    change(data["answers"])
    copy = tmp_path / paths.PRACTICAL_ANSWERS_FILE.name
    copy.write_text(yaml.safe_dump(data, sort_keys=False))
    return copy


def test_an_unknown_placeholder_and_a_missing_answer_are_errors(tmp_path):
    def change(answers):
        answers["ask_hours"]["text"] = "Open {opening_times}."
        del answers["ask_refill"]
    problems = check_practical_answers(PRACTICAL, DOMAIN_INTENTS, copy_answers(tmp_path, change))
    errors = [p.message for p in problems if p.level == "error"]
    assert any("{opening_times}" in m for m in errors)
    assert any("'ask_refill' has no answer" in m for m in errors)


def test_if_unset_may_use_only_the_details_that_are_always_set(tmp_path):
    def change(answers):
        answers["ask_languages"]["if_unset"] = "Call {fax}."
    problems = check_practical_answers(PRACTICAL, DOMAIN_INTENTS, copy_answers(tmp_path, change))
    assert any("if_unset" in p.message and "{fax}" in p.message for p in problems if p.level == "error")


def test_location_placeholders_need_per_location(tmp_path):
    def change(answers):
        answers["ask_contact"]["text"] = "Call {location_phone}."
    problems = check_practical_answers(PRACTICAL, DOMAIN_INTENTS, copy_answers(tmp_path, change))
    assert any("{location_phone}" in p.message for p in problems if p.level == "error")


NEW = "ask_topic_not_in_the_data"  # a practical topic being added


def errors_of(routed: Set[str], domain_intents: Set[str], file: Path = paths.PRACTICAL_ANSWERS_FILE) -> Set[str]:
    return {p.message for p in check_practical_answers(routed, domain_intents, file) if p.level == "error"}


def test_an_intent_routed_to_the_practical_action_without_an_answer_is_an_error():
    """A rule to the practical action (and the intent in domain.yml) for an intent the answers file lacks."""
    assert errors_of(PRACTICAL | {NEW}, DOMAIN_INTENTS | {NEW}) == {f"practical intent '{NEW}' has no answer: add one"}


def test_an_answer_without_its_rule_or_its_domain_intent_is_an_error(tmp_path):
    """A new entry in the answers file alone: the intent and the rule Rasa needs are named, each where it goes."""
    def change(answers: Dict[str, Any]) -> None:
        answers[NEW] = {"title": "A new topic", "text": "Ask the front desk at {phone}."}

    copy = copy_answers(tmp_path, change)
    assert errors_of(PRACTICAL, DOMAIN_INTENTS, copy) == {f"practical answer '{NEW}' has no intent in domain.yml"}
    assert errors_of(PRACTICAL, DOMAIN_INTENTS | {NEW}, copy) == {
        f"practical answer '{NEW}' has no rule to {PRACTICAL_ACTION} in {PRACTICAL_RULES}"}
    assert errors_of(PRACTICAL | {NEW}, DOMAIN_INTENTS | {NEW}, copy) == set()


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
    errors = [p for p in check_practical_answers(PRACTICAL, DOMAIN_INTENTS, copy) if p.level == "error"]
    part = re.compile(rf"practical answer '{intent}'(| \(more, sentence 2\)| \(if_unset\)) (uses|has) ")
    assert all(BAD_FIELDS[written] in p.message for p in errors), errors
    assert sorted((p.file, p.line, part.match(p.message).group(1)) for p in errors) == sorted([
        (copy, line_of(entry, "text"), ""),
        (copy, line_of(entry, "more"), " (more, sentence 2)"),
        (copy, line_of(entry, "if_unset"), " (if_unset)"),
    ]), errors  # nothing else: {phone} is no problem, and sentence 1 has none
