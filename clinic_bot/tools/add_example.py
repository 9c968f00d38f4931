"""Adds training examples to the intent's file under data/nlu/, with the checks `make validate` would make.

    python -m clinic_bot.tools.add_example ask_insurance "does medicaid cover nerve blocks" ["another way" ...]
    python -m clinic_bot.tools.add_example --language es ask_insurance "la aseguranza cubre el bloqueo?"

Refuses (and says why): an intent not in domain.yml (naming the close ones), an example that is already
there in any intent (case, punctuation and spacing ignored), an example of an NLU hold-out test set.
Every intent has one block per language, in the file of its kind of topic (faq.yml, practical.yml,
conversation.yml, safety.yml, out_of_scope.yml; the Spanish blocks in faq_es.yml, practical_es.yml, ..., whose
blocks say `language: es`; docs/staff.md): the file is edited as text, one line inserted after the last example
of that block, layout and comments kept, and the file and line are printed.
"""
import argparse
import difflib
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

from clinic_bot import paths
from clinic_bot.content.nlu_data import Example, block_language, normalise, read_all, read_examples
from clinic_bot.content.text import one_line
from clinic_bot.content.yaml_lines import line_of, load_yaml
from clinic_bot.files import SAME_MODE, write_atomically
from clinic_bot.languages import ENGLISH, LANGUAGES


@dataclass(frozen=True)
class Outcome:
    text: str
    intent: str
    added: bool
    detail: str  # where it was added, or why it was refused

    def __str__(self) -> str:
        return f"{'added' if self.added else 'refused'} '{self.text}': {self.detail}"


def clean(text: str) -> str:
    """One line, single spaces: how the example is written to the file."""
    return one_line(str(text))


def _where(example: Example) -> str:
    try:
        return f"{example.file.relative_to(paths.REPO_ROOT)}:{example.line}"
    except ValueError:
        return f"{example.file.name}:{example.line}"


