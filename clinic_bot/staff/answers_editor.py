"""The staff console's answer editor, back end: one curated answer of knowledge/answers.yml as a form, checked
with exactly the checks of `make validate` (clinic_bot/tools/validate.py: check_answer), previewed as the patient
will read it, and saved in place.

Saving keeps the rest of the file as it is: the comments, the order, every other answer byte for byte, and the
folded ``>-`` style of the texts. The edited answer is written by ruamel.yaml's round-trip mode (what Rasa installs)
and spliced in where it was; before the new file replaces the old one (atomically), it is read back with the
validator's reader and must hold the other answers unchanged and the edited one as intended.
"""
import datetime as dt
import difflib
import fcntl
import io
import os
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Set, Tuple

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError as RuamelYAMLError
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, FoldedScalarString, ScalarString
from ruamel.yaml.tokens import CommentToken

from clinic_bot import paths
from clinic_bot.content.clinic_config import load_clinic_details
from clinic_bot.content.knowledge import VARIANT_KINDS, humanise, parse_answers
from clinic_bot.content.placeholders import CURATED_ANSWER_PLACEHOLDERS, fill, only
from clinic_bot.content.text import one_line
from clinic_bot.content.yaml_lines import load_yaml
from clinic_bot.files import SAME_MODE, write_atomically
from clinic_bot.tools import validate

GENERAL_LABEL = "General answer"
# A text is folded so its lines (indent included) stay within this width, like the rest of the file. ruamel's own
# line width is left far wider: it would otherwise fold the other answers' texts again (some lines reach 120).
LINE_WIDTH = 110
MIN_FOLD_WIDTH = 40
TEXT_INDENT = 6  # the general text's lines: answers (0) > intent (2) > text (4) > its lines (6)
VARIANT_TEXT_INDENT = 10  # a variant's text lines: by_procedure (4) > value (6) > text (8) > its lines (10)
BY_KEYS = tuple(f"by_{kind}" for kind in VARIANT_KINDS)


@dataclass
class SourceRef:
    file: str
    section: str


@dataclass
class VariantForm:
    kind: str  # "procedure" or "condition"
    value: str  # a canonical value of spacy_pipeline/entity_patterns.yml
    text: str
    sources: List[SourceRef]
    remove: bool = False


@dataclass
class AnswerForm:
    intent: str
    title: str
    text: str
    sources: List[SourceRef]
    variants: List[VariantForm]
    reviewed: str  # shown, not edited: saving sets today's date


@dataclass(frozen=True)
class SaveResult:
    saved: bool
    problems: List[str]
    before: Dict[str, Any]  # the answer in the file before (JSON-ready: dates as YYYY-MM-DD), for the audit log
    after: Dict[str, Any]  # the answer as saved; when refused, as it would have been


@dataclass
class _Part:
    """The general answer or one variant, as its problems name it."""

    label: str  # "The general answer", "The answer for radiofrequency ablation"
    sources_of: str  # what follows "Source 2": " of the general answer", " for radiofrequency ablation"
    rows: List[Tuple[int, str, str]] = field(default_factory=list)  # per source in the file: (form row, file, section)


class EditorError(RuntimeError):
    """The edited file did not read back as intended: nothing was saved (a bug, not the staff member's mistake)."""


def clean_text(text: Any) -> str:
    """What a browser's textarea sends (\\r\\n, extra spaces, stray control characters) as one paragraph with single
    spaces: how the bot shows an answer anyway (Knowledge._fill joins whitespace)."""
    return one_line("".join(ch for ch in str(text or "") if ch.isprintable() or ch.isspace()))


