"""`make validate`'s checks of the practical answers (knowledge/practical_answers.yml), the one list of the practical
intents: domain.yml and data/rules/practical.yml must name exactly its intents (Rasa needs both), and each answer
uses only details of clinic.yml that exist."""
from pathlib import Path
from typing import Any, Collection, Dict, List, Set

from clinic_bot import paths
from clinic_bot.content.placeholders import IF_UNSET_PLACEHOLDERS, placeholders_in, practical_placeholders
from clinic_bot.content.placeholders import problems as placeholder_problems
from clinic_bot.content.yaml_lines import line_of, load_yaml
from clinic_bot.tools.problems import Problem, answers_match_intents
from clinic_bot.tools.validate_clinic import detail_values

PRACTICAL_ACTION = "action_answer_practical"  # actions/answer_practical.py
PRACTICAL_RULES = "data/rules/practical.yml"  # where the rules to it live


def more_where(where: str, number: int) -> str:
    """How a problem names the ``number``-th sentence of `more` (from 1) of the answer named ``where``."""
    return f"{where} (more, sentence {number})"


def _check_text(file: Path, line: int, where: str, text: str, allowed: Collection[str]) -> List[Problem]:
    """Every curly bracket that is not one of the ``allowed`` placeholders (clinic_bot/content/placeholders.py)."""
    return [Problem(file, line, "error", f"{where} {problem}") for problem in placeholder_problems(text, allowed)]


def check_practical_answer(file: Path, intent: str, answer: Any, line: int, values: Dict[str, str]) -> List[Problem]:
    """One practical answer: a title and a text, known placeholders, and a warning for each detail it needs that
    clinic.yml leaves empty (``values``: the clinic's filled details)."""
    where = f"practical answer '{intent}'"
    if not isinstance(answer, dict):
        return [Problem(file, line, "error", f"{where} must be a mapping with a title and a text")]
    allowed = practical_placeholders(bool(answer.get("per_location", False)))
    problems = []
    for field in ("title", "text"):
        if not str(answer.get(field) or "").strip():
            problems.append(Problem(file, line, "error", f"{where} has no {field}"))
    text = str(answer.get("text") or "")
    problems += _check_text(file, line_of(answer, "text"), where, text, allowed)
    more = answer.get("more") or []
    if not isinstance(more, list):
        problems.append(Problem(file, line_of(answer, "more"), "error", f"{where}: more must be a list of sentences"))
        more = []
    for number, sentence in enumerate(more, start=1):
        problems += _check_text(file, line_of(answer, "more"), more_where(where, number), str(sentence), allowed)
    problems += _check_text(file, line_of(answer, "if_unset"), f"{where} (if_unset)",
                            str(answer.get("if_unset") or ""), IF_UNSET_PLACEHOLDERS)
    empty = sorted(name for name in placeholders_in(text) if name in values and not values[name])
    if empty:
        problems.append(Problem(file, line, "warning", f"{where} needs {', '.join(empty)}, empty in clinic.yml: "
                                "patients are told to call instead"))
    return problems


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
