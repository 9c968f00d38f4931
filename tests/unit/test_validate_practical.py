"""`make validate`'s checks of the practical answers (knowledge/practical_answers.yml), on copies in tmp_path: the
answers file is the one list of the practical intents, so domain.yml and the rules must name exactly its intents."""
from dataclasses import replace
from pathlib import Path
from typing import Any, Dict, Set, Tuple

import pytest
import yaml

from clinic_bot import paths
from clinic_bot.content.yaml_lines import line_of, load_yaml
from clinic_bot.intents import PRACTICAL_ACTION
from clinic_bot.tools.answer_parts import IF_UNSET, MORE, TEXT, AnswerPart
from clinic_bot.tools.answer_parts import PRACTICAL as PRACTICAL_ENTRY
from clinic_bot.tools.validate import rule_intents
from clinic_bot.tools.validate_practical import PRACTICAL_RULES, check_practical_answers

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
    errors = [(p.code, p.values.get("written") or p.values.get("intent")) for p in problems if p.level == "error"]
    assert ("unknown_placeholder", "{opening_times}") in errors
    assert ("intent_without_answer", "ask_refill") in errors


def test_if_unset_may_use_only_the_details_that_are_always_set(tmp_path):
    def change(answers):
        answers["ask_languages"]["if_unset"] = "Call {fax}."
    problems = check_practical_answers(PRACTICAL, DOMAIN_INTENTS, copy_answers(tmp_path, change))
    assert any(p.part == AnswerPart(PRACTICAL_ENTRY, "ask_languages", field=IF_UNSET) and p.values["written"] == "{fax}"
               for p in problems if p.level == "error")


def test_location_placeholders_need_per_location(tmp_path):
    def change(answers):
        answers["ask_contact"]["text"] = "Call {location_phone}."
    problems = check_practical_answers(PRACTICAL, DOMAIN_INTENTS, copy_answers(tmp_path, change))
    assert [(p.code, p.values["written"]) for p in problems if p.level == "error"] == [
        ("location_placeholder", "{location_phone}")]


NEW = "ask_topic_not_in_the_data"  # a practical topic being added


def errors_of(routed: Set[str], domain_intents: Set[str],
              file: Path = paths.PRACTICAL_ANSWERS_FILE) -> Set[Tuple[str, Tuple[Tuple[str, str], ...]]]:
    """(code, values) of each error."""
    return {(p.code, tuple(sorted(p.values.items())))
            for p in check_practical_answers(routed, domain_intents, file) if p.level == "error"}


def about(intent: str, **values: str) -> Tuple[Tuple[str, str], ...]:
    return tuple(sorted({"kind": "practical", "intent": intent, **values}.items()))


def test_an_intent_routed_to_the_practical_action_without_an_answer_is_an_error():
    """A rule to the practical action (and the intent in domain.yml) for an intent the answers file lacks."""
    assert errors_of(PRACTICAL | {NEW}, DOMAIN_INTENTS | {NEW}) == {("intent_without_answer", about(NEW))}


def test_an_answer_without_its_rule_or_its_domain_intent_is_an_error(tmp_path):
    """A new entry in the answers file alone: the intent and the rule Rasa needs are named, each where it goes."""
    def change(answers: Dict[str, Any]) -> None:
        answers[NEW] = {"title": "A new topic", "text": "Ask the front desk at {phone}."}

    copy = copy_answers(tmp_path, change)
    assert errors_of(PRACTICAL, DOMAIN_INTENTS, copy) == {("answer_without_intent", about(NEW))}
    assert errors_of(PRACTICAL, DOMAIN_INTENTS | {NEW}, copy) == {
        ("answer_without_rule", about(NEW, action=PRACTICAL_ACTION, rules_file=PRACTICAL_RULES))}
    assert errors_of(PRACTICAL | {NEW}, DOMAIN_INTENTS | {NEW}, copy) == set()


# A stray bracket, attribute access, a format spec and an unknown name; {phone} is a placeholder every text may use.
# Each with its code and the bracket as the problem quotes it (a lone one: the words around it).
BAD_FIELDS = {"Call {phone.": ("lone_opening_bracket", "Call {phone."),
              "{phone.__class__.__mro__}": ("malformed_placeholder", "{phone.__class__.__mro__}"),
              "{phone:>9}": ("malformed_placeholder", "{phone:>9}"),
              "{opening_times}": ("unknown_placeholder", "{opening_times}")}


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
    code, quoted = BAD_FIELDS[written]
    assert all(p.code == code and quoted in (p.values.get("written") or p.values["around"]) for p in errors), errors
    whole = AnswerPart(PRACTICAL_ENTRY, intent)
    assert sorted(((p.file, p.line, p.part) for p in errors), key=str) == sorted([
        (copy, line_of(entry, "text"), replace(whole, field=TEXT)),
        (copy, line_of(entry, "more"), replace(whole, field=MORE, sentence=2)),
        (copy, line_of(entry, "if_unset"), replace(whole, field=IF_UNSET)),
    ], key=str), errors  # nothing else: {phone} is no problem, and sentence 1 has none
    assert {p.message.split(" uses ")[0].split(" has ")[0] for p in errors} == {  # the command line's names
        f"practical answer '{intent}'", f"practical answer '{intent}' (more, sentence 2)",
        f"practical answer '{intent}' (if_unset)"}


def test_the_related_buttons_question_is_checked_in_both_languages(tmp_path):
    def change(answers):
        del answers["ask_hours"]["ask"]  # the button then shows the title: a warning
        answers["ask_parking"]["ask"] = "Where is {location_name} parking?"  # a question names no detail
        del answers["ask_refill"]["es"]["ask"]  # the English has one: the Spanish must too
    problems = check_practical_answers(PRACTICAL, DOMAIN_INTENTS, copy_answers(tmp_path, change))
    found = {(p.level, p.code, p.part.intent if p.part else "") for p in problems}
    assert ("warning", "no_ask", "ask_hours") in found
    assert ("error", "cannot_fill_here", "ask_parking") in found or any(
        level == "error" and intent == "ask_parking" for level, code, intent in found)
    assert ("error", "translation_without_ask", "ask_refill") in found
