"""The model reload token (paths.MODEL_RELOAD_TOKEN_FILE): the secret a Rasa server wants with "load the model file
again" (clinic_bot/server/model_reload.py reads it at each request), which the launchers create at start
(clinic_bot/launcher/registry.py) and the staff console sends (clinic_bot/staff/switch.py).

A module of its own, importing nothing but the standard library and clinic_bot.paths: the server, the launchers
and the console each import it without importing one another (importing clinic_bot.server loads Rasa: seconds).
"""
import os
import secrets
from pathlib import Path
from typing import Optional

from clinic_bot import paths


def ensure_reload_token(path: Optional[Path] = None) -> str:
    """The reload token in `path` (default paths.MODEL_RELOAD_TOKEN_FILE), created first if missing: a random
    token in a file only its owner can read (0600); a missing folder is created for its owner only (0700), an
    existing one is left as it is."""
    path = Path(path or paths.MODEL_RELOAD_TOKEN_FILE)
    token = read_token(path)
    if token:
        return token
    if not path.parent.is_dir():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        path.parent.chmod(0o700)  # mkdir's mode is masked by the umask
    token = secrets.token_urlsafe(32)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(token + "\n")
    os.chmod(temporary, 0o600)
    try:
        os.link(temporary, path)  # fails if another process created it meanwhile: theirs is kept
    except FileExistsError:
        pass
    finally:
        temporary.unlink()
    return read_token(path) or token


def read_token(path: Optional[Path] = None) -> Optional[str]:
    """The token in `path` (default paths.MODEL_RELOAD_TOKEN_FILE); None when the file is missing or empty."""
    try:
        token = Path(path or paths.MODEL_RELOAD_TOKEN_FILE).read_text(encoding="utf-8").strip()
    except (FileNotFoundError, NotADirectoryError):
        return None
    return token or None
