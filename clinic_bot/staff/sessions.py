"""The staff console's login sessions, kept in the console's memory only.

A browser holds nothing but a random token (its cookie) and the session's CSRF token (in each form); the
server knows who the token belongs to. A session ends when its user logs out, when it has been idle too
long, when it is too old however busy, and when the console restarts (everyone logs in again: on purpose,
nothing to steal from a disk). The limits come from STAFF_SESSION_IDLE_S and STAFF_SESSION_MAX_AGE_S when
set, so a test can make a session expire in seconds.
"""
import hmac
import os
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Callable, Dict, Optional, Tuple

DEFAULT_IDLE_S = 1800.0
DEFAULT_MAX_AGE_S = 12 * 3600.0
IDLE_ENV = "STAFF_SESSION_IDLE_S"
MAX_AGE_ENV = "STAFF_SESSION_MAX_AGE_S"
TOKEN_BYTES = 32


@dataclass
class Session:
    token: str
    user: str
    csrf: str
    created: float
    last_seen: float


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

    def start(self, user: str) -> Session:
        """A new session (call it after a successful login: a fresh token, so a planted one is useless)."""
        now = self.clock()
        session = Session(secrets.token_urlsafe(TOKEN_BYTES), user, secrets.token_urlsafe(TOKEN_BYTES), now, now)
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
        """Logs ``user`` out everywhere, e.g. after a password change."""
        with self._guard:
            for token in [t for t, s in self._by_token.items() if s.user == user]:
                del self._by_token[token]

    def __len__(self) -> int:
        return len(self._by_token)

    def _expired(self, session: Session, now: float) -> bool:
        return now - session.last_seen >= self.idle_s or now - session.created >= self.max_age_s

    def _drop_expired(self, now: float) -> None:
        for token in [t for t, s in self._by_token.items() if self._expired(s, now)]:
            del self._by_token[token]


def csrf_matches(expected: str, submitted: Optional[str]) -> bool:
    """Whether a form's CSRF token is the session's, in constant time; a missing one never matches."""
    if not expected or not submitted:
        return False
    return hmac.compare_digest(expected.encode("utf-8"), submitted.encode("utf-8"))
