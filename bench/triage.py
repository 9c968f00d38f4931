"""Triage figures for `make bench`: the development sets through the trained model's whole NLU (the same
evaluation the model tests print), a sample of each group through the whole bot, and the time the triage
itself takes per message (the urgent path)."""
import statistics
import time
import uuid
from pathlib import Path
from typing import Any, Dict, List, Sequence

from clinic_bot.nlu.triage.component import TriageGate
from clinic_bot.nlu.triage.data import LabelledMessage, read_messages
from clinic_bot.nlu.triage.engine import load_from_model
from clinic_bot.nlu.triage.evaluate import Share, TriageFigures, evaluate
from clinic_bot.nlu.triage.tune import component_config
from clinic_bot.paths import TRIAGE_TEST_DIR
from tests.e2e.conftest import answers, post

DEV_SETS = {"patients": TRIAGE_TEST_DIR / "dev_patients.jsonl", "everyday": TRIAGE_TEST_DIR / "dev_everyday.jsonl"}
SAMPLE_PER_GROUP = 40
TIMING_MESSAGES = 600


def dev_messages() -> List[LabelledMessage]:
    return [m for path in DEV_SETS.values() for m in read_messages(path)]


def _share(share: Share) -> Dict[str, Any]:
    return {"rate": share.rate, "hits": share.hits, "total": share.total, "examples": share.examples[:60]}


def figures_as_dict(figures: TriageFigures) -> Dict[str, Any]:
    return {name: ({k: _share(v) for k, v in sorted(value.items())} if isinstance(value, dict) else _share(value))
            for name, value in vars(figures).items()}


def through_nlu(parse_full, messages: Sequence[LabelledMessage]) -> Dict[str, Any]:
    figures = evaluate(parse_full, messages)
    everyday = [m for m in messages if m.label == "off_topic"]
    plain = evaluate(parse_full, [m for m in everyday if m.context != "everyday_sense"])
    figurative = evaluate(parse_full, [m for m in everyday if m.context == "everyday_sense"])
    return {**figures_as_dict(figures),
            "everyday_plain_false_alarms": _share(plain.everyday_false_alarms),
            "everyday_figurative_false_alarms": _share(figurative.everyday_false_alarms)}


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
    """A sample of each group through the REST webhook: urgent messages must get the `emergency` answer,
    personal ones the refusal, general and everyday ones no alarm."""
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
            if group == "urgent":
                share.add("emergency" in got, message.text)
            elif group == "personal":
                share.add(bool(got) and got[0] in ("ask_personal_advice", "emergency"), message.text)
            else:
                share.add("emergency" not in got, message.text)
        results[group] = _share(share)
    return results
