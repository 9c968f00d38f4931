"""The ConText algorithm (Harkema, Dowling, Thornblade and Chapman, J Biomed Inform 2009; NegEx is its
negation part): whether a concept found in a sentence is negated, historical or hypothetical.

Trigger terms (``knowledge/triage/context.yml``) open a scope, forward (to the sentence end), backward (to
its start) or both, limited to ``max_scope`` words; a termination term ("but", "pero") closes every scope,
and a category may also be closed by the terms of the sets it names in ``terminated_by`` (a historical
scope ends at "now" or "since the shot"). Pseudo-triggers ("not sure", "no doubt") contain a trigger word
but trigger nothing. A trigger inside a concept's own words ("cant" in "cant breathe") is ignored.
Categories here: ``negated``, ``historical`` (also resolved: "it went away"), ``hypothetical`` (if, in
case) and ``educational`` (what does X mean, how common, what are the signs of). Who the concept is
about is left out on purpose: a relative with a red flag now is as urgent as the writer.
"""
from dataclasses import dataclass, field
from typing import Any, Dict, FrozenSet, List, Mapping, Sequence, Set, Tuple

from clinic_bot.nlu.triage.terms import TermSet
from clinic_bot.nlu.triage.text import Tokens

Span = Tuple[int, int]
DIRECTIONS = ("forward", "backward", "bidirectional")
ANCHOR_SETS = ("own_case", "current")
# A message that says its problem is going on now is not a general question, however it is phrased.
OVERRULED_BY_CURRENT_EVIDENCE = frozenset({"hypothetical", "educational", "joking"})


@dataclass(frozen=True)
class Trigger:
    category: str
    direction: str
    span: Span
    max_scope: int
    terminated_by: Tuple[str, ...]


@dataclass
class ContextCategory:
    name: str
    terms: Dict[str, TermSet]  # direction -> terms
    max_scope: int
    terminated_by: Tuple[str, ...]


@dataclass
class ContextRules:
    categories: List[ContextCategory]
    closing_sets: Dict[str, TermSet]  # 'terminate' and the named sets of terminated_by
    pseudo: TermSet = field(default_factory=lambda: TermSet([]))
    current_evidence: TermSet = field(default_factory=lambda: TermSet([]))

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> "ContextRules":
        categories = []
        for name, raw in (config.get("categories") or {}).items():
            terms = {d: TermSet(raw.get(d) or []) for d in DIRECTIONS}
            categories.append(ContextCategory(name, terms, int(raw.get("max_scope") or 12),
                                              tuple(raw.get("terminated_by") or ())))
        closing = {name: TermSet(terms or []) for name, terms in (config.get("closing_sets") or {}).items()}
        closing.setdefault("terminate", TermSet(config.get("terminate") or []))
        return cls(categories, closing, TermSet(config.get("pseudo") or []),
                   TermSet(config.get("current_evidence") or []))

    def anchor_sentences(self, tokens: Tokens) -> List[Span]:
        """Sentences that name a person or say that something is happening now (the ``own_case`` and
        ``current`` closing sets): where a word that is often only a topic ("stroke") counts."""
        anchors = [s for name in ANCHOR_SETS for s in self.closing_sets.get(name, TermSet([])).find(tokens)]
        return [(low, high) for low, high in tokens.sentences() if any(low <= a[0] < high for a in anchors)]

    def modifiers(self, tokens: Tokens, targets: Sequence[Span]) -> Dict[Span, FrozenSet[str]]:
        """For each target span: the categories of the triggers whose scope covers it, in its sentence."""
        found: Dict[Span, Set[str]] = {t: set() for t in targets}
        if not targets:
            return {}
        pseudo = self.pseudo.find(tokens)
        triggers = [
            Trigger(category.name, direction, span, category.max_scope, category.terminated_by)
            for category in self.categories
            for direction, terms in category.terms.items()
            for span in terms.find(tokens)
            if not any(_overlaps(span, p) for p in pseudo) and not any(_within(span, t) for t in targets)
        ]
        if self.current_evidence.find(tokens):
            triggers = [t for t in triggers if t.category not in OVERRULED_BY_CURRENT_EVIDENCE]
        for trigger in triggers:  # "what does [saddle numbness] mean": the target inside the trigger's words
            for target in targets:
                if _overlaps(trigger.span, target):
                    found[target].add(trigger.category)
        closers = {name: terms.find(tokens) for name, terms in self.closing_sets.items()}
        for sentence in tokens.sentences():
            inside = [t for t in triggers if sentence[0] <= t.span[0] and t.span[1] <= sentence[1]]
            for trigger in inside:
                ends = [s for name in ("terminate", *trigger.terminated_by) for s in closers.get(name, [])
                        if sentence[0] <= s[0] and s[1] <= sentence[1]]
                for low, high in _scopes(trigger, sentence, ends):
                    for target in targets:
                        if target[0] < high and target[1] > low:
                            found[target].add(trigger.category)
        return {t: frozenset(c) for t, c in found.items()}


def _overlaps(a: Span, b: Span) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _within(inner: Span, outer: Span) -> bool:
    return outer[0] <= inner[0] and inner[1] <= outer[1]


def _scopes(trigger: Trigger, sentence: Span, closers: List[Span]) -> List[Span]:
    """The token ranges a trigger modifies, cut at the nearest closing term and at ``max_scope`` words."""
    start, end = trigger.span
    scopes = []
    if trigger.direction in ("forward", "bidirectional"):
        stop = min([c[0] for c in closers if c[0] >= end] + [sentence[1], end + trigger.max_scope])
        scopes.append((end, stop))
    if trigger.direction in ("backward", "bidirectional"):
        begin = max([c[1] for c in closers if c[1] <= start] + [sentence[0], start - trigger.max_scope])
        scopes.append((begin, start))
    return scopes
