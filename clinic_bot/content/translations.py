"""The Spanish texts beside the English ones, and the one decision of which of the two a patient is shown.

Every patient-facing text of knowledge/ (a curated answer and each of its variants, a practical answer, a message)
may have an ``es:`` mapping beside its English: the Spanish ``text`` (and ``title``, ``more``, ``if_unset`` where
the English has them, and the related-topic button's ``ask`` and ``ask_about``),
``translates`` (the fingerprint of the English it renders, ``fingerprint``) and ``reviewed``
(the date the clinic's staff reviewed the translation; empty: not reviewed). A translation has no sources of its
own: it keeps the English answer's.

A translation is *stale* when its ``translates`` differs from the fingerprint of the English now: the English was
edited after it was translated. ``choose`` decides, for every text, what a patient who wants Spanish gets:
- the Spanish when it exists, is not stale, and is reviewed or the clinic shows unreviewed translations
  (clinic.yml's `show_unreviewed_translations`);
- for the safety messages (SAFETY_MESSAGES: the urgent message, the check-in and its buttons, the gentle 988 line)
  and the notice that an answer is shown in English (TRANSLATION_UNAVAILABLE), the Spanish whenever it exists,
  reviewed or not, stale or not: in an emergency the patient's language matters more than the review;
- otherwise the English, and the reply says why (MISSING, UNREVIEWED, STALE); knowledge.py puts the notice first.
"""
import hashlib
import json
from dataclasses import dataclass
from typing import Any, Dict, Optional, Sequence, Tuple, Union

from clinic_bot.content.text import one_line
from clinic_bot.languages import ENGLISH, SPANISH, reply_language

TRANSLATION_KEY = SPANISH  # the key of the Spanish mapping beside an English text, in every knowledge file
# Why a patient who wants Spanish is shown the English (the reply marker's "translation").
MISSING = "missing"
UNREVIEWED = "unreviewed"
STALE = "stale"
FINGERPRINT_LENGTH = 12  # hex digits of the fingerprint: enough to tell two versions of a text apart
# The message put before an English reply shown to a Spanish-speaking patient (knowledge/messages.yml).
TRANSLATION_UNAVAILABLE = "translation_unavailable"
# The safety messages (clinic_bot/content/triage_replies.py picks them): always in Spanish when the Spanish exists.
SAFETY_MESSAGES = frozenset({"emergency", "emergency_crisis", "check_in", "check_in_yes", "check_in_no",
                             "crisis_line_gentle"})
ALWAYS_IN_SPANISH = SAFETY_MESSAGES | {TRANSLATION_UNAVAILABLE}


def fingerprint(*parts: Union[str, Sequence[str]]) -> str:
    """A short hex digest of the English texts a translation renders, each put on one line (whitespace folded, so
    that folding a text again in the file changes nothing), in order: for a curated answer its title and text, for
    a variant its text, for a practical answer its title, text, `more` (a list) and if_unset, for a message its text.
    Any other change of a text changes it."""
    folded = [[one_line(str(p)) for p in part] if isinstance(part, (list, tuple)) else one_line(str(part or ""))
              for part in parts]
    digest = hashlib.sha256(json.dumps(folded, ensure_ascii=False).encode("utf-8")).hexdigest()
    return digest[:FINGERPRINT_LENGTH]


@dataclass(frozen=True)
class Translation:
    """The Spanish of one text, as the bot reads it (one line each; "" where absent)."""

    text: str
    translates: str = ""  # the fingerprint of the English it renders
    reviewed: str = ""  # YYYY-MM-DD, or "" when the staff have not reviewed it
    title: str = ""  # a curated or practical answer's
    more: Tuple[str, ...] = ()  # a practical answer's, as many as the English has
    if_unset: str = ""  # a practical answer's
    ask: str = ""  # a curated or practical answer's related-topic button, as a patient would ask it
    ask_about: str = ""  # a curated answer's, naming the procedure or condition ({subject})


def _flat(value: Any) -> str:
    return "" if value is None else one_line(str(value))


def parse_translation(owner: Any) -> Optional[Translation]:
    """The ``es:`` of an entry of a knowledge file (None when it has none, or none with a text), tolerating gaps:
    `make validate` reports them."""
    raw = owner.get(TRANSLATION_KEY) if isinstance(owner, dict) else None
    if not isinstance(raw, dict) or not _flat(raw.get("text")):
        return None
    more = raw.get("more")
    return Translation(text=_flat(raw.get("text")), translates=_flat(raw.get("translates")),
                       reviewed=_flat(raw.get("reviewed")), title=_flat(raw.get("title")),
                       more=tuple(_flat(m) for m in more if _flat(m)) if isinstance(more, list) else (),
                       if_unset=_flat(raw.get("if_unset")), ask=_flat(raw.get("ask")),
                       ask_about=_flat(raw.get("ask_about")))


@dataclass(frozen=True)
class Choice:
    """Which text a patient is shown: its language, and for a patient who wanted Spanish and is shown the English,
    why (``why``: MISSING, UNREVIEWED or STALE)."""

    language: str
    translation: Optional[Translation] = None  # the Spanish shown (None: the English is)
    why: Optional[str] = None

    @property
    def spanish(self) -> bool:
        return self.translation is not None

    def marker(self) -> Dict[str, Any]:
        """What the reply's marker says about the language: always "language"; for the Spanish, "translates" and
        "translation_reviewed" (null when not reviewed); for the English shown to a patient who wanted Spanish,
        "wanted" and "translation" (why)."""
        if self.translation is not None:
            return {"language": SPANISH, "translates": self.translation.translates,
                    "translation_reviewed": self.translation.reviewed or None}
        if self.why:
            return {"language": ENGLISH, "wanted": SPANISH, "translation": self.why}
        return {"language": ENGLISH}


def why_not_shown(translation: Optional[Translation], english: str, show_unreviewed: bool) -> Optional[str]:
    """Why ``translation`` of the English whose fingerprint is ``english`` is not shown (None: it is)."""
    if translation is None or not translation.text:
        return MISSING
    if translation.translates != english:
        return STALE
    if not translation.reviewed and not show_unreviewed:
        return UNREVIEWED
    return None


def choose(language: str, translation: Optional[Translation], english: str, show_unreviewed: bool,
           always: bool = False) -> Choice:
    """The one decision of which text is shown, for every kind of text: the Spanish ``translation`` to a patient who
    wants Spanish (``language``) when it is not stale (``english``: the fingerprint of the English now) and is
    reviewed or ``show_unreviewed``; with ``always`` (a safety message) whenever it exists. Else the English."""
    if reply_language(language) != SPANISH:
        return Choice(ENGLISH)
    if always and translation is not None and translation.text:
        return Choice(SPANISH, translation)
    why = why_not_shown(translation, english, show_unreviewed)
    return Choice(ENGLISH, why=why) if why else Choice(SPANISH, translation)
