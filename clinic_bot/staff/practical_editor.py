"""The staff console's editor of the practical answers (knowledge/practical_answers.yml), back end: one entry as a
form (title, text, the `more` sentences, if_unset), previewed as a patient of the first location reads it with
clinic.yml filled in, checked with exactly the checks of `make validate` (clinic_bot/tools/validate_practical.py:
check_practical_answer), and saved in place.

Saving is the one editor's (entry_editor.py: the same guarantees as for a curated answer); `per_location` stays as
it was (not editable here: it changes what the patient is asked). What is particular to a practical answer: its
`more` sentences are the lines of one box, blank ones dropped, and it is read back once more as the bot parses it.

Beside the English the form has the Spanish (title, text, `more`, if_unset), saved with it by the rule of
spanish_texts.py (the review tick sets the Spanish's reviewed date and translates), and previewed as a
Spanish-speaking patient of the first location reads it, or with why that patient gets the English.
"""
import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

import yaml
from ruamel.yaml.comments import CommentedMap

from clinic_bot import paths
from clinic_bot.content.clinic_config import ClinicDetails, load_clinic_details
from clinic_bot.content.knowledge import Knowledge, parse_messages
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
from clinic_bot.languages import SPANISH
from clinic_bot.staff.audit import AuditLog
from clinic_bot.staff.entry_editor import TEXT_INDENT, EntryEditor, clean_text, first_line, put_folded, put_title
from clinic_bot.staff.spanish_texts import (
    Layout,
    SpanishForm,
    SpanishPreview,
    SpanishState,
    as_edited,
    form_of,
    put_sentences,
    put_spanish,
    spanish_part,
    state_of,
    translation_as_saved,
    why_english,
)
from clinic_bot.staff.yaml_splice import trim_trailing_comment
from clinic_bot.tools.answer_parts import IF_UNSET, PRACTICAL, AnswerPart
from clinic_bot.tools.problems import ERROR, Problem
from clinic_bot.tools.validate_clinic import detail_values
from clinic_bot.tools.validate_practical import check_practical_answer

AUDIT_ACTION = "edited practical answer"
ANSWER_LABEL = "The answer"
# The Spanish: es: last in the entry, its texts' lines at 8.
SPANISH_LAYOUT = Layout(indent=TEXT_INDENT + 2, has_title=True, has_more=True)


