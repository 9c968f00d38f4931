"""Writes reports/benchmark.json (every figure) and reports/benchmark.md (the same, for people)."""
import json
from pathlib import Path
from typing import Any, Dict, List, Optional

from bench.targets import best_profile_at_8, check, insights_stores, profile_levels
from clinic_bot.store import outcomes

TUNING_LOG = Path(__file__).with_name("tuning.md")


def _pct(value: Optional[float]) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"


def _num(value: Optional[float], digits: int = 1) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def _share(share: Dict[str, Any]) -> str:
    """A share of messages ({"rate", "hits", "total"}) as "97.5% (39/40)"."""
    return f"{_pct(share['rate'])} ({share['hits']}/{share['total']})" if share["total"] else "n/a"


def _table(header: List[str], rows: List[List[str]]) -> List[str]:
    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)] + ["| " + " | ".join(r) + " |" for r in rows]


def _targets(results: Dict[str, Any]) -> List[str]:
    rows = []
    for row in results["targets"]:
        value = "not measured" if row["value"] is None else f"{row['value']:.1f}{row['unit']}"
        verdict = {True: "met", False: "**not met**", None: "-"}[row["met"]]
        rows.append([row["figure"], value, row["goal"], verdict])
    return _table(["figure", "measured", "goal", ""], rows)


def _understanding(results: Dict[str, Any]) -> List[str]:
    quality = results.get("quality")
    if not quality:
        return ["Not measured in this run."]
    rasa, peer, cv = quality["rasa"], quality["peer"], quality.get("cv", {})
    rasa_cv, peer_cv = cv.get("rasa"), cv.get("peer")

    def cv_cell(summary: Optional[Dict[str, Any]], key: str) -> str:
        if not summary:
            return "not run"
        return f"{_pct(summary[key])}" + (f" ± {_pct(summary['accuracy_std'])}" if key == "accuracy_mean" else "")

    lines = _table(["", f"Rasa (`{results['config']}`)", "peer"], [
        [f"hold-out intent accuracy ({rasa['holdout']['n']} messages)", _pct(rasa["holdout"]["accuracy"]),
         _pct(peer["holdout"]["accuracy"])],
        ["hold-out macro-F1", _pct(rasa["holdout"]["macro_f1"]), _pct(peer["holdout"]["macro_f1"])],
        ["hold-out accuracy of the classifier alone (before fallback)",
         _pct(rasa["holdout_classifier_only"]["accuracy"]), "(no fallback)"],
        ["5-fold cross-validation accuracy (mean ± sd, same folds)", cv_cell(rasa_cv, "accuracy_mean"),
         cv_cell(peer_cv, "accuracy_mean")],
        ["5-fold cross-validation macro-F1", cv_cell(rasa_cv, "macro_f1_mean"), cv_cell(peer_cv, "macro_f1_mean")],
        ["5-fold cross-validation accuracy of the classifier alone (before fallback)",
         _pct(rasa_cv.get("classifier_only_accuracy_mean")) if rasa_cv else "not run", "(no fallback)"],
        ["off-topic messages routed to out_of_scope or fallback (NLU)", _pct(rasa["off_topic_routed_away"]),
         _pct(peer["off_topic_routed_away"])],
        ["in-scope messages wrongly routed to out_of_scope or fallback (NLU)", _pct(rasa["in_scope_false_fallback"]),
         _pct(peer["in_scope_false_fallback"])],
        ["training time", f"{_num(results.get('footprint', {}).get('training_seconds_clean_cache'))} s (`rasa train`, "
         "clean cache)", f"{_num(peer['train_seconds'], 2)} s"],
    ])
    chosen = (f"C={peer['c']:g}, chosen by cross-validation on the training data (mean accuracy by C: " +
              ", ".join(f"{c}: {_pct(a)}" for c, a in peer_cv["accuracy_by_c"].items()) + ")") if peer_cv else \
        f"C={peer['c']:g} (cross-validation skipped)"
    lines += ["", f"Peer: {quality['peer_name']}, {chosen}. Cross-validation: the training examples of `data/nlu/` "
              f"split into the same {rasa_cv['folds'] if rasa_cv else 5} stratified folds for both; Rasa's folds train "
              "the NLU pipeline of the same config. The hold-out set (`tests/nlu/holdout.yml`) is never trained on.",
              ""]
    lines += ["![Rasa confusion matrix](confusion_rasa.png) ![peer confusion matrix](confusion_peer.png)", ""]
    rows = []
    for intent, r in rasa["holdout"]["per_intent"].items():
        p = peer["holdout"]["per_intent"][intent]
        rows.append([intent, _pct(r["precision"]), _pct(r["recall"]), _pct(p["precision"]), _pct(p["recall"]),
                     str(r["support"])])
    lines += ["Per intent, hold-out set:", ""]
    lines += _table(["intent", "Rasa precision", "Rasa recall", "peer precision", "peer recall", "examples"], rows)
    lines += ["", "Most frequent hold-out confusions (true -> predicted): Rasa: " +
              (", ".join(f"{k} ({n})" for k, n in rasa["holdout"]["top_confusions"]) or "none") +
              "; peer: " + (", ".join(f"{k} ({n})" for k, n in peer["holdout"]["top_confusions"]) or "none") + "."]
    return lines


