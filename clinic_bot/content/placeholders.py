"""Placeholders: the one way a patient-facing text gets the clinic's details, and the one check of what a text may
write between curly brackets. The bot, `make validate` and the staff console's editors all use this module.

A placeholder is a name alone in curly brackets: ``{phone}``. ``fill`` replaces exactly those it is given a value
for, by a plain text substitution and never by str.format: a text can then neither reach a value's attributes or
items (``{phone.__class__}``, ``{phone[0]}``), nor pad it (``{phone:>100000}``), nor make the fill raise. Anything
else in curly brackets stays as it is written.

``problems`` names every curly bracket that is not exactly a placeholder the text may use, as data (a code and its
values; clinic_bot/tools/problem_messages.py has the words). `make validate` and both editors refuse a text that has
any, so what stays as written is only ever a hand edit that skipped `make validate`: the patient then reads those
characters (never a value's internals), rather than the "technical problem" apology for the whole answer, or a
sentence the bot shortened by guessing what was meant.

Which placeholders a text may use depends on where it is (the one definition of each set is here):
- a curated answer (knowledge/answers.yml) and a message (knowledge/messages.yml): the details clinic.yml requires,
  which are never empty (ALWAYS_SET); the message that names the patient's topic also {topic};
- a practical answer (knowledge/practical_answers.yml): its text and `more` every clinic detail (CLINIC_PLACEHOLDERS)
  and, when the answer is marked per_location, the location's (LOCATION_ONLY); its if_unset only ALWAYS_SET, since
  it is what the patient reads when a detail is empty;
- a related-topic button's question (`ask`) none; its `ask_about` only {subject}, the procedure.
"""
import re
from dataclasses import dataclass, field
from typing import Collection, Dict, FrozenSet, List, Mapping, Match, Optional, Set, Tuple

from clinic_bot.content.clinic_config import LOCATION_PLACEHOLDERS, OPTIONAL_FIELDS, REQUIRED_PLACEHOLDERS

ALWAYS_SET: FrozenSet[str] = frozenset(REQUIRED_PLACEHOLDERS.values())
CLINIC_PLACEHOLDERS: FrozenSet[str] = ALWAYS_SET | frozenset(OPTIONAL_FIELDS)
LOCATION_ONLY: FrozenSet[str] = frozenset(LOCATION_PLACEHOLDERS.values())
TOPIC = "topic"  # the procedure or condition the patient named, which the articles say nothing specific to
# The messages the bot gives a value of its own, besides the clinic's details (Knowledge.faq).
MESSAGE_EXTRAS: Dict[str, FrozenSet[str]] = {"no_specific_info": frozenset({TOPIC})}
CURATED_ANSWER_PLACEHOLDERS = ALWAYS_SET
SUBJECT = "subject"  # a related-topic button's `ask_about`: the conversation's procedure, named
ASK_PLACEHOLDERS: FrozenSet[str] = frozenset()  # a related-topic button's `ask`: a question, no details
ASK_ABOUT_PLACEHOLDERS: FrozenSet[str] = frozenset({SUBJECT})
IF_UNSET_PLACEHOLDERS = ALWAYS_SET

# ASCII: the names are Python-style identifiers; a letter \w would also take ("{café}") is reported, not filled.
PLACEHOLDER = re.compile(r"\{(\w+)\}", re.ASCII)
NAME = re.compile(r"\w+", re.ASCII)
# What the check reads, left to right: {{name}} (another template language's habit), {anything without brackets},
# or a curly bracket on its own.
BRACKETS = re.compile(r"\{\{(\w*)\}\}|\{([^{}]*)\}|[{}]", re.ASCII)
SHOWN_AT_MOST = 40  # characters of what is between the brackets a problem quotes
AROUND = 12  # characters either side of a lone bracket a problem quotes, to find it by


@dataclass(frozen=True)
class PlaceholderProblem:
    """One curly bracket a text may not have: which case (``code``, a key of problem_messages.CATALOGUE) and what
    its wording needs: the bracket as written ("written"), what to write instead ("single", "suggested"), the
    placeholders the text may use ("allowed", a list), the words around a lone bracket ("around")."""

    code: str
    values: Mapping[str, str] = field(default_factory=dict, hash=False)  # compared, but a mapping has no hash


def message_placeholders(key: str) -> FrozenSet[str]:
    """What the message ``key`` of knowledge/messages.yml may use."""
    return ALWAYS_SET | MESSAGE_EXTRAS.get(key, frozenset())


