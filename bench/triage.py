"""Triage figures for `make bench`: the development sets through the trained model's whole NLU (the same
evaluation the model tests print), a sample of each group through the whole bot, and the time the triage
itself takes per message (the urgent path)."""
import statistics
import time
import uuid
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Sequence

from clinic_bot.intents import CHECK_IN, EMERGENCY_INTENT
from clinic_bot.nlu.triage.component import TriageGate
from clinic_bot.nlu.triage.data import LabelledMessage
from clinic_bot.nlu.triage.engine import load_from_model
from clinic_bot.nlu.triage.evaluate import (
    Share,
    TriageFigures,
    after_helpful_question,
    evaluate_development_sets,
    read_development_sets,
)
from clinic_bot.nlu.triage.tune import component_config
from clinic_bot.paths import TRIAGE_TEST_DIR
from tests.e2e.conftest import answers, post

SAMPLE_PER_GROUP = 40
URGENT_ANSWERS = {EMERGENCY_INTENT, CHECK_IN}  # the answers that show 911 and 988
TIMING_MESSAGES = 600


def dev_messages() -> List[LabelledMessage]:
    return [m for messages in read_development_sets(TRIAGE_TEST_DIR).values() for m in messages]


def _share(share: Share) -> Dict[str, Any]:
    return {"rate": share.rate, "hits": share.hits, "total": share.total, "examples": share.examples[:60]}


def figures_as_dict(figures: TriageFigures) -> Dict[str, Any]:
    return {name: ({k: _share(v) for k, v in sorted(value.items())} if isinstance(value, dict) else _share(value))
            for name, value in vars(figures).items()}


def through_nlu(parse_full: Callable[..., Mapping[str, Any]]) -> Dict[str, Any]:
    """The development sets through the whole NLU, each message alone and the conversation replies also as the
    answer to "Was this helpful?" (``parse_full(text, tracker)``)."""
    after = after_helpful_question()
    figures = evaluate_development_sets(parse_full, lambda text: parse_full(text, after),
                                        read_development_sets(TRIAGE_TEST_DIR))
    return {**figures_as_dict(figures.all_sets),
            "aims": {key: {"label": label, **_share(share)} for key, (label, share) in figures.aims().items()},
            "by_set": {name: figures_as_dict(each) for name, each in figures.by_set.items()}}


def urgent_path_ms(model: Path, messages: Sequence[LabelledMessage]) -> Dict[str, float]:
    """Time of the triage's own work per message (rules, ConText, classifier, decision), one message at a time."""
    triage = load_from_model(model, TriageGate.thresholds(component_config()))
    texts = [m.text for m in messages][:TIMING_MESSAGES]
    for text in texts[:50]:
        triage.judge(text)  # warm caches
    times = []
    for text in texts:
        started = time.perf_counter()
        triage.judge(text)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {"messages": len(times), "mean_ms": statistics.mean(times), "p50_ms": statistics.median(times),
            "p95_ms": times[int(0.95 * (len(times) - 1))], "max_ms": times[-1]}


def through_bot(url: str, messages: Sequence[LabelledMessage]) -> Dict[str, Any]:
    """A sample of each group through the REST webhook: urgent messages must get 911/988 in the first reply (the
    `emergency` answer or the `check_in`), personal ones the refusal, general and everyday ones neither."""
    groups: Dict[str, List[LabelledMessage]] = {}
    for message in messages:
        groups.setdefault("urgent" if message.urgent else message.label, []).append(message)
    results = {}
    for group, members in sorted(groups.items()):
        sample = members[::max(1, len(members) // SAMPLE_PER_GROUP)][:SAMPLE_PER_GROUP]
        share = Share()
        for message in sample:
            status, replies = post(url, {"sender": f"bench-triage-{uuid.uuid4().hex[:10]}", "message": message.text})
            got = answers(replies) if status == 200 and isinstance(replies, list) else [f"HTTP {status}"]
            shown_911 = bool(URGENT_ANSWERS & set(got))
            if group == "urgent":
                share.add(shown_911, message.text)
            elif group == "personal":
                share.add(bool(got) and got[0] in ("ask_personal_advice", *URGENT_ANSWERS), message.text)
            else:
                share.add(not shown_911, message.text)
        results[group] = _share(share)
    return results
