"""`make triage-tune`: the classifier trained on data/triage as `make train` trains it, judged on the tuning
set (tests/triage/tuning.jsonl, never trained on) at several thresholds, with rules and classifier
combined as in the bot. Prints the curve and the highest urgent threshold that keeps recall at the target;
put the chosen values into config.yml (TriageGate). The development sets are never used here."""
import argparse
from typing import Any, Callable, Dict, List

import yaml

from clinic_bot.content.nlu_data import read_all as read_nlu
from clinic_bot.nlu.triage.component import TriageGate, load_lexicon, training_messages
from clinic_bot.nlu.triage.data import LabelledMessage, read_messages
from clinic_bot.nlu.triage.decision import Thresholds
from clinic_bot.nlu.triage.engine import Triage
from clinic_bot.paths import NLU_DIR, REPO_ROOT, TRIAGE_TUNING_FILE

URGENT_CANDIDATES = (0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7)
PERSONAL_CANDIDATES = (0.2, 0.3, 0.4, 0.5, 0.6)


def _share(messages: List[LabelledMessage], flags: List[bool], pick: Callable[[LabelledMessage], bool]) -> float:
    """The share of flagged messages among those ``pick`` chooses."""
    chosen = [flag for message, flag in zip(messages, flags) if pick(message)]
    return sum(chosen) / max(1, len(chosen))


def component_config() -> Dict[str, Any]:
    config = yaml.safe_load((REPO_ROOT / "config.yml").read_text())
    for step in config.get("pipeline") or []:
        if str(step.get("name", "")).endswith("TriageGate"):
            return {**TriageGate.get_default_config(), **step}
    raise SystemExit("config.yml has no TriageGate in its pipeline")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--recall-target", type=float, default=0.99)
    target = parser.parse_args().recall_target
    config = component_config()
    lexicon = load_lexicon(config)
    nlu = [(e.text, e.intent) for e in read_nlu(NLU_DIR.glob("*.yml"))]
    trained = Triage.train(lexicon, training_messages(config, nlu), float(config["c"]), Thresholds(0.5, 0.5))
    classifier = trained.classifier
    tuning = read_messages(TRIAGE_TUNING_FILE)
    rows: List[str] = []
    best = None
    for urgent in URGENT_CANDIDATES:
        triage = Triage(lexicon, classifier, Thresholds(urgent, float(config["personal_threshold"])))
        alarmed = [d.level == "urgent" for d in triage.judge_all([m.text for m in tuning])]
        recall = _share(tuning, alarmed, lambda m: m.urgent)
        general = _share(tuning, alarmed, lambda m: m.label == "general")
        hard = _share(tuning, alarmed, lambda m: m.label == "general" and bool(m.concept))
        everyday = _share(tuning, alarmed, lambda m: m.label == "off_topic")
        rows.append(f"urgent >= {urgent:.2f}: recall {recall:.1%}, false alarms general {general:.1%} "
                    f"(with red-flag words {hard:.1%}), off-topic {everyday:.1%}")
        if recall >= target:
            best = urgent
    print("\n".join(rows))
    probabilities = [d.probabilities for d in trained.judge_all([m.text for m in tuning])]
    for personal in PERSONAL_CANDIDATES:
        own = [p["personal"] >= personal for m, p in zip(tuning, probabilities) if m.label == "personal"]
        taken = [p["personal"] >= personal for m, p in zip(tuning, probabilities) if m.label == "general"]
        print(f"personal >= {personal:.2f}: personal found {sum(own) / len(own):.1%}, "
              f"general taken as personal {sum(taken) / len(taken):.1%}")
    print(f"highest urgent threshold with recall >= {target:.0%} on the tuning set: {best}")
    print(f"config.yml has urgent_threshold {config['urgent_threshold']}, "
          f"personal_threshold {config['personal_threshold']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