def practical_placeholders(per_location: bool) -> FrozenSet[str]:
    """What the text and the `more` sentences of a practical answer may use."""
    return CLINIC_PLACEHOLDERS | (LOCATION_ONLY if per_location else frozenset())


def only(values: Mapping[str, str], allowed: Collection[str]) -> Dict[str, str]:
    """The ``values`` a text may use: a text is filled with exactly the placeholders `make validate` accepts in it,
    so that one it refuses reads the same in the editors' preview and in the bot."""
    return {name: value for name, value in values.items() if name in allowed}


def fill(text: str, values: Mapping[str, str]) -> str:
    """``text`` with each ``{name}`` that ``values`` has replaced by its value, and everything else as written.
    A value is put in as it is: never read again for placeholders of its own."""
    return PLACEHOLDER.sub(lambda found: values.get(found.group(1), found.group(0)), text)


def placeholders_in(text: str) -> Set[str]:
    """The names of the placeholders ``text`` uses (only well-formed ones: what ``fill`` would fill)."""
    return set(PLACEHOLDER.findall(text))


def problems(text: str, allowed: Collection[str]) -> List[PlaceholderProblem]:
    """Every curly bracket of ``text`` that is not exactly one of the ``allowed`` placeholders, each once, in the
    order of the text; empty when there is none. Each is a code and the values that word it
    (clinic_bot/tools/problem_messages.py has the words, for `make validate` and the staff console alike)."""
    unique: Dict[Tuple[str, Tuple[Tuple[str, str], ...]], PlaceholderProblem] = {}
    for match in BRACKETS.finditer(text):
        problem = _problem(match, text, allowed)
        if problem:
            unique.setdefault((problem.code, tuple(sorted(problem.values.items()))), problem)
    return list(unique.values())


def _problem(match: Match[str], text: str, allowed: Collection[str]) -> Optional[PlaceholderProblem]:
    """The problem of one match of BRACKETS, or None for an allowed placeholder."""
    doubled, inside = match.group(1), match.group(2)
    # A list value joins its items with ", " (tools/problem_messages.LIST_SEPARATOR: content/ imports no tools/).
    usable = {"allowed": ", ".join(sorted(allowed))}
    if doubled is not None:
        single = {"written": match.group(0), "single": f"{{{doubled or 'name'}}}"}
        if doubled in allowed:
            return PlaceholderProblem("doubled_brackets", single)
        return PlaceholderProblem("doubled_brackets_not_allowed", {**single, **usable})
    if inside is None:
        code = "lone_opening_bracket" if match.group(0) == "{" else "lone_closing_bracket"
        return PlaceholderProblem(code, {"around": _around(text, match.start(), match.end())})
    written = "{" + (inside if len(inside) <= SHOWN_AT_MOST else inside[:SHOWN_AT_MOST] + "\u2026") + "}"
    if NAME.fullmatch(inside):
        if inside in allowed:
            return None
        return PlaceholderProblem(_why_not_here(inside), {"written": written, **usable, **_given_to(inside)})
    if not inside.strip():
        return PlaceholderProblem("empty_brackets", {"written": written, **usable})
    name = NAME.match(inside.strip())
    if name and name.group(0) in allowed:
        return PlaceholderProblem("malformed_placeholder", {"written": written, "suggested": f"{{{name.group(0)}}}"})
    return PlaceholderProblem("malformed_unknown_placeholder", {"written": written, **usable})


def _why_not_here(name: str) -> str:
    """Why a name cannot be filled in this text, as the problem's code: a detail of a location, a detail clinic.yml
    may leave empty, a value only some messages are given, or a name the bot does not know at all."""
    if name in LOCATION_ONLY:
        return "location_placeholder"
    if name in CLINIC_PLACEHOLDERS:
        return "optional_placeholder"
    if _given_to(name):
        return "message_only_placeholder"
    return "unknown_placeholder"


def _given_to(name: str) -> Dict[str, str]:
    """{"given_to": the messages given a value for ``name`` of their own}, or {} when none is."""
    given_to = [key for key, extra in MESSAGE_EXTRAS.items() if name in extra]
    return {"given_to": ", ".join(given_to)} if given_to else {}


def _around(text: str, start: int, end: int) -> str:
    """The lone bracket with a few characters either side, so that the staff member can find it."""
    before, after = max(0, start - AROUND), min(len(text), end + AROUND)
    return (("\u2026" if before else "") + text[before:after] + ("\u2026" if after < len(text) else ""))
