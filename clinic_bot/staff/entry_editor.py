"""The staff console's one answer editor: the shape every kind of answer shares (form -> preview -> problems -> save)
and the save itself. A kind (answers_editor.py: the curated answers; practical_editor.py: the practical answers)
supplies only what differs: its form, its preview, how a form goes into its entry and which checks it gets.

A save is the same for every kind:
- one at a time: under an exclusive lock on the file, so two staff members' saves cannot interleave;
- checked as `make validate` checks the entry once saved (plus the form's own gaps): with any problem the file is
  left untouched and the result lists them, as data (problem_wording.py words them for the page);
- written in place (yaml_splice.py): comments, order, the other entries byte for byte, folded ``>-`` texts;
- read back as validate and the bot read the file: the other entries unchanged, this one as intended; else nothing
  is written and the result says so (a problem too, never an exception: the staff member sees it on the page);
- replaced atomically, so a reader never sees half a file;
- audited here, whoever calls it: one record when the file changed. A form saved as it already was neither rewrites
  the file nor is audited.
"""
import fcntl
import os
from abc import ABC, abstractmethod
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Dict, Generic, Iterator, List, Mapping, Optional, Protocol, Tuple, TypeVar

import yaml
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import YAMLError as RuamelYAMLError
from ruamel.yaml.scalarstring import ScalarString

from clinic_bot.content.text import one_line
from clinic_bot.content.yaml_lines import load_yaml
from clinic_bot.files import SAME_MODE, write_atomically
from clinic_bot.staff.audit import AuditLog
from clinic_bot.staff.yaml_splice import (
    entry_of,
    folded_text,
    jsonable,
    plain_data,
    put_key,
    round_trip_yaml,
    splice_entry,
)
from clinic_bot.tools.answer_parts import AnswerPart
from clinic_bot.tools.problems import ERROR, Problem

TEXT_INDENT = 6  # an entry's text lines: answers (0) > intent (2) > text (4) > its lines (6)


class EntryForm(Protocol):
    intent: str  # which entry under `answers:` the form edits


FormT = TypeVar("FormT", bound=EntryForm)
PreviewT = TypeVar("PreviewT")


@dataclass(frozen=True)
class SaveResult:
    saved: bool
    problems: List[Problem]  # why it was not saved; empty when saved
    before: Dict[str, Any]  # the entry before, JSON-ready (dates as YYYY-MM-DD), as the audit log records it
    after: Dict[str, Any]  # the entry as saved; when refused, as it would have been
    changed: bool = False  # False when saved as it already was: then the file is not rewritten, nor audited


def clean_text(text: Any) -> str:
    """What a browser's textarea sends (\\r\\n, extra spaces, stray control characters) as one paragraph with single
    spaces: how the bot shows a text anyway (it joins whitespace)."""
    return one_line("".join(ch for ch in str(text or "") if ch.isprintable() or ch.isspace()))


