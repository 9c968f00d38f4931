"""The staff console's editor of the curated answers (knowledge/answers.yml): one answer as a form (title, text,
sources, and a variant for each procedure or condition it answers differently), previewed as the patient will read
it, checked with exactly the checks of `make validate` (validate.check_answer) plus the form's own, and saved by the
one editor (entry_editor.py) with its reviewed date set to today.

Beside each English text (the title and text, each variant's text) the form has its Spanish, saved with the English
by the rule of spanish_texts.py (the review tick sets the Spanish's reviewed date and translates), and previewed as
a Spanish-speaking patient reads it, or with why that patient gets the English.

What is particular to a curated answer: its sources are rows of the form, of which blank ones are dropped, so a
problem about the file's third source is about the form's row that became it; and its variants can be added,
edited and removed, each with sources of its own.
"""
import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Set, Tuple

import yaml
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from clinic_bot import paths
from clinic_bot.content.clinic_config import load_clinic_details
from clinic_bot.content.entity_values import canonical_values
from clinic_bot.content.knowledge import (
    VARIANT_KINDS,
    Answer,
    Knowledge,
    Variant,
    humanise,
    parse_answers,
    parse_messages,
)
from clinic_bot.content.placeholders import CURATED_ANSWER_PLACEHOLDERS, fill, only
from clinic_bot.content.text import one_line
from clinic_bot.content.translations import fingerprint
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
    put_spanish,
    spanish_part,
    state_of,
    translation_as_saved,
    why_english,
)
from clinic_bot.staff.yaml_splice import put_key, trim_trailing_comment
from clinic_bot.tools import validate
from clinic_bot.tools.answer_parts import CURATED, SOURCES, TITLE, AnswerPart
from clinic_bot.tools.problems import ERROR, Problem
from clinic_bot.tools.validate_articles import article_files

AUDIT_ACTION = "edited answer"
GENERAL_LABEL = "General answer"
VARIANT_TEXT_INDENT = 10  # a variant's text lines: by_procedure (4) > value (6) > text (8) > its lines (10)
BY_KEYS = tuple(f"by_{kind}" for kind in VARIANT_KINDS)
# Where the Spanish goes: the answer's es: before its variants, its text's lines at 8; a variant's es: last, at 12.
GENERAL_SPANISH = Layout(indent=TEXT_INDENT + 2, before=BY_KEYS, has_title=True)
VARIANT_SPANISH = Layout(indent=VARIANT_TEXT_INDENT + 2)


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
    es: Optional[SpanishForm] = None  # its Spanish text (None: the form leaves the Spanish as it is)

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.value}"


@dataclass
class AnswerForm:
    intent: str
    title: str
    text: str
    sources: List[SourceRef]
    variants: List[VariantForm]
    reviewed: str  # shown, not edited: saving sets today's date
    es: Optional[SpanishForm] = None  # the Spanish title and text (None: the form leaves the Spanish as it is)


def variant_label(value: str) -> str:
    """How the form names a variant's text."""
    return f"Answer for {humanise(value)}"


