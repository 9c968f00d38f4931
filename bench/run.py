"""`make bench`: trains the model and the peer, measures understanding, speed and footprint, writes
reports/benchmark.md, reports/benchmark.json and PNG charts.

    .venv/bin/python -m bench.run [--config config.yml] [--model path.tar.gz] [--folds 5] [--window 20]
    .venv/bin/python -m bench.run --only insights --out /tmp/insights    (one part alone; the report then holds
                                                                          only its figures: keep it out of reports/)

Nothing here fails because the machine is slow: the figures are reported against the goals, not asserted.
"""
import argparse
import asyncio
import logging
import os
import shutil
import sys
import tempfile
import threading
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any, Dict, Iterator, List

import yaml
from tqdm import tqdm

from bench import (
    candidates,
    charts,
    footprint,
    insights_page,
    language,
    load,
    machine,
    quality,
    report,
    scaling,
    triage,
    whole_bot,
)
from bench.peer import DEFAULT_C, PEER_NAME, train_peer
from bench.stock import running_stock_servers
from bench.targets import profile_levels
from bench.training import isolate_cache, train_from_clean_cache
from clinic_bot.content.nlu_data import procedure_questions, read_all, read_examples
from clinic_bot.launcher.servers import PROJECT_ENV, running_servers
from clinic_bot.paths import (
    DEV_NLU_FILES,
    ENTITY_PATTERNS_FILE,
    HOLDOUT_FILE,
    NLU_DIR,
    OFF_TOPIC_FILE,
    PROCEDURE_FORMS_FILE,
    REPO_ROOT,
    SPANISH_HOLDOUT_FILE,
)
from clinic_bot.server.rate_limit import NO_RATE_LIMITS  # every simulated patient talks from 127.0.0.1
from tests.e2e.conftest import free_port

RED_FLAGS_FILE = REPO_ROOT / "tests" / "nlu" / "red_flags.yml"
PARTS = ("quality", "candidates", "bot", "load", "scaling", "insights")  # what --skip and --only name
MODEL_PARTS = {"quality", "candidates", "bot", "load", "scaling"}  # the parts that need a trained, served model


class Progress:
    """One bar over the stages; the elapsed time keeps ticking during long stages (training, load)."""

    def __init__(self, stages: int) -> None:
        self.bar = tqdm(total=stages, unit="stage", bar_format="{l_bar}{bar}| {n}/{total} [{elapsed}] {postfix}")

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        self.bar.set_description(name)
        done = threading.Event()
        ticker = threading.Thread(target=lambda: [self.bar.refresh() for _ in iter(lambda: done.wait(1), True)],
                                  daemon=True)
        if sys.stderr.isatty():  # in a log file, one line per stage is enough
            ticker.start()
        try:
            yield
        finally:
            done.set()
            if ticker.is_alive():
                ticker.join()
            self.bar.update(1)

    def close(self) -> None:
        self.bar.set_description("done")
        self.bar.close()


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", type=Path, default=REPO_ROOT / "config.yml",
                        help="Rasa config to train and measure")
    parser.add_argument("--model", type=Path, help="measure this trained model instead of training one "
                        "(training time is then not measured)")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "reports")
    parser.add_argument("--folds", type=int, default=5, help="cross-validation folds; 0 skips cross-validation")
    parser.add_argument("--patients", default="1,8,32", help="concurrency levels, comma-separated")
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds of each level not counted")
    parser.add_argument("--window", type=float, default=20.0, help="seconds measured per level")
    parser.add_argument("--long-conversations", type=int, default=5)
    parser.add_argument("--turns", type=int, default=40, help="turns of each long conversation")
    parser.add_argument("--skip", default="", help=f"comma-separated parts to leave out: {','.join(PARTS)}")
    parser.add_argument("--only", default="", help="comma-separated parts to run, leaving out every other (with "
                        "only insights, no model is trained or served)")
    parser.add_argument("--candidates", default="", help="comma-separated names of bench/candidates.yml to compare "
                        "(default: all); config.yml's classifier is always measured")
    parser.add_argument("--no-baseline", action="store_true",
                        help="skip the 'before': the same model served by plain `rasa run` with Rasa's SQL store")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (models, logs)")
    args = parser.parse_args()
    only = {part for part in args.only.split(",") if part}
    if only - set(PARTS):
        parser.error(f"--only: unknown part(s) {', '.join(sorted(only - set(PARTS)))}; parts: {', '.join(PARTS)}")
    if only:
        args.skip = ",".join(sorted(set(PARTS) - only))
    return args