def _confusions(figures: Optional[Dict[str, Any]]) -> str:
    if not figures:
        return "not measured"
    return ", ".join(f"{k} ({n})" for k, n in figures["top_confusions"]) or "none"


def _spanish(results: Dict[str, Any]) -> List[str]:
    quality = results.get("quality") or {}
    rasa, peer = quality.get("rasa") or {}, quality.get("peer") or {}
    if "holdout_es" not in rasa:
        return ["Not measured in this run."]
    ours, theirs = rasa["holdout_es"], peer.get("holdout_es")
    lines = _table(["", f"Rasa (`{results['config']}`)", "peer"], [
        [f"Spanish hold-out intent accuracy ({ours['n']} messages)", _pct(ours["accuracy"]),
         _pct(theirs["accuracy"]) if theirs else "n/a"],
        ["Spanish hold-out macro-F1", _pct(ours["macro_f1"]), _pct(theirs["macro_f1"]) if theirs else "n/a"],
    ])
    lines += ["", "The Spanish hold-out (`tests/nlu/holdout_es.yml`) is never trained on; both models train on all of "
              "`data/nlu/`, its Spanish files (`*_es.yml`) included. Rasa's figure is the intent the bot acts on, as "
              "for the English hold-out. The Spanish development set (`dev_es`) has its column in \"Intent "
              "classifiers side by side\" (for config.yml's classifier and the peer).", "",
              f"Most frequent Spanish hold-out confusions (true -> predicted): Rasa: {_confusions(ours)}; "
              f"peer: {_confusions(theirs)}."]
    detected = rasa.get("language")
    if detected:
        short = detected["short_words"]
        lines += ["", "The language of each message, as the Rasa model reads it on its own (Spanish when P(Spanish) "
                  ">= 0.5), against a bilingual annotator's label (`tests/nlu/message_languages.jsonl`; the messages "
                  "either language could say, such as \"ok\", left out):", "",
                  *_table(["messages", "language read right"], [
                      ["hold-outs' (`holdout.yml`, `holdout_es.yml`)", _share(detected["holdouts"]["all"])],
                      [f"hold-outs', of up to {short} words", _share(detected["holdouts"]["short"])],
                      ["development sets' (`tests/nlu/dev_*.yml`)", _share(detected["dev"]["all"])],
                      [f"development sets', of up to {short} words", _share(detected["dev"]["short"])],
                  ])]
        wrong = detected["holdouts"]["wrong"]
        if wrong:
            lines += ["", "Hold-out messages read in the wrong language: "
                      + "; ".join(f"'{w['text']}' ({w['language']} read as {w['read_as']})" for w in wrong[:20])
                      + (f"; and {len(wrong) - 20} more (`benchmark.json`)" if len(wrong) > 20 else "") + "."]
    urgent = (rasa.get("triage") or {}).get("spanish_urgent_in_spanish")
    if urgent:
        lines += ["", f"Spanish urgent messages answered in Spanish: {_share(urgent)} (the triage's figures: "
                  "\"Triage: urgent, personal, general\")."]
    return lines


