"""Which Rasa servers are running now: the file a launcher keeps while it runs (paths.RUNNING_SERVERS_FILE).

    {"rasa": ["http://127.0.0.1:5005", ...], "pid": <the launcher's pid>, "started": "<ISO time>"}

`make run` (servers.py) and `make run-scaled` (scaled.py) write it once their servers answer and delete it when
they stop; the staff console's switch (clinic_bot/staff/switch.py) reads it to know whom to ask to reload the
model. A file left behind by a launcher that was killed is ignored (its pid is gone).

Also the token that request needs (clinic_bot/reload_token.py, which the server reads too): the launchers create
it at start so a console started later can use it.
"""
import json
import os
import sys
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

from clinic_bot import paths
from clinic_bot.files import PUBLIC, write_atomically
from clinic_bot.reload_token import ensure_reload_token  # the console and the e2e tests import it from here too


def _file(path: Optional[Path]) -> Path:
    return Path(path or paths.RUNNING_SERVERS_FILE)


def write_running(urls: List[str], path: Optional[Path] = None) -> None:
    """Records this process's Rasa servers (base URLs), replacing the file in one step."""
    target = _file(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    record = {"rasa": list(urls), "pid": os.getpid(), "started": datetime.now(timezone.utc).isoformat()}
    # Readable by the console whoever runs it (only URLs); no fsync: a launcher writes it anew at every start.
    write_atomically(target, json.dumps(record) + "\n", mode=PUBLIC, fsync=False)


def _read(path: Optional[Path] = None) -> Optional[Dict[str, Any]]:
    try:
        record = json.loads(_file(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def remove_running(path: Optional[Path] = None) -> None:
    """Deletes the file if this process wrote it (another launcher started since keeps its own)."""
    record = _read(path)
    if record is not None and record.get("pid") == os.getpid():
        _file(path).unlink(missing_ok=True)


def pid_alive(pid: Any) -> bool:
    if not isinstance(pid, int) or isinstance(pid, bool) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def running_rasa_urls(path: Optional[Path] = None) -> List[str]:
    """The base URLs of the running Rasa servers; none when no launcher runs (or its file is stale)."""
    record = _read(path)
    if record is None or not pid_alive(record.get("pid")):
        return []
    urls = record.get("rasa")
    return [url for url in urls if isinstance(url, str)] if isinstance(urls, list) else []


@contextmanager
def registered(urls: List[str], path: Optional[Path] = None) -> Iterator[None]:
    """The file names `urls` while the block runs (a launcher's servers, once ready); removed at its end."""
    write_running(urls, path)
    try:
        yield
    finally:
        remove_running(path)


def prepare_model_reload() -> None:
    """A launcher's start: the reload token exists (a console started later can use it). A token that cannot be
    written only disables switching models without a restart, so the servers start anyway."""
    try:
        ensure_reload_token()
    except OSError as error:
        print(f"warning: cannot create the model reload token {paths.MODEL_RELOAD_TOKEN_FILE} ({error}): "
              "the staff console will not switch the running servers to a new model", file=sys.stderr)
