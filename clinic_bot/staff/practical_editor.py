"""The staff console's editor of the practical answers (knowledge/practical_answers.yml), back end: one entry as a
form (title, text, the `more` sentences, if_unset), previewed as a patient of the first location reads it with
clinic.yml filled in, checked with exactly the checks of `make validate` (clinic_bot/tools/validate_practical.py:
check_practical_answer), and saved in place.

Saving keeps the rest of the file as it is: the comments, the order, every other entry byte for byte, `per_location`
as it was (not editable here: it changes what the patient is asked), and the folded ``>-`` texts. It shares the
writing machinery of the curated answers' editor (answers_editor.py: the same file layout under `answers:`, the
same guarantees), so both files are written one way: ruamel.yaml round-trip, the entry spliced in where it was,
read back and checked again, then an atomic replace under a lock; then one audit entry.
"""
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import yaml
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError as RuamelYAMLError
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, ScalarString

from clinic_bot import paths
from clinic_bot.content.clinic_config import ClinicDetails, load_clinic_details
from clinic_bot.content.placeholders import (
    IF_UNSET_PLACEHOLDERS,
    fill,
    only,
    placeholders_in,
    practical_placeholders,
)
from clinic_bot.content.practical_answers import (
    UNSET_MESSAGE,
    PracticalAnswer,
    PracticalAnswers,
    filled_values,
    parse_practical_answers,
)
from clinic_bot.content.yaml_lines import load_yaml
from clinic_bot.files import SAME_MODE, write_atomically
from clinic_bot.staff.answers_editor import (
    TEXT_INDENT,
    EditorError,
    check_read_back,
    clean_text,
    entry_of,
    file_lock,
    first_line,
    folded_text,
    jsonable,
    plain_data,
    put_key,
    round_trip_yaml,
    splice_entry,
    trim_trailing_comment,
    unreadable,
)
from clinic_bot.staff.audit import AuditLog
from clinic_bot.tools.problems import Problem
from clinic_bot.tools.validate_clinic import detail_values
from clinic_bot.tools.validate_practical import check_practical_answer

AUDIT_ACTION = "edited practical answer"
WHAT = "The practical answers file"  # how a problem names the file
# How the form names each part validate's messages name by a suffix of "practical answer 'ask_x'".
PARTS = {"": "The answer", " (if_unset)": "The text for a missing detail"}
MORE_SENTENCE = re.compile(r" \(more, sentence (\d+)\)")  # validate_practical.more_where's suffix


@dataclass
class PracticalForm:
    intent: str
    title: str
    text: str
    more: List[str]  # one sentence each, shown only when every detail it names is filled in clinic.yml
    if_unset: str  # "" : the default message `detail_unset` of messages.yml


@dataclass(frozen=True)
class PracticalPreview:
    text: str  # what the patient reads
    location: str  # the location it is shown for ("" when the answer does not depend on one)
    missing: List[str]  # details the text needs that clinic.yml leaves empty: the patient gets `when_missing`
    left_out: List[str]  # sentences of `more` not shown: a detail they name is empty in clinic.yml (or unknown)
    when_missing: str  # what the patient reads when a detail the text needs is empty
    unavailable: str = ""  # why clinic.yml could not be read (then nothing is filled in)


@dataclass(frozen=True)
class PracticalSaveResult:
    saved: bool
    problems: List[str]  # plain sentences; empty when saved
    before: Dict[str, Any]  # the entry before, JSON-ready (as the audit log records it)
    after: Dict[str, Any]  # the entry as saved; when refused, as it would have been
    changed: bool = False  # False when saved as it already was: then the file is not rewritten, nor audited


