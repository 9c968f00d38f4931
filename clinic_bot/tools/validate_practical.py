"""`make validate`'s checks of the practical answers (knowledge/practical_answers.yml), the one list of the practical
intents: domain.yml and data/rules/practical.yml must name exactly its intents (Rasa needs both), and each answer
uses only details of clinic.yml that exist; its Spanish (es:) renders the English as it is now, with the same
placeholders and as many `more` sentences (problems.translation_problems)."""
from dataclasses import replace
from pathlib import Path
from typing import Any, Dict, List, Set

from clinic_bot import paths
from clinic_bot.content.placeholders import IF_UNSET_PLACEHOLDERS, placeholders_in, practical_placeholders
from clinic_bot.content.practical_answers import parse_practical_answers
from clinic_bot.content.yaml_lines import line_of, load_yaml
from clinic_bot.intents import PRACTICAL_ACTION
from clinic_bot.tools.answer_parts import IF_UNSET, MORE, PRACTICAL, TEXT, TITLE, AnswerPart
from clinic_bot.tools.problem_messages import LIST_SEPARATOR
from clinic_bot.tools.problems import (
    ERROR,
    WARNING,
    English,
    Problem,
    answers_match_intents,
    ask_problems,
    bracket_problems,
    translation_problems,
)
from clinic_bot.tools.validate_clinic import detail_values

PRACTICAL_RULES = "data/rules/practical.yml"  # where the rules to it live


def check_practical_answer(file: Path, intent: str, answer: Any, line: int, values: Dict[str, str]) -> List[Problem]:
    """One practical answer: a title and a text, known placeholders, and a warning for each detail it needs that
    clinic.yml leaves empty (``values``: the clinic's filled details)."""
    whole = AnswerPart(PRACTICAL, str(intent))
    if not isinstance(answer, dict):
        return [Problem(file, line, ERROR, "practical_answer_not_mapping", part=whole)]
    allowed = practical_placeholders(bool(answer.get("per_location", False)))
    problems = []
    for field, code in ((TITLE, "no_title"), (TEXT, "no_text")):
        if not str(answer.get(field) or "").strip():
            problems.append(Problem(file, line, ERROR, code, part=replace(whole, field=field)))
    text = str(answer.get("text") or "")
    problems += bracket_problems(file, line_of(answer, "text"), replace(whole, field=TEXT), text, allowed)
    more = answer.get("more") or []
    if not isinstance(more, list):
        problems.append(Problem(file, line_of(answer, "more"), ERROR, "more_not_a_list",
                                part=replace(whole, field=MORE)))
        more = []
    for number, sentence in enumerate(more, start=1):
        problems += bracket_problems(file, line_of(answer, "more"), replace(whole, field=MORE, sentence=number),
                                     str(sentence), allowed)
    problems += bracket_problems(file, line_of(answer, "if_unset"), replace(whole, field=IF_UNSET),
                                 str(answer.get("if_unset") or ""), IF_UNSET_PLACEHOLDERS)
    problems += ask_problems(file, answer, whole)
    empty = sorted(name for name in placeholders_in(text) if name in values and not values[name])
    if empty:
        problems.append(Problem(file, line, WARNING, "details_empty", {"details": LIST_SEPARATOR.join(empty)},
                                replace(whole, field=TEXT)))
    return problems + translation_problems(file, answer, whole, practical_english(str(intent), answer, more))


def practical_english(intent: str, answer: Dict[str, Any], more: List[Any]) -> English:
    """What the Spanish of a practical answer renders: its title, text, `more` and if_unset (fingerprinted as the bot
    reads them)."""
    parsed = parse_practical_answers({"answers": {intent: answer}})[intent]
    if_unset = answer.get("if_unset")
    return English(parsed.fingerprint(), str(answer.get("text") or ""), title=str(answer.get("title") or ""),
                   more=[str(sentence) for sentence in more],
                   if_unset=None if if_unset is None or not str(if_unset).strip() else str(if_unset),
                   allowed=practical_placeholders(bool(answer.get("per_location", False))),
                   if_unset_allowed=IF_UNSET_PLACEHOLDERS, ask=parsed.ask or None)


def check_practical_answers(routed: Set[str], domain_intents: Set[str],
                            file: Path = paths.PRACTICAL_ANSWERS_FILE) -> List[Problem]:
    """Every practical answer; an answer for every intent whose rule runs the practical action (``routed``), and for
    every answer an intent in domain.yml and a rule to that action: the answers file's intents are the list."""
    answers = (load_yaml(file) or {}).get("answers") or {}
    problems = answers_match_intents(file, answers, routed, domain_intents, "practical", PRACTICAL_ACTION,
                                     PRACTICAL_RULES)
    values = detail_values()
    for intent, answer in answers.items():
        line = line_of(answers, intent)
        problems += check_practical_answer(file, intent, answer, line, values)
    return problems
