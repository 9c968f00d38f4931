"""Per-sender and per-address message limits for the public webhook, and who the client really is.

Pure logic (no Rasa, no Sanic) so it is cheap to import and to unit-test. The limits live in
credentials.yml under the channel; the launcher can override them per run (tests, benchmark).
Where the counts are kept follows the lock store of endpoints.yml: in the Rasa server's memory with the
embedded profile's one process (MessageRateLimits); in Redis when several Rasa servers share a RedisLockStore
(RedisMessageRateLimits, the scaled profile), so a patient's limit holds whichever server gets the message.
"""
import ipaddress
import logging
import math
import secrets
import time
from collections import deque
from typing import Any, Deque, Dict, Iterable, List, Optional, Sequence, Union

from clinic_bot.net import ip_of

logger = logging.getLogger(__name__)

# Setting names in credentials.yml (under clinic_bot.server.channel.ClinicRestInput).
SENDER_LIMIT = "sender_messages_per_minute"
ADDRESS_LIMIT = "address_messages_per_minute"
TRUSTED_PROXIES = "trusted_proxies"
DEFAULT_MESSAGES_PER_MINUTE = 20
# For load tests and the benchmark, which send every conversation from 127.0.0.1.
NO_RATE_LIMITS = {SENDER_LIMIT: 1_000_000, ADDRESS_LIMIT: 1_000_000}

WINDOW_S = 60.0
_SWEEP_EVERY = 1000  # calls between sweeps of idle keys, so memory stays bounded

Network = Union[ipaddress.IPv4Network, ipaddress.IPv6Network]


class SlidingWindowLimiter:
    """At most `per_minute` messages per key in any 60-second window. Rejected messages are not counted."""

    def __init__(self, per_minute: int, window_s: float = WINDOW_S) -> None:
        if int(per_minute) < 1:
            raise ValueError(f"a rate limit must be at least 1 message a minute, got {per_minute!r}")
        self.per_minute = int(per_minute)
        self.window_s = window_s
        self._hits: Dict[str, Deque[float]] = {}
        self._calls = 0

    def wait_s(self, key: str, now: float) -> float:
        """0 if a message from `key` is allowed now, else the seconds until it will be."""
        hits = self._hits.get(key)
        if hits is None:
            return 0.0
        while hits and hits[0] <= now - self.window_s:
            hits.popleft()
        if len(hits) < self.per_minute:
            return 0.0
        return hits[0] + self.window_s - now

    def record(self, key: str, now: float) -> None:
        self._hits.setdefault(key, deque()).append(now)
        self._calls += 1
        if self._calls % _SWEEP_EVERY == 0:
            self._hits = {k: v for k, v in self._hits.items() if v and v[-1] > now - self.window_s}


class MessageRateLimits:
    """The sender limit and the client-address limit together: a message passes only if both allow it."""

    def __init__(self, sender_per_minute: int = DEFAULT_MESSAGES_PER_MINUTE,
                 address_per_minute: int = DEFAULT_MESSAGES_PER_MINUTE) -> None:
        self.by_sender = SlidingWindowLimiter(sender_per_minute)
        self.by_address = SlidingWindowLimiter(address_per_minute)

    def retry_after_s(self, sender: str, address: str, now: Optional[float] = None) -> int:
        """0 and the message is counted, or the whole seconds to wait (for Retry-After)."""
        now = time.monotonic() if now is None else now
        wait = max(self.by_sender.wait_s(sender, now), self.by_address.wait_s(address, now))
        if wait > 0:
            return max(1, math.ceil(wait))
        self.by_sender.record(sender, now)
        self.by_address.record(address, now)
        return 0


# Both limits checked and counted in one step inside Redis, so two servers cannot both let the 21st message
# through. Sorted sets of hit times (Redis's own clock, milliseconds); returns 0 (counted) or the ms to wait.
_REDIS_SLIDING_WINDOW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[3])
local wait = 0
for i = 1, 2 do
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - window)
  if redis.call('ZCARD', KEYS[i]) >= tonumber(ARGV[i]) then
    local oldest = redis.call('ZRANGE', KEYS[i], 0, 0, 'WITHSCORES')
    wait = math.max(wait, tonumber(oldest[2]) + window - now)
  end
end
if wait > 0 then return wait end
for i = 1, 2 do
  redis.call('ZADD', KEYS[i], now, ARGV[4])
  redis.call('PEXPIRE', KEYS[i], window)
end
return 0
"""
REDIS_KEY_PREFIX = "clinic_bot:rate:"


class RedisMessageRateLimits:
    """MessageRateLimits with the counts in Redis (the lock store's client), shared by every Rasa server.

    If Redis cannot be reached the message is let through (and logged): the lock store needs the same Redis,
    so the patient gets the apology with the clinic's phone anyway rather than a 429."""

    def __init__(self, redis_client: Any, sender_per_minute: int = DEFAULT_MESSAGES_PER_MINUTE,
                 address_per_minute: int = DEFAULT_MESSAGES_PER_MINUTE, window_s: float = WINDOW_S) -> None:
        for limit in (sender_per_minute, address_per_minute):
            if int(limit) < 1:
                raise ValueError(f"a rate limit must be at least 1 message a minute, got {limit!r}")
        self.limits = (int(sender_per_minute), int(address_per_minute))
        self.window_ms = int(window_s * 1000)
        self.script = redis_client.register_script(_REDIS_SLIDING_WINDOW)

    def retry_after_s(self, sender: str, address: str, now: Optional[float] = None) -> int:
        import redis

        keys = [f"{REDIS_KEY_PREFIX}sender:{sender}", f"{REDIS_KEY_PREFIX}address:{address}"]
        try:
            wait_ms = int(self.script(keys=keys, args=[*self.limits, self.window_ms, secrets.token_hex(8)]))
        except redis.exceptions.RedisError as error:
            logger.warning("Rate limits not checked, Redis failed: %s", error)
            return 0
        return max(1, math.ceil(wait_ms / 1000)) if wait_ms > 0 else 0


def parse_networks(entries: Optional[Iterable[str]]) -> List[Network]:
    """'10.0.0.1' or '10.0.0.0/8' entries; raises ValueError naming a bad one."""
    networks = []
    for entry in entries or []:
        try:
            networks.append(ipaddress.ip_network(str(entry).strip(), strict=False))
        except ValueError as error:
            raise ValueError(f"{TRUSTED_PROXIES}: {entry!r} is not an IP address or network") from error
    return networks


def _is_trusted(address: str, trusted_proxies: Sequence[Network]) -> bool:
    ip = ip_of(address)
    return ip is not None and any(ip in network for network in trusted_proxies)


def client_address(peer: str, forwarded_for: Optional[str], trusted_proxies: Sequence[Network]) -> str:
    """The address to count: the peer, unless the peer is a trusted proxy; then the nearest hop of
    X-Forwarded-For that is not a trusted proxy (hops further left are whatever the client claimed)."""
    if not forwarded_for or not _is_trusted(peer, trusted_proxies):
        return peer
    for hop in reversed(forwarded_for.split(",")):
        ip = ip_of(hop)
        if ip is None:
            return peer  # garbage where our proxy should have written an address
        if not any(ip in network for network in trusted_proxies):
            return str(ip)
    return peer  # every hop is one of our proxies