class PracticalAnswersFile:
    """knowledge/practical_answers.yml (or a copy) as the staff console edits it."""

    def __init__(self, path: Path = paths.PRACTICAL_ANSWERS_FILE, clinic_file: Optional[Path] = None,
                 messages_file: Path = paths.MESSAGES_FILE, audit: Optional[AuditLog] = None) -> None:
        self.path = Path(path)
        self.clinic_file = clinic_file  # None: paths.CLINIC_CONFIG_FILE (load_clinic_details' default)
        self.messages_file = Path(messages_file)  # for the default if_unset text (detail_unset)
        self.audit = audit or AuditLog()

    # Reading ---------------------------------------------------------------------------------------------------

    def _entries(self) -> Dict[str, Any]:
        return (load_yaml(self.path) or {}).get("answers") or {}

    def intents(self) -> List[str]:
        """The practical answers' intents, in the file's order."""
        return [str(intent) for intent in self._entries()]

    def titles(self) -> Dict[str, str]:
        """intent -> title, in the file's order (the loader's title: the intent's words when the title is empty)."""
        return {intent: answer.title for intent, answer in parse_practical_answers(load_yaml(self.path)).items()}

    def form(self, intent: str) -> PracticalForm:
        """The entry as the editor shows it; KeyError for an intent with no practical answer."""
        raw = self._entries()[intent]
        raw = raw if isinstance(raw, dict) else {}
        more = raw.get("more") if isinstance(raw.get("more"), list) else []
        return PracticalForm(intent=intent, title=clean_text(raw.get("title")), text=clean_text(raw.get("text")),
                             more=[clean_text(m) for m in more if clean_text(m)],
                             if_unset=clean_text(raw.get("if_unset")))

    def per_location(self, intent: str) -> bool:
        """True when the answer depends on the location (set in the file only). KeyError: no such answer."""
        raw = self._entries()[intent]
        return isinstance(raw, dict) and bool(raw.get("per_location", False))

    def placeholders(self, intent: str) -> List[Tuple[str, str]]:
        """(placeholder, its value now) for each detail the text and `more` may use: clinic.yml's (the first
        location's for a per-location answer); the value is "" when clinic.yml leaves it empty or does not load."""
        allowed = practical_placeholders(self.per_location(intent))
        try:
            values = _values(load_clinic_details(self.clinic_file), self.per_location(intent))
        except (ValueError, OSError, yaml.YAMLError):
            values = {}
        return [(name, values.get(name, "")) for name in sorted(allowed)]

    @staticmethod
    def if_unset_placeholders() -> List[str]:
        """What if_unset may use: only the details that can never be empty."""
        return sorted(IF_UNSET_PLACEHOLDERS)

    # Preview ---------------------------------------------------------------------------------------------------

    def preview(self, form: PracticalForm) -> PracticalPreview:
        """The form as a patient of the first location reads it, filled by the bot's own PracticalAnswers. Runs before
        validation, and shows what the bot would do with a text it refuses: a sentence of `more` naming a detail the
        answer may not use is left out, such a detail in the text gets the patient the text for a missing detail,
        and any other curly bracket is shown as written."""
        form = _cleaned(form)
        per_location = self.per_location(form.intent)
        try:
            details = load_clinic_details(self.clinic_file)
        except (ValueError, OSError, yaml.YAMLError) as error:
            return PracticalPreview(form.text, "", [], [], form.if_unset, unavailable=first_line(error))
        place = details.locations[0] if per_location and details.locations else None
        values = _values(details, per_location)
        answer = PracticalAnswer(form.intent, form.title, form.text, tuple(form.more), form.if_unset, per_location)
        default = self._unset_message()
        filled = PracticalAnswers({form.intent: answer}, details, default).reply(form.intent, place)
        left_out = [sentence for sentence in form.more
                    if any(not values.get(name) for name in placeholders_in(sentence))]
        when_missing = clean_text(fill(form.if_unset or default, only(values, IF_UNSET_PLACEHOLDERS)))
        return PracticalPreview(filled.text, place.name if place else "", list(filled.marker.get("unset", [])),
                                left_out, when_missing)

    def _unset_message(self) -> str:
        try:
            messages = (load_yaml(self.messages_file) or {}).get("messages") or {}
        except (OSError, yaml.YAMLError):
            messages = {}
        return clean_text(messages.get(UNSET_MESSAGE, ""))

    # Checking and saving ---------------------------------------------------------------------------------------

    def problems(self, form: PracticalForm) -> List[str]:
        """What `make validate` would refuse in this entry once saved, as plain sentences; empty when it would pass.
        KeyError for an intent with no practical answer."""
        try:
            document = round_trip_yaml().load(self.path.read_text(encoding="utf-8"))
        except RuamelYAMLError as error:
            return [unreadable(error, WHAT)]
        entry = entry_of(document, form.intent)
        return self._apply(entry, _cleaned(form))

    def save(self, form: PracticalForm, who: str, audit: Optional[AuditLog] = None) -> PracticalSaveResult:
        """Writes the form into its entry unless problems() finds any (then the file is left untouched and the
        result says why), and records the change in ``audit`` (default: this file's audit log). KeyError for an
        intent with no practical answer."""
        form = _cleaned(form)
        with file_lock(self.path):
            result = self._save_locked(form)
        if result.changed:
            (audit or self.audit).record(who, AUDIT_ACTION, form.intent, before=result.before, after=result.after)
        return result

    def _save_locked(self, form: PracticalForm) -> PracticalSaveResult:
        original = self.path.read_text(encoding="utf-8")
        try:
            document = round_trip_yaml().load(original)
        except RuamelYAMLError as error:
            return PracticalSaveResult(False, [unreadable(error, WHAT)], {}, {})
        entry = entry_of(document, form.intent)
        before = jsonable(entry)
        problems = self._apply(entry, form)
        after = jsonable(entry)
        if problems:
            return PracticalSaveResult(False, problems, before, after)
        edited = splice_entry(original, document, form.intent)
        if edited == original:
            return PracticalSaveResult(True, [], before, after)
        try:
            check_read_back(original, edited, form.intent, plain_data(entry))
            self._check_again(edited, form)
        except EditorError as error:
            return PracticalSaveResult(False, [str(error)], before, after)
        write_atomically(self.path, edited, mode=SAME_MODE)
        return PracticalSaveResult(True, [], before, after, changed=True)

    def _apply(self, entry: CommentedMap, form: PracticalForm) -> List[str]:
        """Puts the form into ``entry`` and returns validate's errors on it, in the form's words."""
        trim_trailing_comment(entry)  # the blank line before the next entry: splice_entry keeps it from the file
        _set_title(entry, form.title)
        _set_folded(entry, "text", form.text, before=("more", "if_unset"))
        _set_more(entry, form.more)
        if form.if_unset:
            _set_folded(entry, "if_unset", form.if_unset, before=())
        elif "if_unset" in entry:
            del entry["if_unset"]
        found = check_practical_answer(self.path, form.intent, entry, 0, self._values_for_checks())
        return [_plain_problem(p, form) for p in found if p.level == "error"]

    def _check_again(self, edited: str, form: PracticalForm) -> None:
        """The edited file as the bot and `make validate` read it: the entry is the form, and passes the checks."""
        try:
            entry = ((yaml.safe_load(edited) or {}).get("answers") or {}).get(form.intent)
        except yaml.YAMLError as error:
            raise EditorError(f"The edited file would not read back ({first_line(error)}): nothing was "
                              "saved") from error
        errors = [p for p in check_practical_answer(self.path, form.intent, entry, 0, {}) if p.level == "error"]
        seen = parse_practical_answers({"answers": {form.intent: entry}})[form.intent]
        if errors or (seen.title, seen.text, list(seen.more), seen.if_unset) != (
                form.title, form.text, form.more, form.if_unset):
            raise EditorError(f"Saving '{form.intent}' would not have written it as intended, so nothing was "
                              "saved: please tell whoever maintains the assistant")

    def _values_for_checks(self) -> Dict[str, str]:
        return detail_values(self.clinic_file)