class AnswersFile:
    """knowledge/answers.yml (or a copy) as the staff console edits it."""

    def __init__(self, path: Path = paths.ANSWERS_FILE, clinic_file: Optional[Path] = None) -> None:
        self.path = Path(path)
        self.clinic_file = clinic_file  # None: paths.CLINIC_CONFIG_FILE (load_clinic_details' default)

    # Reading ---------------------------------------------------------------------------------------------------

    def _answers(self) -> Dict[str, Any]:
        return (load_yaml(self.path) or {}).get("answers") or {}

    def intents(self) -> List[str]:
        """The answers' intents, in the file's order."""
        return [str(intent) for intent in self._answers()]

    def form(self, intent: str) -> AnswerForm:
        """The answer as the editor shows it; KeyError for an intent with no answer."""
        answer = parse_answers(load_yaml(self.path))[intent]
        return AnswerForm(
            intent=intent, title=answer.title, text=clean_text(answer.text),
            sources=[SourceRef(s.file, s.section) for s in answer.sources],
            variants=[VariantForm(kind, value, clean_text(variant.text), [SourceRef(s.file, s.section)
                                                                          for s in variant.sources])
                      for kind in VARIANT_KINDS for value, variant in answer.variants.get(kind, {}).items()],
            reviewed=answer.reviewed)

    def source_files(self) -> List[str]:
        """The article files in knowledge/sources/."""
        return sorted(path.name for path in paths.SOURCES_DIR.glob("*.txt") if path.is_file())

    def due_for_review(self, today: dt.date, within_days: int = 30) -> List[Tuple[str, str, int]]:
        """(intent, reviewed, days until due) for the answers due within ``within_days`` or overdue (negative days),
        soonest first; due = reviewed + validate.REVIEW_MAX_AGE_DAYS, the age after which `make validate` warns.
        Answers with no valid reviewed date come first, with 0 days (validate refuses them: due now)."""
        due: List[Tuple[bool, int, int, str, str]] = []
        for order, (intent, answer) in enumerate(self._answers().items()):
            reviewed = answer.get("reviewed") if isinstance(answer, dict) else None
            if isinstance(reviewed, dt.datetime):
                reviewed = reviewed.date()
            if not isinstance(reviewed, dt.date):
                due.append((False, 0, order, str(intent), str(reviewed or "")))
                continue
            days = (reviewed + dt.timedelta(days=validate.REVIEW_MAX_AGE_DAYS) - today).days
            if days <= within_days:
                due.append((True, days, order, str(intent), reviewed.isoformat()))
        return [(intent, reviewed, days) for _, days, _, intent, reviewed in sorted(due)]

    # Preview ---------------------------------------------------------------------------------------------------

    def preview(self, form: AnswerForm) -> List[Tuple[str, str]]:
        """(label, text as the patient will see it): the general answer, then each variant the form keeps, filled
        as Knowledge.faq fills them (the same fill, with the same placeholders). Runs before validation: a curly
        bracket that is not a placeholder a curated answer may use is shown as written, as the bot would show it,
        and so is every placeholder when clinic.yml does not load."""
        try:
            values = only(load_clinic_details(self.clinic_file).placeholders(), CURATED_ANSWER_PLACEHOLDERS)
        except (ValueError, OSError, yaml.YAMLError):
            values = {}
        shown = [(GENERAL_LABEL, fill(clean_text(form.text), values))]
        for variant in form.variants:
            if variant.remove:
                continue
            value = variant.value.strip()
            label = (f"If the patient names {humanise(value)}" if value
                     else f"New variant (no {variant.kind or 'procedure or condition'} chosen yet)")
            shown.append((label, fill(clean_text(variant.text), values)))
        return shown

    # Checking and saving ---------------------------------------------------------------------------------------

    def problems(self, form: AnswerForm, today: dt.date) -> List[str]:
        """What `make validate` would refuse in this answer once saved (as plain sentences, no file:line), plus the
        form's own gaps (a source row half filled, a variant with no procedure chosen); empty when it would pass.
        KeyError for an intent with no answer."""
        try:
            document = round_trip_yaml().load(self.path.read_text(encoding="utf-8"))
        except RuamelYAMLError as error:
            return [unreadable(error)]
        return _apply(entry_of(document, form.intent), form, today, self.path)

    def save(self, form: AnswerForm, today: dt.date) -> SaveResult:
        """Writes the form into the file with reviewed = today, unless problems() finds any: then the file is left
        untouched and the result says why. KeyError for an intent with no answer."""
        with file_lock(self.path):
            original = self.path.read_text(encoding="utf-8")
            try:
                document = round_trip_yaml().load(original)
            except RuamelYAMLError as error:
                return SaveResult(False, [unreadable(error)], {}, {})
            entry = entry_of(document, form.intent)
            before = jsonable(entry)
            problems = _apply(entry, form, today, self.path)
            after = jsonable(entry)
            if problems:
                return SaveResult(False, problems, before, after)
            edited = splice_entry(original, document, form.intent)
            check_read_back(original, edited, form.intent, plain_data(entry))
            write_atomically(self.path, edited, mode=SAME_MODE)
        return SaveResult(True, [], before, after)


