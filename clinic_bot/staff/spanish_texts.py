"""The Spanish beside each English text in the staff console's editors: the form's Spanish boxes (SpanishForm), how
a save writes them into the text's ``es:`` mapping (put_spanish), the state of a Spanish text (reviewed, not
reviewed, stale, missing) and how the preview says which text a Spanish-speaking patient gets and why.

The rule a save follows for `translates` and `reviewed` (docs/staff.md, "Spanish texts"), so that a Spanish text
never looks reviewed or current when nobody checked it against the English as it is now:
- with "I have reviewed this Spanish text against the English" ticked: `reviewed` is today and `translates` the
  fingerprint of the English as saved (the Spanish is current and reviewed);
- without it, a reviewed date is kept only when neither the Spanish nor its English changed: any change empties
  it (not reviewed); `translates` stays as it was, so an English edit makes the Spanish stale and a stale Spanish
  stays stale however it is reworded (only a review says it renders the new English); a Spanish text written where
  there was none gets the fingerprint of the English beside which it was written, and is not reviewed.
Every box of a text's Spanish left empty removes its Spanish (the patient gets the English).

A Spanish text the form changed or a review ticked is checked as `make validate` checks a current one, whatever its
state: the same placeholders as the English, as many `more` sentences, an if_unset where the English has one.
"""
import datetime as dt
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Set, Tuple

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from clinic_bot.content.translations import MISSING, STALE, TRANSLATION_KEY, UNREVIEWED, Translation, why_not_shown
from clinic_bot.staff.entry_editor import clean_text, put_folded, put_title
from clinic_bot.staff.yaml_splice import put_key
from clinic_bot.tools.answer_parts import REVIEWED, SPANISH, TEXT, TRANSLATES, AnswerPart
from clinic_bot.tools.problems import ERROR, WARNING, Problem

# The state of a Spanish text, as the lists and the editors show it (the worst first: the order of the lists).
STATE_STALE = STALE  # it translates an earlier English
STATE_MISSING = MISSING  # there is none
STATE_UNREVIEWED = UNREVIEWED  # current, not reviewed
STATE_REVIEWED = "reviewed"  # current and reviewed
STATE_ORDER = (STATE_STALE, STATE_MISSING, STATE_UNREVIEWED, STATE_REVIEWED)
STATE_WORDS = {STATE_STALE: "stale", STATE_MISSING: "missing", STATE_UNREVIEWED: "not reviewed",
               STATE_REVIEWED: "reviewed"}
# Why a Spanish-speaking patient gets the English (translations.choose's reasons), in the console's words.
WHY_ENGLISH = {
    MISSING: "there is no Spanish text",
    STALE: ("the Spanish translates an earlier version of the English (stale): it is shown again once someone "
            "updates it and ticks \u201cI have reviewed this Spanish text against the English\u201d"),
    UNREVIEWED: ("the Spanish is not reviewed, and clinic.yml shows patients only reviewed translations "
                 "(show_unreviewed_translations: false): tick \u201cI have reviewed this Spanish text against the "
                 "English\u201d once you have"),
}
REVIEW_LABEL = "I have reviewed this Spanish text against the English"  # the tick, as the pages name it
# What validate only warns of in a stale translation, and the editors refuse in a Spanish text the form changed.
CHECKED_WHEN_EDITED = frozenset({"translation_placeholders_differ", "translation_more_count",
                                 "translation_without_if_unset"})
# The keys of an es: mapping, in the files' order (a new key goes before the first of those after it present).
ES_KEYS = ("title", "text", "more", "if_unset", "translates", "reviewed")


@dataclass
class SpanishForm:
    """The Spanish boxes beside one English text of a form: a curated answer's title and text, a variant's text, a
    practical answer's title, text, `more` (one sentence a line) and if_unset; the review tick; and, shown but not
    edited, what the file says now."""

    text: str = ""
    title: str = ""
    more: List[str] = field(default_factory=list)
    if_unset: str = ""
    review: bool = False  # "I have reviewed this Spanish text against the English" ticked
    reviewed: str = ""  # shown: the file's reviewed date ("" : not reviewed)
    translates: str = ""  # shown: the fingerprint of the English it translates, in the file

    def cleaned(self) -> "SpanishForm":
        return replace(self, text=clean_text(self.text), title=clean_text(self.title),
                       more=[clean_text(m) for m in self.more if clean_text(m)], if_unset=clean_text(self.if_unset))

    def is_empty(self) -> bool:
        return not (self.text or self.title or self.more or self.if_unset)


