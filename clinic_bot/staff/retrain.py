"""The console's "Train and compare": check the data, train a candidate, measure it and the running model,
and switch the running assistant to the candidate only when no figure got worse beyond the clinic's margin.

One job at a time, in a thread of the console; training and each measurement run in their own process (a
loaded model costs hundreds of MB). The candidate is trained from the same files `make train` reads, so a
switched model is exactly what `make train` would build from them.
"""
import json
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

from clinic_bot import paths
from clinic_bot.content.clinic_config import load_retrain_margin
from clinic_bot.launcher.servers import server_env
from clinic_bot.staff.audit import AuditLog
from clinic_bot.staff.evaluate import Change, compare, fingerprint
from clinic_bot.staff.switch import SwitchResult, switch_model

WORK_DIR = paths.STAFF_DIR / "retrain"
STAGES = ("Check the data", "Train a new model", "Measure the new model", "Measure the running model",
          "Compare", "Switch the assistant to the new model")
DEFAULT_TRAINING_S = 120.0  # the first estimate of the progress bar, before a training was timed here
MAX_PROBLEMS_SHOWN = 10


@dataclass
class Stage:
    name: str
    state: str = "waiting"  # waiting, running, done, failed, skipped
    detail: str = ""
    seconds: float = 0.0


@dataclass
class Job:
    user: str
    started: float
    stages: List[Stage] = field(default_factory=lambda: [Stage(name) for name in STAGES])
    outcome: str = "running"  # running, switched, refused, failed
    summary: str = ""
    changes: List[Dict[str, Any]] = field(default_factory=list)
    expected_training_s: float = DEFAULT_TRAINING_S
    finished: Optional[float] = None
    stage_started: float = 0.0

    def snapshot(self) -> Dict[str, Any]:
        data = asdict(self)
        running = next((s for s in self.stages if s.state == "running"), None)
        data["current"] = running.name if running else None
        training = self.stages[1]
        if training.state == "running":
            data["training_elapsed_s"] = time.time() - self.stage_started
        return data


class StageFailed(Exception):
    """The stage's reason, in words for staff."""


