"""Starts the servers of a profile as child processes, restarts the ones that crash, and never leaves one behind.

Used by both profiles (clinic_bot/launcher/servers.py: `make run`; clinic_bot/launcher/scaled.py:
`make run-scaled`), the tests and the benchmark.

- A child that exits while it should be running is started again after a back-off (1 s, 2 s, 4 s ... 30 s);
  a run that lasted STABLE_S seconds resets the back-off. After MAX_RESTARTS restarts in a row that did not
  last, `check()` raises `KeepsFailing` and the launcher stops everything (a broken model or a busy port
  will not mend by itself).
- Each child runs in its own process group (Ctrl-C in the terminal reaches the launcher only, which stops
  the children in order) and is told by the kernel to stop if the launcher dies, even by SIGKILL
  (PR_SET_PDEATHSIG): a service manager's SIGTERM or a crash of the launcher cannot leave a Rasa server
  holding its port and 700 MB.
"""
import ctypes
import logging
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Mapping, Optional

logger = logging.getLogger(__name__)

BACKOFF_S = (1.0, 2.0, 4.0, 8.0, 16.0, 30.0)
STABLE_S = 60.0
MAX_RESTARTS = 6
STOP_TIMEOUT_S = 20.0
_PR_SET_PDEATHSIG = 1


class KeepsFailing(RuntimeError):
    """A child crashed again and again right after each restart."""


def _die_with_parent(sig: int) -> Callable[[], None]:
    def set_parent_death_signal() -> None:  # runs in the child between fork and exec
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, int(sig), 0, 0, 0)
    return set_parent_death_signal


@dataclass
class Child:
    """How to start one server, and how to stop it."""
    name: str
    args: List[str]
    env: Mapping[str, str]
    cwd: Path
    log: Path
    user: Optional[str] = None  # run as this user (when the launcher runs as root: PostgreSQL refuses root)
    stop_signal: int = signal.SIGTERM  # PostgreSQL: SIGINT ("fast" shutdown; SIGTERM waits for every client)
    ready: Optional[Callable[[], bool]] = None  # answers when the child is ready to serve


@dataclass
class _Running:
    child: Child
    process: subprocess.Popen
    started: float
    restarts: int = 0  # restarts in a row that did not last STABLE_S
    next_start: Optional[float] = None  # when a crashed child is due to be started again


