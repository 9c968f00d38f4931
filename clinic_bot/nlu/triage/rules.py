"""Red flags as clinical concepts: each concept's lay words (English and Spanish, common misspellings)
found in the message, then kept or set aside by the ConText modifiers of their sentence.

A concept may need a companion (``requires``): "fever" is a red flag here only when the message also
names a procedure, an injection or its site ("fever since my epidural"), or a stiff neck; the companion
may stand anywhere in the message and must not itself be negated.
"""
from dataclasses import dataclass
from typing import Any, Dict, FrozenSet, List, Mapping, Optional, Tuple

from clinic_bot.nlu.triage.context import ContextRules, Span
from clinic_bot.nlu.triage.terms import TermSet
from clinic_bot.nlu.triage.text import SENTENCE_END, Tokens

# Modifiers that make a mention of a red flag not a red flag now; suicidal thoughts that come and go
# ("sometimes i think about...") are still current.
NOT_CURRENT = frozenset({"negated", "historical", "hypothetical", "educational", "chronic", "joking"})
NOT_CURRENT_FOR_CRISIS = NOT_CURRENT - {"chronic"}
NEGATIONS = frozenset("no not without never sin nunca ni nada zero".split())
NEGATION_WINDOW = 4
# "breathing fine", "legs feel ok": the words just before these read as negated too.
REASSURANCES = frozenset("fine ok okay normal good great bien".split())
REASSURANCE_WINDOW = 2
CRISIS = "crisis"
MEDICAL = "medical"


@dataclass(frozen=True)
class Finding:
    concept: str
    kind: str  # 'medical' (911 / ER) or 'crisis' (988)
    matched: str
    modifiers: FrozenSet[str]

    @property
    def current(self) -> bool:
        return not (self.modifiers & (NOT_CURRENT_FOR_CRISIS if self.kind == CRISIS else NOT_CURRENT))


@dataclass
class Concept:
    name: str
    kind: str
    terms: TermSet
    requires: Optional[TermSet]
    anchored: TermSet


def _in_any(span: Span, ranges: List[Span]) -> bool:
    return any(low <= span[0] and span[1] <= high for low, high in ranges)


class RedFlagRules:
    def __init__(self, concepts: List[Concept], context: ContextRules, exclusions: TermSet) -> None:
        self.concepts = concepts
        self.context = context
        self.exclusions = exclusions

    @classmethod
    def from_config(cls, concepts: Mapping[str, Any], context: Mapping[str, Any]) -> "RedFlagRules":
        built = []
        for name, raw in (concepts.get("concepts") or {}).items():
            requires = raw.get("requires")
            built.append(Concept(name, str(raw.get("kind") or MEDICAL), TermSet(raw.get("terms") or []),
                                 TermSet(requires) if requires else None, TermSet(raw.get("anchored") or [])))
        return cls(built, ContextRules.from_config(context), TermSet(concepts.get("exclusions") or []))

    def analyse(self, tokens: Tokens) -> Tuple[List[Finding], str]:
        """Every concept mention with its modifiers (in the order of the lexicon), and the message as the
        classifier reads it: each mention that ConText sets aside replaced by its modifier ("no fever" ->
        "no negatedmention"), and the words right after a negation prefixed ("sin fiebre" -> "sin
        negfiebre": NegEx for a bag of words), so that "no headache at all" does not read as "headache"."""
        excluded = self.exclusions.find(tokens)
        anchors = self.context.anchor_sentences(tokens)
        spans: List[Tuple[Concept, Span]] = [
            (c, s) for c in self.concepts
            for s in c.terms.find(tokens) + [a for a in c.anchored.find(tokens) if _in_any(a, anchors)]
            if not any(s[0] < e[1] and e[0] < s[1] for e in excluded)
        ]
        companions: Dict[str, List[Span]] = {
            c.name: c.requires.find(tokens) for c in self.concepts if c.requires is not None and
            any(concept is c for concept, _ in spans)
        }
        all_spans = [s for _, s in spans] + [s for found in companions.values() for s in found]
        modifiers = self.context.modifiers(tokens, all_spans)
        findings = []
        for concept, span in spans:
            mods = modifiers.get(span, frozenset())
            if concept.requires is not None:
                current_companions = [s for s in companions[concept.name]
                                      if not modifiers.get(s, frozenset()) & NOT_CURRENT]
                if not companions[concept.name]:
                    continue
                if not current_companions:
                    mods = mods | {"negated"}
            findings.append(Finding(concept.name, concept.kind, " ".join(tokens.words[span[0]:span[1]]), mods))
        return findings, self._view(tokens, [s for _, s in spans], modifiers)

    def findings(self, tokens: Tokens) -> List[Finding]:
        return self.analyse(tokens)[0]

    def classifier_view(self, tokens: Tokens) -> str:
        return self.analyse(tokens)[1]

    @staticmethod
    def _view(tokens: Tokens, spans: List[Span], modifiers: Dict[Span, FrozenSet[str]]) -> str:
        words = list(tokens.words)
        for span in spans:
            set_aside = sorted(modifiers.get(span, frozenset()) & NOT_CURRENT)
            if set_aside:
                words[span[0]:span[1]] = [f"{set_aside[0]}mention"] * (span[1] - span[0])
        for index, word in enumerate(tokens.words):
            if word in REASSURANCES:
                for before in range(max(0, index - REASSURANCE_WINDOW), index):
                    if SENTENCE_END not in tokens.words[before:index]:
                        words[before] = "neg" + words[before].removeprefix("neg")
            if word in NEGATIONS:
                for after in range(index + 1, min(index + 1 + NEGATION_WINDOW, len(words))):
                    if words[after] == SENTENCE_END:
                        break
                    words[after] = "neg" + words[after].removeprefix("neg")
        return " ".join(words)
