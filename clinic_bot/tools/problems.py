"""One problem `make validate` (and the staff console's checks) reports: "file:line: level: what to do"."""
from dataclasses import dataclass
from pathlib import Path

from clinic_bot import paths


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
