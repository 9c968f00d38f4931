"""Trains the models the benchmark measures, never into models/ and never with the project's .rasa cache."""
import contextlib
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import List

from clinic_bot.content.nlu_data import Example
from clinic_bot.launcher.servers import server_env
from clinic_bot.paths import DOMAIN_FILE, REPO_ROOT


@dataclass(frozen=True)
class TrainedModel:
    path: Path
    seconds: float  # wall clock of `rasa train` from an empty cache, imports included


def train_from_clean_cache(config: Path, workdir: Path) -> TrainedModel:
    """`rasa train` (NLU and dialogue) as `make train` runs it, but into workdir with an empty cache,
    so the time is what a fresh clone pays."""
    out, cache = workdir / "model", workdir / "cache"
    out.mkdir(parents=True, exist_ok=True)
    cache.mkdir(parents=True, exist_ok=True)
    env = {**server_env(), "RASA_CACHE_DIRECTORY": str(cache)}
    args = [sys.executable, "-m", "rasa", "train", "--config", str(config), "--domain", str(DOMAIN_FILE),
            "--data", str(REPO_ROOT / "data"), "--out", str(out), "--fixed-model-name", "bench", "--quiet"]
    started = time.monotonic()
    with open(workdir / "train.log", "wb") as log:
        finished = subprocess.run(args, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    seconds = time.monotonic() - started
    if finished.returncode != 0:
        raise RuntimeError(f"rasa train failed (exit {finished.returncode}); see {workdir / 'train.log'}")
    return TrainedModel(out / "bench.tar.gz", seconds)


def write_nlu_file(examples: List[Example], path: Path) -> Path:
    """Rasa NLU YAML for a cross-validation fold, written by Rasa's own writer."""
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLWriter
    from rasa.shared.nlu.training_data.message import Message
    from rasa.shared.nlu.training_data.training_data import TrainingData

    data = TrainingData([Message.build(text=e.text, intent=e.intent) for e in examples])
    RasaYAMLWriter().dump(path, data)
    return path


def train_nlu_in_process(config: Path, examples: List[Example], workdir: Path, name: str) -> TrainedModel:
    """An NLU-only model on the given examples (one cross-validation fold); Rasa's chatter goes to a log."""
    import rasa.model_training

    workdir.mkdir(parents=True, exist_ok=True)
    nlu_file = write_nlu_file(examples, workdir / f"{name}.yml")
    started = time.monotonic()
    with open(workdir / f"{name}.log", "w") as log, contextlib.redirect_stdout(log), contextlib.redirect_stderr(log):
        model = rasa.model_training.train_nlu(str(config), str(nlu_file), str(workdir), fixed_model_name=name,
                                              domain=str(DOMAIN_FILE))
    if not model:
        raise RuntimeError(f"training fold {name} failed; see {workdir / (name + '.log')}")
    return TrainedModel(Path(model), time.monotonic() - started)


def isolate_cache(workdir: Path) -> None:
    """Everything this process trains caches under workdir, not in the project's .rasa/cache."""
    os.environ["RASA_CACHE_DIRECTORY"] = str(workdir / "cache-in-process")