# The form into the entry ---------------------------------------------------------------------------------------


def _cleaned(form: PracticalForm) -> PracticalForm:
    """What a browser sends (\\r\\n, extra spaces, blank lines between the sentences) as the bot will show it."""
    return PracticalForm(intent=form.intent, title=clean_text(form.title), text=clean_text(form.text),
                         more=[clean_text(m) for m in form.more if clean_text(m)], if_unset=clean_text(form.if_unset))


def _set_title(entry: CommentedMap, title: str) -> None:
    old = entry.get("title")
    if clean_text(old) != title:
        put_key(entry, "title", type(old)(title) if isinstance(old, ScalarString) else title,
             before=("per_location", "text", "more", "if_unset"))


def _set_folded(entry: CommentedMap, key: str, text: str, before: Tuple[str, ...]) -> None:
    old = entry.get(key)
    if old is not None and clean_text(old) == text:
        return  # unchanged: keep it as it is written
    put_key(entry, key, folded_text(text, TEXT_INDENT, old), before=before)


def _set_more(entry: CommentedMap, sentences: List[str]) -> None:
    old = entry.get("more")
    old_items = list(old) if isinstance(old, list) else []
    if [clean_text(item) for item in old_items] == sentences and (old is not None or not sentences):
        return
    if not sentences:
        if "more" in entry:
            del entry["more"]
        return
    kept = {clean_text(item): item for item in old_items}  # an unchanged sentence keeps how it is written
    more = CommentedSeq()
    for sentence in sentences:
        more.append(kept.get(sentence, DoubleQuotedScalarString(sentence)))  # quoted, as the file writes them
    put_key(entry, "more", more, before=("if_unset",))


# Placeholders --------------------------------------------------------------------------------------------------


def _values(details: ClinicDetails, per_location: bool) -> Dict[str, str]:
    """The values the bot fills in for the first location (PracticalAnswers.reply's: only those the answer may use)."""
    place = details.locations[0] if per_location and details.locations else None
    return only(filled_values(details, place), practical_placeholders(per_location))


# Problems in plain words ---------------------------------------------------------------------------------------


def _part(message: str, form: PracticalForm) -> Tuple[str, str]:
    """(the form's name for the part the message is about, the rest of the message)."""
    where = f"practical answer '{form.intent}'"
    rest = message[len(where):] if message.startswith(where) else ": " + message
    sentence = MORE_SENTENCE.match(rest)
    if sentence:  # the form's sentences are the file's, blank ones dropped before the check: the same numbers
        return f"Sentence {sentence.group(1)} under \u201cmore\u201d", rest[sentence.end():]
    if rest.startswith(" (if_unset)"):
        return PARTS[" (if_unset)"], rest[len(" (if_unset)"):]
    return PARTS[""], rest


def _plain_problem(problem: Problem, form: PracticalForm) -> str:
    """validate's message without its file:line, in the words of the form's fields (a curly bracket's problem is
    already in plain words: clinic_bot/content/placeholders.py)."""
    label, rest = _part(problem.message, form)
    if rest == " has no title":
        return "The title is empty: write the 2 to 4 words the \u201cDid you mean\u201d buttons show"
    if rest == " has no text":
        return "The answer has no text: write what the patient should read"
    return label + rest