def uses_model(args: argparse.Namespace) -> bool:
    """Whether the run trains and serves the model (its footprint is measured whenever it does)."""
    return not args.only or bool(set(args.only.split(",")) & MODEL_PARTS)


def measure_servers(model: Path, workdir: Path, args: argparse.Namespace, sets: quality.Sets,
                    red_flags: Dict[str, List[str]], progress: Progress, results: Dict[str, Any],
                    stock: bool = False) -> None:
    """Starts both servers, then: first answer, safety through the whole bot, load, memory after the load.
    stock: the "before", Rasa's plain launch (bench/stock.py), without the safety part."""
    skip = set(args.skip.split(",")) | ({"bot"} if stock else set())
    fp = results["footprint"]
    script = load.Script(sets.holdout)
    name = "stock `rasa run`" if stock else "the servers"
    work = workdir / ("stock" if stock else "tuned")
    with ExitStack() as stack:
        with progress.stage(f"starting {name}"):
            started = time.monotonic()
            launch = running_stock_servers if stock else running_servers
            servers = stack.enter_context(launch(free_port(), free_port(), tracker_db=work / "conversations.db",
                                                 model=model, log_dir=work / "logs", channel_settings=NO_RATE_LIMITS))
            fp["start_to_first_answer_s"] = footprint.wait_for_first_answer(servers.webhook_url) - started
        fp["rss_rasa_mib_ready"] = footprint.rss_mib(servers.processes["rasa"].pid)
        fp["rss_actions_mib_ready"] = footprint.rss_mib(servers.processes["actions"].pid)
        url = servers.webhook_url
        pids = {name: process.pid for name, process in servers.processes.items()}
        def cpu() -> Dict[str, float]:
            return {**{name: footprint.cpu_seconds(pid) for name, pid in pids.items()},
                    "client": time.process_time(), "machine": footprint.machine_busy_seconds()}
        if "bot" not in skip:
            with progress.stage("safety and off-topic through the bot"):
                results["whole_bot"] = {
                    "emergency": whole_bot.emergency_recall(url, red_flags["messages"]),
                    "false_alarms": whole_bot.false_alarms(url, red_flags["not_emergency"]),
                    "off_topic": whole_bot.routed_away(url, sets.off_topic),
                    "in_scope": whole_bot.routed_away(url, sets.in_scope),
                    "triage": triage.through_bot(url, triage.dev_messages()),
                }
        if "load" not in skip:
            asyncio.run(load.warm_up(url, script))
            levels = []
            for patients in [int(p) for p in args.patients.split(",")]:
                with progress.stage(f"load ({name}): {patients} concurrent patients"):
                    levels.append(asyncio.run(load.run_level(url, patients, script, args.warmup, args.window, cpu)))
                    progress.bar.set_postfix_str(f"{levels[-1]['messages_per_s']:.0f} msg/s, "
                                                 f"p95 {levels[-1]['p95_ms']:.0f} ms, errors {levels[-1]['errors']}")
            with progress.stage(f"load ({name}): {args.long_conversations} conversations of {args.turns} turns"):
                long = asyncio.run(load.run_long_conversations(url, script, args.long_conversations, args.turns))
            results["load"] = {"levels": levels, "long_conversation": long, "warmup_s": args.warmup,
                               "window_s": args.window, "turns_per_conversation": load.TURNS_PER_CONVERSATION}
        fp["rss_rasa_mib_after_load"] = footprint.rss_mib(servers.processes["rasa"].pid)
        fp["rss_actions_mib_after_load"] = footprint.rss_mib(servers.processes["actions"].pid)


