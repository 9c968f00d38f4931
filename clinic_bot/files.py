"""Replacing a file in one step: a reader (the console's other threads, another process, a server that restarts)
sees the old file or the new one, never half of one, and a write that fails leaves the old file as it was.

The new content is written to a temporary file beside the target (the same folder, so the same file system: the
rename is atomic), then renamed over it with os.replace. The temporary name starts with a dot and ends in ".tmp",
so no glob of the folder's data files (*.yml, *.json) ever picks it up.

Each caller says who may read the file (`mode`): PRIVATE for secrets and staff records, PUBLIC for what other
users' processes read, SAME_MODE to keep the mode the file has now (files edited in the repository). `fsync`
puts the data on disk before the rename, so a crash right after cannot leave an empty file in place of the old
one; only files that are cheap to lose (rewritten at the next start or the next click) skip it.
"""
import os
import stat
import tempfile
from contextlib import suppress
from pathlib import Path
from typing import BinaryIO, Callable, Optional, Tuple

PRIVATE = 0o600  # only its owner reads it (what mkstemp creates, kept through the rename)
PUBLIC = 0o644  # anyone may read it, only its owner writes it
SAME_MODE: Optional[int] = None  # the mode the existing file has (it must exist)
FileStamp = Optional[Tuple[int, int]]  # (mtime_ns, size); None: the file is missing


def file_stamp(path: Path) -> FileStamp:
    """What changes when a file is saved (its modification time and size): readers that keep what they read
    compare it to know when to read again."""
    try:
        status = path.stat()
    except OSError:
        return None
    return status.st_mtime_ns, status.st_size


def staged(target: Path, write: Callable[[BinaryIO], object], *, mode: Optional[int] = PRIVATE,
           fsync: bool = True) -> Path:
    """A complete new file beside `target` under a temporary name, filled by `write`, with `mode` (SAME_MODE:
    target's), ready to os.replace over `target`. Nothing is left behind when it fails.

    For a caller that must do something between writing and renaming (the model switch keeps the old model
    first); the others call write_atomically."""
    target = Path(target)
    if mode is None:
        mode = stat.S_IMODE(target.stat().st_mode)  # before anything is created: a missing file raises here
    descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            write(handle)
            if fsync:
                handle.flush()
                os.fsync(handle.fileno())
        os.chmod(temporary, mode)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    return Path(temporary)


def write_atomically(path: Path, text: str, *, mode: Optional[int] = PRIVATE, fsync: bool = True) -> None:
    """`text` (UTF-8, newlines as given) replaces the file at `path` in one step; see the module's docstring for
    `mode` and `fsync`. The folder must exist."""
    path = Path(path)
    temporary = staged(path, lambda handle: handle.write(text.encode("utf-8")), mode=mode, fsync=fsync)
    try:
        os.replace(temporary, path)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