class TrainingData:
    """The NLU example files of one directory, checked against domain.yml and the hold-out set."""

    def __init__(self, nlu_dir: Path = paths.NLU_DIR, domain_file: Path = paths.DOMAIN_FILE,
                 holdout_files: Sequence[Path] = (paths.HOLDOUT_FILE, paths.SPANISH_HOLDOUT_FILE)) -> None:
        self.nlu_dir = Path(nlu_dir)
        self.intents = sorted(str(i) for i in (load_yaml(domain_file) or {}).get("intents") or [])
        self.holdout = {normalise(e.text): e for e in read_all([Path(f) for f in holdout_files if Path(f).exists()])}
        self.examples: Dict[str, Example] = {}
        for example in read_all(self.nlu_dir.glob("*.yml")):
            self.examples.setdefault(normalise(example.text), example)

    def resolve_intent(self, name: str) -> Optional[str]:
        """The domain intent ``name`` means; spreadsheet spellings like "Ask Insurance" are accepted."""
        key = clean(name).lower().replace(" ", "_").replace("-", "_")
        return key if key in self.intents else None

    def unknown_intent_reason(self, name: str) -> str:
        close = difflib.get_close_matches(clean(name).lower().replace(" ", "_"), self.intents, n=3, cutoff=0.75)
        hint = f"did you mean {' or '.join(close)}?" if close else f"use one of: {', '.join(self.intents)}"
        return f"unknown intent '{name}': {hint}"

    def refusal(self, intent: str, text: str) -> Optional[str]:
        """Why ``text`` cannot be added to ``intent`` (already resolved), or None."""
        if not text:
            return "the example is empty"
        if not text.isprintable():
            return "the example contains control characters; type it again as plain text"
        if text.startswith("/"):
            return "a leading '/' is how buttons send an intent; write the patient's own words"
        if "[" in text or "]" in text:
            return "square brackets are entity markup in training data; write the sentence without them"
        key = normalise(text)
        if not key:
            return "the example has no words"
        if key in self.holdout:
            return (f"it is in the NLU hold-out test set ({_where(self.holdout[key])}), which must stay unseen "
                    "by training to measure the model honestly")
        if key in self.examples:
            found = self.examples[key]
            same = "this intent" if found.intent == intent else f"intent '{found.intent}'"
            return f"already in {same} as '{found.text}' ({_where(found)})"
        return None

    def add(self, intent_name: str, texts: Sequence[str], language: str = ENGLISH) -> List[Outcome]:
        """Adds ``texts`` to the ``language`` block of the intent (a Spanish example to the Spanish block)."""
        intent = self.resolve_intent(intent_name)
        if intent is None:
            unknown = self.unknown_intent_reason(intent_name)
            return [Outcome(clean(t), intent_name, False, unknown) for t in texts]
        if language not in LANGUAGES:
            return [Outcome(clean(t), intent, False, f"unknown language '{language}': use one of "
                            f"{', '.join(LANGUAGES)}") for t in texts]
        outcomes = []
        for text in map(clean, texts):
            reason = self.refusal(intent, text)
            if reason is None:
                try:
                    example = self._insert(intent, text, language)
                except ValueError as error:
                    reason = str(error)
                else:
                    self.examples[normalise(text)] = example
                    outcomes.append(Outcome(text, intent, True, f"{intent} ({_where(example)})"))
                    continue
            outcomes.append(Outcome(text, intent, False, reason))
        return outcomes

    def _blocks(self, intent: str, language: str) -> List[Tuple[Path, int]]:
        """The file and line of each ``- intent:`` block of the intent in ``language`` (one, when the data is laid
        out right)."""
        found = []
        for path in sorted(self.nlu_dir.glob("*.yml")):
            for block in (load_yaml(path) or {}).get("nlu") or []:
                if isinstance(block, dict) and block.get("intent") == intent and block_language(block) == language:
                    found.append((path, line_of(block)))
        return found

    def _insert(self, intent: str, text: str, language: str) -> Example:
        """Writes ``- text`` after the last example of the intent's one block in ``language``, then re-reads the
        file."""
        blocks = self._blocks(intent, language)
        if len(blocks) > 1:
            where = ", ".join(f"{path.name}:{line}" for path, line in blocks)
            raise ValueError(f"intent '{intent}' has {len(blocks)} blocks in '{language}' ({where}); every intent has "
                             "one per language: move the examples of the others into the first, delete the others, "
                             "then add again")
        mine = [e for path, _ in blocks for e in read_examples(path) if e.intent == intent and e.language == language]
        if not mine:
            raise ValueError(f"intent '{intent}' has no examples in '{language}' in {self.nlu_dir}: add its first "
                             "examples by hand")
        last = max(mine, key=lambda e: e.line)
        original = last.file.read_text(encoding="utf-8")
        lines = original.splitlines(keepends=True)
        previous = lines[last.line - 1]
        indent = previous[: len(previous) - len(previous.lstrip())]
        newline = "\r\n" if previous.endswith("\r\n") else "\n"
        if not previous.endswith(("\n", "\r")):
            lines[last.line - 1] = previous + newline
        lines.insert(last.line, f"{indent}- {text}{newline}")
        write_atomically(last.file, "".join(lines), mode=SAME_MODE)
        added = Example(intent, text, last.file, last.line + 1, language)
        if added not in read_examples(last.file):
            write_atomically(last.file, original, mode=SAME_MODE)
            raise ValueError(f"could not add it safely to {last.file.name} (the file was left unchanged)")
        return added


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("intent", help="the intent the examples belong to, as in domain.yml (e.g. ask_insurance)")
    parser.add_argument("text", nargs="+", help="one or more examples, each in quotes")
    parser.add_argument("--nlu-dir", type=Path, default=paths.NLU_DIR, help="default: data/nlu")
    parser.add_argument("--language", default=ENGLISH, choices=LANGUAGES,
                        help="the examples' language (default: en; es puts them in the Spanish block)")
    args = parser.parse_args(argv)
    outcomes = TrainingData(args.nlu_dir).add(args.intent, args.text, args.language)
    for outcome in outcomes:
        print(outcome)
    if any(o.added for o in outcomes):
        print("Next: `make validate`, then `make train` and `make test` "
              "(compares hold-out accuracy with the last figure).")
    return 0 if all(o.added for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