@dataclass(frozen=True)
class SpanishState:
    """The state of the Spanish of one English text (``key``: "" for an entry's own text, "procedure:<value>" for a
    curated answer's variant), as the file has it."""

    key: str
    label: str  # how the form names the English text: "General answer", "Answer for nerve block", "The answer"
    state: str  # STATE_STALE, STATE_MISSING, STATE_UNREVIEWED or STATE_REVIEWED
    reviewed: str = ""

    @property
    def words(self) -> str:
        return STATE_WORDS[self.state]

    @property
    def needs_work(self) -> bool:
        return self.state != STATE_REVIEWED


def state_of(translation: Optional[Translation], english_fingerprint: str) -> str:
    """The state of ``translation`` of the English whose fingerprint is ``english_fingerprint``."""
    why = why_not_shown(translation, english_fingerprint, show_unreviewed=False)
    return why or STATE_REVIEWED


def worst(states: Iterable[str]) -> str:
    """The state that needs work first (STATE_ORDER); STATE_REVIEWED for none."""
    found = set(states)
    return next((state for state in STATE_ORDER if state in found), STATE_REVIEWED)


def entry_order(states_by_entry: Dict[str, List[SpanishState]]) -> List[str]:
    """The entries with the Spanish that needs work first (stale, missing, not reviewed, reviewed), each state in
    the file's order."""
    entries = list(states_by_entry)
    return sorted(entries, key=lambda key: (STATE_ORDER.index(worst(s.state for s in states_by_entry[key])),
                                            entries.index(key)))


def form_of(owner: Any, english_has_title: bool = False) -> SpanishForm:
    """The Spanish of an entry or variant of the file (``owner``: its mapping) as the form shows it."""
    found = owner.get(TRANSLATION_KEY) if isinstance(owner, dict) else None
    raw: Dict[str, Any] = found if isinstance(found, dict) else {}
    title, text, more, if_unset = _as_written(raw)
    reviewed = raw.get(REVIEWED)
    return SpanishForm(text=text, title=title if english_has_title else "", more=more, if_unset=if_unset,
                       reviewed=reviewed.isoformat() if isinstance(reviewed, dt.date) else clean_text(reviewed),
                       translates=clean_text(raw.get(TRANSLATES)))


def _as_written(raw: Dict[str, Any]) -> Tuple[str, str, List[str], str]:
    """(title, text, more, if_unset) of an es: mapping, each as the bot reads it."""
    listed = raw.get("more")
    more: List[Any] = listed if isinstance(listed, list) else []
    return (clean_text(raw.get("title")), clean_text(raw.get("text")), [clean_text(m) for m in more if clean_text(m)],
            clean_text(raw.get("if_unset")))


def _wanted(spanish: SpanishForm, written: Tuple[str, str, List[str], str], has_title: bool,
            has_more: bool) -> Tuple[str, str, List[str], str]:
    """The Spanish as the form would have it written: what the form shows, the rest as the file has it."""
    return (spanish.title if has_title else written[0], spanish.text, spanish.more if has_more else written[2],
            spanish.if_unset if has_more else written[3])


def recorded(old: Dict[str, Any], spanish_changed: bool, english_changed: bool, review: bool, english_now: str,
             today: dt.date) -> Tuple[str, Any]:
    """(translates, reviewed) a save writes (the module's rule); ``old``: the es: mapping as the file has it ({}:
    none)."""
    if review:
        return english_now, dt.date.fromordinal(today.toordinal())  # its own object: YAML writes no alias for it
    old_translates = clean_text(old.get(TRANSLATES))
    translates = old_translates if clean_text(old.get("text")) and old_translates else english_now
    reviewed = None if spanish_changed or english_changed else old.get(REVIEWED)
    return translates, reviewed


