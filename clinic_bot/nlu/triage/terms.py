"""The lexicons' term syntax, compiled to regular expressions over ``Tokens.joined``.

A term is words separated by spaces, matched on folded text (lower case, no accents, no apostrophes):
- ``a|b``   either one; an alternative may be several words ("too many|whole bottle ~ pill*");
- ``word*`` any word starting with ``word`` ("numb*": numb, numbness, numbing);
- ``~``     up to three other words in between (never across a sentence end);
- ``~N``    up to N other words in between (1-9).
"""
import re
from functools import lru_cache
from typing import Iterable, List, Pattern, Tuple

from clinic_bot.nlu.triage.text import SENTENCE_END, Tokens, fold

_WORD = r"[a-z0-9]+"
# A gap never skips a negation: "incision looks great, no redness" is not "incision ~ red".
_GAP_WORD = r"(?!(?:no|not|without|never|sin|nunca|ni) )[a-z0-9]+"


class TermError(ValueError):
    """A term the syntax above cannot read; the message says which and why."""


def _word(word: str, term: str) -> str:
    stem = word.rstrip("*")
    if not re.fullmatch(r"[a-z0-9]+", stem):
        raise TermError(f"{term!r}: {word!r} is not a word (letters and digits, optional * at the end)")
    return re.escape(stem) + ("[a-z0-9]*" if word.endswith("*") else "")


def _slot(alternatives: str, term: str) -> str:
    """'too many|whole bottle' -> a regex for either phrase."""
    phrases = [re.sub(r"[^a-z0-9*]+", " ", fold(p)).split() for p in alternatives.split("|")]  # "x-ray" = "x ray"
    if any(not words for words in phrases):
        raise TermError(f"{term!r}: an empty alternative next to '|'")
    return "(?:" + "|".join(" ".join(_word(w, term) for w in words) for words in phrases) + ")"


def term_regex(term: str) -> str:
    """One term as a regex fragment (no boundaries)."""
    parts = re.split(r"(?:^|\s)(~\d?)(?=\s|$)", term.strip())
    slots, gaps = parts[0::2], parts[1::2]
    if any(not slot.strip() for slot in slots):
        raise TermError(f"{term!r}: '~' needs words on both sides")
    regex = _slot(slots[0], term)
    for gap, slot in zip(gaps, slots[1:]):
        regex += f" (?:{_GAP_WORD} ){{0,{int(gap[1:] or 3)}}}" + _slot(slot, term)
    return regex


@lru_cache(maxsize=4096)
def _compile(terms: Tuple[str, ...]) -> Pattern[str]:
    body = "|".join(term_regex(t) for t in terms)
    return re.compile(rf"(?<![a-z0-9])(?:{body})(?![a-z0-9])")


class TermSet:
    """Terms searched together; ``find`` gives (first token, end token) spans, leftmost-longest, not overlapping."""

    def __init__(self, terms: Iterable[str]) -> None:
        self.terms = tuple(str(t) for t in terms)
        self._pattern = _compile(self.terms) if self.terms else None

    def find(self, tokens: Tokens) -> List[Tuple[int, int]]:
        if self._pattern is None:
            return []
        spans = []
        for match in self._pattern.finditer(tokens.joined):
            first = tokens.token_at(match.start())
            end = tokens.token_at(max(match.end() - 1, match.start())) + 1
            spans.append((first, end))
        return spans

    def __bool__(self) -> bool:
        return bool(self.terms)


def check_term(term: str) -> None:
    """Raises TermError when ``term`` is not readable (used by the validator)."""
    term_regex(term)
    if SENTENCE_END in term.split():
        raise TermError(f"{term!r}: a term cannot contain a sentence end")