def _classifiers(results: Dict[str, Any]) -> List[str]:
    quality = results.get("quality") or {}
    compared = quality.get("classifiers")
    if not compared:
        return ["Not measured in this run (`--skip candidates`)."]
    dev_names = sorted(next(iter(compared.values()))["dev"])
    header = ["classifier", "5-fold CV accuracy", "hold-out accuracy", *[f"`{n}` accuracy" for n in dev_names],
              "everyday off-topic given an FAQ answer (hold-out)", "`off_topic.yml` given an FAQ answer",
              "in-scope to fallback (hold-out)", "explain-forms answered", "NLU training s", "NLU CPU ms/message"]
    rows = []
    for name, f in compared.items():
        cv = f.get("cv")
        forms = f["procedure_forms"]
        rows.append([f"**{name}**" if name == "config.yml" else name,
                     f"{_pct(cv['accuracy_mean'])} ± {_pct(cv['accuracy_std'])}" if cv else "not run",
                     _pct(f["holdout"]["accuracy"]), *[_pct(f["dev"][n]["accuracy"]) for n in dev_names],
                     _pct(f["off_topic_got_faq_answer"]), _pct(f["off_topic_file_got_faq_answer"]),
                     _pct(f["in_scope_to_fallback"]), f"{forms['answered']}/{forms['questions']}",
                     _num(f["train_seconds_nlu"]), _num(f["nlu_cpu_ms_per_message"], 2)])
    peer, peer_cv = quality["peer"], quality.get("cv", {}).get("peer")
    rows.append(["peer (TF-IDF + LR, the yardstick)",
                 f"{_pct(peer_cv['accuracy_mean'])} ± {_pct(peer_cv['accuracy_std'])}" if peer_cv else "not run",
                 _pct(peer["holdout"]["accuracy"]), *[_pct(peer["dev"][n]["accuracy"]) for n in dev_names],
                 _pct(peer.get("off_topic_got_faq_answer")), "", "(no fallback)", "",
                 _num(peer["train_seconds"], 1), ""])
    lines = _table(header, rows)
    lines += ["", "Each classifier runs inside config.yml's pipeline (spaCy, entities, fallback, triage), trained "
              "NLU-only on `data/nlu/`; the same stratified folds for all and for the peer. Accuracy is of the "
              "intent the bot acts on (a fallback counts as a miss). What each candidate is: "
              + "; ".join(f"{name}: {f['about']}" for name, f in compared.items()) + ". Losers and earlier "
              "variants: `bench/tuning.md`.", ""]
    wrong = compared.get("config.yml", {}).get("procedure_forms", {}).get("wrong") or []
    if wrong:
        lines += ["Explain-forms config.yml got wrong: " + "; ".join(f"'{w['text']}' -> {w['intent']} {w['procedures']}"
                                                                   for w in wrong[:12]), ""]
    return lines


def _whole_bot(results: Dict[str, Any]) -> List[str]:
    bot = results.get("whole_bot")
    if not bot:
        return ["Not measured in this run."]
    emergency = bot["emergency"]
    lines = _table(["through the REST webhook, real action server", "measured"], [
        [f"red flags shown 911/988 ({emergency['messages']} red-flag messages, each as first message and "
         "mid-conversation)",
         f"{_pct(emergency['recall'])} ({emergency['checked'] - len(emergency['missed'])}/{emergency['checked']})"],
        ["false emergency alarms on general risk questions",
         f"{bot['false_alarms']['false_alarms']}/{bot['false_alarms']['messages']}"],
        ["off-topic messages answered with out_of_scope or topic suggestions",
         f"{_pct(bot['off_topic']['share'])} ({bot['off_topic']['routed_away']}/{bot['off_topic']['messages']})"],
        ["in-scope questions wrongly answered with out_of_scope or topic suggestions",
         f"{_pct(bot['in_scope']['share'])} ({bot['in_scope']['routed_away']}/{bot['in_scope']['messages']})"],
    ])
    if emergency["missed"]:
        lines += ["", "Missed red flags: " + "; ".join(m["text"] for m in emergency["missed"])]
    if bot["off_topic"]["kept"]:
        lines += ["", "Off-topic messages that got an FAQ or conversation answer: "
                  + "; ".join(bot["off_topic"]["kept"])]
    return lines


