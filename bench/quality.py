"""Understanding: intent accuracy, macro-F1, per-intent precision/recall and confusions, on the hold-out
set and by 5-fold cross-validation, for the Rasa model and for the peer, on the same examples and folds; the same
on the Spanish hold-out, and the Rasa model's reading of each message's language (bench/language.py)."""
import asyncio
import gc
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Set, Tuple

import numpy as np
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support
from sklearn.model_selection import StratifiedKFold

from bench import language, triage
from bench.peer import C_CANDIDATES, FittedPeer, train_peer
from bench.training import train_nlu_in_process
from clinic_bot.content.choices import RELATED_MARGIN
from clinic_bot.content.knowledge import default_knowledge
from clinic_bot.content.nlu_data import Example, ProcedureQuestion
from clinic_bot.holdout import IntentAccuracy, Parse, choice_figures
from clinic_bot.holdout import evaluate as evaluate_intents
from clinic_bot.intents import FALLBACK_INTENT, OUT_OF_SCOPE_INTENT

ROUTED_AWAY = {OUT_OF_SCOPE_INTENT, FALLBACK_INTENT}
CV_SEED = 42


def scores(truth: Sequence[str], predicted: Sequence[str]) -> Dict[str, Any]:
    """Accuracy and macro-F1 over the true intents (a fallback counts as a miss, not as a class)."""
    labels = sorted(set(truth))
    precision, recall, f1, support = precision_recall_fscore_support(truth, predicted, labels=labels,
                                                                     zero_division=0)
    misses = Counter(f"{t} -> {p}" for t, p in zip(truth, predicted) if t != p)
    return {
        "n": len(truth),
        "accuracy": float(accuracy_score(truth, predicted)),
        "macro_f1": float(f1_score(truth, predicted, labels=labels, average="macro", zero_division=0)),
        "per_intent": {label: {"precision": float(p), "recall": float(r), "f1": float(f), "support": int(s)}
                       for label, p, r, f, s in zip(labels, precision, recall, f1, support)},
        "top_confusions": misses.most_common(10),
    }


def confusion(truth: Sequence[str], predicted: Sequence[str]) -> Tuple[List[str], List[List[int]]]:
    labels = sorted(set(truth)) + sorted(set(predicted) - set(truth))
    return labels, confusion_matrix(truth, predicted, labels=labels).tolist()


def classifier_intent(parsed: Mapping[str, Any]) -> str:
    """The intent classifier's own top intent in a parse result, before the fallback replaced it."""
    ranking = [r["name"] for r in parsed.get("intent_ranking") or [] if r["name"] != FALLBACK_INTENT]
    return str(ranking[0]) if ranking else ""


class RasaNLU:
    """The trained model's whole NLU pipeline in this process (fallback and red-flag override included)."""

    def __init__(self, model: Path) -> None:
        from rasa.core.agent import Agent

        self._loop = asyncio.new_event_loop()
        self._agent = Agent.load(str(model))

    def parse_full(self, text: str, tracker: Any = None) -> Dict[str, Any]:
        """The whole parse result of one message (intent, ranking, entities, triage); with a tracker, as the next
        message of that conversation."""
        from rasa.core.channels.channel import UserMessage

        return self._loop.run_until_complete(self._agent.processor.parse_message(UserMessage(text), tracker))

    def parse(self, texts: Sequence[str]) -> List[Dict[str, str]]:
        """Per text: the intent the bot acts on, and the classifier's own top intent (before the fallback)."""
        results = []
        for text in texts:
            parsed = self._loop.run_until_complete(self._agent.parse_message(text))
            results.append({"final": parsed["intent"]["name"], "classifier": classifier_intent(parsed)})
        return results

    def close(self) -> None:
        self._loop.close()
        del self._agent
        gc.collect()


@dataclass
class Sets:
    train: List[Example]
    holdout: List[Example]
    dev: Dict[str, List[Example]]
    procedure_questions: List[ProcedureQuestion]
    off_topic: List[str]
    in_scope: List[str]
    holdout_es: List[Example]  # paths.SPANISH_HOLDOUT_FILE
    languages: List[Tuple[str, str]]  # (text, "en" or "es"): bench/language.py's labelled()