def first_line(error: Exception) -> str:
    """An error's first line, for a message in plain words."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


class EntryEditor(ABC, Generic[FormT, PreviewT]):
    """A knowledge file of answers under `answers:` (or a copy), as the staff console edits one entry of it."""

    entry: ClassVar[str]  # answer_parts.CURATED or PRACTICAL: how the problems name the entry
    audit_action: ClassVar[str]  # the audit log's name for a save

    def __init__(self, path: Path, audit: Optional[AuditLog] = None) -> None:
        self.path = Path(path)
        self.audit = audit or AuditLog()

    # What each kind supplies -------------------------------------------------------------------------------------

    @abstractmethod
    def form(self, intent: str) -> FormT:
        """The entry as the editor shows it; KeyError for an intent with no entry."""

    @abstractmethod
    def preview(self, form: FormT) -> PreviewT:
        """The form as the patient will read it, before any check (what the bot would show, were it saved)."""

    @abstractmethod
    def _cleaned(self, form: FormT) -> FormT:
        """The form as the bot will show it: what the browser sent, its whitespace and blank rows tidied."""

    @abstractmethod
    def _apply(self, entry: CommentedMap, form: FormT) -> List[Problem]:
        """Puts the cleaned form into ``entry`` and returns the errors it would be saved with: the form's own gaps,
        then those `make validate` finds in the entry."""

    def _reads_as_form(self, entry: Any, form: FormT) -> bool:
        """A kind's own check of the entry as read back from the edited file (as yaml.safe_load reads it)."""
        return True

    # Reading -----------------------------------------------------------------------------------------------------

    def _entries(self) -> Dict[str, Any]:
        return (load_yaml(self.path) or {}).get("answers") or {}

    def intents(self) -> List[str]:
        """The entries' intents, in the file's order."""
        return [str(intent) for intent in self._entries()]

    # Checking and saving -----------------------------------------------------------------------------------------

    def problems(self, form: FormT) -> List[Problem]:
        """What saving this form would be refused for (save's problems); empty when it would be saved. KeyError for
        an intent with no entry."""
        form = self._cleaned(form)
        try:
            document = round_trip_yaml().load(self.path.read_text(encoding="utf-8"))
        except RuamelYAMLError as error:
            return [self._unreadable(form, error)]
        return self._apply(entry_of(document, form.intent), form)

    def save(self, form: FormT, who: str, audit: Optional[AuditLog] = None) -> SaveResult:
        """Writes the form into its entry unless problems() finds any (then the file is left untouched and the result
        lists them), and records the change as done by ``who`` in ``audit`` (default: this editor's audit log).
        KeyError for an intent with no entry."""
        form = self._cleaned(form)
        with file_lock(self.path):
            result = self._save_locked(form)
        if result.changed:
            (audit or self.audit).record(who, self.audit_action, form.intent, before=result.before, after=result.after)
        return result

    def _save_locked(self, form: FormT) -> SaveResult:
        original = self.path.read_text(encoding="utf-8")
        try:
            document = round_trip_yaml().load(original)
        except RuamelYAMLError as error:
            return SaveResult(False, [self._unreadable(form, error)], {}, {})
        entry = entry_of(document, form.intent)
        before = jsonable(entry)
        problems = self._apply(entry, form)
        after = jsonable(entry)
        if problems:
            return SaveResult(False, problems, before, after)
        edited = splice_entry(original, document, form.intent)
        if edited == original:
            return SaveResult(True, [], before, after)
        if not self._reads_back(original, edited, form, plain_data(entry)):
            return SaveResult(False, [self._problem("read_back_failed", self._part(form))], before, after)
        write_atomically(self.path, edited, mode=SAME_MODE)
        return SaveResult(True, [], before, after, changed=True)

    def _reads_back(self, original: str, edited: str, form: FormT, expected: Any) -> bool:
        """The edited file as validate and the bot read it: the same as the original but for the one entry, which
        reads as ``expected`` (the entry as edited) and passes the kind's own check."""
        try:
            old, new = yaml.safe_load(original) or {}, yaml.safe_load(edited) or {}
        except yaml.YAMLError:
            return False
        old_entries, new_entries = dict(old.get("answers") or {}), dict(new.get("answers") or {})
        got = new_entries.pop(form.intent, None)
        old_entries.pop(form.intent, None)
        others_same = (old_entries == new_entries and list(old_entries) == list(new_entries)
                       and {k: v for k, v in old.items() if k != "answers"} == {k: v for k, v in new.items()
                                                                              if k != "answers"})
        return others_same and got == expected and self._reads_as_form(got, form)

    # Problems ----------------------------------------------------------------------------------------------------

    def _part(self, form: FormT) -> AnswerPart:
        return AnswerPart(self.entry, form.intent)

    def _problem(self, code: str, part: AnswerPart, values: Optional[Mapping[str, str]] = None) -> Problem:
        """A problem of the form itself (not of a line of the file: line 0)."""
        return Problem(self.path, 0, ERROR, code, values or {}, part)

    def _unreadable(self, form: FormT, error: Exception) -> Problem:
        return self._problem("unreadable_yaml", self._part(form), {"error": first_line(error)})


# Putting a form's fields into an entry -------------------------------------------------------------------------


def put_title(entry: CommentedMap, title: str, before: Tuple[str, ...]) -> None:
    """Sets the entry's title, unless it already reads as ``title``; a new one keeps the old one's quoting."""
    old = entry.get("title")
    if clean_text(old) != title:
        put_key(entry, "title", type(old)(title) if isinstance(old, ScalarString) else title, before=before)


def put_folded(owner: CommentedMap, key: str, text: str, indent: int, before: Tuple[str, ...]) -> None:
    """Sets ``key`` to ``text`` as a ``>-`` block (yaml_splice.folded_text), unless it already reads as ``text``:
    then it stays as it is written."""
    old = owner.get(key)
    if old is not None and clean_text(old) == text:
        return
    put_key(owner, key, folded_text(text, indent, old), before=before)


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