def measure_quality(model: Path, workdir: Path, args: argparse.Namespace, sets: quality.Sets,
                    progress: Progress, results: Dict[str, Any]) -> None:
    splits = quality.folds(sets.train, args.folds) if args.folds else []
    cv: Dict[str, Any] = {}
    if splits:
        with progress.stage(f"peer: {args.folds}-fold cross-validation, choosing C"):
            cv["peer"] = quality.cross_validate_peer(splits)
    with progress.stage("peer: training, hold-outs and development sets"):
        peer = train_peer([e.text for e in sets.train], [e.intent for e in sets.train],
                          cv["peer"]["c"] if splits else DEFAULT_C)
        peer_figures = quality.evaluate_peer(peer, sets)
        faq = candidates.faq_intents()
        peer_figures.update(candidates.routing_shares(sets.holdout, peer.predict([e.text for e in sets.holdout]), faq))
        peer_figures["dev"] = {}
        for name, examples in sets.dev.items():
            predicted = peer.predict([e.text for e in examples])
            peer_figures["dev"][name] = {**quality.scores([e.intent for e in examples], predicted),
                                         **candidates.routing_shares(examples, predicted, faq)}
    with progress.stage("Rasa: hold-outs, off-topic, in-scope, language"):
        rasa_figures = quality.evaluate_rasa(model, sets)
    results["quality"] = {"rasa": rasa_figures, "peer": peer_figures, "peer_name": PEER_NAME, "cv": cv}
    if "candidates" not in set(args.skip.split(",")):
        with progress.stage(f"intent classifiers side by side ({args.folds}-fold cross-validation each)"):
            started = time.monotonic()
            compared = candidates.compare(
                args.config, sets.train, sets.holdout, sets.dev, sets.off_topic, sets.procedure_questions, splits,
                workdir / "candidates", [c for c in args.candidates.split(",") if c],
                lambda status: progress.bar.set_postfix_str(status))
            results["quality"]["classifiers"] = compared
            results["quality"]["classifiers_seconds"] = time.monotonic() - started
        if splits:
            cv["rasa"] = compared[candidates.ADOPTED]["cv"]


def measure_model(args: argparse.Namespace, workdir: Path, sets: quality.Sets, red_flags: Dict[str, List[str]],
                  progress: Progress, results: Dict[str, Any]) -> None:
    """Training (unless --model), then everything measured of the model: the servers, scaling, the "before",
    understanding."""
    skip = set(args.skip.split(","))
    model = args.model
    if model is None:
        with progress.stage("training Rasa from a clean cache"):
            trained = train_from_clean_cache(args.config.resolve(), workdir / "train")
        model = trained.path
        results["footprint"]["training_seconds_clean_cache"] = trained.seconds
    results["footprint"]["model_size_mib"] = footprint.size_mib(model)
    results["triage_speed"] = triage.urgent_path_ms(model, triage.dev_messages())
    results["model"] = str(model)
    measure_servers(model, workdir, args, sets, red_flags, progress, results)
    if "load" not in skip and "scaling" not in skip:
        results["scaling"] = scaling.measure(model, [int(p) for p in args.patients.split(",")],
                                             load.Script(sets.holdout), args.warmup, args.window, progress.stage)
    if "load" not in skip and not args.no_baseline:
        results["baseline"] = {"footprint": {}}
        measure_servers(model, workdir, args, sets, red_flags, progress, results["baseline"], stock=True)
    if "quality" not in skip:
        measure_quality(model, workdir, args, sets, progress, results)


