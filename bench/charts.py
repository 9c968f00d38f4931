"""The report's pictures (PNG, matplotlib's Agg backend: no display needed)."""
from pathlib import Path
from typing import Any, Dict, List, Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)
import numpy as np  # noqa: E402


def _save(fig: Any, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def confusion_matrix(labels: Sequence[str], matrix: Sequence[Sequence[int]], title: str, path: Path) -> Path:
    counts = np.array(matrix, dtype=float)
    rows = counts.sum(axis=1, keepdims=True)
    share = np.divide(counts, rows, out=np.zeros_like(counts), where=rows > 0)
    size = 4 + 0.3 * len(labels)
    fig, ax = plt.subplots(figsize=(size, size))
    ax.imshow(share, cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(len(labels)), labels, rotation=90, fontsize=7)
    ax.set_yticks(range(len(labels)), labels, fontsize=7)
    for (row, col), value in np.ndenumerate(counts):
        if value and row != col:  # the diagonal is the rest of the row; mark only the mistakes
            ax.text(col, row, int(value), ha="center", va="center", fontsize=6, color="darkred")
    ax.set_xlabel("predicted")
    ax.set_ylabel("true intent")
    ax.set_title(title)
    return _save(fig, path)


def throughput(levels: List[Dict[str, Any]], path: Path) -> Path:
    patients = [level["patients"] for level in levels]
    fig, ax = plt.subplots(figsize=(6.5, 4))
    ax.plot(patients, [level["messages_per_s"] for level in levels], "o-", color="tab:blue", label="messages/s")
    ax.set_xlabel("concurrent patients")
    ax.set_ylabel("messages per second", color="tab:blue")
    ax.set_xscale("log", base=2)
    ax.set_xticks(patients, [str(p) for p in patients])
    latency = ax.twinx()
    latency.plot(patients, [level["p95_ms"] for level in levels], "s--", color="tab:red", label="p95 latency")
    latency.plot(patients, [level["p50_ms"] for level in levels], "^:", color="tab:orange", label="p50 latency")
    latency.set_ylabel("latency (ms)", color="tab:red")
    fig.legend(loc="upper left", bbox_to_anchor=(0.12, 0.88), fontsize=8)
    ax.set_title("Throughput and latency against concurrency (REST, real action server)")
    return _save(fig, path)


def latency_by_turn(median_ms_by_turn: Sequence[float], path: Path) -> Path:
    turns = range(1, len(median_ms_by_turn) + 1)
    fig, ax = plt.subplots(figsize=(6.5, 3.5))
    ax.plot(turns, median_ms_by_turn, "o-", markersize=3)
    ax.set_xlabel("turn of the conversation")
    ax.set_ylabel("median latency (ms)")
    ax.set_ylim(bottom=0)
    ax.set_title("Latency by turn of one long conversation (one patient at a time)")
    return _save(fig, path)


def scaling(profiles: Dict[str, List[Dict[str, Any]]], path: Path) -> Path:
    """Messages a second against the number of Rasa processes (scaled profile), one line per concurrency; the
    embedded profile as separate markers at one process."""
    fig, ax = plt.subplots(figsize=(6.5, 4))
    scaled = sorted((int(name.split("_")[1]), levels) for name, levels in profiles.items()
                    if name.startswith("scaled_"))
    patients = sorted({level["patients"] for _, levels in scaled for level in levels})
    for count, marker in zip(patients, "os^Dv"):
        points = [(processes, level["messages_per_s"]) for processes, levels in scaled
                  for level in levels if level["patients"] == count]
        if points:
            ax.plot(*zip(*points), marker + "-", label=f"scaled, {count} patients")
    for level, marker in zip(profiles.get("embedded", []), "os^Dv"):
        ax.plot([1], [level["messages_per_s"]], marker, color="grey", fillstyle="none",
                label=f"embedded, {level['patients']} patients")
    ax.set_xlabel("Rasa processes")
    ax.set_ylabel("messages per second")
    ax.set_xticks([processes for processes, _ in scaled] or [1])
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=8)
    ax.set_title("Throughput against Rasa processes (2 cores)")
    return _save(fig, path)