def _triage(results: Dict[str, Any]) -> List[str]:
    figures = results.get("quality", {}).get("rasa", {}).get("triage")
    if not figures:
        return ["Not measured in this run."]
    rows = [[aim["label"], _share(aim)] for aim in figures.get("aims", {}).values()]
    rows += [[label, _share(figures[key])] for label, key in [
        ("Spanish urgent messages answered in Spanish", "spanish_urgent_in_spanish"),
        ("false alarms, all general questions", "general_false_alarms"),
        ("check-ins, all general questions", "general_check_ins"),
    ]]
    rows += [[f"urgent recall: {concept}", _share(share)]
             for concept, share in figures["urgent_recall_by_concept"].items()]
    lines = ["On the development sets (tests/triage/dev_*.jsonl: never trained or tuned on; docs/understanding.md "
             "says who wrote them), through the trained model's whole NLU, each message as a first message (the "
             "conversation replies also as the answer to \"Was this helpful?\"). A full alarm is the emergency "
             "message; a check-in asks \"is this happening now?\" and shows 911 and 988:", "",
             *_table(["figure", "measured"], rows)]
    speed = results.get("triage_speed")
    if speed:
        lines += ["", f"The triage's own work per message ({speed['messages']} messages, one at a time): mean "
                  f"{speed['mean_ms']:.2f} ms, p50 {speed['p50_ms']:.2f} ms, p95 {speed['p95_ms']:.2f} ms."]
    bot = results.get("whole_bot", {}).get("triage")
    if bot:
        lines += ["", "A sample of each group through the whole bot (REST webhook and action server): "
                  + ", ".join(f"{group} {_share(share)} right" for group, share in bot.items()) + "."]
    return lines


def _speed(results: Dict[str, Any]) -> List[str]:
    load = results.get("load")
    if not load:
        return ["Not measured in this run."]
    rows = [[str(lv["patients"]), str(lv["messages"]), str(lv["errors"]), _num(lv["p50_ms"]), _num(lv["p95_ms"]),
             _num(lv["p99_ms"]), _num(lv["messages_per_s"]), _num(lv.get("cpu_ms_per_message_rasa")),
             _num(lv.get("cpu_ms_per_message_actions")), _num(lv.get("cpu_ms_per_message_client")),
             _pct(lv.get("other_work_cpu_share"))] for lv in load["levels"]]
    lines = _table(["patients", "messages", "errors", "p50 ms", "p95 ms", "p99 ms", "messages/s",
                    "Rasa CPU ms/message", "action server CPU ms/message", "load client CPU ms/message",
                    "other work, share of the machine's CPU"], rows)
    long = load["long_conversation"]
    lines += ["", f"Each patient holds {load['turns_per_conversation']}-turn conversations, then starts a new one, "
              f"sending each message as soon as the reply arrived; {load['warmup_s']:.0f} s warm-up excluded, then "
              f"{load['window_s']:.0f} s measured per level. "
              "CPU ms/message: CPU time the server used during the window "
              "divided by the messages counted; it hardly depends on other work on the machine, unlike latency.", "",
              "![throughput against concurrency](throughput.png)", "",
              f"One long conversation ({long['conversations']} conversations of {long['turns']} turns, one patient): "
              f"turn 2 median {_num(long['turn_2_ms'])} ms, "
              f"turn {long['turns']} median {_num(long['turn_last_ms'])} ms "
              f"(ratio {_num(long['ratio_last_to_2'], 2)}); turns 2-4 {_num(long['turns_2_4_ms'])} ms, last three "
              f"{_num(long['last_3_turns_ms'])} ms; errors {long['errors']}.", "",
              "![latency by turn](latency_by_turn.png)"]
    return lines


