"""The project's goals, each checked against the run's figures (one place, used by the report and the JSON)."""
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Tuple

from bench.language import SHORT_WORDS


@dataclass(frozen=True)
class Target:
    figure: str
    goal: str
    value: Callable[[Dict[str, Any]], Optional[float]]
    met: Callable[[float], bool]
    unit: str = ""


MIB_IN_MB = 1.048576


def _level(results: Dict[str, Any], patients: int, key: str) -> Optional[float]:
    for level in results.get("load", {}).get("levels", []):
        if level["patients"] == patients:
            return level.get(key)
    return None


def _margin(holdout: str) -> Callable[[Dict[str, Any]], Optional[float]]:
    """Rasa's accuracy on a hold-out ("holdout", "holdout_es") minus the peer's, in points."""
    def value(results: Dict[str, Any]) -> Optional[float]:
        quality = results.get("quality", {})
        rasa, peer = quality.get("rasa", {}).get(holdout), quality.get("peer", {}).get(holdout)
        if not rasa or not peer:
            return None
        return 100 * (rasa["accuracy"] - peer["accuracy"])
    return value


def _cv_margin(results: Dict[str, Any]) -> Optional[float]:
    cv = results.get("quality", {}).get("cv", {})
    if "rasa" not in cv or "peer" not in cv:
        return None
    return 100 * (cv["rasa"]["accuracy_mean"] - cv["peer"]["accuracy_mean"])


def _classifiers(results: Dict[str, Any]) -> Dict[str, Any]:
    return results.get("quality", {}).get("classifiers") or {}


def _adopted(key: str, scale: float = 1.0) -> Callable[[Dict[str, Any]], Optional[float]]:
    """A figure of config.yml's classifier in the side-by-side comparison (bench/candidates.py)."""
    def value(results: Dict[str, Any]) -> Optional[float]:
        adopted = _classifiers(results).get("config.yml")
        if not adopted:
            return None
        if key == "procedure_forms_answered":
            forms = adopted["procedure_forms"]
            return scale * forms["answered"] / forms["questions"] if forms["questions"] else None
        return None if adopted.get(key) is None else scale * float(adopted[key])
    return value


def _cpu_ratio(results: Dict[str, Any]) -> Optional[float]:
    compared = _classifiers(results)
    if "config.yml" not in compared or "diet" not in compared:
        return None
    return compared["config.yml"]["nlu_cpu_ms_per_message"] / compared["diet"]["nlu_cpu_ms_per_message"]


# The Rasa server's CPU per message at 8 patients before the speed-ups moved to extension points:
# 11.1 ms, the mean of two runs of commit 3f816b0 alternated with the new code in one session (bench/tuning.md).
CPU_MS_BEFORE_EXTENSION_POINTS = 11.1


def profile_levels(results: Dict[str, Any]) -> Dict[str, List[Dict[str, Any]]]:
    """Each measured profile's load levels: "embedded" (make run) and "scaled_N" (make run-scaled, N Rasa)."""
    profiles = {"embedded": results.get("load", {}).get("levels", [])}
    for name, part in (results.get("scaling") or {}).items():
        profiles[name] = part["levels"]
    return {name: levels for name, levels in profiles.items() if levels}


def _at(levels: List[Dict[str, Any]], patients: int) -> Optional[Dict[str, Any]]:
    return next((level for level in levels if level["patients"] == patients), None)


def best_profile_at_8(results: Dict[str, Any]) -> Optional[str]:
    """The profile with the most messages a second at 8 patients."""
    measured = {name: _at(levels, 8) for name, levels in profile_levels(results).items()}
    ranked = sorted((level["messages_per_s"], name) for name, level in measured.items() if level)
    return ranked[-1][1] if ranked else None


def _best_at_8(key: str) -> Callable[[Dict[str, Any]], Optional[float]]:
    def value(results: Dict[str, Any]) -> Optional[float]:
        best = best_profile_at_8(results)
        level = _at(profile_levels(results)[best], 8) if best else None
        return None if level is None else float(level[key])
    return value


