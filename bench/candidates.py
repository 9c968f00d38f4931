"""Intent classifiers side by side: config.yml's and the candidates of bench/candidates.yml, each
with config.yml's spaCy, entity, fallback and triage steps, on the same cross-validation folds, the same
hold-out and the same development sets, each model trained NLU-only in this process.

Figures per classifier: 5-fold cross-validation accuracy (whole NLU, fallback counted as a miss), hold-out
and development accuracy, everyday off-topic messages that got an FAQ answer, in-scope questions sent to the
fallback, the "explain <procedure>" forms answered with that procedure, NLU training seconds and NLU CPU
milliseconds per message.
"""
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Sequence, Tuple

import yaml

from bench.quality import RasaNLU, cross_validate_rasa, scores
from bench.training import train_nlu_in_process
from clinic_bot.content.knowledge import default_knowledge
from clinic_bot.content.nlu_data import Example, ProcedureQuestion
from clinic_bot.intents import FALLBACK_INTENT, OUT_OF_SCOPE_INTENT
from clinic_bot.paths import REPO_ROOT

CANDIDATES_FILE = REPO_ROOT / "bench" / "candidates.yml"
ADOPTED = "config.yml"
FRONT_END = "clinic_bot.nlu.entities.CanonicalEntityExtractor"  # config.yml's steps up to this one stay
FALLBACK_STEP = "FallbackClassifier"  # and from this one on


def compose(config: Dict[str, Any], candidate: Dict[str, Any]) -> Dict[str, Any]:
    """config.yml with its intent-classifier steps replaced by the candidate's, and its fallback thresholds."""
    names = [step["name"] for step in config["pipeline"]]
    front, back = names.index(FRONT_END) + 1, names.index(FALLBACK_STEP)
    fallback = {**config["pipeline"][back], **candidate.get("fallback", {})}
    pipeline = config["pipeline"][:front] + list(candidate["steps"]) + [fallback] + config["pipeline"][back + 1:]
    return {**config, "pipeline": pipeline}


def configs(config_file: Path, workdir: Path, only: Sequence[str] = ()) -> Dict[str, Tuple[Path, str]]:
    """name -> (a config file to train, what it is); config.yml itself first."""
    config = yaml.safe_load(config_file.read_text())
    result = {ADOPTED: (config_file, "adopted: clinic_bot.nlu.intent_classifier.ClinicIntentClassifier")}
    workdir.mkdir(parents=True, exist_ok=True)
    for name, candidate in (yaml.safe_load(CANDIDATES_FILE.read_text())["candidates"] or {}).items():
        if only and name not in only:
            continue
        path = workdir / f"{name}.yml"
        path.write_text(yaml.safe_dump(compose(config, candidate), sort_keys=False))
        result[name] = (path, str(candidate.get("about", "")))
    return result


def faq_intents() -> set:
    """Intents whose reply is a curated (medical) FAQ answer."""
    return set(default_knowledge().answers)


def routing_shares(examples: Sequence[Example], final: Sequence[str], faq: set) -> Dict[str, float]:
    off_topic = [f for e, f in zip(examples, final) if e.intent == OUT_OF_SCOPE_INTENT]
    in_scope = [f for e, f in zip(examples, final) if e.intent != OUT_OF_SCOPE_INTENT]
    return {"off_topic_messages": len(off_topic),
            "off_topic_got_faq_answer": (sum(f in faq for f in off_topic) / len(off_topic)
                                         if off_topic else float("nan")),
            "in_scope_to_fallback": (sum(f == FALLBACK_INTENT for f in in_scope) / len(in_scope)
                                     if in_scope else float("nan"))}


def evaluate(model: Path, holdout: List[Example], dev: Dict[str, List[Example]], off_topic: List[str],
             procedure_questions: List[ProcedureQuestion]) -> Dict[str, Any]:
    faq = faq_intents()
    nlu = RasaNLU(model)
    try:
        started = time.process_time()
        parsed_holdout = [nlu.parse_full(e.text) for e in holdout]
        cpu_ms = 1000 * (time.process_time() - started) / max(1, len(holdout))
        final = [p["intent"]["name"] for p in parsed_holdout]
        figures: Dict[str, Any] = {"holdout": scores([e.intent for e in holdout], final),
                                   "holdout_misses": [{"text": e.text, "intent": e.intent, "predicted": f}
                                                      for e, f in zip(holdout, final) if e.intent != f],
                                   **routing_shares(holdout, final, faq), "nlu_cpu_ms_per_message": cpu_ms}
        figures["dev"] = {}
        for name, examples in dev.items():
            dev_final = [p["final"] for p in nlu.parse([e.text for e in examples])]
            figures["dev"][name] = {**scores([e.intent for e in examples], dev_final),
                                    **routing_shares(examples, dev_final, faq)}
        other = [p["final"] for p in nlu.parse(off_topic)]
        figures["off_topic_file_got_faq_answer"] = sum(f in faq for f in other) / len(other) if other else float("nan")
        answered, wrong = 0, []
        for question in procedure_questions:
            parsed = nlu.parse_full(question.text)
            named = {e.get("value") for e in parsed.get("entities") or [] if e.get("entity") == "procedure"}
            if parsed["intent"]["name"] == question.intent and question.procedure in named:
                answered += 1
            else:
                wrong.append({"text": question.text, "intent": parsed["intent"]["name"], "procedures": sorted(named)})
        figures["procedure_forms"] = {"questions": len(procedure_questions), "answered": answered, "wrong": wrong}
    finally:
        nlu.close()
    return figures


def compare(config_file: Path, train: List[Example], holdout: List[Example], dev: Dict[str, List[Example]],
            off_topic: List[str], procedure_questions: List[ProcedureQuestion],
            splits: List[Tuple[List[Example], List[Example]]], workdir: Path, only: Sequence[str] = (),
            on_progress: Callable[[str], None] = lambda _: None) -> Dict[str, Any]:
    results: Dict[str, Any] = {}
    for name, (path, about) in configs(config_file, workdir / "configs", only).items():
        on_progress(f"{name}: training")
        trained = train_nlu_in_process(path, train, workdir / name, name)
        on_progress(f"{name}: evaluating")
        figures = evaluate(trained.path, holdout, dev, off_topic, procedure_questions)
        figures.update({"about": about, "train_seconds_nlu": trained.seconds})
        if splits:
            def on_fold_done(fold: int, name: str = name) -> None:  # the default binds this iteration's name
                on_progress(f"{name}: fold {fold}/{len(splits)}")
            figures["cv"] = cross_validate_rasa(path, splits, workdir / name / "cv", on_fold_done)
        results[name] = figures
    return results
