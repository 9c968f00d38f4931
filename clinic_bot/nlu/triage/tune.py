"""`make triage-tune`: the classifier trained on data/triage as `make train` trains it, judged on the tuning
sets (tests/triage/tuning*.jsonl, never trained on) at several thresholds, with rules and classifier
combined as in the bot (messages alone, without a conversation around them). Prints the curves and the highest
check-in threshold that keeps recall at the target; put the chosen values into config.yml (TriageGate). The
development sets (tests/triage/dev_*.jsonl) are never used here."""
import argparse
from dataclasses import replace
from typing import Any, Callable, Dict, List

import yaml

from clinic_bot.content.nlu_data import read_all as read_nlu
from clinic_bot.intents import CHECK_IN
from clinic_bot.nlu.triage.component import TriageGate, load_lexicon, training_messages
from clinic_bot.nlu.triage.data import LabelledMessage, read_all
from clinic_bot.nlu.triage.decision import URGENT, Thresholds, TriageDecision
from clinic_bot.nlu.triage.engine import Triage
from clinic_bot.paths import NLU_DIR, REPO_ROOT, TRIAGE_TUNING_FILES

URGENT_CANDIDATES = (0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7)
EMERGENCY_CANDIDATES = (0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95)
RULES_CONFIRMED_CANDIDATES = (0.0, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3)
RULES_DISMISSED_CANDIDATES = (0.0, 0.005, 0.01, 0.02, 0.03, 0.05)
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
    tuning = read_all(TRIAGE_TUNING_FILES)
    configured = TriageGate.thresholds(config)

    def judged(**changes: float) -> List[TriageDecision]:
        triage = Triage(lexicon, classifier, replace(configured, **changes))
        return triage.judge_all([m.text for m in tuning])

    best = None
    print("check-in threshold (the classifier alone asks): 911/988 in the first reply, and check-ins")
    for urgent in URGENT_CANDIDATES:
        shown = [d.level == URGENT for d in judged(urgent=urgent, emergency=max(urgent, configured.emergency))]
        recall = _share(tuning, shown, lambda m: m.urgent)
        print(f"  urgent >= {urgent:.2f}: recall {recall:.1%}, general questions shown 911/988 "
              f"{_share(tuning, shown, lambda m: m.label == 'general'):.1%}, "
              f"off-topic {_share(tuning, shown, lambda m: m.label == 'off_topic'):.1%}")
        if recall >= target:
            best = urgent
    print("emergency threshold (the classifier alone gives the emergency message): urgent messages given it, "
          "and full alarms")
    for emergency in EMERGENCY_CANDIDATES:
        full = [d.emergency for d in judged(emergency=emergency)]
        print(f"  emergency >= {emergency:.2f}: urgent given the message "
              f"{_share(tuning, full, lambda m: m.urgent):.1%}, "
              f"full alarms general {_share(tuning, full, lambda m: m.label == 'general'):.1%}, "
              f"personal {_share(tuning, full, lambda m: m.label == 'personal'):.1%}, "
              f"off-topic {_share(tuning, full, lambda m: m.label == 'off_topic'):.1%}")
    print("rules confirmed (a rule alarm below this P(urgent) is a check-in): rule alarms turned into check-ins")
    for confirmed in RULES_CONFIRMED_CANDIDATES:
        decisions = judged(rules_confirmed=confirmed)
        demoted = [d.disposition == CHECK_IN and "rules" in d.raised_by for d in decisions]
        print(f"  rules confirmed >= {confirmed:.2f}: urgent {sum(f for m, f in zip(tuning, demoted) if m.urgent)}, "
              f"not urgent {sum(f for m, f in zip(tuning, demoted) if not m.urgent)}")
    print("rules dismissed (a rule alarm below this P(urgent) is no alarm): rule alarms dismissed")
    for dismissed in RULES_DISMISSED_CANDIDATES:
        findings = [any(f.current for f in trained.findings(m.text)) for m in tuning]
        calm = [found and d.level != URGENT for found, d in zip(findings, judged(rules_dismissed=dismissed))]
        print(f"  rules dismissed below {dismissed:.3f}: urgent {sum(f for m, f in zip(tuning, calm) if m.urgent)}, "
              f"not urgent {sum(f for m, f in zip(tuning, calm) if not m.urgent)}")
    probabilities = [d.probabilities for d in trained.judge_all([m.text for m in tuning])]
    for personal in PERSONAL_CANDIDATES:
        own = [p["personal"] >= personal for m, p in zip(tuning, probabilities) if m.label == "personal"]
        taken = [p["personal"] >= personal for m, p in zip(tuning, probabilities) if m.label == "general"]
        print(f"personal >= {personal:.2f}: personal found {sum(own) / len(own):.1%}, "
              f"general taken as personal {sum(taken) / len(taken):.1%}")
    print(f"highest urgent threshold with recall >= {target:.0%} on the tuning set: {best}")
    print(f"config.yml has urgent_threshold {config['urgent_threshold']}, emergency_threshold "
          f"{config['emergency_threshold']}, rules_confirmed_threshold {config['rules_confirmed_threshold']}, "
          f"personal_threshold {config['personal_threshold']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