class AnswersFile(EntryEditor[AnswerForm, List[Tuple[str, str]]]):
    """knowledge/answers.yml (or a copy) as the staff console edits it."""

    entry = CURATED
    audit_action = AUDIT_ACTION

    def __init__(self, path: Path = paths.ANSWERS_FILE, clinic_file: Optional[Path] = None,
                 audit: Optional[AuditLog] = None, today: Callable[[], dt.date] = dt.date.today,
                 messages_file: Path = paths.MESSAGES_FILE) -> None:
        super().__init__(path, audit)
        self.clinic_file = clinic_file  # None: paths.CLINIC_CONFIG_FILE (load_clinic_details' default)
        self.today = today  # the date a save writes as reviewed, and validate checks the reviewed date against
        self.messages_file = Path(messages_file)  # the line in Spanish before an English answer, for the preview

    # Reading -----------------------------------------------------------------------------------------------------

    def form(self, intent: str) -> AnswerForm:
        data = load_yaml(self.path)
        answer = parse_answers(data)[intent]
        raw = data["answers"][intent] if isinstance(data["answers"][intent], dict) else {}
        return AnswerForm(
            intent=intent, title=answer.title, text=clean_text(answer.text),
            sources=[SourceRef(s.file, s.section) for s in answer.sources],
            variants=[VariantForm(kind, value, clean_text(variant.text), [SourceRef(s.file, s.section)
                                                                          for s in variant.sources],
                                  es=form_of(_variant_raw(raw, kind, value)))
                      for kind in VARIANT_KINDS for value, variant in answer.variants.get(kind, {}).items()],
            reviewed=answer.reviewed, es=form_of(raw, english_has_title=True))

    # The Spanish ------------------------------------------------------------------------------------------------

    def spanish_states(self, intent: str) -> List[SpanishState]:
        """The state of the Spanish of the answer's text and of each variant's, as the file has them. KeyError: no
        such answer."""
        return _states(parse_answers(load_yaml(self.path))[intent])

    def spanish_overview(self) -> Dict[str, List[SpanishState]]:
        """intent -> spanish_states(intent), for every answer in the file's order."""
        return {intent: _states(answer) for intent, answer in parse_answers(load_yaml(self.path)).items()}

    def spanish_preview(self, form: AnswerForm) -> List[SpanishPreview]:
        """The general answer and each variant the form keeps, as a Spanish-speaking patient would read them once
        the form is saved: the bot's own choice (Knowledge.faq: the Spanish when it exists, is not stale and is
        reviewed or clinic.yml shows unreviewed translations; else the English after the line in Spanish saying
        so), with the Spanish as the save would record it (the review tick included) and clinic.yml's Spanish
        values filled in."""
        form = self._cleaned(form)
        today = self.today()
        raw_answers = (load_yaml(self.path) or {}).get("answers") or {}
        raw = raw_answers.get(form.intent) if isinstance(raw_answers.get(form.intent), dict) else {}
        before = parse_answers({"answers": {form.intent: raw}})[form.intent]
        # The form does not edit the related-topic button's questions: the file's stay, and so in the fingerprint.
        english = Answer(form.intent, form.title, form.text, (), "", ask=before.ask, ask_about=before.ask_about)
        variants: Dict[str, Dict[str, Variant]] = {}
        for variant in form.variants:
            if variant.remove or variant.kind not in VARIANT_KINDS or not variant.value:
                continue
            old = _variant_raw(raw, variant.kind, variant.value)
            old_english = fingerprint(clean_text(old.get("text"))) if old else ""
            variants.setdefault(variant.kind, {})[variant.value] = Variant(
                variant.text, (), es=translation_as_saved(variant.es, old, old_english, fingerprint(variant.text),
                                                          today, VARIANT_SPANISH))
        answer = Answer(form.intent, form.title, form.text, (), "", variants=variants, ask=before.ask,
                        ask_about=before.ask_about,
                        es=translation_as_saved(form.es, raw, before.fingerprint(), english.fingerprint(), today,
                                                GENERAL_SPANISH))
        try:
            clinic = load_clinic_details(self.clinic_file)
        except (ValueError, OSError, yaml.YAMLError) as error:
            why = f"clinic.yml could not be read ({first_line(error)}), so nothing can be filled in"
            return [SpanishPreview(label, "", "", False, why) for label in
                    [GENERAL_LABEL, *(variant_label(v) for kind in variants for v in variants[kind])]]
        messages, translations = _messages(self.messages_file)
        knowledge = Knowledge({form.intent: answer}, messages, clinic, {}, translations)
        values = only(clinic.placeholders(SPANISH), CURATED_ANSWER_PLACEHOLDERS)

        def shown(label: str, context: Dict[str, Optional[str]], translation: Any) -> SpanishPreview:
            reply = knowledge.faq(form.intent, context, SPANISH)
            spanish = reply.marker.get("language") == SPANISH
            title = knowledge.topic_title(form.intent, SPANISH) if not context and spanish else ""
            return SpanishPreview(label, title, reply.text, spanish, why_english(reply.marker.get("translation")),
                                  unreviewed_shown=spanish and not reply.marker.get("translation_reviewed"),
                                  spanish_text=fill(one_line(translation.text), values) if translation else "")

        previews = [shown(GENERAL_LABEL, {}, answer.es)]
        for kind, by_value in variants.items():
            previews += [shown(variant_label(value), {kind: value}, variant.es) for value, variant in by_value.items()]
        return previews

    def source_files(self) -> List[str]:
        """The article files in knowledge/sources/."""
        return article_files()

    def due_for_review(self, today: dt.date, within_days: int = 30) -> List[Tuple[str, str, int]]:
        """(intent, reviewed, days until due) for the answers due within ``within_days`` or overdue (negative days),
        soonest first; due = reviewed + validate.REVIEW_MAX_AGE_DAYS, the age after which `make validate` warns.
        Answers with no valid reviewed date come first, with 0 days (validate refuses them: due now)."""
        due: List[Tuple[bool, int, int, str, str]] = []
        for order, (intent, answer) in enumerate(self._entries().items()):
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

    # Preview -----------------------------------------------------------------------------------------------------

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

    # The form into the answer ------------------------------------------------------------------------------------

    def _cleaned(self, form: AnswerForm) -> AnswerForm:
        return replace(form, title=clean_text(form.title), text=clean_text(form.text), sources=_rows(form.sources),
                       variants=[VariantForm(v.kind.strip(), v.value.strip(), clean_text(v.text), _rows(v.sources),
                                             v.remove, v.es.cleaned() if v.es else None) for v in form.variants],
                       es=form.es.cleaned() if form.es else None)

    def _apply(self, entry: CommentedMap, form: AnswerForm) -> List[Problem]:
        """Puts the form into ``entry`` with reviewed = today, unless the save changes only Spanish texts (nobody
        reviewed the English against its sources then); the variants the form does not name stay as they are (their
        problems are named too)."""
        today = self.today()
        general = AnswerPart(CURATED, form.intent)
        rows = _SourceRows()
        problems: List[Problem] = []
        edited: Set[AnswerPart] = set()  # the Spanish texts the form changed or reviewed
        english_before = parse_answers({"answers": {form.intent: entry}})[form.intent].fingerprint()
        english_as_it_was = _english_only(entry)
        trim_trailing_comment(entry)  # the blank line before the next answer: kept in the file by splice_entry
        if not form.title:
            problems.append(self._problem("no_title", replace(general, field=TITLE)))
        put_title(entry, form.title, before=("text",))
        put_folded(entry, "text", form.text, TEXT_INDENT, before=("sources", "reviewed", "es", *BY_KEYS))
        _set_sources(entry, self._kept_rows(general, form.sources, rows, problems))
        english_now = parse_answers({"answers": {form.intent: entry}})[form.intent].fingerprint()
        found, checked = put_spanish(entry, form.es, general, english_before, english_now, today, GENERAL_SPANISH,
                                     self.path)
        problems += found
        if checked:
            edited.add(spanish_part(general))

        seen: Set[Tuple[str, str]] = set()
        for variant in form.variants:
            kind, value = variant.kind, variant.value
            if variant.remove:
                _remove_variant(entry, kind, value)
            elif kind not in VARIANT_KINDS:
                problems.append(self._problem("variant_kind_unknown", general, {"kind": kind}))
            elif not value:
                problems.append(self._problem("variant_without_value", general, {"kind": kind}))
            elif (kind, value) in seen:
                problems.append(self._problem("duplicate_variant", replace(general, variant_kind=kind,
                                                                            variant_value=value)))
            else:
                seen.add((kind, value))
                owner = _variant_entry(entry, kind, value)
                variant_before = fingerprint(clean_text(owner.get("text"))) if "text" in owner else ""
                put_folded(owner, "text", variant.text, VARIANT_TEXT_INDENT,
                           before=("sources", "reviewed", "es", *BY_KEYS))
                part = replace(general, variant_kind=kind, variant_value=value)
                _set_sources(owner, self._kept_rows(part, variant.sources, rows, problems))
                found, checked = put_spanish(owner, variant.es, part, variant_before, fingerprint(variant.text),
                                             today, VARIANT_SPANISH, self.path)
                problems += found
                if checked:
                    edited.add(spanish_part(part))

        if not edited or _english_only(entry) != english_as_it_was:  # not a save of the Spanish alone
            put_key(entry, "reviewed", today, before=("es", *BY_KEYS))
        found = as_edited(validate.check_answer(self.path, form.intent, entry, 0, canonical_values(), today), edited)
        return problems + rows.as_in_form([problem for problem in found if problem.level == ERROR])

    def _kept_rows(self, part: AnswerPart, sources: List[SourceRef], rows: "_SourceRows",
                   problems: List[Problem]) -> List[Tuple[str, str]]:
        """The source rows of ``part`` that go into the file (half-filled ones too: they fail the check, and the
        form names them, "choose the article and copy its section heading")."""
        kept, half_filled = rows.keep(part, sources)
        problems += [self._problem("half_filled_source", replace(part, field=SOURCES, source=number))
                     for number in half_filled]
        return kept


