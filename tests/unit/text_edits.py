"""What a save changed in a knowledge file, for the editors' tests: the lines of the file as it was that a save
touched, so a test can say the save touched only the entry (or the Spanish block) it edited."""
import difflib
from typing import Set


def changed_lines(before: str, after: str) -> Set[int]:
    """The (1-based) lines of ``before`` that the edit replaced or removed, or that something was inserted at."""
    changed: Set[int] = set()
    matcher = difflib.SequenceMatcher(a=before.splitlines(), b=after.splitlines(), autojunk=False)
    for tag, a_start, a_end, _, _ in matcher.get_opcodes():
        if tag != "equal":
            changed |= set(range(a_start + 1, max(a_end, a_start + 1) + 1))
    return changed
