"""One problem `make validate` (and the staff console's checks) reports, as data: where (file and line), how bad,
what (a ``code``, a short stable identifier, with the ``values`` it needs) and which part of which answer it is
about. The command line prints it as "file:line: level: what to do" in the words of problem_messages.py; the staff
console words the same data its own way (clinic_bot/staff/problem_wording.py). The checks every kind of answer shares
are here too: its intents (answers_match_intents), its curly brackets, and its Spanish text (translation_problems)."""
import datetime as dt
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any, Collection, Dict, List, Mapping, Optional, Sequence, Set, Tuple

from clinic_bot import paths
from clinic_bot.content.placeholders import ASK_ABOUT_PLACEHOLDERS, ASK_PLACEHOLDERS, placeholders_in
from clinic_bot.content.placeholders import problems as placeholder_problems
from clinic_bot.content.translations import TRANSLATION_KEY
from clinic_bot.content.yaml_lines import line_of
from clinic_bot.tools.answer_parts import (
    ASK,
    ASK_ABOUT,
    IF_UNSET,
    MORE,
    REVIEWED,
    SOURCES,
    SPANISH,
    TEXT,
    TITLE,
    TRANSLATES,
    AnswerPart,
)
from clinic_bot.tools.problem_messages import LIST_SEPARATOR, cli_message

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    file: Path
    line: int  # 1-based; 0 when the problem has no line (a whole file, or a value the file lacks)
    level: str  # ERROR or WARNING
    code: str  # a key of problem_messages.CATALOGUE, e.g. "section_not_in_article"
    # What the wording needs, by name, e.g. {"section": ..., "file": ...}; a list is its items joined by ", "
    # (problem_messages.LIST_SEPARATOR).
    values: Mapping[str, str] = field(default_factory=dict, hash=False)  # compared, but a mapping has no hash
    part: Optional[AnswerPart] = None  # which part of which answer; None when it is about no answer

    def __post_init__(self) -> None:
        # Read-only, so that a problem stays what the check found (the dataclass is frozen, its mapping too).
        object.__setattr__(self, "values", MappingProxyType(dict(self.values)))

    @property
    def message(self) -> str:
        """What the command line says about it, without the file and line."""
        return cli_message(self.code, self.values, self.part)

    def __str__(self) -> str:
        try:
            where = self.file.relative_to(paths.REPO_ROOT)
        except ValueError:
            where = self.file
        return f"{where}:{self.line}: {self.level}: {self.message}"


def answers_match_intents(file: Path, answers: Dict[str, Any], answered: Set[str], domain_intents: Set[str],
                          kind: str, action: str, rules_file: str) -> List[Problem]:
    """An answer in ``file`` for every intent whose rule runs ``action`` (``answered``), and for no other intent:
    the check knowledge/answers.yml and knowledge/practical_answers.yml share. ``kind``: how the messages name
    the answers ("FAQ", "practical")."""
    problems = [Problem(file, 0, ERROR, "intent_without_answer", {"kind": kind, "intent": intent})
                for intent in sorted(answered - set(answers))]
    for intent in answers:
        if intent not in domain_intents:
            problems.append(Problem(file, line_of(answers, intent), ERROR, "answer_without_intent",
                                    {"kind": kind, "intent": str(intent)}))
        elif intent not in answered:
            problems.append(Problem(file, line_of(answers, intent), ERROR, "answer_without_rule",
                                    {"kind": kind, "intent": str(intent), "action": action, "rules_file": rules_file}))
    return problems


def bracket_problems(file: Path, line: int, part: AnswerPart, text: str, allowed: Collection[str]) -> List[Problem]:
    """Each curly bracket of ``text`` that is not one of the ``allowed`` placeholders (clinic_bot/content/
    placeholders.py: the check the bot's fill relies on), as an error at ``line`` about ``part``."""
    return [Problem(file, line, ERROR, found.code, found.values, part) for found in placeholder_problems(text, allowed)]