def draw_charts(results: Dict[str, Any], out: Path) -> None:
    if "quality" in results:
        for who, title in (("rasa", "Rasa (config.yml)"), ("peer", "peer (TF-IDF + logistic regression)")):
            labels, matrix = results["quality"][who]["confusion"]
            charts.confusion_matrix(labels, matrix, f"{title}: hold-out set", out / f"confusion_{who}.png")
    if "load" in results:
        charts.throughput(results["load"]["levels"], out / "throughput.png")
        charts.latency_by_turn(results["load"]["long_conversation"]["median_ms_by_turn"], out / "latency_by_turn.png")
    if results.get("scaling"):
        charts.scaling(profile_levels(results), out / "scaling.png")


def main() -> None:
    args = parse_args()
    started = time.monotonic()
    os.environ.update(PROJECT_ENV)  # the in-process model and training: as every command of the project
    logging.basicConfig(level=logging.ERROR)
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.ERROR)  # the in-process model would log every parse
    workdir = Path(tempfile.mkdtemp(prefix="clinic-bench-"))
    isolate_cache(workdir)
    skip = set(args.skip.split(","))
    sets = quality.Sets(
        train=read_all(NLU_DIR.glob("*.yml")), holdout=read_examples(HOLDOUT_FILE),
        dev={path.stem: read_examples(path) for path in DEV_NLU_FILES},
        procedure_questions=procedure_questions(PROCEDURE_FORMS_FILE, ENTITY_PATTERNS_FILE),
        off_topic=yaml.safe_load(OFF_TOPIC_FILE.read_text())["messages"],
        in_scope=yaml.safe_load(OFF_TOPIC_FILE.read_text())["in_scope"],
        holdout_es=read_examples(SPANISH_HOLDOUT_FILE), languages=language.labelled())
    red_flags = yaml.safe_load(RED_FLAGS_FILE.read_text())
    config = args.config.resolve()
    results: Dict[str, Any] = {"machine": machine.describe(), "footprint": {},
                               "config": str(config.relative_to(REPO_ROOT)
                                             if config.is_relative_to(REPO_ROOT) else config),
                               "load_average": {"start": machine.load_average()}}
    serving = uses_model(args)
    stages = ((0 if args.model else 1) + 1 + ("bot" not in skip)
              + ("load" not in skip) * (len(args.patients.split(",")) + 1)) if serving else 0
    stages += 0 if "quality" in skip else 2 + (1 if args.folds else 0) + ("candidates" not in skip)
    if "load" not in skip and "scaling" not in skip:
        stages += len(scaling.RASA_PROCESSES) * (1 + len(args.patients.split(",")))
    baseline = "load" not in skip and not args.no_baseline
    stages += baseline * (1 + len(args.patients.split(",")) + 1)
    stages += 0 if "insights" in skip else insights_page.STAGES
    if args.only:
        results["only"] = args.only.split(",")
    progress = Progress(stages)
    try:
        if serving:
            measure_model(args, workdir, sets, red_flags, progress, results)
        if "insights" not in skip:  # last: it needs no model, and fills the disk and the memory for a while
            results["insights"] = insights_page.measure(progress.stage)
    finally:
        progress.close()
        results["load_average"]["end"] = machine.load_average()
        results["duration_s"] = time.monotonic() - started
        args.out.mkdir(parents=True, exist_ok=True)
        draw_charts(results, args.out)
        path = report.write(results, args.out)
        print(f"Report: {path} ({results['duration_s'] / 60:.1f} min)")
        for row in results["targets"]:
            shown = "-" if row["value"] is None else f"{row['value']:.1f}{row['unit']}"
            print(f"  {'ok ' if row['met'] else '-- ' if row['met'] is None else 'NOT'} {row['figure']}: {shown} "
                  f"(goal {row['goal']})")
        if args.keep:
            print(f"Work directory kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
