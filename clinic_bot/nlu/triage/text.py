"""Text normalisation shared by the rules and the learned classifier: one way to see a message.

Lower case, accents removed (Spanish patients often type without them: "respirar" / "respiración"),
apostrophes dropped ("can't" -> "cant", "i'm" -> "im"), so a lexicon needs one spelling per word.
"""
import re
import unicodedata
from dataclasses import dataclass
from typing import List, Tuple

SENTENCE_END = "."
_APOSTROPHES = re.compile(r"['\u2019\u2018`\u00b4]")
_TOKEN = re.compile(r"[a-z0-9]+|[.!?;\n]+")
# Sentence ends: . ! ? ; and line breaks; a decimal point ("101.5") is not one (tokens are split around it).
_SPANISH_WORDS = frozenset(
    "el la los las un una que de del y en es por para con mi me mis se lo le su muy pero esta estoy "
    "tengo tiene hace desde cuando donde porque como puedo puede despues dolor ayuda mucho hija hijo "
    "esposo esposa mama papa senor senora usted ustedes hoy ayer noche manana pierna piernas pecho "
    "respirar cabeza sangre fiebre inyeccion quiero siento ya nada nadie todo no si".split()
)
# Words that are Spanish in the list above but also common English tokens: they count for Spanish
# only together with unambiguous ones.
_SHARED_WITH_ENGLISH = frozenset("no si me a de la".split())


def fold(text: str) -> str:
    """Lower case, no accents, no apostrophes."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _APOSTROPHES.sub("", stripped.replace("\u00f1", "n"))


@dataclass(frozen=True)
class Tokens:
    """A message as words and sentence ends; ``joined`` is the string the lexicons' patterns search,
    one space between tokens, so a character offset maps back to a token through ``starts``."""

    words: Tuple[str, ...]
    joined: str
    starts: Tuple[int, ...]

    def token_at(self, offset: int) -> int:
        """The index of the token that starts at or contains character ``offset`` of ``joined``."""
        low, high = 0, len(self.starts) - 1
        while low < high:
            middle = (low + high + 1) // 2
            if self.starts[middle] <= offset:
                low = middle
            else:
                high = middle - 1
        return low

    def sentences(self) -> List[Tuple[int, int]]:
        """(first, end) token ranges of the sentences; sentence-end tokens belong to no sentence."""
        ranges, first = [], 0
        for index, word in enumerate(self.words):
            if word[0] in ".!?;\n":
                if index > first:
                    ranges.append((first, index))
                first = index + 1
        if first < len(self.words):
            ranges.append((first, len(self.words)))
        return ranges


_DECIMAL = re.compile(r"(\d)[.,]\d+")


def tokenize(text: str) -> Tokens:
    folded = _DECIMAL.sub(r"\1", fold(text))  # "101.5" -> "101": a decimal point ends no sentence
    words = tuple(SENTENCE_END if w[0] in ".!?;\n" else w for w in _TOKEN.findall(folded))
    starts, offset = [], 0
    for word in words:
        starts.append(offset)
        offset += len(word) + 1
    return Tokens(words, " ".join(words), tuple(starts))


ENGLISH, SPANISH = "en", "es"


def language(tokens: Tokens) -> str:
    """'es' when the message reads as Spanish (or Spanglish), else 'en': enough to pick the language of the
    urgent message; not a general language identifier."""
    words = [w for w in tokens.words if w != SENTENCE_END]
    if not words:
        return ENGLISH
    spanish = [w for w in words if w in _SPANISH_WORDS]
    distinctive = [w for w in spanish if w not in _SHARED_WITH_ENGLISH]
    return SPANISH if distinctive and len(spanish) >= max(2, 0.25 * len(words)) else ENGLISH