def _scaled(processes: int, patients: int, key: str) -> Callable[[Dict[str, Any]], Optional[float]]:
    def value(results: Dict[str, Any]) -> Optional[float]:
        level = _at(profile_levels(results).get(f"scaled_{processes}", []), patients)
        return None if level is None else float(level[key])
    return value


def rasa_cpu_ms(level: Dict[str, Any]) -> float:
    """The Rasa servers' CPU per message, all Rasa processes together."""
    return sum(value for key, value in level.items() if key.startswith("cpu_ms_per_message_rasa"))


def _saturation(levels: List[Dict[str, Any]]) -> Optional[Dict[str, Any]]:
    return max(levels, key=lambda level: float(level["messages_per_s"])) if levels else None


def _two_over_one(results: Dict[str, Any]) -> Optional[float]:
    profiles = profile_levels(results)
    one, two = _saturation(profiles.get("scaled_1", [])), _saturation(profiles.get("scaled_2", []))
    return None if not one or not two else two["messages_per_s"] / one["messages_per_s"]


def _cpu_two_over_one(results: Dict[str, Any]) -> Optional[float]:
    profiles = profile_levels(results)
    one, two = _saturation(profiles.get("scaled_1", [])), _saturation(profiles.get("scaled_2", []))
    return None if not one or not two else rasa_cpu_ms(two) / rasa_cpu_ms(one)


def _bench_minutes(results: Dict[str, Any]) -> Optional[float]:
    """The whole run without the side-by-side comparison of classifiers (which trains every candidate 6 times)."""
    if "duration_s" not in results or results.get("only"):  # a run of some parts alone says nothing of the whole
        return None
    return (results["duration_s"] - results.get("quality", {}).get("classifiers_seconds", 0.0)) / 60


def _get(*keys: str, scale: float = 1.0) -> Callable[[Dict[str, Any]], Optional[float]]:
    def value(results: Dict[str, Any]) -> Optional[float]:
        node: Any = results
        for key in keys:
            if not isinstance(node, dict) or key not in node:
                return None
            node = node[key]
        return None if node is None else float(node) * scale
    return value


def insights_stores(results: Dict[str, Any]) -> Dict[str, Dict[str, Any]]:
    """The insights page's figures per store ("sqlite", "postgresql") that were measured (bench/insights_page.py)."""
    stores = (results.get("insights") or {}).get("stores") or {}
    return {name: store for name, store in stores.items() if store.get("pages")}


def _insights_slowest(store: str) -> Callable[[Dict[str, Any]], Optional[float]]:
    """The slowest timed request of the insights page on ``store``, whatever the period."""
    def value(results: Dict[str, Any]) -> Optional[float]:
        pages = insights_stores(results).get(store, {}).get("pages")
        return max(page["max_s"] for page in pages) if pages else None
    return value


def _insights_index(results: Dict[str, Any]) -> Optional[float]:
    """The share of the insights' queries (90 days, every store measured) whose plan uses the index meant for it."""
    used = [flag for store in insights_stores(results).values()
            for flag in store["query_plans"]["index_used"].values()]
    return 100 * sum(used) / len(used) if used else None


# The triage's aims: (key of DevelopmentFigures.aims, what the report calls it, the aim, the test of a value in %).
TRIAGE_AIMS: List[Tuple[str, str, str, Callable[[float], bool]]] = [
    ("urgent_recall", "urgent messages shown 911/988 in the first reply (emergency message or check-in)", ">= 99%",
     lambda v: v >= 99),
    ("urgent_recall_spanish", "urgent recall, Spanish", ">= 99%", lambda v: v >= 99),
    ("crisis_recall", "urgent recall, crisis", ">= 99%", lambda v: v >= 99),
    ("urgent_full_message", "urgent messages given the emergency message itself", ">= 95%", lambda v: v >= 95),
    ("everyday_full_alarms", "everyday messages: full alarms", "<= 0.3%", lambda v: v <= 0.3),
    ("everyday_check_ins", "everyday messages: check-ins", "<= 2%", lambda v: v <= 2),
    ("replies_first_alarms", "conversation replies, first message: alarms", "0", lambda v: v == 0),
    ("replies_first_check_ins", "conversation replies, first message: check-ins", "0", lambda v: v == 0),
    ("replies_after_alarms", "conversation replies after 'Was this helpful?': alarms", "0", lambda v: v == 0),
    ("replies_after_check_ins", "conversation replies after 'Was this helpful?': check-ins", "0", lambda v: v == 0),
    ("health_full_alarms", "non-urgent health questions: full alarms", "<= 2%", lambda v: v <= 2),
    ("health_check_ins", "non-urgent health questions: check-ins", "<= 5%", lambda v: v <= 5),
    ("frightening_full_alarms", "general and practical questions with frightening words: full alarms", "<= 2%",
     lambda v: v <= 2),
    ("personal_refused", "personal-advice requests refused", ">= 95%", lambda v: v >= 95),
]