COMPONENTS = ("rasa", "actions", "postgres", "redis", "proxy", "client")


def _component_cpu(level: Dict[str, Any], component: str) -> Optional[float]:
    """CPU ms per message of one component; the Rasa processes summed."""
    values = [value for key, value in level.items()
              if key == f"cpu_ms_per_message_{component}" or key.startswith(f"cpu_ms_per_message_{component}-")]
    return sum(values) if values else None


def _scaling(results: Dict[str, Any]) -> List[str]:
    profiles = profile_levels(results)
    if len(profiles) < 2:
        return ["Not measured in this run (`--skip scaling` or `--skip load`)."]
    names = {"embedded": "embedded (`make run`): 1 Rasa, SQLite",
             **{name: f"scaled (`make run-scaled`): {name.split('_')[1]} Rasa, PostgreSQL, Redis, nginx"
                for name in profiles if name.startswith("scaled_")}}
    rows = [[names[name], str(lv["patients"]), _num(lv["messages_per_s"]), _num(lv["p50_ms"]), _num(lv["p95_ms"]),
             str(lv["errors"]), *[_num(_component_cpu(lv, c)) for c in COMPONENTS],
             _num(sum(v for c in COMPONENTS if (v := _component_cpu(lv, c)) is not None))]
            for name, levels in profiles.items() for lv in levels]
    lines = _table(["profile", "patients", "messages/s", "p50 ms", "p95 ms", "errors",
                    *[f"{c} CPU ms/msg" for c in COMPONENTS], "all CPU ms/msg"], rows)
    memory = [[names[name], " / ".join(f"{process} {mib:.0f}" for process, mib in part["rss_mib_after_load"].items()),
               f"{part['start_to_first_answer_s']:.1f} s"]
              for name, part in (results.get("scaling") or {}).items()]
    fp = results.get("footprint", {})
    memory.insert(0, [names["embedded"], f"rasa {_num(fp.get('rss_rasa_mib_after_load'), 0)} / actions "
                      f"{_num(fp.get('rss_actions_mib_after_load'), 0)}",
                      f"{_num(fp.get('start_to_first_answer_s'))} s"])
    lines += ["", "Resident memory per process after the load (MiB; PostgreSQL and nginx with their worker "
              "processes) and the start of the whole profile to its first answer:", "",
              *_table(["profile", "MiB per process", "start to first answer"], memory)]
    best = best_profile_at_8(results)
    lines += ["", f"Best profile at 8 patients: {names.get(best or '', '-')}. "
              "Every simulated patient goes through the proxy in the scaled profile (one more hop) and the channel's "
              "rate limits are lifted for the run, as for the embedded profile. \"all CPU\" includes the load "
              "client (this benchmark's own process): on these 2 cores, the messages a second the machine can "
              "carry is at most 2,000 divided by it.", "", "![throughput against Rasa processes](scaling.png)"]
    return lines


def _footprint(results: Dict[str, Any]) -> List[str]:
    fp = results.get("footprint", {})
    return _table(["", "measured"], [
        ["start of both servers to the first answer", f"{_num(fp.get('start_to_first_answer_s'))} s"],
        ["Rasa server resident memory, ready / after the load",
         f"{_num(fp.get('rss_rasa_mib_ready'), 0)} / {_num(fp.get('rss_rasa_mib_after_load'), 0)} MiB"],
        ["action server resident memory, ready / after the load",
         f"{_num(fp.get('rss_actions_mib_ready'), 0)} / {_num(fp.get('rss_actions_mib_after_load'), 0)} MiB"],
        ["model size on disk", f"{_num(fp.get('model_size_mib'))} MiB"],
        ["training time from a clean cache (`rasa train`, NLU and dialogue)",
         f"{_num(fp.get('training_seconds_clean_cache'))} s"],
    ])


