"""Edits of knowledge and config files for the tests: what a save changed in a file (the lines of the file as it
was that a save touched, so a test can say the save touched only the entry, or the Spanish block, it edited), and a
copy of a YAML file with a change made to it."""
import difflib
from pathlib import Path
from typing import Any, Callable, Dict, Set

import yaml


def changed_lines(before: str, after: str) -> Set[int]:
    """The (1-based) lines of ``before`` that the edit replaced or removed, or that something was inserted at."""
    changed: Set[int] = set()
    matcher = difflib.SequenceMatcher(a=before.splitlines(), b=after.splitlines(), autojunk=False)
    for tag, a_start, a_end, _, _ in matcher.get_opcodes():
        if tag != "equal":
            changed |= set(range(a_start + 1, max(a_end, a_start + 1) + 1))
    return changed


def copy_with(tmp_path: Path, source: Path, change: Callable[[Dict[str, Any]], None]) -> Path:
    """A copy of the YAML file ``source`` in ``tmp_path``, under its own name, with ``change`` made to its data."""
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    change(data)
    copy = tmp_path / source.name
    copy.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return copy
