"""The scaled profile under load, beside the embedded one: throughput and p95 at each concurrency for 1 and 2
Rasa processes behind nginx (with Redis and PostgreSQL), CPU per message per component, memory per process.

Every simulated patient talks from 127.0.0.1 through the proxy, so the channel's rate limits are lifted for the
run (as for the embedded profile's load). The same load script and the same windows as bench/load.py.
"""
import asyncio
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, ContextManager, Dict, List

from bench import footprint, load
from clinic_bot.launcher.scaled import running_scaled
from clinic_bot.server.rate_limit import NO_RATE_LIMITS
from tests.e2e.conftest import free_port

RASA_PROCESSES = (1, 2)


def measure_profile(model: Path, rasa_processes: int, patients: List[int], script: load.Script, warmup_s: float,
                    window_s: float, stage: Callable[[str], ContextManager[None]]) -> Dict[str, Any]:
    # Not under the benchmark's own temporary folder: PostgreSQL runs as its own user and must reach its data.
    work = Path(tempfile.mkdtemp(prefix="clinic-bench-scaled-"))
    try:
        with stage(f"starting the scaled profile with {rasa_processes} Rasa process(es)"):
            started = time.monotonic()
            stack = running_scaled(model=model, work_dir=work,
                                   rasa_ports=[free_port() for _ in range(rasa_processes)],
                                   action_port=free_port(), proxy_port=free_port(), redis_port=free_port(),
                                   postgres_port=free_port(), channel_settings=NO_RATE_LIMITS)
            profile = stack.__enter__()
        try:
            first_answer = footprint.wait_for_first_answer(profile.webhook_url) - started
            pids = {name: process.pid for name, process in profile.processes.items()}

            def cpu() -> Dict[str, float]:
                return {**{name: footprint.cpu_seconds(pid) for name, pid in pids.items()},
                        "client": time.process_time(), "machine": footprint.machine_busy_seconds()}

            asyncio.run(load.warm_up(profile.webhook_url, script))
            levels = []
            for count in patients:
                with stage(f"load (scaled, {rasa_processes} Rasa): {count} concurrent patients"):
                    levels.append(asyncio.run(load.run_level(profile.webhook_url, count, script, warmup_s, window_s,
                                                             cpu)))
            rss = {name: footprint.rss_mib(pid) for name, pid in pids.items()}
        finally:
            stack.__exit__(None, None, None)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {"rasa_processes": rasa_processes, "levels": levels, "rss_mib_after_load": rss,
            "start_to_first_answer_s": first_answer}


def measure(model: Path, patients: List[int], script: load.Script, warmup_s: float, window_s: float,
            stage: Callable[[str], ContextManager[None]]) -> Dict[str, Any]:
    return {f"scaled_{n}": measure_profile(model, n, patients, script, warmup_s, window_s, stage)
            for n in RASA_PROCESSES}