def _serving_figures(part: Dict[str, Any]) -> Dict[str, str]:
    fp, load = part.get("footprint", {}), part.get("load", {})
    levels = {lv["patients"]: lv for lv in load.get("levels", [])}
    long = load.get("long_conversation", {})
    figures = {
        "start of both servers to the first answer": f"{_num(fp.get('start_to_first_answer_s'))} s",
        "Rasa server resident memory after the load": f"{_num(fp.get('rss_rasa_mib_after_load'), 0)} MiB",
        "turn 40 / turn 2 of one conversation": f"{_num(long.get('ratio_last_to_2'), 2)}x",
        "messages per second at saturation":
            _num(max((lv["messages_per_s"] for lv in levels.values()), default=None)),
    }
    for patients, lv in sorted(levels.items()):
        figures[f"{patients} patient(s): p50 / p95 ms"] = f"{_num(lv['p50_ms'])} / {_num(lv['p95_ms'])}"
        figures[f"{patients} patient(s): Rasa CPU ms per message"] = _num(lv.get("cpu_ms_per_message_rasa"))
    return figures


def _before_after(results: Dict[str, Any]) -> List[str]:
    baseline = results.get("baseline")
    if not baseline or "load" not in results:
        return ["Not measured in this run (`--no-baseline`, or the load was skipped)."]
    before, after = _serving_figures(baseline), _serving_figures(results)
    lines = _table(["", "before: plain `rasa run`, Rasa's SQL store", "after: the project's launch (`make run`)"],
                   [[name, before.get(name, "n/a"), value] for name, value in after.items()])
    return lines + ["", "Same model, same machine, same run, same load; only the launch differs: the \"after\" "
                    "server adds the conversation store clinic_bot/server/tracker_store.py, "
                    "single-threaded TensorFlow and two malloc arenas, and endpoints.yml's selective domain. "
                    "What travels with the model is in both: the components and policy config.yml names and "
                    "clinic_bot/rasa_patches.py, which Rasa installs when it loads them. "
                    "What each lever gave: \"Tuning\" below."]


STORE_NAMES = {"sqlite": "SQLite (`make run`)", "postgresql": "PostgreSQL (`make run-scaled`)"}


def _ms(seconds: float) -> str:
    return f"{1000 * seconds:,.0f}"


def _count(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) else str(value)


# The aims of the choices (clinic_bot/content/choices.py): the first choice or its button right, and the button
# after at most a third of the replies.
NEAR_MISS_RIGHT_AIM = 0.98
RELATED_BUTTON_AIM = 1 / 3


def _near_misses(results: Dict[str, Any]) -> List[str]:
    choices = (results.get("quality") or {}).get("rasa", {}).get("choices")
    if not choices:
        return ["Not measured in this run."]

    def share(count: int, whole: int) -> str:
        return _pct(count / whole) if whole else "-"

    def row(name: str, figures: Dict[str, Any]) -> List[str]:
        right = figures["first_or_button_right"] / max(figures["messages"], 1)
        shown = figures["buttons"] / max(figures["replies"], 1)
        aims = ("met" if right >= NEAR_MISS_RIGHT_AIM else "**not met**",
                "met" if shown <= RELATED_BUTTON_AIM else "**not met**")
        return [name, str(figures["messages"]), share(figures["first_right"], figures["messages"]),
                share(figures["first_or_button_right"], figures["messages"]) + f" ({aims[0]})",
                share(figures["right_answer_reached"], figures["messages"]),
                share(figures["buttons"], figures["replies"]) + f" ({aims[1]})",
                f"{figures['fallbacks']} ({share(figures['fallbacks'], figures['messages'])})",
                f"{figures['fallback_holds_right']} of {figures['fallbacks']}"]

    header = ["set", "messages", "first choice right",
              f"first or its button right (aim {_pct(NEAR_MISS_RIGHT_AIM)})",
              "the same, or the general answer after a refusal",
              "button shown, of the replies (aim at most a third)", "\"did you mean\"",
              "its two topics hold the right one"]
    lines = [f"Each message alone, through the trained model's whole NLU; the related button as the assistant offers "
             f"it (margin {choices['margin']}, `clinic_bot/content/choices.py`). All messages:", "",
             *_table(header, [row(name, found["all"]) for name, found in choices["sets"].items()]),
             "", "The questions whose label is a topic (the ones a button can help with):", "",
             *_table(header, [row(name, found["topic_questions"]) for name, found in choices["sets"].items()]),
             "", "The development sets over the button's margin (first or its button right / button shown):", ""]
    margins = list(next(iter(choices["curve"].values()), {}))
    lines += _table(["set", *margins], [
        [name, *(f"{share(c['first_or_button_right'], c['messages'])} / {share(c['buttons'], c['replies'])}"
                 for c in curve.values())] for name, curve in choices["curve"].items()])
    return lines


