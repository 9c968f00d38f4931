"""One problem `make validate` (and the staff console's checks) reports: "file:line: level: what to do"."""
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Set

from clinic_bot import paths
from clinic_bot.content.yaml_lines import line_of


@dataclass(frozen=True)
class Problem:
    file: Path
    line: int
    level: str  # "error" or "warning"
    message: str
    # Which part of an answer it is about, for the staff console's own wording (not printed): the start of the
    # message naming the answer or variant (answer_where), and the source's number in its list (0: no source).
    where: str = ""
    source: int = 0

    def __str__(self) -> str:
        try:
            where = self.file.relative_to(paths.REPO_ROOT)
        except ValueError:
            where = self.file
        return f"{where}:{self.line}: {self.level}: {self.message}"


def answers_match_intents(file: Path, answers: Dict[str, Any], answered: Set[str], domain_intents: Set[str],
                          kind: str, action: str, rules_file: str) -> List[Problem]:
    """An answer in ``file`` for every intent whose rule runs ``action`` (``answered``), and for no other intent:
    the check knowledge/answers.yml and knowledge/practical_answers.yml share."""
    problems = [Problem(file, 0, "error", f"{kind} intent '{intent}' has no answer: add one")
                for intent in sorted(answered - set(answers))]
    for intent in answers:
        if intent not in domain_intents:
            problems.append(Problem(file, line_of(answers, intent), "error",
                                    f"{kind} answer '{intent}' has no intent in domain.yml"))
        elif intent not in answered:
            problems.append(Problem(file, line_of(answers, intent), "error",
                                    f"{kind} answer '{intent}' has no rule to {action} in {rules_file}"))
    return problems