@dataclass
class Supervisor:
    running: Dict[str, _Running] = field(default_factory=dict)
    backoff_s: tuple = BACKOFF_S
    max_restarts: int = MAX_RESTARTS
    stable_s: float = STABLE_S
    on_restart: Optional[Callable[[str, int], None]] = None  # (name, exit code): the launcher prints it
    # check() may run in a watcher thread (tests, benchmark) while the main thread starts or stops children.
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    @property
    def processes(self) -> Dict[str, subprocess.Popen]:
        return {name: entry.process for name, entry in self.running.items()}

    def start(self, child: Child) -> subprocess.Popen:
        with self._lock:
            previous = self.running.get(child.name)
            process = self._spawn(child)
            self.running[child.name] = _Running(child, process, time.monotonic(),
                                                restarts=previous.restarts if previous else 0)
            return process

    @staticmethod
    def _spawn(child: Child) -> subprocess.Popen:
        child.log.parent.mkdir(parents=True, exist_ok=True)
        with open(child.log, "ab") as log:
            user = child.user if child.user and os.geteuid() == 0 else None
            # user= switches before preexec_fn runs: the death signal is set after the switch, which would clear it.
            return subprocess.Popen(child.args, cwd=child.cwd, env=dict(child.env), stdout=log,
                                    stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
                                    user=user, preexec_fn=_die_with_parent(child.stop_signal))

    def check(self) -> List[str]:
        """Restarts what crashed, once its back-off has passed; returns the names started again.
        Raises KeepsFailing when a child keeps crashing."""
        with self._lock:
            return self._check()

    def _check(self) -> List[str]:
        now = time.monotonic()
        restarted = []
        for name, entry in list(self.running.items()):
            code = entry.process.poll()
            if code is None:
                if entry.restarts and now - entry.started >= self.stable_s:
                    entry.restarts = 0
                continue
            if entry.next_start is None:
                if now - entry.started >= self.stable_s:
                    entry.restarts = 0
                if entry.restarts >= self.max_restarts:
                    raise KeepsFailing(f"the {name} server exited (code {code}) {entry.restarts + 1} times in a row; "
                                       f"see {entry.child.log}")
                delay = self.backoff_s[min(entry.restarts, len(self.backoff_s) - 1)]
                entry.next_start = now + delay
                logger.warning("The %s server exited (code %s); starting it again in %.0f s", name, code, delay)
                if self.on_restart:
                    self.on_restart(name, code)
            if now >= entry.next_start:
                restarts = entry.restarts + 1
                self.start(entry.child)
                self.running[name].restarts = restarts
                restarted.append(name)
        return restarted

    def wait_until_ready(self, names: Optional[List[str]] = None, timeout_s: float = 300) -> None:
        deadline = time.monotonic() + timeout_s
        for name in names or list(self.running):
            entry = self.running[name]
            while entry.child.ready is not None and not entry.child.ready():
                if entry.process.poll() is not None:
                    raise RuntimeError(f"the {name} server exited; see {entry.child.log}, which ends:\n"
                                       + _tail(entry.child.log))
                if time.monotonic() > deadline:
                    raise TimeoutError(f"the {name} server was not ready within {timeout_s:.0f} s; "
                                       f"see {entry.child.log}")
                time.sleep(0.25)

    def stop(self, name: Optional[str] = None) -> None:
        """Stops one child, or all in the reverse order of their start (the proxy before the Rasa servers
        before the databases)."""
        for key in [name] if name else list(reversed(list(self.running))):
            with self._lock:
                entry = self.running.pop(key, None)
            if entry is None or entry.process.poll() is not None:
                continue
            try:
                os.killpg(entry.process.pid, entry.child.stop_signal)
                entry.process.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                os.killpg(entry.process.pid, signal.SIGKILL)
                entry.process.wait()
            except ProcessLookupError:
                entry.process.wait()


@contextmanager
def watching(supervisor: Supervisor, poll_s: float = 0.5) -> Iterator[None]:
    """Restarts crashed children from a thread while the caller (a test, the benchmark) does its work.
    Children it restarts belong to that thread: they are stopped with the supervisor, before it ends."""
    done = threading.Event()

    def watch() -> None:
        while not done.wait(poll_s):
            try:
                supervisor.check()
            except KeepsFailing:
                logger.exception("Supervision gave up")
                return

    thread = threading.Thread(target=watch, name="supervisor", daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()


def answers(url: str) -> Callable[[], bool]:
    """A readiness check: the URL answers 200."""
    def check() -> bool:
        try:
            with urllib.request.urlopen(url, timeout=2) as reply:
                return bool(reply.status == 200)
        except (urllib.error.URLError, OSError):
            return False
    return check


def _tail(log: Path, lines: int = 15) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def stop_on_signals() -> None:
    """SIGTERM (a service manager), SIGINT (Ctrl-C) and SIGHUP (the terminal closed) end the launcher: the first
    one raises SystemExit, so the `finally` blocks stop the children in order, and every further signal is
    ignored until that is done. (A second SIGTERM to the process group used to interrupt the clean-up half-way
    and leave the Rasa server running.)"""
    def handle(signum: int, _frame: object) -> None:
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)
        raise SystemExit(0 if signum == signal.SIGINT else 128 + signum)

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, handle)


def supervise(supervisor: Supervisor, poll_s: float = 0.5) -> int:
    """The launcher's main loop: restarts what crashes until a signal ends it (SystemExit) or a child keeps
    failing (returns 1)."""
    def report(name: str, code: int) -> None:
        print(f"The {name} server exited (code {code}); restarting it. Patients get the apology meanwhile.",
              file=sys.stderr, flush=True)

    supervisor.on_restart = report
    try:
        while True:
            supervisor.check()
            time.sleep(poll_s)
    except KeepsFailing as error:
        print(f"{error}; stopping everything.", file=sys.stderr, flush=True)
        return 1
