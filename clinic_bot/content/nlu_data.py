"""Reads the NLU example files (data/nlu/*.yml, the hold-out set) with the line of every example."""
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterable, List

from clinic_bot.content.text import one_line
from clinic_bot.content.yaml_lines import line_of, load_yaml
from clinic_bot.languages import ENGLISH, LANGUAGES

_ANNOTATION = re.compile(r"\[([^\]]+)\]\([^)]*\)|\[([^\]]+)\]\{[^}]*\}")
_NOT_WORD = re.compile(r"[^\w\s]")


@dataclass(frozen=True)
class Example:
    intent: str
    text: str
    file: Path
    line: int
    language: str = ENGLISH  # its block's `metadata: {language: ...}`; English when the block says none


def block_language(block: Dict[str, Any]) -> str:
    """The language an intent block of an NLU file says it is in (clinic_bot/nlu/language.py learns from it)."""
    metadata = block.get("metadata")
    language = metadata.get("language") if isinstance(metadata, dict) else None
    return str(language) if language in LANGUAGES else ENGLISH


def normalise(text: str) -> str:
    """The form used to spot duplicates: entity markup removed, case, punctuation and spacing ignored."""
    text = _ANNOTATION.sub(lambda m: m.group(1) or m.group(2), text)
    return one_line(_NOT_WORD.sub(" ", text.lower()))


def read_examples(path: Path) -> List[Example]:
    """Every example of every intent block in one Rasa NLU YAML file. Raises yaml.YAMLError on bad syntax."""
    data = load_yaml(path) or {}
    examples: List[Example] = []
    for block in data.get("nlu") or []:
        if not isinstance(block, dict) or "intent" not in block:
            continue  # synonyms, lookups, regexes
        first_line = line_of(block, "examples") + 1  # the block scalar starts on the next line
        language = block_language(block)
        for offset, raw in enumerate(str(block.get("examples") or "").split("\n")):
            text = raw.strip()
            if text.startswith("- "):
                examples.append(Example(str(block["intent"]), text[2:].strip(), Path(path), first_line + offset,
                                        language))
    return examples


def read_all(paths: Iterable[Path]) -> List[Example]:
    return [example for path in sorted(paths) for example in read_examples(path)]


@dataclass(frozen=True)
class ProcedureQuestion:
    text: str
    intent: str
    procedure: str  # the canonical id the answer must be tailored to


def procedure_questions(forms_file: Path, patterns_file: Path) -> List[ProcedureQuestion]:
    """Every form of the forms file with every procedure's first and shortest name of the entity patterns."""
    forms = load_yaml(forms_file) or {}
    procedures = (load_yaml(patterns_file) or {}).get("procedure") or {}
    questions = []
    for procedure, names in procedures.items():
        for name in dict.fromkeys([names[0], min(names, key=len)]):
            questions += [ProcedureQuestion(form.format(procedure=name), forms["intent"], procedure)
                          for form in forms["forms"]]
    return questions