def routing(predicted: Sequence[str], away: bool) -> float:
    """Share of messages routed away from the FAQ answers (away=True) or kept (away=False)."""
    routed = [p in ROUTED_AWAY for p in predicted]
    return float(np.mean(routed if away else [not r for r in routed])) if routed else float("nan")


def practical_intents() -> Set[str]:
    """The practical topics (knowledge/practical_answers.yml, answered from clinic.yml)."""
    from clinic_bot.content.practical_answers import practical_intents as listed

    return set(listed())


def evaluate_rasa_spanish(parse: Parse, sets: Sets,
                          parsed: Optional[Mapping[str, Mapping[str, Any]]] = None) -> Dict[str, Any]:
    """The Spanish hold-out (the intent the bot acts on, as for the English one) and the language read right, on the
    hold-outs' messages and on the development sets'. parsed: parse results already at hand, by text (the English
    hold-out's), not parsed again."""
    holdout_es = evaluate_intents(parse, sets.holdout_es)
    known = {**(parsed or {}), **{e.text: p for e, p in zip(holdout_es.examples, holdout_es.parsed)}}
    groups = {"holdouts": [e.text for e in [*sets.holdout, *sets.holdout_es]],
              "dev": [e.text for examples in sets.dev.values() for e in examples]}
    return {
        "holdout_es": scores(holdout_es.truth, holdout_es.predicted),
        "misses_es": [{"text": m.text, "intent": m.intent, "predicted": m.predicted} for m in holdout_es.misses],
        "language": language.read_right(lambda text: known[text] if text in known else parse(text),
                                        sets.languages, groups),
    }


# The related button's margins the tuning curve shows (clinic_bot/content/choices.py chose RELATED_MARGIN on it).
CURVE_MARGINS = (0.3, 0.5, 0.7, 0.8, 0.9, 0.95)


def near_misses(parse: Parse, sets: Sets, holdout: IntentAccuracy) -> Dict[str, Any]:
    """What the related-topic button and "did you mean" add on the hold-outs and the development sets
    (clinic_bot/holdout.choice_figures), and the development sets' curve over the button's margin."""
    knowledge = default_knowledge()
    measured = {"holdout": holdout, "holdout_es": evaluate_intents(parse, sets.holdout_es),
                **{name: evaluate_intents(parse, examples) for name, examples in sets.dev.items()}}
    return {
        "sets": {name: {"all": asdict(choice_figures(found, knowledge)),
                        "topic_questions": asdict(choice_figures(found, knowledge, topics_only=True))}
                 for name, found in measured.items()},
        "margin": RELATED_MARGIN,
        "curve": {name: {str(margin): asdict(choice_figures(found, knowledge, margin=margin))
                         for margin in CURVE_MARGINS}
                  for name, found in measured.items() if name in sets.dev},
    }


def evaluate_rasa(model: Path, sets: Sets) -> Dict[str, Any]:
    nlu = RasaNLU(model)
    try:
        triage_figures = triage.through_nlu(nlu.parse_full)
        holdout = evaluate_intents(nlu.parse_full, sets.holdout)
        spanish = evaluate_rasa_spanish(nlu.parse_full, sets,
                                        {e.text: p for e, p in zip(holdout.examples, holdout.parsed)})
        choices = near_misses(nlu.parse_full, sets, holdout)
        off_topic = [p["final"] for p in nlu.parse(sets.off_topic)]
        in_scope = [p["final"] for p in nlu.parse(sets.in_scope)]
    finally:
        nlu.close()
    truth, final = holdout.truth, holdout.predicted
    practical = practical_intents()
    in_practical = [(t, f) for t, f in zip(truth, final) if t in practical]
    practical_scores = scores([t for t, _ in in_practical], [f for _, f in in_practical]) if in_practical else None
    return {
        "holdout": scores(truth, final),
        # The practical questions (hours, address, refills, ...) on their own: the same aim holds for them.
        "holdout_practical": practical_scores,
        "holdout_classifier_only": scores(truth, [classifier_intent(p) for p in holdout.parsed]),
        "confusion": confusion(truth, final),
        "misses": [{"text": m.text, "intent": m.intent, "predicted": m.predicted} for m in holdout.misses],
        "off_topic_routed_away": routing(off_topic, away=True),
        "in_scope_false_fallback": 1 - routing(in_scope, away=False),
        "triage": triage_figures,
        "choices": choices,
        **spanish,  # holdout_es, misses_es, language
    }


