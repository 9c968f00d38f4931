"""The staff console's user accounts: names, scrypt password hashes and lock-outs, in one JSON file.

    python -m clinic_bot.staff.accounts NAME        (what `make staff-user NAME=...` runs)

asks the password twice (never echoed) and creates the account, or gives an existing one the new password
and unlocks it. A weak password or a mismatch is refused with the reason, and nothing is written.

Every password set gives the account a new random "generation". A console session remembers the generation
it logged in with, and the console compares it with the file's at every request (re-reading the file only
when it changed on disk): a new password, or the account removed from the file, ends that account's sessions
at their next request, whichever process made the change.

The file (var/staff/accounts.json, mode 0600 in a 0700 folder) holds no password text: each password is an
scrypt hash written as ``scrypt$N$r$p$<salt>$<hash>``, so the cost can be raised later without breaking old
hashes (a login with old parameters re-hashes with the current ones). Failed logins in a row and the lock-out
time are kept in the file too, so restarting the console does not reset a lock-out. Every change is made
under an fcntl lock file and written atomically, so the CLI and the console can change it at the same time.

A failed login says nothing of the name: an unknown name, a wrong password and a locked account get the same
answer from the console after the same work (one scrypt hash and one write of the file), so neither the reply
nor its time tells which names are accounts.
"""
import argparse
import base64
import binascii
import fcntl
import getpass
import hashlib
import hmac
import json
import math
import os
import re
import secrets
import sys
import time
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, Tuple

from clinic_bot import paths
from clinic_bot.files import PRIVATE, write_atomically

# scrypt's cost: about 32 MiB and 50-100 ms a hash; stored with each hash so it can be raised later.
SCRYPT_N = 2**15
SCRYPT_R = 8
SCRYPT_P = 1
SCRYPT_MAXMEM = 64 * 1024 * 1024
SALT_BYTES = 16
KEY_BYTES = 32
MIN_PASSWORD_LENGTH = 10
# Longer input is refused before any hashing: a login form must not make scrypt read a megabyte, and no name or
# password manager needs more. The name allows for spaces around the 32 characters of NAME_PATTERN.
MAX_PASSWORD_LENGTH = 256
MAX_NAME_INPUT = 64
NAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{1,31}")
GENERATION_BYTES = 12
FILE_VERSION = 1


class AccountError(ValueError):
    """A name or password the accounts refuse, or an accounts file that cannot be read; the message says
    which, in words fit to show the person typing."""


@dataclass(frozen=True)
class LoginResult:
    ok: bool
    name: str  # the normalised name
    reason: str  # "ok", "wrong" (unknown name or wrong password: the same, to give no hint), "locked"
    locked_for_s: int = 0  # with "locked": the seconds left until the next try can succeed
    # For the console's own use, never for the reply: whether ``name`` is an account (the audit log records only
    # an account's name), and with "ok" the generation the session must remember.
    known: bool = field(default=False, compare=False)
    generation: str = field(default="", compare=False)


def normalise_name(name: str) -> str:
    """The name as stored: lower case, without surrounding spaces, so "Alice " and "alice" are one account."""
    key = str(name).strip().lower()
    if not NAME_PATTERN.fullmatch(key):
        raise AccountError("a staff name is 2 to 32 characters: letters, digits, '.', '_' or '-', "
                           "starting with a letter or digit")
    return key


def _normalise_password(password: str) -> str:
    """The same typed password gives the same bytes whichever keyboard or system composed its accents."""
    return unicodedata.normalize("NFC", str(password))


def password_problem(name: str, password: str) -> Optional[str]:
    """What is wrong with ``password`` for the (normalised) ``name``, or None when it is acceptable."""
    password = _normalise_password(password)
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"the password must be at least {MIN_PASSWORD_LENGTH} characters long"
    if len(password) > MAX_PASSWORD_LENGTH:  # the login form would refuse it
        return f"the password must be at most {MAX_PASSWORD_LENGTH} characters long"
    if name and name in password.lower():
        return "the password must not contain the account name"
    if len(set(password)) == 1:
        return "the password must not be one character repeated"
    return None


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int, length: int) -> bytes:
    return hashlib.scrypt(_normalise_password(password).encode("utf-8"), salt=salt, n=n, r=r, p=p,
                          maxmem=SCRYPT_MAXMEM, dklen=length)


