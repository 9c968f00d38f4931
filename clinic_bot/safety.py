"""The red-flag safety net: deterministic emergency detection over lemmas, independent of the classifier.

Phrases live in ``knowledge/red_flags.yml`` (syntax explained there). The NLU component in
``clinic_bot.nlu_components`` uses this to force the ``emergency`` intent; tests use it directly.
"""
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional

from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc

from clinic_bot.paths import RED_FLAGS_FILE
from clinic_bot.yaml_lines import load_yaml

GAP = "~"
GAP_LENGTH = 3  # spaCy 3.4 has no {0,3} quantifier: three optional wildcards


@dataclass(frozen=True)
class RedFlag:
    category: str
    matched_text: str


def _lemmas(nlp: Language, word: str) -> List[str]:
    return [token.lemma_.lower() or token.lower_ for token in nlp(word.lower())]


def phrase_to_patterns(nlp: Language, phrase: str) -> List[List[Dict[str, Any]]]:
    """'leg|legs ~ numb' -> Matcher token patterns over lower-cased lemmas, one per combination of
    alternatives (an alternative like "can't" is two tokens, "ca" + "n't")."""
    patterns: List[List[Dict[str, Any]]] = [[]]
    for word in phrase.split():
        if word == GAP:
            steps = [[{"OP": "?"}] * GAP_LENGTH]
        else:
            alternatives = {tuple(_lemmas(nlp, alt)) for alt in word.split("|")}
            steps = [[{"LEMMA": lemma} for lemma in alt] for alt in sorted(alternatives)]
        patterns = [pattern + step for pattern in patterns for step in steps]
    return patterns


class RedFlagMatcher:
    def __init__(self, nlp: Language, config: Dict[str, Any]) -> None:
        self._nlp = nlp
        self._flags = Matcher(nlp.vocab)
        for category, phrases in (config.get("red_flags") or {}).items():
            self._flags.add(category, [pat for p in phrases for pat in phrase_to_patterns(nlp, p)])
        words = lambda key: {str(w).lower() for w in config.get(key) or []}  # noqa: E731
        self._question_starts = words("question_starts")
        self._general_cues = words("general_cues")
        self._personal = words("personal_cues")
        self._always = set(config.get("always_forced") or [])

    @classmethod
    def from_file(cls, nlp: Language, path: Path = RED_FLAGS_FILE) -> "RedFlagMatcher":
        return cls(nlp, load_yaml(path) or {})

    def _doc(self, text: str) -> Doc:
        # Lower-cased so the lookup lemmatizer sees "Legs" as "legs".
        return self._nlp(text.lower())

    def find(self, text: str) -> Optional[RedFlag]:
        """The first red flag in ``text``, or None; general risk questions without personal words don't count."""
        doc = self._doc(text)
        matches = self._flags(doc)
        if not matches:
            return None
        found = [RedFlag(self._nlp.vocab.strings[m_id], doc[start:end].text) for m_id, start, end in matches]
        always = [flag for flag in found if flag.category in self._always]
        if always:
            return always[0]
        if self._is_general_question(doc):
            return None
        return found[0]

    def _is_general_question(self, doc: Doc) -> bool:
        words = {token.lower_ for token in doc}
        return (
            len(doc) > 0
            and doc[0].lower_ in self._question_starts
            and bool(words & self._general_cues)
            and not words & self._personal
        )
