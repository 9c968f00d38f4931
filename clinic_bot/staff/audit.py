"""The staff console's audit log: who changed what, when, from what to what.

One JSON object a line in var/staff/audit.jsonl (mode 0600):
``{"time": ISO-8601 UTC, "user", "action", "target", "before", "after"}``. It is only ever appended to:
each record is one os.write on an O_APPEND descriptor, then fsynced, so the console's threads and other
processes writing at once never mix their lines, and a record the console reported is on disk. Reading
skips a damaged line (e.g. the end of a write cut off by a crash) instead of failing on it.

Some records come from requests without a login (failed logins), so every record is bounded: user, action and
target are cut at FIELD_CHARS, before and after at VALUE_CHARS of JSON. What someone typed as a name that is no
account is never recorded, only its pseudonym(): it may well be a password typed into the wrong field.
"""
import fcntl
import hashlib
import hmac
import json
import os
import secrets
import time
from contextlib import suppress
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List

from clinic_bot import paths

READ_BLOCK = 64 * 1024
FIELD_CHARS = 200  # names, actions and targets are short; more is not from the console's own pages
VALUE_CHARS = 100_000  # the JSON of before/after: ten times the longest curated answer
CUT = "\u2026"
PSEUDONYM_HEX = 8


class AuditLog:
    def __init__(self, path: Path = paths.STAFF_AUDIT_FILE, clock: Callable[[], float] = time.time) -> None:
        self.path = Path(path)
        self.clock = clock
        self._pseudonym_key = secrets.token_bytes(16)  # in memory only: see pseudonym()

    def pseudonym(self, text: str) -> str:
        """A short one-way stand-in for ``text``: the same text gives the same one while this log object lives,
        so repeated tries show as repeated, but it is keyed with a secret that never leaves memory, so the
        record cannot be turned back into the text, not even by trying likely passwords."""
        digest = hmac.new(self._pseudonym_key, str(text).encode("utf-8", "replace"), hashlib.sha256)
        return digest.hexdigest()[:PSEUDONYM_HEX]

    def record(self, user: str, action: str, target: str, before: Any = None, after: Any = None) -> None:
        """Appends one change; before/after are any JSON values (anything else is written as its text,
        rather than losing the record of a change already made). Over-long values are cut (see the module)."""
        entry = {"time": datetime.fromtimestamp(self.clock(), timezone.utc).isoformat(timespec="milliseconds"),
                 "user": _cut(str(user), FIELD_CHARS), "action": _cut(str(action), FIELD_CHARS),
                 "target": _cut(str(target), FIELD_CHARS), "before": _bounded(before), "after": _bounded(after)}
        line = (json.dumps(entry, default=str) + "\n").encode("utf-8")  # ASCII-escaped: no byte of it splits a line
        self._make_folder()
        handle = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            with suppress(PermissionError):  # someone else's file: still append, it is what matters
                os.fchmod(handle, 0o600)
            # Writers take turns only so the look at the last byte holds until the write (a write in progress
            # shows half done); the O_APPEND write alone already keeps lines whole.
            fcntl.flock(handle, fcntl.LOCK_EX)
            size = os.fstat(handle).st_size
            if size and os.pread(handle, 1, size - 1) != b"\n":
                line = b"\n" + line  # a line cut off by a crash stays alone (and skipped), not glued to this one
            written = os.write(handle, line)
            if written < len(line):  # only when the disk is full: the rest, rather than half a record
                os.write(handle, line[written:])
            os.fsync(handle)
        finally:
            os.close(handle)  # releases the lock

    def recent(self, limit: int = 200) -> List[Dict[str, Any]]:
        """The last ``limit`` records, newest first, read from the end of the file (it only grows)."""
        found: List[Dict[str, Any]] = []
        if limit <= 0:
            return found
        for raw in self._lines_from_end():
            try:
                entry = json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                continue
            if isinstance(entry, dict):
                found.append(entry)
                if len(found) >= limit:
                    break
        return found

    def _lines_from_end(self) -> Iterator[bytes]:
        """The file's non-empty lines, last first, reading blocks backwards from the end."""
        try:
            source = open(self.path, "rb")
        except FileNotFoundError:
            return
        with source:
            position = source.seek(0, os.SEEK_END)
            rest = b""  # the start of the file's part already read: maybe the end of a line not yet complete
            while position > 0:
                step = min(READ_BLOCK, position)
                position -= step
                source.seek(position)
                lines = (source.read(step) + rest).split(b"\n")
                rest = lines.pop(0)
                yield from (line for line in reversed(lines) if line.strip())
            if rest.strip():
                yield rest

    def _make_folder(self) -> None:
        folder = self.path.parent
        if not folder.exists():
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.chmod(folder, 0o700)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1] + CUT


def _bounded(value: Any) -> Any:
    """The value itself when its JSON fits VALUE_CHARS, else the start of its JSON text, marked as cut."""
    if value is None or isinstance(value, (bool, int, float)):
        return value
    text = json.dumps(value, default=str)
    if len(text) <= VALUE_CHARS:
        return value
    return _cut(text, VALUE_CHARS)