def hash_password(password: str) -> str:
    """``scrypt$N$r$p$<salt b64>$<hash b64>``: the parameters travel with the hash."""
    salt = os.urandom(SALT_BYTES)
    key = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P, KEY_BYTES)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(key)}"


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` gives ``stored``; a damaged or foreign hash is a mismatch, after the same work."""
    try:
        scheme, n, r, p, salt_b64, key_b64 = stored.split("$")
        if scheme != "scrypt":
            raise ValueError(scheme)
        salt, expected = base64.b64decode(salt_b64, validate=True), base64.b64decode(key_b64, validate=True)
        actual = _scrypt(password, salt, int(n), int(r), int(p), len(expected))
    except (ValueError, TypeError, binascii.Error, AttributeError):  # scrypt says ValueError for too much memory
        _spend_one_hash(password)
        return False
    return hmac.compare_digest(actual, expected)


def _spend_one_hash(password: str) -> None:
    """The work of one verification, for a login that has no hash to check: its answer takes as long."""
    hmac.compare_digest(_scrypt(password, os.urandom(SALT_BYTES), SCRYPT_N, SCRYPT_R, SCRYPT_P, KEY_BYTES),
                        bytes(KEY_BYTES))


def _has_current_parameters(stored: str) -> bool:
    return stored.split("$")[:4] == ["scrypt", str(SCRYPT_N), str(SCRYPT_R), str(SCRYPT_P)]


def _iso(moment: float) -> str:
    return datetime.fromtimestamp(moment, timezone.utc).isoformat(timespec="seconds")


def _new_generation() -> str:
    """Random, not a counter: an account removed and created again under the same name must not bring back
    the sessions of the old one."""
    return secrets.token_urlsafe(GENERATION_BYTES)


def _generation_of(account: Dict[str, Any]) -> str:
    return str(account.get("generation") or "")  # "" for an account written before generations existed


FileSignature = Tuple[int, int, int, int]


class Accounts:
    """The accounts file; every method reads it afresh (generation() when it changed on disk), so changes by
    the CLI show at once in the console."""

    def __init__(self, path: Path = paths.STAFF_ACCOUNTS_FILE, max_failures: int = 5, lock_s: int = 900,
                 clock: Callable[[], float] = time.time) -> None:
        self.path = Path(path)
        self.lock_path = self.path.with_name(self.path.name + ".lock")
        self.max_failures = max(1, int(max_failures))
        self.lock_s = int(lock_s)
        self.clock = clock
        self._snapshot: Optional[Tuple[Optional[FileSignature], Dict[str, Dict[str, Any]]]] = None

    def set_password(self, name: str, password: str) -> bool:
        """True when the account was created, False when an existing one got the new password (which also
        unlocks it, and ends its sessions: see generation()). Raises AccountError for a bad name or a weak
        password, writing nothing."""
        key = normalise_name(name)
        problem = password_problem(key, password)
        if problem:
            raise AccountError(problem)
        stored = hash_password(password)  # outside the lock: other writers need not wait for scrypt
        with self._locked():
            accounts = self._read()
            now = self.clock()
            created = key not in accounts
            account = accounts.setdefault(key, {"created": _iso(now)})
            account.update(password=stored, changed=_iso(now), failures=0, locked_until=0,
                           generation=_new_generation())
            self._write(accounts)
        return created

    def login(self, name: str, password: str) -> LoginResult:
        """Checks the password. Never raises for what a login form sends. Every failure on a name that could be
        an account costs the same: one scrypt hash and one write of the file, whether the name is unknown, the
        password wrong or the account locked; only ``known`` and ``reason`` tell them apart, for the audit log.
        A name that cannot exist costs the hash only (its form is public); input over the length limits is
        refused before any hashing."""
        name, password = str(name), str(password)
        if len(name) > MAX_NAME_INPUT or len(password) > MAX_PASSWORD_LENGTH:
            return LoginResult(False, "", "wrong")
        try:
            key = normalise_name(name)
        except AccountError:
            _spend_one_hash(password)
            return LoginResult(False, "", "wrong")
        # Held through the scrypt work, so two wrong tries at once both count and a lock-out cannot be raced.
        with self._locked():
            accounts = self._read()
            account = accounts.get(key)
            if account is None:
                _spend_one_hash(password)
                self._write(accounts)  # unchanged: the disk work of a counted failure, so it takes as long
                return LoginResult(False, key, "wrong")
            now = self.clock()
            stored = str(account.get("password", ""))
            left = self._locked_for(account, now)
            if left:
                verify_password(password, stored)  # the work of a try, though no password opens it now
                self._write(accounts)
                return LoginResult(False, key, "locked", left, known=True)
            if not verify_password(password, stored):
                return self._failed(accounts, key, now)
            if account.get("failures") or account.get("locked_until") or not _has_current_parameters(stored):
                account.update(failures=0, locked_until=0)
                if not _has_current_parameters(stored):
                    account["password"] = hash_password(password)
                self._write(accounts)
            return LoginResult(True, key, "ok", known=True, generation=_generation_of(account))

    def generation(self, name: str) -> Optional[str]:
        """The (normalised) account's generation, or None when there is no such account; a session started
        under another generation must end. Cheap enough for every request: the file is read again only when
        its inode, size or times changed (an atomic replace always gives a new inode). AccountError for a
        damaged file."""
        account = self._current().get(name)
        return None if account is None else _generation_of(account)

    def names(self) -> List[str]:
        return sorted(self._read())

    def exists(self, name: str) -> bool:
        """False for a name that could not be an account, rather than AccountError."""
        try:
            key = normalise_name(name)
        except AccountError:
            return False
        return key in self._read()

    def _failed(self, accounts: Dict[str, Dict[str, Any]], key: str, now: float) -> LoginResult:
        """Counts a wrong password; the one that reaches max_failures locks the account (and says so)."""
        account = accounts[key]
        failures = int(account.get("failures") or 0) + 1
        if failures >= self.max_failures:
            account.update(failures=0, locked_until=now + self.lock_s)
            self._write(accounts)
            return LoginResult(False, key, "locked", self._locked_for(account, now), known=True)
        account["failures"] = failures
        self._write(accounts)
        return LoginResult(False, key, "wrong", known=True)

    @staticmethod
    def _locked_for(account: Dict[str, Any], now: float) -> int:
        try:
            left = float(account.get("locked_until") or 0) - now
        except (TypeError, ValueError):
            return 0
        return math.ceil(left) if left > 0 else 0

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """One writer at a time, across processes (the CLI and the console) and threads (flock, not lockf)."""
        self._make_folder()
        handle = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX)
            yield
        finally:
            os.close(handle)  # releases the lock

    def _make_folder(self) -> None:
        folder = self.path.parent
        if not folder.exists():
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.chmod(folder, 0o700)  # mkdir's mode is narrowed by the umask, never widened: make it exact

    def _current(self) -> Dict[str, Dict[str, Any]]:
        """The accounts as last read, read again when the file changed. The signature is taken before the
        read, so a change between the two is read now and read once more next time: never missed."""
        try:
            info = os.stat(self.path)
            signature: Optional[FileSignature] = (info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)
        except FileNotFoundError:
            signature = None
        snapshot = self._snapshot
        if snapshot is None or snapshot[0] != signature:
            snapshot = (signature, self._read())
            self._snapshot = snapshot
        return snapshot[1]

    def _read(self) -> Dict[str, Dict[str, Any]]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        try:
            data = json.loads(text)
            accounts = data["accounts"]
            if not isinstance(accounts, dict) or not all(isinstance(a, dict) for a in accounts.values()):
                raise ValueError("accounts is not a mapping of records")
        except (ValueError, KeyError, TypeError) as error:
            raise AccountError(f"the accounts file {self.path} is damaged ({error}); "
                               "restore it from a backup or move it away and create the accounts again") from None
        return accounts

    def _write(self, accounts: Dict[str, Dict[str, Any]]) -> None:
        text = json.dumps({"version": FILE_VERSION, "accounts": accounts}, indent=2, sort_keys=True) + "\n"
        write_atomically(self.path, text, mode=PRIVATE)  # password hashes: never half-written, never readable


def main(argv: Optional[Sequence[str]] = None, ask: Callable[[str], str] = getpass.getpass) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("name", help="the staff member's login name (2-32 letters, digits, '.', '_', '-')")
    parser.add_argument("--accounts", type=Path, default=paths.STAFF_ACCOUNTS_FILE,
                        help="the accounts file (default: var/staff/accounts.json)")
    args = parser.parse_args(argv)
    try:
        name = normalise_name(args.name)
        password = ask(f"new password for '{name}' (at least {MIN_PASSWORD_LENGTH} characters): ")
        problem = password_problem(name, password)
        if problem:
            raise AccountError(problem)
        if ask("the same password again: ") != password:
            raise AccountError("the two passwords differ")
        created = Accounts(args.accounts).set_password(name, password)
    except (EOFError, KeyboardInterrupt):
        print("\ncancelled; nothing was changed", file=sys.stderr)
        return 1
    except AccountError as error:
        print(f"refused: {error}; nothing was changed", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"could not write {args.accounts}: {error.strerror or error}", file=sys.stderr)
        return 1
    if created:
        print(f"created staff account '{name}'")
    else:
        print(f"changed the password of '{name}' (and unlocked it); the existing staff console sessions of "
              f"'{name}' end: their next page asks to log in again")
    return 0


if __name__ == "__main__":
    sys.exit(main())