# The form applied to the answer --------------------------------------------------------------------------------


def first_line(error: Exception) -> str:
    """An error's first line, for a message in plain words."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def unreadable(error: Exception, what: str = "The answers file") -> str:
    return (f"{what} does not read as YAML ({first_line(error)}): nothing can be saved until it is fixed "
            "(`make validate` shows the line)")


def entry_of(document: Any, intent: str) -> CommentedMap:
    """The entry of ``intent`` under `answers:` of a round-trip document, as a mapping; KeyError when missing."""
    answers = (document or {}).get("answers") or {}
    entry = answers[intent]  # KeyError: no such answer
    if not isinstance(entry, CommentedMap):
        entry = CommentedMap()
        answers[intent] = entry
    return entry


def _rows(sources: List[SourceRef], part: _Part, problems: List[str]) -> List[Tuple[str, str]]:
    """The form's source rows that are not blank, in order (half-filled ones too: they fail the check)."""
    kept = []
    for number, source in enumerate(sources, start=1):
        file, section = source.file.strip(), source.section.strip()
        if not file and not section:
            continue
        if not file or not section:
            problems.append(f"Source {number}{part.sources_of}: choose the article and copy its section heading, "
                            "or clear both")
        part.rows.append((number, file, section))
        kept.append((file, section))
    return kept


def _apply(entry: CommentedMap, form: AnswerForm, today: dt.date, file: Path) -> List[str]:
    """Puts the form into ``entry`` (reviewed = today) and returns its problems: the form's own, then validate's."""
    problems: List[str] = []
    half_filled: Set[Tuple[str, int]] = set()
    where = validate.answer_where(form.intent)
    parts = {where: _Part("The general answer", " of the general answer")}
    trim_trailing_comment(entry)  # the blank line before the next answer: kept in the file by splice_entry
    title = clean_text(form.title)
    if not title:
        problems.append("The title is empty: write the 2 to 4 words the \u201cDid you mean\u201d buttons show")
    if clean_text(entry.get("title")) != title:
        old = entry.get("title")
        put_key(entry, "title", type(old)(title) if isinstance(old, ScalarString) else title, before=("text",))
    _set_text(entry, clean_text(form.text), TEXT_INDENT)
    _set_sources(entry, _rows(form.sources, parts[where], problems))
    put_key(entry, "reviewed", today, before=BY_KEYS)

    seen: Set[Tuple[str, str]] = set()
    for variant in form.variants:
        kind, value = variant.kind.strip(), variant.value.strip()
        by_key = f"by_{kind}"
        if variant.remove:
            existing = entry.get(by_key) if kind in VARIANT_KINDS else None
            if isinstance(existing, dict) and value in existing:
                del existing[value]
                if not existing:
                    del entry[by_key]
            continue
        if kind not in VARIANT_KINDS:
            problems.append(f"A variant is for a '{kind}': choose a procedure or a condition")
            continue
        if not value:
            problems.append(f"The new variant has no {kind} chosen: choose one, or leave the new variant empty")
            continue
        if (kind, value) in seen:
            problems.append(f"There are two answers for {humanise(value)}: keep one")
            continue
        seen.add((kind, value))
        by = entry.get(by_key)
        if not isinstance(by, CommentedMap):
            by = CommentedMap()
            put_key(entry, by_key, by, before=BY_KEYS[VARIANT_KINDS.index(kind) + 1:])
        if not isinstance(by.get(value), CommentedMap):
            by[value] = CommentedMap()
        part = _Part(f"The answer for {humanise(value)}", f" for {humanise(value)}")
        parts[validate.answer_where(form.intent, value)] = part
        _set_text(by[value], clean_text(variant.text), VARIANT_TEXT_INDENT)
        _set_sources(by[value], _rows(variant.sources, part, problems))
        half_filled |= {(validate.answer_where(form.intent, value), index)
                        for index, (_, file_name, section) in enumerate(part.rows, start=1)
                        if not file_name or not section}
    half_filled |= {(where, index) for index, (_, file_name, section) in enumerate(parts[where].rows, start=1)
                    if not file_name or not section}

    # The variants the form did not mention stay as they are; their problems are named too.
    for by_key in BY_KEYS:
        by = entry.get(by_key)
        for value, variant_entry in (by.items() if isinstance(by, dict) else []):
            vwhere = validate.answer_where(form.intent, value)
            if vwhere in parts:
                continue
            name = humanise(str(value))
            sources = variant_entry.get("sources") if isinstance(variant_entry, dict) else None
            rows = [(n, str(s.get("file", "")), str(s.get("section", ""))) if isinstance(s, dict) else (n, "", "")
                    for n, s in enumerate(sources if isinstance(sources, list) else [], start=1)]
            parts[vwhere] = _Part(f"The answer for {name}", f" for {name}", rows)

    for problem in validate.check_answer(file, form.intent, entry, 0, validate.canonical_values(), today):
        if problem.level != "error" or (problem.where, problem.source) in half_filled:
            continue
        problems.append(_plain_problem(problem, parts.get(problem.where)))
    return problems