class _SourceRows:
    """Which row of the form each source in the file is, per part (the general answer, each variant): the form
    drops its blank rows, so the file's second source may be the form's third row."""

    def __init__(self) -> None:
        self.rows: Dict[AnswerPart, List[int]] = {}  # the form's row number of each source in the file, in order
        self.half_filled: Set[Tuple[AnswerPart, int]] = set()  # (part, number in the file)

    def keep(self, part: AnswerPart, sources: List[SourceRef]) -> Tuple[List[Tuple[str, str]], List[int]]:
        """(file, section) of each row that is not blank, and the numbers of the rows that are half filled."""
        kept: List[Tuple[str, str]] = []
        half_filled: List[int] = []
        numbers = self.rows.setdefault(part, [])
        for number, source in enumerate(sources, start=1):
            if not source.file and not source.section:
                continue
            numbers.append(number)
            kept.append((source.file, source.section))
            if not source.file or not source.section:
                half_filled.append(number)
                self.half_filled.add((part, len(numbers)))
        return kept, half_filled

    def as_in_form(self, problems: List[Problem]) -> List[Problem]:
        """validate's problems with each source numbered as the form's row; those about a half-filled row are left
        out (the form's own problem names it). A variant the form did not show keeps the file's numbers."""
        shown = []
        for problem in problems:
            part = problem.part
            if part is not None and part.source:
                owner = replace(part, field="", source=0)
                if (owner, part.source) in self.half_filled:
                    continue
                numbers = self.rows.get(owner, [])
                if part.source <= len(numbers):
                    problem = replace(problem, part=replace(part, source=numbers[part.source - 1]))
            shown.append(problem)
        return shown