def ask_problems(file: Path, answer: Dict[str, Any], part: AnswerPart, *optional: str) -> List[Problem]:
    """The related-topic button's question of an answer (`ask`, and the ``optional`` fields such as `ask_about`):
    without `ask` the button shows the answer's title, so a warning; their curly brackets, as the bot fills them."""
    problems = []
    if not str(answer.get(ASK) or "").strip():
        problems.append(Problem(file, line_of(answer), WARNING, "no_ask", part=replace(part, field=ASK)))
    allowed = {ASK: ASK_PLACEHOLDERS, ASK_ABOUT: ASK_ABOUT_PLACEHOLDERS}
    for name in (ASK, *optional):
        problems += bracket_problems(file, line_of(answer, name), replace(part, field=name),
                                     str(answer.get(name) or ""), allowed[name])
    return problems


# A Spanish text beside an English one (clinic_bot/content/translations.py) -------------------------------------

TRANSLATION_KEYS = ("title", "text", "more", "if_unset", "ask", "ask_about", "translates", "reviewed", "sources")


@dataclass(frozen=True)
class English:
    """What a translation is checked against: the English texts it renders, as the file has them (None: the English
    has no such field), the placeholders each may use, and the English's fingerprint now."""

    fingerprint: str
    text: str
    title: Optional[str] = None
    more: Optional[List[str]] = None
    if_unset: Optional[str] = None
    sources: Any = None  # a curated answer's (or variant's) sources, as the file has them
    allowed: Collection[str] = ()
    if_unset_allowed: Collection[str] = ()
    ask: Optional[str] = None  # the related-topic button's question (None: the English has none)
    ask_about: Optional[str] = None