@dataclass(frozen=True)
class Layout:
    """Where a text's es: mapping goes in its owner, and how its texts are written."""

    indent: int  # the column of the Spanish text's folded lines
    before: Tuple[str, ...] = ()  # a new es: goes before the first of these keys of the owner present
    has_title: bool = False  # the English has a title (a curated answer, a practical answer; not a variant)
    has_more: bool = False  # the English has `more` and if_unset (a practical answer)


def put_spanish(owner: CommentedMap, spanish: Optional[SpanishForm], part: AnswerPart, english_before: str,
                english_now: str, today: dt.date, layout: Layout, file: Path) -> Tuple[List[Problem], bool]:
    """Puts the form's Spanish of one English text (``part``: the English's; ``english_before`` and ``english_now``:
    its fingerprints in the file and as saved) into ``owner``'s es: by the module's rule. Returns the form's own
    problems (about ``file``), and whether the Spanish is to be checked as edited (it changed, or a review was
    ticked). ``spanish`` None: the form leaves the Spanish as it is."""
    if spanish is None:
        return [], False
    spanish = spanish.cleaned()
    raw = owner.get(TRANSLATION_KEY)
    old: Dict[str, Any] = raw if isinstance(raw, dict) else {}
    written = _as_written(old)
    changed = _wanted(spanish, written, layout.has_title, layout.has_more) != written if isinstance(raw, dict) \
        else not spanish.is_empty()
    if spanish.is_empty():
        if spanish.review:  # a review of nothing
            return [Problem(file, 0, ERROR, "translation_without_text", part=replace(
                part, language=SPANISH, field=TEXT, sentence=0, source=0))], True
        if TRANSLATION_KEY in owner:
            del owner[TRANSLATION_KEY]  # every box empty: the Spanish is removed
        return [], False
    if not isinstance(raw, CommentedMap):
        raw = CommentedMap()
        put_key(owner, TRANSLATION_KEY, raw, before=layout.before)
    if layout.has_title:
        put_title(raw, spanish.title, before=ES_KEYS[1:])
    put_folded(raw, "text", spanish.text, layout.indent, before=ES_KEYS[2:])
    if layout.has_more:
        put_sentences(raw, "more", spanish.more, before=ES_KEYS[3:])
        if spanish.if_unset:
            put_folded(raw, "if_unset", spanish.if_unset, layout.indent, before=ES_KEYS[4:])
        elif "if_unset" in raw:
            del raw["if_unset"]
    translates, reviewed = recorded(old, changed, english_before != english_now, spanish.review, english_now, today)
    if clean_text(raw.get(TRANSLATES)) != translates:
        put_key(raw, TRANSLATES, DoubleQuotedScalarString(translates), before=ES_KEYS[5:])  # quoted, as written
    if REVIEWED not in raw or raw.get(REVIEWED) != reviewed:
        put_key(raw, REVIEWED, reviewed)
    return [], changed or spanish.review


def put_sentences(owner: CommentedMap, key: str, sentences: List[str], before: Tuple[str, ...]) -> None:
    """Sets ``key`` to the list of ``sentences`` (none: no key), unless it already reads as them; an unchanged
    sentence keeps how it is written, a new one is double-quoted like the files' others."""
    old = owner.get(key)
    old_items = list(old) if isinstance(old, list) else []
    if [clean_text(item) for item in old_items] == sentences and (old is not None or not sentences):
        return
    if not sentences:
        if key in owner:
            del owner[key]
        return
    kept = {clean_text(item): item for item in old_items}
    items = CommentedSeq()
    for sentence in sentences:
        items.append(kept.get(sentence, DoubleQuotedScalarString(sentence)))
    put_key(owner, key, items, before=before)


def spanish_part(part: AnswerPart) -> AnswerPart:
    """The Spanish of the English ``part`` as a whole, as as_edited compares it."""
    return replace(part, language=SPANISH, field="", sentence=0, source=0)


