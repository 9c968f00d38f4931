"""Speed through the REST webhook with the real action server: an asyncio client that measures honestly.

- Closed loop: each simulated patient sends its next message as soon as the previous reply arrived (no
  think time), holds a conversation of TURNS_PER_CONVERSATION messages, then starts a new one (new sender).
- Warm-up excluded: requests started during the first `warmup_s` seconds are not counted.
- Wall clock per request: from just before the request is written to after the whole reply is read.
- Nothing lost: requests in flight when the window closes are awaited and counted; a failure (exception,
  timeout, HTTP status other than 200, a reply with no answer or with the "unavailable" apology) is an
  error, counted, never dropped. Latency percentiles include errors.
The client shares the machine with the servers; it is light (one process, one event loop) but not free."""
import asyncio
import json
import os
import random
import time
import uuid
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence

import aiohttp
import numpy as np

from clinic_bot.content.nlu_data import Example
from tests.e2e.conftest import answers

TURNS_PER_CONVERSATION = 8
REQUEST_TIMEOUT_S = 60.0
OPENERS = {"greet"}
CLOSERS = {"thank", "goodbye"}
NOT_IN_CONVERSATIONS = {"emergency", "human_handoff", "out_of_scope"}  # measured apart (whole_bot.py)


@dataclass(frozen=True)
class Sample:
    started: float
    seconds: float
    ok: bool
    turn: int


class Script:
    """Realistic patient messages (the hold-out set: never trained on): a greeting, questions, a thank-you."""

    def __init__(self, examples: Sequence[Example], seed: int = 7) -> None:
        self._rng = random.Random(seed)
        self.openers = [e.text for e in examples if e.intent in OPENERS]
        self.closers = [e.text for e in examples if e.intent in CLOSERS]
        self.questions = [e.text for e in examples if e.intent not in OPENERS | CLOSERS | NOT_IN_CONVERSATIONS]

    def conversation(self, turns: int = TURNS_PER_CONVERSATION) -> List[str]:
        middle = [self._rng.choice(self.questions) for _ in range(max(turns - 2, 0))]
        return [self._rng.choice(self.openers), *middle, self._rng.choice(self.closers)][:turns]

    def long_conversation(self, turns: int) -> List[str]:
        return [self._rng.choice(self.openers)] + [self._rng.choice(self.questions) for _ in range(turns - 1)]


def is_answer(status: int, body: bytes) -> bool:
    if status != 200:
        return False
    try:
        messages = json.loads(body)
    except ValueError:
        return False
    markers = answers(messages) if isinstance(messages, list) else []
    return bool(markers) and "unavailable" not in markers


async def send(session: aiohttp.ClientSession, url: str, sender: str, text: str) -> Sample:
    started = time.perf_counter()
    try:
        async with session.post(url, json={"sender": sender, "message": text}) as reply:
            ok = is_answer(reply.status, await reply.read())
    except (aiohttp.ClientError, asyncio.TimeoutError, OSError):
        ok = False
    return Sample(started, time.perf_counter() - started, ok, 0)


def _session(concurrency: int) -> aiohttp.ClientSession:
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency),
                                 timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S))


async def _patient(session: aiohttp.ClientSession, url: str, script: Script, name: str, stop_at: float,
                   samples: List[Sample]) -> None:
    conversation = 0
    while True:
        conversation += 1
        sender = f"{name}-c{conversation}"
        for turn, text in enumerate(script.conversation(), start=1):
            if time.perf_counter() >= stop_at:
                return
            sample = await send(session, url, sender, text)
            samples.append(Sample(sample.started, sample.seconds, sample.ok, turn))


def summarise(samples: Sequence[Sample], window_start: float) -> Dict[str, Any]:
    if not samples:
        return {"messages": 0, "errors": 0}
    ms = np.array([s.seconds for s in samples]) * 1000
    elapsed = max(s.started + s.seconds for s in samples) - window_start
    return {
        "messages": len(samples),
        "errors": sum(not s.ok for s in samples),
        "p50_ms": float(np.percentile(ms, 50)),
        "p95_ms": float(np.percentile(ms, 95)),
        "p99_ms": float(np.percentile(ms, 99)),
        "mean_ms": float(ms.mean()),
        "max_ms": float(ms.max()),
        "messages_per_s": len(samples) / elapsed,
        "window_s": elapsed,
    }