def put_key(owner: CommentedMap, key: str, value: Any, before: Tuple[str, ...] = ()) -> None:
    """Sets ``key``, in its place when it is there; a new key goes before the first of ``before`` present."""
    if key in owner:
        owner[key] = value
        return
    keys = list(owner)
    position = next((keys.index(k) for k in before if k in keys), len(keys))
    owner.insert(position, key, value)


def _set_text(owner: CommentedMap, text: str, indent: int) -> None:
    old = owner.get("text")
    if old is not None and clean_text(old) == text:
        return  # unchanged: keep it as it is written
    put_key(owner, "text", folded_text(text, indent, old), before=("sources", "reviewed", *BY_KEYS))


def _set_sources(owner: CommentedMap, rows: List[Tuple[str, str]]) -> None:
    old = owner.get("sources")
    if isinstance(old, list) and [(str(s.get("file", "")), str(s.get("section", ""))) if isinstance(s, dict) else None
                                  for s in old] == rows:
        return
    sources = CommentedSeq()
    for file_name, section in rows:
        source = CommentedMap()
        source["file"] = file_name
        source["section"] = DoubleQuotedScalarString(section)  # as the file writes them
        sources.append(source)
    put_key(owner, "sources", sources, before=("reviewed", *BY_KEYS))


def folded_text(text: str, indent: int, previous: Any = None) -> FoldedScalarString:
    """``text`` as a ``>-`` block whose lines fit LINE_WIDTH at ``indent``. The lines it shares with the start and
    the end of ``previous`` (the text it replaces) stay as they were, so the change shows as only the lines that
    changed; the words between are folded anew."""
    words = text.split(" ")
    old_lines = [line.split() for line in _folded_lines(previous)]
    head: List[List[str]] = []
    used = 0
    for line in old_lines:
        if not line or words[used:used + len(line)] != line:
            break
        head.append(line)
        used += len(line)
    tail: List[List[str]] = []
    left = len(words)
    for line in reversed(old_lines[len(head):]):
        if not line or left - len(line) < used or words[left - len(line):left] != line:
            break
        tail.insert(0, line)
        left -= len(line)
    # The new words fill up the last line kept from the start first (when they fit), then lines of their own.
    middle = _wrap(head.pop() if head else [], words[used:left], max(LINE_WIDTH - indent, MIN_FOLD_WIDTH))
    lines = [" ".join(line) for line in head + middle + tail]
    folded = FoldedScalarString(text)
    breaks, position = [], 0
    for shown in lines[:-1]:
        position += len(shown)
        breaks.append(position)  # the space after this line
        position += 1
    if breaks:
        folded.fold_pos = breaks  # type: ignore[attr-defined]  # ruamel's own attribute for where the lines break
    return folded


