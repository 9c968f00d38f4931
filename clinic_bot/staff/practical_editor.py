"""The staff console's editor of the practical answers (knowledge/practical_answers.yml), back end: one entry as a
form (title, text, the `more` sentences, if_unset), previewed as a patient of the first location reads it with
clinic.yml filled in, checked with exactly the checks of `make validate` (clinic_bot/tools/validate_practical.py:
check_practical_answer), and saved in place.

Saving is the one editor's (entry_editor.py: the same guarantees as for a curated answer); `per_location` stays as
it was (not editable here: it changes what the patient is asked). What is particular to a practical answer: its
`more` sentences are the lines of one box, blank ones dropped, and it is read back once more as the bot parses it.
"""
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import yaml
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

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
from clinic_bot.staff.audit import AuditLog
from clinic_bot.staff.entry_editor import TEXT_INDENT, EntryEditor, clean_text, first_line, put_folded, put_title
from clinic_bot.staff.yaml_splice import put_key, trim_trailing_comment
from clinic_bot.tools.answer_parts import PRACTICAL
from clinic_bot.tools.problems import ERROR, Problem
from clinic_bot.tools.validate_clinic import detail_values
from clinic_bot.tools.validate_practical import check_practical_answer

AUDIT_ACTION = "edited practical answer"


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


class PracticalAnswersFile(EntryEditor[PracticalForm, PracticalPreview]):
    """knowledge/practical_answers.yml (or a copy) as the staff console edits it."""

    entry = PRACTICAL
    audit_action = AUDIT_ACTION

    def __init__(self, path: Path = paths.PRACTICAL_ANSWERS_FILE, clinic_file: Optional[Path] = None,
                 messages_file: Path = paths.MESSAGES_FILE, audit: Optional[AuditLog] = None) -> None:
        super().__init__(path, audit)
        self.clinic_file = clinic_file  # None: paths.CLINIC_CONFIG_FILE (load_clinic_details' default)
        self.messages_file = Path(messages_file)  # for the default if_unset text (detail_unset)

    # Reading -----------------------------------------------------------------------------------------------------

    def titles(self) -> Dict[str, str]:
        """intent -> title, in the file's order (the loader's title: the intent's words when the title is empty)."""
        return {intent: answer.title for intent, answer in parse_practical_answers(load_yaml(self.path)).items()}

    def form(self, intent: str) -> PracticalForm:
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
        form = self._cleaned(form)
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

    # The form into the entry -----------------------------------------------------------------------------------

    def _cleaned(self, form: PracticalForm) -> PracticalForm:
        return PracticalForm(intent=form.intent, title=clean_text(form.title), text=clean_text(form.text),
                             more=[clean_text(m) for m in form.more if clean_text(m)],
                             if_unset=clean_text(form.if_unset))

    def _apply(self, entry: CommentedMap, form: PracticalForm) -> List[Problem]:
        trim_trailing_comment(entry)  # the blank line before the next entry: splice_entry keeps it from the file
        put_title(entry, form.title, before=("per_location", "text", "more", "if_unset", "es"))
        put_folded(entry, "text", form.text, TEXT_INDENT, before=("more", "if_unset", "es"))
        _set_more(entry, form.more)
        if form.if_unset:
            put_folded(entry, "if_unset", form.if_unset, TEXT_INDENT, before=("es",))  # the Spanish stays last
        elif "if_unset" in entry:
            del entry["if_unset"]
        found = check_practical_answer(self.path, form.intent, entry, 0, detail_values(self.clinic_file))
        return [problem for problem in found if problem.level == ERROR]

    def _reads_as_form(self, entry: Any, form: PracticalForm) -> bool:
        """The entry as the bot parses it is the form, and it passes `make validate`'s checks as read."""
        errors = [p for p in check_practical_answer(self.path, form.intent, entry, 0, {}) if p.level == ERROR]
        seen = parse_practical_answers({"answers": {form.intent: entry}})[form.intent]
        return not errors and (seen.title, seen.text, list(seen.more), seen.if_unset) == (
            form.title, form.text, form.more, form.if_unset)


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
    put_key(entry, "more", more, before=("if_unset", "es"))


# Placeholders --------------------------------------------------------------------------------------------------


def _values(details: ClinicDetails, per_location: bool) -> Dict[str, str]:
    """The values the bot fills in for the first location (PracticalAnswers.reply's: only those the answer may use)."""
    place = details.locations[0] if per_location and details.locations else None
    return only(filled_values(details, place), practical_placeholders(per_location))
