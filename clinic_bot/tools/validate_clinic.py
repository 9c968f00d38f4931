"""`make validate`'s checks of the clinic's own details (clinic.yml) and the practical answers built from them
(knowledge/clinic_answers.yml): required fields, demo values still marked PLACEHOLDER, misspelt keys, locations,
and answers that use only details that exist."""
from pathlib import Path
from typing import Any, Collection, Dict, List, Optional, Set

import yaml

from clinic_bot import paths
from clinic_bot.content.clinic_config import (
    REQUIRED_FIELDS,
    known_config_keys,
    load_clinic_details,
    placeholder_lines,
)
from clinic_bot.content.placeholders import IF_UNSET_PLACEHOLDERS, placeholders_in, practical_placeholders
from clinic_bot.content.placeholders import problems as placeholder_problems
from clinic_bot.content.yaml_lines import line_of, load_yaml
from clinic_bot.tools.problems import Problem, answers_match_intents


def _unknown_keys(file: Path, mapping: Any, allowed: Any, where: str) -> List[Problem]:
    if not isinstance(mapping, dict):
        return []
    return [Problem(file, line_of(mapping, key), "warning",
                    f"{where}'{key}' is not a detail the assistant knows (a typo?); known: {', '.join(allowed)}")
            for key in mapping if key not in allowed]


def check_clinic(file: Path = paths.CLINIC_CONFIG_FILE) -> List[Problem]:
    try:
        details = load_clinic_details(file)
    except ValueError as error:
        return [Problem(file, 0, "error", str(error))]
    data = load_yaml(file) or {}
    problems = []
    marked = placeholder_lines(file)
    for line, key in marked:
        may_be_empty = "" if key in REQUIRED_FIELDS else " (or \"\" to have patients call)"
        problems.append(Problem(file, line, "warning", f"'{key}' is still the demo's PLACEHOLDER: put the clinic's "
                                f"own value{may_be_empty} and delete the PLACEHOLDER mark"))
    marked_keys = {key for _, key in marked}
    problems += [Problem(file, line_of(data, field), "warning",
                         f"'{field}' is still a demo value: put the clinic's real value before going live")
                 for field in details.fields_still_placeholder() if field not in marked_keys]
    keys = known_config_keys()
    problems += _unknown_keys(file, data, keys["clinic"], "")
    for entry in data.get("locations") or []:
        problems += _unknown_keys(file, entry, keys["location"], f"location '{entry.get('name')}': ")
    for place in details.locations:
        if not place.address:
            problems.append(Problem(file, line_of(data, "locations"), "warning",
                                    f"location '{place.name}' has no address: patients asking where you are "
                                    "will be told to call"))
    return problems


def more_where(where: str, number: int) -> str:
    """How a problem names the ``number``-th sentence of `more` (from 1) of the answer named ``where``."""
    return f"{where} (more, sentence {number})"


def _check_text(file: Path, line: int, where: str, text: str, allowed: Collection[str]) -> List[Problem]:
    """Every curly bracket that is not one of the ``allowed`` placeholders (clinic_bot/content/placeholders.py)."""
    return [Problem(file, line, "error", f"{where} {problem}") for problem in placeholder_problems(text, allowed)]


def check_clinic_answer(file: Path, intent: str, answer: Any, line: int, values: Dict[str, str]) -> List[Problem]:
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


TRIAGE_COMPONENT = "clinic_bot.nlu.triage.component.TriageGate"


def check_practical_intents_of_triage(clinic_intents: Set[str], file: Path = paths.CONFIG_FILE) -> List[Problem]:
    """config.yml's triage names the practical intents (a "personal" verdict gives way to them): the same ones
    data/rules/clinic.yml answers from clinic.yml, so that a new practical intent is not refused as personal advice."""
    config = load_yaml(file) or {}
    for step in config.get("pipeline") or []:
        if isinstance(step, dict) and step.get("name") == TRIAGE_COMPONENT:
            listed = {str(i) for i in step.get("practical_intents") or []}
            if listed != clinic_intents:
                missing, extra = sorted(clinic_intents - listed), sorted(listed - clinic_intents)
                return [Problem(file, line_of(step, "practical_intents") or line_of(step), "error",
                                "the triage's practical_intents must be the intents answered by action_answer_clinic"
                                + (f"; add {', '.join(missing)}" if missing else "")
                                + (f"; remove {', '.join(extra)}" if extra else ""))]
    return []


def detail_values(clinic_file: Optional[Path] = None) -> Dict[str, str]:
    """Every detail of clinic.yml, the locations' included, for the warnings about empty ones; {} when clinic.yml
    does not load (check_clinic says why)."""
    try:
        details = load_clinic_details(clinic_file)
    except (ValueError, OSError, yaml.YAMLError):
        return {}
    return {**details.placeholders(),
            **{name: value for place in details.locations for name, value in place.placeholders().items()}}


def check_clinic_answers(clinic_intents: Set[str], domain_intents: Set[str],
                         file: Path = paths.CLINIC_ANSWERS_FILE) -> List[Problem]:
    """Every practical answer, and one for every intent whose rule runs action_answer_clinic."""
    answers = (load_yaml(file) or {}).get("answers") or {}
    problems = answers_match_intents(file, answers, clinic_intents, domain_intents, "practical",
                                     "action_answer_clinic", "data/rules/clinic.yml")
    values = detail_values()
    for intent, answer in answers.items():
        line = line_of(answers, intent)
        problems += check_clinic_answer(file, intent, answer, line, values)
    return problems