TARGETS: List[Target] = [
    # Understanding: the fresh hold-out (tests/nlu/holdout.yml), never used for tuning.
    Target("hold-out intent accuracy", ">= 96%", _get("quality", "rasa", "holdout", "accuracy", scale=100),
           lambda v: v >= 96, "%"),
    # Practical questions: the same aim, on the hold-out's practical intents alone.
    Target("hold-out intent accuracy, practical intents", ">= 96%",
           _get("quality", "rasa", "holdout_practical", "accuracy", scale=100), lambda v: v >= 96, "%"),
    Target("margin over the peer, hold-out accuracy", ">= 3 points", _margin("holdout"), lambda v: v >= 3, " points"),
    Target("margin over the peer, 5-fold cross-validation", ">= 3 points", _cv_margin, lambda v: v >= 3, " points"),
    # Spanish: the Spanish hold-out (tests/nlu/holdout_es.yml), and the language detector on the messages whose
    # language the annotator could tell (bench/language.py).
    Target("Spanish hold-out intent accuracy", ">= 90%", _get("quality", "rasa", "holdout_es", "accuracy", scale=100),
           lambda v: v >= 90, "%"),
    Target("margin over the peer, Spanish hold-out accuracy (Rasa no worse than the TF-IDF peer)", ">= 0 points",
           _margin("holdout_es"), lambda v: v >= 0, " points"),
    Target("language read right, hold-outs", ">= 98%",
           _get("quality", "rasa", "language", "holdouts", "all", "rate", scale=100), lambda v: v >= 98, "%"),
    Target(f"language read right, hold-outs' messages of up to {SHORT_WORDS} words", ">= 98%",
           _get("quality", "rasa", "language", "holdouts", "short", "rate", scale=100), lambda v: v >= 98, "%"),
    Target("'explain / tell me about <procedure>' forms answered with that procedure", "100%",
           _adopted("procedure_forms_answered", scale=100), lambda v: v >= 100, "%"),
    Target("everyday off-topic hold-out messages given an FAQ answer", "<= 3%",
           _adopted("off_topic_got_faq_answer", scale=100), lambda v: v <= 3, "%"),
    Target("in-scope hold-out questions sent to the fallback", "<= 1%",
           _adopted("in_scope_to_fallback", scale=100), lambda v: v <= 1, "%"),
    Target("NLU CPU per message, against the DIET pipeline it replaced", "<= 1x", _cpu_ratio, lambda v: v <= 1, "x"),
    Target("red flags shown 911/988, whole bot", "100%", _get("whole_bot", "emergency", "recall", scale=100),
           lambda v: v >= 100, "%"),
    Target("off-topic routed away from FAQ answers, whole bot", ">= 90%",
           _get("whole_bot", "off_topic", "share", scale=100), lambda v: v >= 90, "%"),
    # Triage, on the development sets through the whole NLU (bench/triage.py, clinic_bot/nlu/triage/evaluate.py).
    *(Target(label, goal, _get("quality", "rasa", "triage", "aims", key, "rate", scale=100), test, "%")
      for key, label, goal, test in TRIAGE_AIMS),
    Target("urgent path (the triage's own work), mean per message", "<= 2 ms",
           _get("triage_speed", "mean_ms"), lambda v: v <= 2, " ms"),
    Target("Rasa server CPU per message at 8 patients, within 10% of before the extension points",
           f"<= {1.1 * CPU_MS_BEFORE_EXTENSION_POINTS:.1f} ms", lambda r: _level(r, 8, "cpu_ms_per_message_rasa"),
           lambda v: v <= 1.1 * CPU_MS_BEFORE_EXTENSION_POINTS, " ms"),
    Target("1 patient p50", "<= 15 ms", lambda r: _level(r, 1, "p50_ms"), lambda v: v <= 15, " ms"),
    Target("1 patient p95", "<= 25 ms", lambda r: _level(r, 1, "p95_ms"), lambda v: v <= 25, " ms"),
    Target("messages per second at saturation", ">= 100",
           lambda r: max((lv["messages_per_s"] for lv in r.get("load", {}).get("levels", [])), default=None),
           lambda v: v >= 100),
    Target("8 patients p95", "<= 150 ms", lambda r: _level(r, 8, "p95_ms"), lambda v: v <= 150, " ms"),
    Target("32 patients p95", "< 600 ms", lambda r: _level(r, 32, "p95_ms"), lambda v: v < 600, " ms"),
    Target("32 patients errors", "0", lambda r: _level(r, 32, "errors"), lambda v: v == 0),
    # Scaling out: the embedded profile and the scaled one with 1 and 2 Rasa processes (bench/scaling.py).
    Target("best profile at 8 patients: messages per second", ">= 100", _best_at_8("messages_per_s"),
           lambda v: v >= 100),
    Target("best profile at 8 patients: p95", "<= 150 ms", _best_at_8("p95_ms"), lambda v: v <= 150, " ms"),
    Target("scaled, 2 Rasa, 32 patients: errors", "0", _scaled(2, 32, "errors"), lambda v: v == 0),
    Target("scaled, 2 Rasa, 32 patients: p95", "< 600 ms", _scaled(2, 32, "p95_ms"), lambda v: v < 600, " ms"),
    Target("throughput at saturation, 2 Rasa processes / 1", ">= 1.5x", _two_over_one, lambda v: v >= 1.5, "x"),
    Target("Rasa CPU per message at saturation, 2 processes / 1", "<= 1.1x", _cpu_two_over_one,
           lambda v: v <= 1.1, "x"),
    Target("turn 40 / turn 2 latency", "<= 1.5", _get("load", "long_conversation", "ratio_last_to_2"),
           lambda v: v <= 1.5, "x"),
    Target("start to first answer", "<= 12 s", _get("footprint", "start_to_first_answer_s"), lambda v: v <= 12, " s"),
    # Measured in MiB (/proc), judged in MB as the goal is written (800 MB = 763 MiB).
    Target("Rasa server resident memory after load", "<= 800 MB",
           _get("footprint", "rss_rasa_mib_after_load", scale=MIB_IN_MB), lambda v: v <= 800, " MB"),
    Target("training time from a clean cache", "< 180 s", _get("footprint", "training_seconds_clean_cache"),
           lambda v: v < 180, " s"),
    # The staff console's insights page on a year of synthetic traffic (bench/insights_page.py), every request.
    Target("insights page on a year of traffic, SQLite store: slowest request (7, 30 or 90 days)", "< 2 s",
           _insights_slowest("sqlite"), lambda v: v < 2, " s"),
    Target("insights page on a year of traffic, PostgreSQL store: slowest request (7, 30 or 90 days)", "< 2 s",
           _insights_slowest("postgresql"), lambda v: v < 2, " s"),
    Target("insights queries over 90 days that count through their index, both stores", "100%",
           _insights_index, lambda v: v >= 100, "%"),
    Target("whole `make bench` without the comparison of classifiers", "<= 20 min", _bench_minutes,
           lambda v: v <= 20, " min"),
]


def check(results: Dict[str, Any]) -> List[Dict[str, Any]]:
    rows = []
    for target in TARGETS:
        value = target.value(results)
        rows.append({"figure": target.figure, "goal": target.goal, "value": value, "unit": target.unit,
                     "met": None if value is None else bool(target.met(value))})
    return rows
