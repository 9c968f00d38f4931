"""Switch the running assistant to a new model: no restart, no conversation lost, no moment without answers.

1. install_model: the model file the servers run (paths.MODEL_FILE) is kept as paths.PREVIOUS_MODEL_FILE, then
   the candidate replaces it in one step (a copy next to it, then os.replace): a server that starts or restarts
   at any moment loads either the old model or the new one, never half a file.
2. reload_running: each running Rasa server (the launcher's registry, clinic_bot/launcher/registry.py) is asked
   to load that file again (POST paths.MODEL_RELOAD_PATH with the reload token: clinic_bot/server/model_reload.py),
   one after the other, so with several servers the others answer meanwhile; each one also goes on answering
   with its old model while it loads the new one.

Rolling back is the same switch with the previous model: switch_model(paths.PREVIOUS_MODEL_FILE) (install_model
copies the candidate before it overwrites `previous`).
"""
import json
import os
import shutil
import tarfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, List, Optional

from clinic_bot import paths
from clinic_bot.files import PUBLIC, staged
from clinic_bot.launcher.registry import ensure_reload_token, running_rasa_urls

NO_SERVER_RUNNING = "no assistant is running: `make run` will start with the new model"


@dataclass(frozen=True)
class ServerReload:
    url: str
    ok: bool
    detail: str  # the model_id it runs now, or the error


@dataclass(frozen=True)
class SwitchResult:
    switched: bool  # the model file is installed and every running server runs it
    servers: List[ServerReload]
    detail: str


def _staged_copy(source: Path, target: Path) -> Path:
    """A complete copy of `source` (on disk: fsync) under a temporary name beside `target`, to rename into place;
    readable by all, like the model `make train` writes."""
    def copy(handle: BinaryIO) -> None:
        with open(source, "rb") as data:
            shutil.copyfileobj(data, handle)
    return staged(target, copy, mode=PUBLIC)


def install_model(candidate: Path, model_file: Optional[Path] = None, previous: Optional[Path] = None) -> None:
    """Keeps the current model (default paths.MODEL_FILE) as `previous` (default paths.PREVIOUS_MODEL_FILE), then
    puts the candidate in its place atomically. The candidate itself is left where it is."""
    candidate = Path(candidate)
    model_file = Path(model_file or paths.MODEL_FILE)
    previous = Path(previous or paths.PREVIOUS_MODEL_FILE)
    if not candidate.is_file():
        raise FileNotFoundError(f"no model at {candidate}")
    if not tarfile.is_tarfile(candidate):
        raise ValueError(f"{candidate} is not a Rasa model (a .tar.gz archive)")
    model_file.parent.mkdir(parents=True, exist_ok=True)
    previous.parent.mkdir(parents=True, exist_ok=True)
    # The candidate first, into model_file's folder (so the last step is a rename): if it is `previous` itself
    # (a rollback), it is read before `previous` is overwritten.
    staged_model = _staged_copy(candidate, model_file)
    try:
        if model_file.is_file():
            os.replace(_staged_copy(model_file, previous), previous)
        os.replace(staged_model, model_file)
    finally:
        staged_model.unlink(missing_ok=True)


def _reload_one(url: str, token: str, timeout_s: float) -> ServerReload:
    request = urllib.request.Request(url.rstrip("/") + paths.MODEL_RELOAD_PATH, data=b"{}", method="POST",
                                     headers={"Authorization": f"Bearer {token}",
                                              "Content-Type": "application/json"})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # straight to the server: no proxy
    try:
        with opener.open(request, timeout=timeout_s) as reply:
            body = json.loads(reply.read() or b"{}")
        return ServerReload(url, True, str(body.get("model_id")))
    except urllib.error.HTTPError as error:
        try:
            reason = str(json.loads(error.read() or b"{}").get("error") or error.reason)
        except (ValueError, AttributeError):
            reason = str(error.reason)
        return ServerReload(url, False, f"HTTP {error.code}: {reason}")
    except (OSError, ValueError) as error:  # refused, timed out, not JSON
        return ServerReload(url, False, f"{type(error).__name__}: {getattr(error, 'reason', error)}")


def reload_running(urls: Optional[List[str]] = None, timeout_s: float = 300) -> List[ServerReload]:
    """Asks each Rasa server (default: the running ones, from the registry) to load its model file again, one
    after the other, each within `timeout_s`."""
    urls = running_rasa_urls() if urls is None else list(urls)
    if not urls:
        return []
    token = ensure_reload_token()  # the servers read it at each request: one created just now works too
    return [_reload_one(url, token, timeout_s) for url in urls]


def switch_model(candidate: Path) -> SwitchResult:
    """install_model, then reload_running."""
    install_model(candidate)
    urls = running_rasa_urls()
    if not urls:
        return SwitchResult(True, [], NO_SERVER_RUNNING)
    servers = reload_running(urls)
    failed = [server for server in servers if not server.ok]
    if not failed:
        models = sorted({server.detail for server in servers})
        return SwitchResult(True, servers, f"{len(servers)} server(s) reloaded: now model {', '.join(models)}")
    which = "; ".join(f"{server.url} ({server.detail})" for server in failed)
    return SwitchResult(False, servers,
                        f"the new model is installed in {paths.MODEL_FILE.name}, but {len(failed)} of {len(servers)} "
                        f"server(s) did not reload and still run the old model: {which}. A restart of those "
                        "loads the new file; to go back, switch to the previous model.")