def _states(answer: Answer) -> List[SpanishState]:
    """The state of the Spanish of ``answer``'s text and of each of its variants'."""
    states = [SpanishState("", GENERAL_LABEL, state_of(answer.es, answer.fingerprint()),
                           answer.es.reviewed if answer.es else "")]
    for kind in VARIANT_KINDS:
        for value, variant in answer.variants.get(kind, {}).items():
            states.append(SpanishState(f"{kind}:{value}", variant_label(value),
                                       state_of(variant.es, variant.fingerprint()),
                                       variant.es.reviewed if variant.es else ""))
    return states


def _english_only(node: Any) -> Any:
    """The answer without its Spanish texts and its reviewed date, as plain data: what a save of the Spanish alone
    leaves as it was."""
    if isinstance(node, dict):
        return {str(key): _english_only(value) for key, value in node.items() if key not in ("es", "reviewed")}
    if isinstance(node, list):
        return [_english_only(value) for value in node]
    return str(node) if isinstance(node, str) else node


def _variant_raw(raw: Any, kind: str, value: str) -> Dict[str, Any]:
    """The mapping of a variant in a plain or round-trip answer ({} when it has none)."""
    by = raw.get(f"by_{kind}") if isinstance(raw, dict) else None
    variant = by.get(value) if isinstance(by, dict) else None
    return variant if isinstance(variant, dict) else {}


def _messages(file: Path) -> Tuple[Dict[str, str], Dict[str, Any]]:
    """knowledge/messages.yml's English and Spanish texts (none when it does not load): the preview's line in Spanish
    before an English answer."""
    try:
        return parse_messages(load_yaml(file))
    except (OSError, yaml.YAMLError):
        return {}, {}


def _rows(sources: List[SourceRef]) -> List[SourceRef]:
    return [SourceRef(source.file.strip(), source.section.strip()) for source in sources]


def _remove_variant(entry: CommentedMap, kind: str, value: str) -> None:
    """Deletes the variant, and its by_<kind> block when it was the last one."""
    by_key = f"by_{kind}"
    existing = entry.get(by_key) if kind in VARIANT_KINDS else None
    if isinstance(existing, dict) and value in existing:
        del existing[value]
        if not existing:
            del entry[by_key]


def _variant_entry(entry: CommentedMap, kind: str, value: str) -> CommentedMap:
    """The mapping of the variant under by_<kind>, made (in its place among the keys) when missing."""
    by_key = f"by_{kind}"
    by = entry.get(by_key)
    if not isinstance(by, CommentedMap):
        by = CommentedMap()
        put_key(entry, by_key, by, before=BY_KEYS[VARIANT_KINDS.index(kind) + 1:])
    if not isinstance(by.get(value), CommentedMap):
        by[value] = CommentedMap()
    return by[value]


def _set_sources(owner: CommentedMap, rows: List[Tuple[str, str]]) -> None:
    old = owner.get("sources")
    if isinstance(old, list) and [(str(s.get("file", "")), str(s.get("section", ""))) if isinstance(s, dict) else None
                                  for s in old] == rows:
        return  # unchanged: keep it as it is written
    sources = CommentedSeq()
    for file_name, section in rows:
        source = CommentedMap()
        source["file"] = file_name
        source["section"] = DoubleQuotedScalarString(section)  # as the file writes them
        sources.append(source)
    put_key(owner, "sources", sources, before=("reviewed", "es", *BY_KEYS))
