"""Footprint: resident memory of a server (its whole process tree), model size, start to first answer."""
import os
import time
from pathlib import Path
from typing import Dict, List

from tests.e2e.conftest import answers, post

FIRST_MESSAGE = "hello"


def _children() -> Dict[int, List[int]]:
    children: Dict[int, List[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            # the process name is in parentheses and may hold spaces: the parent pid follows the last ")"
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(entry.name))
    return children


def _rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _tree(pid: int) -> List[int]:
    children, found, todo = _children(), [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def machine_busy_seconds() -> float:
    """CPU time all processes used so far, all cores together (/proc/stat, idle and I/O wait left out)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    busy = sum(fields[:8]) - idle  # user nice system idle iowait irq softirq steal (guest is in user)
    return busy / os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) used so far by a process and its descendants: unlike latency, the CPU a
    message costs is barely changed by other work on the machine."""
    ticks = 0
    for member in _tree(pid):
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
        except (OSError, IndexError, ValueError):
            continue
    return ticks / os.sysconf("SC_CLK_TCK")


def rss_mib(pid: int) -> float:
    """Resident memory of a process and its descendants (Sanic workers, if any), in MiB."""
    return sum(_rss_kib(member) for member in _tree(pid)) / 1024


def size_mib(path: Path) -> float:
    return os.path.getsize(path) / 1024 ** 2


def wait_for_first_answer(webhook_url: str, timeout_s: float = 120) -> float:
    """Sends a first message until a real answer comes back; returns the monotonic time it came."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            status, messages = post(webhook_url, {"sender": "bench-first", "message": FIRST_MESSAGE}, timeout=30)
            if status == 200 and answers(messages) and "unavailable" not in answers(messages):
                return time.monotonic()
        except OSError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"no answer from {webhook_url} within {timeout_s:.0f} s")