def translation_problems(file: Path, owner: Any, part: AnswerPart, english: English, required: bool = False,
                         safety_numbers: Sequence[str] = ()) -> List[Problem]:
    """The checks of the Spanish (``es:``) of ``owner`` (an answer, a variant, a practical answer or a message, whose
    English is ``english``; ``part`` names the English): its keys, text, title, sources, translates and reviewed, its
    curly brackets, and that it renders the English it says it translates: the same placeholders, as many `more`
    sentences, an if_unset where the English has one. A stale translation (the English changed since: a warning) is
    not shown to patients, so its differences from the English now are warnings too, unless it is shown whatever
    (``required``: a safety message, then also with ``safety_numbers`` where its English has them)."""
    spanish = replace(part, language=SPANISH, field="")
    raw = owner.get(TRANSLATION_KEY) if isinstance(owner, dict) else None
    where = line_of(owner, TRANSLATION_KEY) if raw is not None else line_of(owner)
    if raw is None:
        return [Problem(file, where, ERROR, "translation_required", part=spanish)] if required else []
    if not isinstance(raw, dict):
        return [Problem(file, where, ERROR, "translation_not_mapping", part=spanish)]
    problems = [Problem(file, line_of(raw, key), WARNING, "translation_unknown_key",
                        {"key": str(key), "known": LIST_SEPARATOR.join(_known_keys(english))}, spanish)
                for key in raw if key not in _known_keys(english)]
    text = str(raw.get("text") or "")
    if not text.strip():
        problems.append(Problem(file, where, ERROR, "translation_without_text", part=replace(spanish, field=TEXT)))
    if english.title is not None and not str(raw.get("title") or "").strip():
        problems.append(Problem(file, where, ERROR, "translation_without_title", part=replace(spanish, field=TITLE)))
    if "sources" in raw and raw.get("sources") != english.sources:
        problems.append(Problem(file, line_of(raw, "sources"), ERROR, "translation_own_sources",
                                part=replace(spanish, field=SOURCES)))
    translates = "" if raw.get(TRANSLATES) is None else str(raw.get(TRANSLATES)).strip()
    stale = bool(translates) and translates != english.fingerprint
    if not translates:
        problems.append(Problem(file, where, ERROR, "translation_without_fingerprint",
                                {"fingerprint": english.fingerprint}, replace(spanish, field=TRANSLATES)))
    elif stale:
        problems.append(Problem(file, line_of(raw, TRANSLATES), WARNING, "translation_stale",
                                {"translates": translates, "fingerprint": english.fingerprint},
                                replace(spanish, field=TRANSLATES)))
    reviewed = raw.get(REVIEWED)
    if not _is_date_or_empty(reviewed):
        problems.append(Problem(file, line_of(raw, REVIEWED), ERROR, "translation_reviewed_not_date",
                                {"reviewed": str(reviewed)}, replace(spanish, field=REVIEWED)))
    # The texts: curly brackets always; against the English now, as errors unless stale (and shown only if required).
    against = WARNING if stale and not required else ERROR
    texts: List[Tuple[AnswerPart, int, str, Optional[str], Collection[str]]] = [
        (replace(spanish, field=TEXT), line_of(raw, "text"), text, english.text, english.allowed)]
    more = raw.get(MORE)
    if more is not None and not isinstance(more, list):
        problems.append(Problem(file, line_of(raw, MORE), ERROR, "more_not_a_list", part=replace(spanish, field=MORE)))
    elif english.more is not None or more:
        sentences, originals = [str(m) for m in more or []], english.more or []
        if len(sentences) != len(originals):
            problems.append(Problem(file, line_of(raw, MORE), against, "translation_more_count",
                                    {"spanish": str(len(sentences)), "english": str(len(originals))},
                                    replace(spanish, field=MORE)))
        texts += [(replace(spanish, field=MORE, sentence=number), line_of(raw, MORE), sentence,
                   originals[number - 1] if number <= len(originals) else None, english.allowed)
                  for number, sentence in enumerate(sentences, start=1)]
    if_unset = raw.get(IF_UNSET)
    if english.if_unset is not None and not str(if_unset or "").strip():
        problems.append(Problem(file, where, against, "translation_without_if_unset",
                                part=replace(spanish, field=IF_UNSET)))
    elif if_unset is not None:
        texts.append((replace(spanish, field=IF_UNSET), line_of(raw, IF_UNSET), str(if_unset), english.if_unset,
                      english.if_unset_allowed))
    asks: List[Tuple[str, Optional[str], Collection[str]]] = [(ASK, english.ask, ASK_PLACEHOLDERS),
                                                               (ASK_ABOUT, english.ask_about, ASK_ABOUT_PLACEHOLDERS)]
    for name, english_ask, ask_allowed in asks:
        asked = raw.get(name)
        if english_ask is not None and not str(asked or "").strip():
            problems.append(Problem(file, where, against, "translation_without_ask", {"field": name},
                                    replace(spanish, field=name)))
        elif asked is not None:
            texts.append((replace(spanish, field=name), line_of(raw, name), str(asked), english_ask, ask_allowed))
    for which, line, written, original, allowed in texts:
        problems += bracket_problems(file, line, which, written, allowed)
        if original is None:
            continue
        missing = sorted(placeholders_in(original) - placeholders_in(written))
        extra = sorted(placeholders_in(written) - placeholders_in(original))
        if missing or extra:
            problems.append(Problem(file, line, against, "translation_placeholders_differ",
                                    {"missing": LIST_SEPARATOR.join(f"{{{name}}}" for name in missing),
                                     "extra": LIST_SEPARATOR.join(f"{{{name}}}" for name in extra)}, which))
    lost = [number for number in safety_numbers if number in english.text and number not in text]
    if lost:
        problems.append(Problem(file, line_of(raw, "text"), ERROR, "translation_safety_numbers_missing",
                                {"missing": LIST_SEPARATOR.join(lost)}, replace(spanish, field=TEXT)))
    return problems


def _known_keys(english: English) -> List[str]:
    """The keys a translation of ``english`` may have."""
    present = {"title": english.title is not None, "more": english.more is not None,
               "ask": english.ask is not None, "ask_about": english.ask_about is not None,
               "if_unset": english.if_unset is not None, "sources": english.sources is not None}
    return [key for key in TRANSLATION_KEYS if present.get(key, True)]


def _is_date_or_empty(value: Any) -> bool:
    if value is None or isinstance(value, dt.date) or (isinstance(value, str) and not value.strip()):
        return True
    try:
        dt.date.fromisoformat(str(value).strip())
    except ValueError:
        return False
    return True


def is_unreviewed(owner: Any) -> bool:
    """True when ``owner`` has a Spanish text whose `reviewed` is empty (for the count of unreviewed translations)."""
    raw = owner.get(TRANSLATION_KEY) if isinstance(owner, dict) else None
    return isinstance(raw, dict) and bool(str(raw.get("text") or "").strip()) and not raw.get(REVIEWED)