@dataclass
class PracticalForm:
    intent: str
    title: str
    text: str
    more: List[str]  # one sentence each, shown only when every detail it names is filled in clinic.yml
    if_unset: str  # "" : the default message `detail_unset` of messages.yml
    es: Optional[SpanishForm] = None  # the Spanish (None: the form leaves the Spanish as it is)


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
                 messages_file: Path = paths.MESSAGES_FILE, audit: Optional[AuditLog] = None,
                 today: Callable[[], dt.date] = dt.date.today) -> None:
        super().__init__(path, audit)
        self.clinic_file = clinic_file  # None: paths.CLINIC_CONFIG_FILE (load_clinic_details' default)
        self.messages_file = Path(messages_file)  # for the default if_unset text (detail_unset)
        self.today = today  # the date a review of the Spanish writes

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
                             if_unset=clean_text(raw.get("if_unset")), es=form_of(raw, english_has_title=True))

    def spanish_states(self, intent: str) -> List[SpanishState]:
        """The state of the entry's Spanish, as the file has it (one: the entry has one text). KeyError: no such
        answer."""
        return self.spanish_overview()[intent]

    def spanish_overview(self) -> Dict[str, List[SpanishState]]:
        """intent -> the state of its Spanish, for every practical answer in the file's order."""
        return {intent: [SpanishState("", ANSWER_LABEL, state_of(answer.es, answer.fingerprint()),
                                      answer.es.reviewed if answer.es else "")]
                for intent, answer in parse_practical_answers(load_yaml(self.path)).items()}

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

    def spanish_preview(self, form: PracticalForm) -> SpanishPreview:
        """The form as a Spanish-speaking patient of the first location would read it once saved: the bot's own
        choice (Knowledge.practical: the Spanish when it exists, is not stale and is reviewed or clinic.yml shows
        unreviewed translations; else the English after the line in Spanish saying so), with the Spanish as the
        save would record it (the review tick included) and clinic.yml's Spanish values filled in."""
        form = self._cleaned(form)
        raw = self._entries()[form.intent]
        raw = raw if isinstance(raw, dict) else {}
        per_location = self.per_location(form.intent)
        as_saved = parse_practical_answers({"answers": {form.intent: raw}})[form.intent]
        # The form does not edit the related-topic button's question: the file's stays, and so in the fingerprint.
        english = PracticalAnswer(form.intent, form.title, form.text, tuple(form.more), form.if_unset, per_location,
                                  ask=as_saved.ask)
        before = as_saved.fingerprint()
        translation = translation_as_saved(form.es, raw, before, english.fingerprint(), self.today(), SPANISH_LAYOUT)
        answer = replace(english, es=translation)
        try:
            details = load_clinic_details(self.clinic_file)
        except (ValueError, OSError, yaml.YAMLError) as error:
            return SpanishPreview(ANSWER_LABEL, "", "", False, f"clinic.yml could not be read ({first_line(error)}), "
                                  "so nothing can be filled in")
        place = details.locations[0] if per_location and details.locations else None
        try:
            messages, translations = parse_messages(load_yaml(self.messages_file))
        except (OSError, yaml.YAMLError):
            messages, translations = {}, {}
        knowledge = Knowledge({}, messages, details, {form.intent: answer}, translations)
        reply = knowledge.practical(form.intent, place, SPANISH)
        spanish = reply.marker.get("language") == SPANISH
        unset = translations.get(UNSET_MESSAGE)
        spanish_text = PracticalAnswers({form.intent: answer}, details, messages.get(UNSET_MESSAGE, ""),
                                        unset.text if unset else "").reply(form.intent, place, SPANISH).text \
            if translation else ""
        return SpanishPreview(ANSWER_LABEL, knowledge.topic_title(form.intent, SPANISH) if spanish else "",
                              reply.text, spanish, why_english(reply.marker.get("translation")),
                              unreviewed_shown=spanish and not reply.marker.get("translation_reviewed"),
                              spanish_text=spanish_text)

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
                             if_unset=clean_text(form.if_unset), es=form.es.cleaned() if form.es else None)

    def _apply(self, entry: CommentedMap, form: PracticalForm) -> List[Problem]:
        whole = AnswerPart(PRACTICAL, form.intent)
        english_before = parse_practical_answers({"answers": {form.intent: entry}})[form.intent].fingerprint()
        trim_trailing_comment(entry)  # the blank line before the next entry: splice_entry keeps it from the file
        put_title(entry, form.title, before=("per_location", "text", "more", "if_unset", "es"))
        put_folded(entry, "text", form.text, TEXT_INDENT, before=("more", "if_unset", "es"))
        _set_more(entry, form.more)
        if form.if_unset:
            put_folded(entry, "if_unset", form.if_unset, TEXT_INDENT, before=("es",))  # the Spanish stays last
        elif "if_unset" in entry:
            del entry["if_unset"]
        english_now = parse_practical_answers({"answers": {form.intent: entry}})[form.intent].fingerprint()
        problems, checked = put_spanish(entry, form.es, whole, english_before, english_now, self.today(),
                                        SPANISH_LAYOUT, self.path)
        if form.es is not None and form.es.if_unset and not form.if_unset:  # the bot would show it all the same
            problems.append(self._problem("translation_if_unset_without_english",
                                          replace(whole, field=IF_UNSET, language=SPANISH)))
        found = check_practical_answer(self.path, form.intent, entry, 0, detail_values(self.clinic_file))
        found = as_edited(found, {spanish_part(whole)} if checked else set())
        return problems + [problem for problem in found if problem.level == ERROR]

    def _reads_as_form(self, entry: Any, form: PracticalForm) -> bool:
        """The entry as the bot parses it is the form, and it passes `make validate`'s checks as read."""
        errors = [p for p in check_practical_answer(self.path, form.intent, entry, 0, {}) if p.level == ERROR]
        seen = parse_practical_answers({"answers": {form.intent: entry}})[form.intent]
        return not errors and (seen.title, seen.text, list(seen.more), seen.if_unset) == (
            form.title, form.text, form.more, form.if_unset)


def _set_more(entry: CommentedMap, sentences: List[str]) -> None:
    put_sentences(entry, "more", sentences, before=("if_unset", "es"))


# Placeholders --------------------------------------------------------------------------------------------------


def _values(details: ClinicDetails, per_location: bool) -> Dict[str, str]:
    """The values the bot fills in for the first location (PracticalAnswers.reply's: only those the answer may use)."""
    place = details.locations[0] if per_location and details.locations else None
    return only(filled_values(details, place), practical_placeholders(per_location))
