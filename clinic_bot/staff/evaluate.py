"""A model's figures on the sets that decide whether a retrained model may replace the running one.

    python -m clinic_bot.staff.evaluate MODEL --out figures.json

The NLU hold-out (topic accuracy: clinic_bot/holdout.py) and the triage development sets (urgent recall, Spanish
urgent recall, personal requests refused, false alarms: clinic_bot/nlu/triage/evaluate.py), through the model's
whole NLU: the same evaluations the model tests and the benchmark use. Run in its own process by the console's
retrain: a loaded model costs hundreds of MB, given back when the process ends.
"""
import argparse
import asyncio
import hashlib
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

from clinic_bot import paths
from clinic_bot.holdout import evaluate_file
from clinic_bot.nlu.triage.data import read_messages
from clinic_bot.nlu.triage.evaluate import evaluate as evaluate_triage

TRIAGE_DEV_SETS = (paths.TRIAGE_TEST_DIR / "dev_patients.jsonl", paths.TRIAGE_TEST_DIR / "dev_everyday.jsonl")


@dataclass(frozen=True)
class Figure:
    name: str
    label: str
    higher_is_better: bool
    never_worse: bool = False  # no margin: urgent messages must never be missed more often


FIGURES = (
    Figure("holdout_accuracy", "Topics understood (NLU hold-out)", True),
    Figure("urgent_recall", "Urgent messages sent to 911/988", True, never_worse=True),
    Figure("urgent_recall_spanish", "Urgent messages in Spanish sent to 911/988", True, never_worse=True),
    Figure("personal_refused", "Personal medical questions kept to the care team", True),
    Figure("general_false_alarms", "General questions wrongly treated as urgent", False),
    Figure("everyday_false_alarms", "Everyday messages wrongly treated as urgent", False),
)


def evaluation_sets() -> List[Path]:
    return [paths.HOLDOUT_FILE, *TRIAGE_DEV_SETS]


def fingerprint(model: Path) -> str:
    """Identifies a model file and the sets it is measured on: a cached evaluation is valid while it matches."""
    digest = hashlib.sha256()
    for path in [Path(model), *evaluation_sets()]:
        with open(path, "rb") as data:
            for block in iter(lambda: data.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()[:24]


def measure(model: Path) -> Dict[str, Any]:
    """{figure name: {"rate", "hits", "total"}} and "misses" (up to 20 examples per figure)."""
    from rasa.core.agent import Agent  # Rasa is slow to import: only here

    loop = asyncio.new_event_loop()
    agent = Agent.load(str(model))

    def parse(text: str) -> Dict[str, Any]:
        return loop.run_until_complete(agent.parse_message(text))

    holdout = evaluate_file(parse, paths.HOLDOUT_FILE)
    triage = evaluate_triage(parse, [m for path in TRIAGE_DEV_SETS for m in read_messages(path)])
    loop.close()
    shares = {"urgent_recall": triage.urgent_recall, "urgent_recall_spanish": triage.urgent_recall_spanish,
              "personal_refused": triage.personal_refused, "general_false_alarms": triage.general_false_alarms,
              "everyday_false_alarms": triage.everyday_false_alarms}
    figures: Dict[str, Any] = {"holdout_accuracy": {"rate": holdout.accuracy, "hits": holdout.hits,
                                                    "total": holdout.total}}
    for name, share in shares.items():
        figures[name] = {"rate": share.rate, "hits": share.hits, "total": share.total,
                         "examples": share.examples[:20]}
    return figures


@dataclass(frozen=True)
class Change:
    figure: Figure
    before: float
    after: float
    worse_by_points: float  # > 0: got worse
    too_much: bool

    def sentence(self) -> str:
        direction = "fell" if self.figure.higher_is_better else "rose"
        return (f"{self.figure.label} {direction} from {self.before:.1%} to {self.after:.1%}"
                + (" (it may never get worse)" if self.figure.never_worse else ""))


def compare(running: Dict[str, Any], candidate: Dict[str, Any], margin_points: float) -> List[Change]:
    """Every figure, before and after; `too_much` when it got worse beyond the margin (urgent ones: at all)."""
    changes = []
    for figure in FIGURES:
        before, after = float(running[figure.name]["rate"]), float(candidate[figure.name]["rate"])
        worse = (before - after) if figure.higher_is_better else (after - before)
        worse_points = round(worse * 100, 6)
        limit = 0.0 if figure.never_worse else margin_points
        changes.append(Change(figure, before, after, worse_points, worse_points > limit))
    return changes


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model", type=Path)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    figures = measure(args.model)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(figures, indent=1), encoding="utf-8")
    print(json.dumps({name: round(value["rate"], 4) for name, value in figures.items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