class Retrainer:
    def __init__(self, audit: AuditLog, work_dir: Path = WORK_DIR, model_file: Path = paths.MODEL_FILE,
                 switch: Callable[[Path], SwitchResult] = switch_model) -> None:
        self.audit = audit
        self.work_dir = Path(work_dir)
        self.model_file = Path(model_file)
        self.switch = switch
        self._lock = threading.Lock()
        self.job: Optional[Job] = None
        self._new: Dict[str, Any] = {}
        self._old: Optional[Dict[str, Any]] = None

    @property
    def candidate(self) -> Path:
        return self.work_dir / "models" / "candidate.tar.gz"

    def status(self) -> Optional[Dict[str, Any]]:
        with self._lock:
            return self.job.snapshot() if self.job else None

    def running(self) -> bool:
        with self._lock:
            return self.job is not None and self.job.outcome == "running"

    def start(self, user: str) -> bool:
        """False when a job is already running."""
        with self._lock:
            if self.job is not None and self.job.outcome == "running":
                return False
            self.job = Job(user, time.time(), expected_training_s=self._expected_training_s())
        self.audit.record(user, "retrain started", "model")
        threading.Thread(target=self._run, name="retrain", daemon=True).start()
        return True

    # --- the job ---------------------------------------------------------------------------------------------
    def _run(self) -> None:
        assert self.job is not None
        job = self.job
        steps: List[Callable[[], str]] = [self._check, self._train, self._measure_candidate, self._measure_running,
                                          self._compare, self._switch]
        for stage, step in zip(job.stages, steps):
            self._enter(stage)
            try:
                stage.detail = step()
                stage.state = "done"
            except StageFailed as reason:
                stage.state = "failed"
                stage.detail = str(reason)
            except Exception as error:  # the console must survive anything a training throws
                stage.state = "failed"
                stage.detail = f"unexpected error: {error}"
            stage.seconds = time.time() - job.stage_started
            if stage.state == "failed":
                for later in job.stages[job.stages.index(stage) + 1:]:
                    later.state = "skipped"
                if job.outcome == "running":
                    job.outcome = "failed"
                    job.summary = f"{stage.name}: {stage.detail}"
                break
        if job.outcome == "running":
            job.outcome = "switched"
        job.finished = time.time()
        self.audit.record(job.user, f"retrain {job.outcome}", "model", after={"summary": job.summary,
                                                                              "changes": job.changes})

    def _enter(self, stage: Stage) -> None:
        assert self.job is not None
        stage.state = "running"
        self.job.stage_started = time.time()

    def _check(self) -> str:
        from clinic_bot.tools.validate import run_checks

        errors = [p for p in run_checks() if p.level == "error"]
        if errors:
            shown = "; ".join(str(p) for p in errors[:MAX_PROBLEMS_SHOWN])
            raise StageFailed(f"{len(errors)} problem(s) in the data must be fixed first (`make validate`): {shown}")
        return "no errors"

    def _train(self) -> str:
        out = self.candidate.parent
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir(parents=True)
        log = self.work_dir / "train.log"
        started = time.time()
        with open(log, "w", encoding="utf-8") as output:
            done = subprocess.run([sys.executable, "-m", "rasa", "train", "--fixed-model-name", "candidate",
                                   "--out", str(out)], cwd=paths.REPO_ROOT, env=server_env(),
                                  stdout=output, stderr=subprocess.STDOUT)
        if done.returncode != 0 or not self.candidate.is_file():
            raise StageFailed(f"training failed (exit code {done.returncode}); the end of {log}: {_tail(log)}")
        seconds = time.time() - started
        (self.work_dir / "training_seconds").write_text(f"{seconds:.0f}")
        return f"trained in {seconds:.0f} s"

    def _expected_training_s(self) -> float:
        try:
            return float((self.work_dir / "training_seconds").read_text())
        except (OSError, ValueError):
            return DEFAULT_TRAINING_S

    def _figures(self, model: Path) -> Dict[str, Any]:
        """The model's figures, measured once per model file and evaluation sets (cached by fingerprint)."""
        cache = self.work_dir / "figures" / f"{fingerprint(model)}.json"
        if not cache.is_file():
            log = self.work_dir / "evaluate.log"
            with open(log, "w", encoding="utf-8") as output:
                done = subprocess.run([sys.executable, "-m", "clinic_bot.staff.evaluate", str(model),
                                       "--out", str(cache)], cwd=paths.REPO_ROOT, env=server_env(),
                                      stdout=output, stderr=subprocess.STDOUT)
            if done.returncode != 0 or not cache.is_file():
                raise StageFailed(f"measuring {model.name} failed; the end of {log}: {_tail(log)}")
        return dict(json.loads(cache.read_text(encoding="utf-8")))

    def _measure_candidate(self) -> str:
        self._new = self._figures(self.candidate)
        return _headline(self._new)

    def _measure_running(self) -> str:
        if not self.model_file.is_file():
            self._old = None
            return "no model yet: nothing to compare with"
        self._old = self._figures(self.model_file)
        return _headline(self._old)

    def _compare(self) -> str:
        assert self.job is not None
        if self._old is None:
            return "first model: nothing to compare"
        try:
            margin = load_retrain_margin()
        except ValueError as error:
            raise StageFailed(str(error)) from error
        changes = compare(self._old, self._new, margin)
        self.job.changes = [_change_row(c) for c in changes]
        worse = [c for c in changes if c.too_much]
        if worse:
            self.job.outcome = "refused"
            self.job.summary = ("The running model was kept: " + "; ".join(c.sentence() for c in worse) +
                                f". (Margin: {margin:g} points; urgent recall may never get worse.)")
            raise StageFailed(self.job.summary)
        return f"nothing got worse beyond {margin:g} points (urgent recall not at all)"

    def _switch(self) -> str:
        assert self.job is not None
        result = self.switch(self.candidate)
        if not result.switched or not all(server.ok for server in result.servers):
            raise StageFailed(result.detail)
        self.job.summary = f"The assistant now runs the new model. {result.detail}".strip()
        return result.detail


def _headline(figures: Dict[str, Any]) -> str:
    return (f"topics {figures['holdout_accuracy']['rate']:.1%}, "
            f"urgent recall {figures['urgent_recall']['rate']:.1%}")


def _change_row(change: Change) -> Dict[str, Any]:
    return {"label": change.figure.label, "before": change.before, "after": change.after,
            "worse_by_points": change.worse_by_points, "too_much": change.too_much,
            "never_worse": change.figure.never_worse}


def _tail(log: Path, lines: int = 5) -> str:
    try:
        return " | ".join(log.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-lines:])
    except OSError:
        return "(no log)"
