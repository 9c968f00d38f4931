"""The staff console's login sessions, kept in the console's memory only.

A browser holds nothing but a random token (its cookie) and the session's CSRF token (in each form); the
server knows who the token belongs to. A session ends when its user logs out, when it has been idle too
long, when it is too old however busy, when its account got a new password or was removed (the console
checks the account's generation at every request: end_outdated), and when the console restarts (everyone logs
in again: on purpose, nothing to steal from a disk). The limits come from STAFF_SESSION_IDLE_S and
STAFF_SESSION_MAX_AGE_S when set, so a test can make a session expire in seconds.

Failed logins are also counted here, per client address (LoginThrottle), in front of the accounts' own
lock-out.
"""
import hmac
import ipaddress
import math
import os
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Callable, Deque, Dict, Optional, Tuple

DEFAULT_IDLE_S = 1800.0
DEFAULT_MAX_AGE_S = 12 * 3600.0
IDLE_ENV = "STAFF_SESSION_IDLE_S"
MAX_AGE_ENV = "STAFF_SESSION_MAX_AGE_S"
TOKEN_BYTES = 32
# Failed logins one client address may make in LOGIN_WINDOW_S; then it is refused before any account is looked
# at. Twice the accounts' five, so one person's typing does not hit it first; low enough that one client can
# keep at most two accounts locked.
LOGIN_FAILURES_PER_ADDRESS = 10
LOGIN_WINDOW_S = 900.0
IPV6_PREFIX = 64  # one subscriber's IPv6 addresses count as one: they get a whole /64 to pick from


@dataclass
class Session:
    token: str
    user: str
    csrf: str
    created: float
    last_seen: float
    generation: str = ""  # the account's generation at login (accounts.Accounts.generation)


def _seconds_from_env(variable: str, default: float) -> float:
    text = os.environ.get(variable, "").strip()
    if not text:
        return default
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not 0 < seconds < float("inf"):
        raise ValueError(f"{variable} must be a number of seconds above 0, not '{text}'")
    return seconds


def session_limits_from_env() -> Tuple[float, float]:
    """(idle_s, max_age_s): the environment's when set, else 30 minutes idle and 12 hours in all."""
    return (_seconds_from_env(IDLE_ENV, DEFAULT_IDLE_S), _seconds_from_env(MAX_AGE_ENV, DEFAULT_MAX_AGE_S))


class Sessions:
    """The live sessions by token; safe to share between the console's request threads."""

    def __init__(self, idle_s: float = DEFAULT_IDLE_S, max_age_s: float = DEFAULT_MAX_AGE_S,
                 clock: Callable[[], float] = time.time) -> None:
        self.idle_s = float(idle_s)
        self.max_age_s = float(max_age_s)
        self.clock = clock
        self._by_token: Dict[str, Session] = {}
        self._guard = threading.Lock()

    def start(self, user: str, generation: str = "") -> Session:
        """A new session (call it after a successful login: a fresh token, so a planted one is useless)."""
        now = self.clock()
        session = Session(secrets.token_urlsafe(TOKEN_BYTES), user, secrets.token_urlsafe(TOKEN_BYTES), now, now,
                          generation)
        with self._guard:
            self._drop_expired(now)  # the moment to forget the sessions nobody ended
            self._by_token[session.token] = session
        return session

    def get(self, token: Optional[str]) -> Optional[Session]:
        """The live session of ``token``, its last_seen refreshed; None (and forgotten) when it has expired."""
        if not token:
            return None
        now = self.clock()
        with self._guard:
            session = self._by_token.get(token)
            if session is None:
                return None
            if self._expired(session, now):
                del self._by_token[token]
                return None
            session.last_seen = now
            return session

    def end(self, token: Optional[str]) -> None:
        if token:
            with self._guard:
                self._by_token.pop(token, None)

    def end_all_of(self, user: str) -> None:
        """Logs ``user`` out everywhere."""
        self.end_outdated(user, None)

    def end_outdated(self, user: str, generation: Optional[str]) -> int:
        """Ends the sessions of ``user`` started under another generation than the account's ``generation``
        (all of them when it is None: the account is gone); how many ended. Sessions of the new password stay."""
        with self._guard:
            ended = [t for t, s in self._by_token.items()
                     if s.user == user and (generation is None or s.generation != generation)]
            for token in ended:
                del self._by_token[token]
        return len(ended)

    def __len__(self) -> int:
        return len(self._by_token)

    def _expired(self, session: Session, now: float) -> bool:
        return now - session.last_seen >= self.idle_s or now - session.created >= self.max_age_s

    def _drop_expired(self, now: float) -> None:
        for token in [t for t, s in self._by_token.items() if self._expired(s, now)]:
            del self._by_token[token]


class LoginThrottle:
    """Failed logins per client address in a sliding window. An address past the limit is refused before any
    account is looked at: its tries neither lock accounts nor cost a scrypt hash, so one client can keep only
    a few accounts locked instead of all of them. A success does not clear the count: a client with an account
    of its own could otherwise go on guessing others'. Kept in memory, safe to share between threads."""

    def __init__(self, max_failures: int = LOGIN_FAILURES_PER_ADDRESS, window_s: float = LOGIN_WINDOW_S,
                 clock: Callable[[], float] = time.time) -> None:
        self.max_failures = max(1, int(max_failures))
        self.window_s = float(window_s)
        self.clock = clock
        self._failures: Dict[str, Deque[float]] = {}
        self._guard = threading.Lock()

    def wait_s(self, address: str) -> int:
        """0 when ``address`` may try to log in now, else the whole seconds until it may."""
        now = self.clock()
        with self._guard:
            failures = self._recent(address_key(address), now)
            if len(failures) < self.max_failures:
                return 0
            return max(1, math.ceil(failures[0] + self.window_s - now))

    def failed(self, address: str) -> bool:
        """Counts a failed login; True when it was the one that reached the limit (worth a record, once)."""
        now = self.clock()
        key = address_key(address)
        with self._guard:
            failures = self._recent(key, now)
            failures.append(now)
            self._failures[key] = failures
            if len(self._failures) > 1000:  # forget quiet addresses, so memory stays bounded
                self._failures = {k: v for k, v in self._failures.items() if v and v[-1] > now - self.window_s}
            return len(failures) == self.max_failures

    def _recent(self, key: str, now: float) -> Deque[float]:
        failures = self._failures.get(key, deque())
        while failures and failures[0] <= now - self.window_s:
            failures.popleft()
        return failures


def address_key(address: str) -> str:
    """What LoginThrottle counts by: the address itself, or for IPv6 its /64 network."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/{IPV6_PREFIX}", strict=False))
    return str(ip)


def csrf_matches(expected: str, submitted: Optional[str]) -> bool:
    """Whether a form's CSRF token is the session's, in constant time; a missing one never matches."""
    if not expected or not submitted:
        return False
    return hmac.compare_digest(expected.encode("utf-8"), submitted.encode("utf-8"))