def _folded_lines(text: Any) -> List[str]:
    """The lines ``text`` is written on in the file: a ``>-`` text broken where ruamel read the breaks."""
    if not isinstance(text, FoldedScalarString):
        return []
    value, lines, start = str(text), [], 0
    for position in getattr(text, "fold_pos", []):
        lines.append(value[start:position])
        start = position + 1
    return lines + [value[start:]]


def _wrap(first: List[str], words: List[str], width: int) -> List[List[str]]:
    """``words`` folded greedily within ``width``, the first ones on the end of the line ``first`` (if any)."""
    lines: List[List[str]] = [list(first)] if first else []
    for word in words:
        if lines and len(" ".join(lines[-1])) + 1 + len(word) <= width:
            lines[-1].append(word)
        else:
            lines.append([word])
    return lines


# Problems in plain words ---------------------------------------------------------------------------------------

SECTION_PROBLEM = re.compile(r": section '(.*)' is not a line of (.*): copy the heading exactly$", re.S)
FILE_PROBLEM = re.compile(r": source file '(.*)' does not exist in knowledge/sources/$", re.S)
VALUE_PROBLEM = re.compile(r": unknown (\w+); use one of (.*)$", re.S)


def _plain_problem(problem: validate.Problem, part: Optional[_Part]) -> str:
    """validate's message without its file:line, and in the form's words where validate's are the file's."""
    rest = problem.message[len(problem.where):] if problem.where else ": " + problem.message
    if part is None:
        return problem.message[0].upper() + problem.message[1:]
    if problem.source:
        number = part.rows[problem.source - 1][0] if problem.source <= len(part.rows) else problem.source
        who = f"Source {number}{part.sources_of}"
        found = SECTION_PROBLEM.match(rest)
        if found:
            section, file_name = found.groups()
            example = _closest_heading(section, file_name)
            return (f"{who}: the section '{section}' is not a heading of {file_name}: copy the heading exactly"
                    + (f" (for example '{example}')" if example else ""))
        found = FILE_PROBLEM.match(rest)
        if found:
            return f"{who}: there is no article '{found.group(1)}' in knowledge/sources: choose one of the list"
        return who + rest
    if rest == " has no text":
        return f"{part.label} has no text: write what the patient should read"
    if rest.startswith(" has no source"):
        return f"{part.label} has no source: add the article and the section heading it comes from"
    found = VALUE_PROBLEM.match(rest)
    if found:
        kind, values = found.groups()
        return (f"{part.label}: the bot does not know this {kind}; choose one of "
                f"{', '.join(humanise(v) for v in values.split(', '))}")
    return part.label + rest


def _closest_heading(section: str, file_name: str) -> Optional[str]:
    headings = validate.article_headings(file_name)
    lowered = {heading.lower(): heading for heading in headings}
    close = difflib.get_close_matches(section.lower(), list(lowered), n=1, cutoff=0.0)
    return lowered[close[0]] if close else None


# Writing -------------------------------------------------------------------------------------------------------


def round_trip_yaml() -> YAML:
    rt = YAML(typ="rt")
    rt.preserve_quotes = True  # type: ignore[assignment]  # ruamel declares these None
    # Folding is folded_text's: ruamel's own would fold the untouched texts again.
    rt.width = 4096  # type: ignore[assignment]
    rt.indent(mapping=2, sequence=4, offset=2)
    return rt


def trim_trailing_comment(node: Any) -> None:
    """Drops what follows the last value of ``node`` (the blank line, comments of the next answer) but keeps an
    end-of-line comment: a node moved inside the answer must not carry the blank line with it."""
    if isinstance(node, CommentedMap) and node:
        key: Any = list(node)[-1]
    elif isinstance(node, CommentedSeq) and node:
        key = len(node) - 1
    else:
        return
    slots = node.ca.items.get(key)
    for index, token in enumerate(slots or []):
        if isinstance(token, CommentToken):
            first_line = token.value.split("\n", 1)[0]
            if first_line.strip().startswith("#"):
                token.value = first_line + "\n"
            else:
                slots[index] = None
    trim_trailing_comment(node[key])