def _insights_traffic(traffic: Dict[str, Any]) -> List[str]:
    spanish = traffic["conversations_by_language"].get("es", 0) / max(traffic["conversations"], 1)
    return [f"A year of synthetic traffic ending at the run (`bench/synthetic_year.py`, seed {traffic['seed']}): "
            f"{traffic['conversations']:,} conversations of {traffic['senders']:,} patients, "
            f"{traffic['events']:,} events, {traffic['messages']:,} patient messages (one `message_outcomes` row "
            f"each, from `outcomes_of`); {_pct(spanish)} of the conversations in Spanish. Generated once in "
            f"{traffic['generate_s']:.0f} s, then written into each store:"]


def _insights_pages(results: Dict[str, Any], aim_s: float) -> List[str]:
    stores = insights_stores(results)
    lines = _table(["store", "written in", "size on disk"], [
        [STORE_NAMES[name], f"{store['fill_s']:.0f} s" + (f" (VACUUM ANALYZE {store['vacuum_s']:.0f} s of it)"
                                                          if store.get("vacuum_s") else ""),
         f"{store['size_mib']:,.0f} MiB"] for name, store in stores.items()])
    rows = [[STORE_NAMES[name], f"{page['days']} days", _ms(page["median_s"]), _ms(page["max_s"]),
             f"{_count(page['shown']['messages'])} ({page['stored_messages']:,})",
             "met" if page["max_s"] < aim_s else "**not met**"]
            for name, store in stores.items() for page in store["pages"]]
    return lines + ["", f"GET /insights, logged in (aim: every request under {aim_s:.0f} s):", "",
                    *_table(["store", "period", "median ms", "slowest ms",
                             "patient messages the page counts (rows in the store)", "aim"], rows)]


def _insights_plans(name: str, store: Dict[str, Any]) -> List[str]:
    if "error" in store:
        return [f"{STORE_NAMES[name]}: not measured: {store['error']}"]
    plans = store["query_plans"]
    lines = [f"Query plans, {STORE_NAMES[name]}, {plans['days']} days (`EventsTable.query_plans`):", ""]
    for query, plan in plans["plans"].items():
        used = "uses" if plans["index_used"][query] else "**does not use**"
        lines += [f"- `{query}` ({used} {outcomes.QUERY_INDEXES[query]}):", "", "  ```",
                  *(f"  {line}" for line in plan.splitlines()), "  ```"]
    return lines


def _counts(counts: Dict[str, int]) -> str:
    return ", ".join(f"{name} {count:,}" for name, count in sorted(counts.items(), key=lambda item: -item[1]))


def _insights_counted(traffic: Dict[str, Any]) -> List[str]:
    """What the traffic held beside what `outcomes_of` counted of it: where they differ, so will the page."""
    return [f"Questions generated, by kind: {_counts(traffic.get('asked', {}))}. Patient messages by outcome, as "
            f"`outcomes_of` counted them: {_counts(traffic['by_outcome'])}. Conversations by the patient's "
            f"language: {_counts(traffic['conversations_by_language'])}; as `outcomes_of` counted them (the "
            f"language of each conversation's first message): {_counts(traffic.get('opened_by_language', {}))}. "
            f"Patient messages by language: {_counts(traffic['by_language'])}."]