def _misses(examples: Sequence[Example], predicted: Sequence[str]) -> List[Dict[str, str]]:
    return [{"text": e.text, "intent": e.intent, "predicted": p} for e, p in zip(examples, predicted)
            if e.intent != p]


def evaluate_peer(peer: FittedPeer, sets: Sets) -> Dict[str, Any]:
    truth = [e.intent for e in sets.holdout]
    predicted = peer.predict([e.text for e in sets.holdout])
    predicted_es = peer.predict([e.text for e in sets.holdout_es])
    return {
        "train_seconds": peer.train_seconds,
        "c": peer.c,
        "holdout": scores(truth, predicted),
        "holdout_es": scores([e.intent for e in sets.holdout_es], predicted_es),
        "misses_es": _misses(sets.holdout_es, predicted_es),
        "confusion": confusion(truth, predicted),
        "off_topic_routed_away": routing(peer.predict(sets.off_topic), away=True),
        "in_scope_false_fallback": 1 - routing(peer.predict(sets.in_scope), away=False),
    }


def folds(examples: List[Example], k: int) -> List[Tuple[List[Example], List[Example]]]:
    """The same stratified folds for both models, so their figures compare example for example."""
    splitter = StratifiedKFold(n_splits=k, shuffle=True, random_state=CV_SEED)
    intents = [e.intent for e in examples]
    return [([examples[i] for i in train], [examples[i] for i in test])
            for train, test in splitter.split(np.zeros(len(examples)), intents)]


def _summary(per_fold: List[Dict[str, Any]], extra: Dict[str, Any]) -> Dict[str, Any]:
    accuracy = [f["accuracy"] for f in per_fold]
    macro_f1 = [f["macro_f1"] for f in per_fold]
    return {"folds": len(per_fold), "accuracy_mean": float(np.mean(accuracy)), "accuracy_std": float(np.std(accuracy)),
            "macro_f1_mean": float(np.mean(macro_f1)), "per_fold_accuracy": accuracy, **extra}


def cross_validate_peer(splits: List[Tuple[List[Example], List[Example]]]) -> Dict[str, Any]:
    """Every candidate C on the folds; the best mean accuracy picks the C of the peer (and its figures)."""
    by_c: Dict[float, List[Dict[str, Any]]] = {}
    for c in C_CANDIDATES:
        by_c[c] = []
        for train, test in splits:
            peer = train_peer([e.text for e in train], [e.intent for e in train], c)
            by_c[c].append(scores([e.intent for e in test], peer.predict([e.text for e in test])))
    best = max(C_CANDIDATES, key=lambda c: np.mean([f["accuracy"] for f in by_c[c]]))
    return _summary(by_c[best], {"c": best, "accuracy_by_c": {str(c): float(np.mean([f["accuracy"] for f in folds]))
                                                             for c, folds in by_c.items()}})


def cross_validate_rasa(config: Path, splits: List[Tuple[List[Example], List[Example]]], workdir: Path,
                        on_fold_done: Callable[[int], None] = lambda _: None) -> Dict[str, Any]:
    per_fold, classifier_only, seconds = [], [], []
    for index, (train, test) in enumerate(splits, start=1):
        trained = train_nlu_in_process(config, train, workdir / f"fold{index}", f"fold{index}")
        seconds.append(trained.seconds)
        nlu = RasaNLU(trained.path)
        try:
            predicted = nlu.parse([e.text for e in test])
        finally:
            nlu.close()
        truth = [e.intent for e in test]
        per_fold.append(scores(truth, [p["final"] for p in predicted]))
        classifier_only.append(scores(truth, [p["classifier"] for p in predicted])["accuracy"])
        on_fold_done(index)
    return _summary(per_fold, {"train_seconds_per_fold": seconds,
                               "classifier_only_accuracy_mean": float(np.mean(classifier_only))})

