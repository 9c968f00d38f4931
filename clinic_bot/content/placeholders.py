"""Placeholders: the one way a patient-facing text gets the clinic's details, and the one check of what a text may
write between curly brackets. The bot, `make validate` and the staff console's editors all use this module.

A placeholder is a name alone in curly brackets: ``{phone}``. ``fill`` replaces exactly those it is given a value
for, by a plain text substitution and never by str.format: a text can then neither reach a value's attributes or
items (``{phone.__class__}``, ``{phone[0]}``), nor pad it (``{phone:>100000}``), nor make the fill raise. Anything
else in curly brackets stays as it is written.

``problems`` names, in plain words, every curly bracket that is not exactly a placeholder the text may use.
`make validate` and both editors refuse a text that has any, so what stays as written is only ever a hand edit that
skipped `make validate`: the patient then reads those characters (never a value's internals), rather than the
"technical problem" apology for the whole answer, or a sentence the bot shortened by guessing what was meant.

Which placeholders a text may use depends on where it is (the one definition of each set is here):
- a curated answer (knowledge/answers.yml) and a message (knowledge/messages.yml): the details clinic.yml requires,
  which are never empty (ALWAYS_SET); the message that names the patient's topic also {topic};
- a practical answer (knowledge/practical_answers.yml): its text and `more` every clinic detail (CLINIC_PLACEHOLDERS)
  and, when the answer is marked per_location, the location's (LOCATION_ONLY); its if_unset only ALWAYS_SET, since
  it is what the patient reads when a detail is empty.
"""
import re
from typing import Collection, Dict, FrozenSet, List, Mapping, Match, Set

from clinic_bot.content.clinic_config import LOCATION_PLACEHOLDERS, OPTIONAL_FIELDS, REQUIRED_PLACEHOLDERS

ALWAYS_SET: FrozenSet[str] = frozenset(REQUIRED_PLACEHOLDERS.values())
CLINIC_PLACEHOLDERS: FrozenSet[str] = ALWAYS_SET | frozenset(OPTIONAL_FIELDS)
LOCATION_ONLY: FrozenSet[str] = frozenset(LOCATION_PLACEHOLDERS.values())
TOPIC = "topic"  # the procedure or condition the patient named, which the articles say nothing specific to
# The messages the bot gives a value of its own, besides the clinic's details (Knowledge.faq).
MESSAGE_EXTRAS: Dict[str, FrozenSet[str]] = {"no_specific_info": frozenset({TOPIC})}
CURATED_ANSWER_PLACEHOLDERS = ALWAYS_SET
IF_UNSET_PLACEHOLDERS = ALWAYS_SET

# ASCII: the names are Python-style identifiers; a letter \w would also take ("{café}") is reported, not filled.
PLACEHOLDER = re.compile(r"\{(\w+)\}", re.ASCII)
NAME = re.compile(r"\w+", re.ASCII)
# What the check reads, left to right: {{name}} (another template language's habit), {anything without brackets},
# or a curly bracket on its own.
BRACKETS = re.compile(r"\{\{(\w*)\}\}|\{([^{}]*)\}|[{}]", re.ASCII)
SHOWN_AT_MOST = 40  # characters of what is between the brackets a problem quotes
AROUND = 12  # characters either side of a lone bracket a problem quotes, to find it by


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


def problems(text: str, allowed: Collection[str]) -> List[str]:
    """Every curly bracket of ``text`` that is not exactly one of the ``allowed`` placeholders, each once, in plain
    words that follow the name of the text ("The answer", "answer 'ask_x'"); empty when there is none."""
    found = [_problem(match, text, allowed) for match in BRACKETS.finditer(text)]
    return list(dict.fromkeys(problem for problem in found if problem))


def _problem(match: Match[str], text: str, allowed: Collection[str]) -> str:
    """The problem of one match of BRACKETS, or "" for an allowed placeholder."""
    doubled, inside = match.group(1), match.group(2)
    if doubled is not None:
        return (f"writes {match.group(0)} with double curly brackets: a placeholder has single ones, "
                f"{{{doubled or 'name'}}}" + ("" if doubled in allowed else f"; {_use_only(allowed)}"))
    if inside is None:
        role = "opens" if match.group(0) == "{" else "closes"
        return (f"has a curly bracket {match.group(0)} that {role} no placeholder "
                f"(at \u201c{_around(text, match.start(), match.end())}\u201d): write a placeholder as a name in "
                "curly brackets, such as {phone}, or remove the bracket")
    shown = inside if len(inside) <= SHOWN_AT_MOST else inside[:SHOWN_AT_MOST] + "\u2026"
    if NAME.fullmatch(inside):
        if inside in allowed:
            return ""
        return f"uses {{{shown}}}, which the bot cannot fill in{_why_not_here(inside)}: {_use_only(allowed)}"
    if not inside.strip():
        return f"uses {{{inside}}}, curly brackets with no name in them: {_use_only(allowed)}"
    name = NAME.match(inside.strip())
    instead = (f"write {{{name.group(0)}}}, or remove the curly brackets" if name and name.group(0) in allowed
               else _use_only(allowed))
    return (f"uses {{{shown}}}: a placeholder is a name alone in curly brackets, with nothing else inside them; "
            f"{instead}")


def _use_only(allowed: Collection[str]) -> str:
    names = sorted(allowed)
    if not names:
        return "this text can use no placeholder: remove the curly brackets"
    return f"use only {', '.join(f'{{{name}}}' for name in names)}, or remove the curly brackets"


def _why_not_here(name: str) -> str:
    """Why a placeholder the bot knows cannot be used in this text (the sets above), or "" for an unknown name."""
    if name in LOCATION_ONLY:
        return (f" here ({{{name}}} is a detail of one location, which only a practical answer that depends on the "
                "location knows)")
    if name in CLINIC_PLACEHOLDERS:
        return (f" here ({{{name}}} may be empty in clinic.yml, and this text may use only the details that are "
                "never empty)")
    given_to = [key for key, extra in MESSAGE_EXTRAS.items() if name in extra]
    if given_to:
        return f" here (only the message {' or '.join(given_to)} can use it)"
    return ""


def _around(text: str, start: int, end: int) -> str:
    """The lone bracket with a few characters either side, so that the staff member can find it."""
    before, after = max(0, start - AROUND), min(len(text), end + AROUND)
    return (("\u2026" if before else "") + text[before:after] + ("\u2026" if after < len(text) else ""))
