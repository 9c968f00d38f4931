"""One problem `make validate` (and the staff console's checks) reports, as data: where (file and line), how bad,
what (a ``code``, a short stable identifier, with the ``values`` it needs) and which part of which answer it is
about. The command line prints it as "file:line: level: what to do" in the words of problem_messages.py; the staff
console words the same data its own way (clinic_bot/staff/problem_wording.py)."""
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Collection, Dict, List, Mapping, Optional, Set

from clinic_bot import paths
from clinic_bot.content.placeholders import problems as placeholder_problems
from clinic_bot.content.yaml_lines import line_of
from clinic_bot.tools.answer_parts import AnswerPart
from clinic_bot.tools.problem_messages import cli_message

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    file: Path
    line: int  # 1-based; 0 when the problem has no line (a whole file, or a value the file lacks)
    level: str  # ERROR or WARNING
    code: str  # a key of problem_messages.CATALOGUE, e.g. "section_not_in_article"
    # What the wording needs, by name, e.g. {"section": ..., "file": ...}; a list is its items joined by ", "
    # (problem_messages.LIST_SEPARATOR).
    values: Mapping[str, str] = field(default_factory=dict, hash=False)  # compared, but a mapping has no hash
    part: Optional[AnswerPart] = None  # which part of which answer; None when it is about no answer

    def __post_init__(self) -> None:
        # Read-only, so that a problem stays what the check found (the dataclass is frozen, its mapping too).
        object.__setattr__(self, "values", MappingProxyType(dict(self.values)))

    @property
    def message(self) -> str:
        """What the command line says about it, without the file and line."""
        return cli_message(self.code, self.values, self.part)

    def __str__(self) -> str:
        try:
            where = self.file.relative_to(paths.REPO_ROOT)
        except ValueError:
            where = self.file
        return f"{where}:{self.line}: {self.level}: {self.message}"


def answers_match_intents(file: Path, answers: Dict[str, Any], answered: Set[str], domain_intents: Set[str],
                          kind: str, action: str, rules_file: str) -> List[Problem]:
    """An answer in ``file`` for every intent whose rule runs ``action`` (``answered``), and for no other intent:
    the check knowledge/answers.yml and knowledge/practical_answers.yml share. ``kind``: how the messages name
    the answers ("FAQ", "practical")."""
    problems = [Problem(file, 0, ERROR, "intent_without_answer", {"kind": kind, "intent": intent})
                for intent in sorted(answered - set(answers))]
    for intent in answers:
        if intent not in domain_intents:
            problems.append(Problem(file, line_of(answers, intent), ERROR, "answer_without_intent",
                                    {"kind": kind, "intent": str(intent)}))
        elif intent not in answered:
            problems.append(Problem(file, line_of(answers, intent), ERROR, "answer_without_rule",
                                    {"kind": kind, "intent": str(intent), "action": action, "rules_file": rules_file}))
    return problems


def bracket_problems(file: Path, line: int, part: AnswerPart, text: str, allowed: Collection[str]) -> List[Problem]:
    """Each curly bracket of ``text`` that is not one of the ``allowed`` placeholders (clinic_bot/content/
    placeholders.py: the check the bot's fill relies on), as an error at ``line`` about ``part``."""
    return [Problem(file, line, ERROR, found.code, found.values, part) for found in placeholder_problems(text, allowed)]