def _insights(results: Dict[str, Any]) -> List[str]:
    figures = results.get("insights")
    if not figures:
        return ["Not measured in this run (`--skip insights`)."]
    traffic = figures["traffic"]
    lines = [*_insights_traffic(traffic), "", *_insights_pages(results, figures["aim_s"]), "",
             *_insights_counted(traffic), "",
             f"The page is asked of a real console process (`python -m clinic_bot.staff`, as `make staff` runs it) "
             f"on a free port, reading the store, logged in with an account made in a temporary folder, over one "
             f"keep-alive connection: per period one warm-up, then {figures['runs']} requests timed from the "
             "request to the page's last byte. SQLite is written with the conversation store's own INSERTs (a batch "
             "per transaction), PostgreSQL with COPY, then VACUUM ANALYZE (as autovacuum keeps a table that grew over "
             "a year); the PostgreSQL server is the scaled profile's, started by its launcher's code, and the "
             f"database is dropped afterwards. The whole part took {figures['seconds'] / 60:.1f} min."]
    for name, store in figures["stores"].items():
        lines += ["", *_insights_plans(name, store)]
    return lines


def _other_work(results: Dict[str, Any]) -> Optional[float]:
    shares = [lv.get("other_work_cpu_share") for part in (results, results.get("baseline") or {})
              for lv in part.get("load", {}).get("levels", [])]
    return max((share for share in shares if share is not None), default=None)


def markdown(results: Dict[str, Any]) -> str:
    machine = results["machine"]
    other = _other_work(results)
    lines = [
        "# Benchmark", "",
        f"Written by `make bench` on {machine['date']}: {machine['cores']} cores ({machine['cpu']}), "
        f"{machine['memory_gib']} GiB memory, {machine['os']}, Python {machine['python']}, Rasa {machine['rasa']}, "
        f"commit {machine['commit']}, config `{results['config']}`. "
        f"The whole run took {results['duration_s'] / 60:.1f} min."
        + (f" Only {', '.join(results['only'])} measured (`--only`)." if results.get("only") else ""),
        "",
        f"Load average (1, 5, 15 min) at start {results['load_average']['start']}, at end "
        f"{results['load_average']['end']} (the run's own training counts in these). "
        + ("Other work during the load measurements: not measured." if other is None else
           f"Other work during the load measurements (CPU used by neither the servers nor the load client, "
           f"hypervisor steal included): at most {_pct(other)} of the machine"
           + (": **the speed figures are pessimistic.**" if other > 0.1 else ".")),
        "", "## Figures against the goals", "", *_targets(results),
        "", "## Understanding (NLU), with the peer", "", *_understanding(results),
        "", "## Spanish", "", *_spanish(results),
        "", "## Intent classifiers side by side", "", *_classifiers(results),
        "", "## Near misses: the related topic and \"did you mean\"", "", *_near_misses(results),
        "", "## Triage: urgent, personal, general", "", *_triage(results),
        "", "## Safety and off-topic, through the whole bot", "", *_whole_bot(results),
        "", "## Speed", "", *_speed(results),
        "", "## Footprint", "", *_footprint(results),
        "", "## Scaling out: the embedded and the scaled profile", "", *_scaling(results),
        "", "## Before and after the serving tuning", "", *_before_after(results),
        "", "## Insights page on a year of traffic", "", *_insights(results),
    ]
    if TUNING_LOG.exists():
        lines += ["", TUNING_LOG.read_text().strip()]
    lines += ["", "Reproduce: `make bench` (options: `.venv/bin/python -m bench.run --help`). Every figure is also in "
              "`benchmark.json`.", ""]
    return "\n".join(lines)


def write(results: Dict[str, Any], out: Path) -> Path:
    results["targets"] = check(results)
    out.mkdir(parents=True, exist_ok=True)
    (out / "benchmark.json").write_text(json.dumps(results, indent=2, default=str) + "\n")
    path = out / "benchmark.md"
    path.write_text(markdown(results))
    return path