# CPU seconds used so far: per server (rasa, actions; in the scaled profile also rasa-2, redis, postgres,
# proxy), "client" (this process) and "machine" (every process, all cores)
CpuProbe = Callable[[], Mapping[str, float]]
NOT_OWN_WORK = ("machine", "wall")


def own_work(cpu_used: Mapping[str, float]) -> Dict[str, float]:
    return {name: seconds for name, seconds in cpu_used.items() if name not in NOT_OWN_WORK}


def other_work_share(cpu_used: Mapping[str, float], seconds: float, cores: int) -> Optional[float]:
    """Share of the machine's CPU that neither the servers nor this client used: other work."""
    if "machine" not in cpu_used or seconds <= 0:
        return None
    other = cpu_used["machine"] - sum(own_work(cpu_used).values())
    return max(other, 0.0) / (seconds * cores)


async def run_level(url: str, patients: int, script: Script, warmup_s: float, window_s: float,
                    cpu: CpuProbe = dict) -> Dict[str, Any]:
    """`patients` concurrent patients for warmup_s + window_s seconds; only the window is counted.
    Also the servers' CPU time per counted message (from the window's start until its last reply)."""
    samples: List[Sample] = []
    run = uuid.uuid4().hex[:8]
    started = time.perf_counter()
    window_start, stop_at = started + warmup_s, started + warmup_s + window_s
    cpu_at_start: Dict[str, float] = {}

    async def mark_window_start() -> None:
        await asyncio.sleep(warmup_s)
        cpu_at_start.update(cpu(), wall=time.perf_counter())

    async with _session(patients) as session:
        await asyncio.gather(mark_window_start(), *(
            _patient(session, url, script, f"bench-{run}-n{patients}-p{i}", stop_at, samples) for i in range(patients)))
    cpu_at_end = {**cpu(), "wall": time.perf_counter()}
    measured = [s for s in samples if s.started >= window_start]
    used = {name: cpu_at_end[name] - cpu_at_start[name] for name in cpu_at_end}
    cpu_ms = {f"cpu_ms_per_message_{name}": 1000 * seconds / max(len(measured), 1)
              for name, seconds in own_work(used).items()}
    return {"patients": patients, "warmup_s": warmup_s, **summarise(measured, window_start), **cpu_ms,
            "other_work_cpu_share": other_work_share(used, used["wall"], os.cpu_count() or 1),
            "warmup_messages": len(samples) - len(measured)}


async def run_long_conversations(url: str, script: Script, conversations: int, turns: int) -> Dict[str, Any]:
    """One patient at a time, `conversations` conversations of `turns` messages: how latency grows with
    the length of the conversation (the tracker loaded and saved every turn grows)."""
    by_turn: List[List[float]] = [[] for _ in range(turns)]
    errors = 0
    async with _session(1) as session:
        for index in range(conversations):
            sender = f"bench-long-{uuid.uuid4().hex[:8]}-{index}"
            for turn, text in enumerate(script.long_conversation(turns)):
                sample = await send(session, url, sender, text)
                by_turn[turn].append(sample.seconds * 1000)
                errors += not sample.ok
    median = [float(np.median(t)) for t in by_turn]
    return {
        "conversations": conversations,
        "turns": turns,
        "errors": errors,
        "median_ms_by_turn": median,
        "turn_2_ms": median[1],
        "turn_last_ms": median[-1],
        "ratio_last_to_2": median[-1] / median[1],
        # Three-turn windows are steadier than single turns on a busy machine.
        "turns_2_4_ms": float(np.median(sum(by_turn[1:4], []))),
        "last_3_turns_ms": float(np.median(sum(by_turn[-3:], []))),
    }


async def warm_up(url: str, script: Script, messages: int = 10) -> None:
    """A few conversations before anything is measured (first calls build caches in Rasa and the action server)."""
    async with _session(1) as session:
        for index in range(messages):
            await send(session, url, f"bench-warmup-{uuid.uuid4().hex[:8]}", script.conversation()[index % 3])