def as_edited(problems: List[Problem], edited: Set[AnswerPart]) -> List[Problem]:
    """validate's problems, with those it only warns of in a stale translation (CHECKED_WHEN_EDITED) made errors
    when they are about a Spanish text the form changed or reviewed (``edited``: spanish_part of each)."""
    shown = []
    for problem in problems:
        if (problem.level == WARNING and problem.code in CHECKED_WHEN_EDITED and problem.part is not None
                and spanish_part(problem.part) in edited):
            problem = replace(problem, level=ERROR)
        shown.append(problem)
    return shown


def translation_as_saved(spanish: Optional[SpanishForm], owner: Any, english_before: str, english_now: str,
                         today: dt.date, layout: Layout) -> Optional[Translation]:
    """The Spanish a save of the form would write (put_spanish's rule) as the bot reads it, for the preview; None
    when there would be none."""
    raw = owner.get(TRANSLATION_KEY) if isinstance(owner, dict) else None
    old: Dict[str, Any] = raw if isinstance(raw, dict) else {}
    written = _as_written(old)
    if spanish is None:  # left as it is
        if not written[1]:
            return None
        spanish = SpanishForm(title=written[0], text=written[1], more=written[2], if_unset=written[3])
    spanish = spanish.cleaned()
    if spanish.is_empty():
        return None
    wanted = _wanted(spanish, written, layout.has_title, layout.has_more)
    changed = wanted != written if old else True
    translates, reviewed = recorded(old, changed, english_before != english_now, spanish.review, english_now, today)
    return Translation(text=wanted[1], translates=translates,
                       reviewed=reviewed.isoformat() if isinstance(reviewed, dt.date) else clean_text(reviewed),
                       title=wanted[0], more=tuple(wanted[2]), if_unset=wanted[3])


@dataclass(frozen=True)
class SpanishPreview:
    """What a Spanish-speaking patient reads of one English text, as the preview shows it."""

    label: str
    title: str  # the Spanish button title shown ("" : none, or the English is shown)
    read: str  # what the patient reads: the Spanish, or the English after the line in Spanish saying so
    spanish: bool  # the patient gets the Spanish
    why: str  # why the English ("" when the Spanish is shown)
    unreviewed_shown: bool = False  # the Spanish is shown although not reviewed (clinic.yml allows it)
    spanish_text: str = ""  # the Spanish filled in, also when the patient gets the English (to read it before review)


def why_english(reason: Optional[str]) -> str:
    """Why a Spanish-speaking patient gets the English (translations.choose's reason), in the console's words."""
    return WHY_ENGLISH.get(reason or "", "")


def spanish_from_request(form: Any, prefix: str, shown: Optional[SpanishForm], layout: Layout) -> Optional[SpanishForm]:
    """The Spanish boxes of one English text as the browser sent them (``prefix``: "", "variant-N-" or
    "new-variant-"); None when the page had none (then the Spanish is left as it is). ``shown``: the file's, for
    what is shown but not edited."""
    if form.get(f"{prefix}es") != "yes":
        return None
    return SpanishForm(text=form.get(f"{prefix}es-text") or "",
                       title=(form.get(f"{prefix}es-title") or "") if layout.has_title else "",
                       more=(form.get(f"{prefix}es-more") or "").splitlines() if layout.has_more else [],
                       if_unset=(form.get(f"{prefix}es-if_unset") or "") if layout.has_more else "",
                       review=form.get(f"{prefix}es-review") == "yes",
                       reviewed=shown.reviewed if shown else "", translates=shown.translates if shown else "")


def after_save(states: List[SpanishState], reviewed: List[str]) -> List[Tuple[str, str]]:
    """The flash messages (kind, text) about the Spanish after a save: each text marked reviewed (``reviewed``: their
    labels), and each text whose Spanish is stale (the English changed) or missing."""
    said = [("ok", f"{label}: Spanish marked reviewed today.") for label in reviewed]
    for state in states:
        if state.state == STATE_STALE:
            said.append(("warn", f"{state.label}: its Spanish is stale, because the English changed after it was "
                                 "translated. Spanish-speaking patients get the English until someone updates the "
                                 f"Spanish and ticks \u201c{REVIEW_LABEL}\u201d."))
    return said