def _lines(text: str) -> List[str]:
    return re.findall(r"[^\n]*\n|[^\n]+$", text)


def _is_between(line: str) -> bool:
    """A blank or comment-only line: between answers, what splice_entry keeps as it is."""
    return not line.strip() or line.lstrip().startswith("#")


def splice_entry(original: str, document: Any, intent: str) -> str:
    """``original`` with the lines of ``intent``'s answer replaced by the edited answer as ruamel writes it; the
    lines before and after it (and the blank or comment lines that end it) stay as they were."""
    lines = _lines(original)
    answers = document["answers"]
    keys = list(answers)
    start = answers.lc.key(intent)[0]
    following = keys.index(intent) + 1
    if following < len(keys):
        end = answers.lc.key(keys[following])[0]
    else:
        tops = list(document)
        after_answers = tops.index("answers") + 1
        end = document.lc.key(tops[after_answers])[0] if after_answers < len(tops) else len(lines)
    kept_end = end
    while kept_end > start + 1 and _is_between(lines[kept_end - 1]):
        kept_end -= 1

    alone = CommentedMap()
    alone["answers"] = CommentedMap()
    alone["answers"][intent] = answers[intent]
    if intent in answers.ca.items:  # a comment on the "  intent:" line
        alone["answers"].ca.items[intent] = answers.ca.items[intent]
    written = io.StringIO()
    round_trip_yaml().dump(alone, written)
    block = _lines(written.getvalue())[1:]  # without "answers:"
    while block and _is_between(block[-1]):
        block.pop()
    if block and not block[-1].endswith("\n"):
        block[-1] += "\n"
    return "".join(lines[:start] + block + lines[kept_end:])


def plain_data(node: Any) -> Any:
    if isinstance(node, dict):
        return {str(key): plain_data(value) for key, value in node.items()}
    if isinstance(node, list):
        return [plain_data(value) for value in node]
    if isinstance(node, str):
        return str(node)
    if isinstance(node, bool):
        return bool(node)
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    return node


def jsonable(node: Any) -> Dict[str, Any]:
    def convert(value: Any) -> Any:
        if isinstance(value, dict):
            return {key: convert(item) for key, item in value.items()}
        if isinstance(value, list):
            return [convert(item) for item in value]
        if isinstance(value, (dt.date, dt.datetime)):
            return value.isoformat()
        return value

    converted = convert(plain_data(node))
    return converted if isinstance(converted, dict) else {}


def check_read_back(original: str, edited: str, intent: str, expected: Dict[str, Any]) -> None:
    """The edited file, read as validate and the bot read it: the same as before except for the one answer."""
    try:
        old, new = yaml.safe_load(original) or {}, yaml.safe_load(edited) or {}
    except yaml.YAMLError as error:
        raise EditorError(f"the edited answers file would not read back ({error}); nothing was saved") from error
    old_answers, new_answers = dict(old.get("answers") or {}), dict(new.get("answers") or {})
    got = new_answers.pop(intent, None)
    old_answers.pop(intent, None)
    others_same = (old_answers == new_answers and list(old_answers) == list(new_answers)
                   and {k: v for k, v in old.items() if k != "answers"} == {k: v for k, v in new.items()
                                                                          if k != "answers"})
    if not others_same or got != expected:
        raise EditorError(f"saving '{intent}' would not have changed only that answer as intended; nothing was saved")


@contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """One save at a time (threads and processes): an exclusive lock on the file, taken again when another save
    replaced the file while this one waited."""
    while True:
        handle = open(path, "rb")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                current = os.stat(path).st_ino == os.fstat(handle.fileno()).st_ino
            except FileNotFoundError:
                current = False
        except BaseException:
            handle.close()
            raise
        if current:
            break
        handle.close()
    try:
        yield
    finally:
        handle.close()
