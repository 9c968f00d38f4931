"""Rasa's RedisLockStore with every change of a lock made atomic, for several Rasa servers sharing one Redis.

endpoints.scaled.yml:
    lock_store:
      type: clinic_bot.server.lock_store.AtomicRedisLockStore
      url: ${REDIS_HOST}
      port: ${REDIS_PORT}

Why: Rasa's RedisLockStore reads a conversation's lock, changes it in Python and writes it back (GET ... SET).
Two servers taking tickets for the same patient at the same moment can then both read "no ticket", both take
ticket 1 and handle two messages of one conversation at once, interleaving their events; and a server
finishing its turn can delete the lock just after another server queued on it, which then fails with
"Could not acquire lock". Here each change runs in a Redis transaction on the lock's key (WATCH/MULTI:
retried when another server changed the key in between), so tickets are never lost or shared.

Also: a waiting message checks its turn every POLL_S seconds instead of Rasa's 1 s (a patient who sends two
messages at once waits for the first one's few milliseconds, not a second); and each lock's key expires
once its newest ticket has, so a server killed mid-turn leaves nothing behind in Redis.
"""
import json
import time
from typing import Any, AsyncContextManager, Callable, Optional, Text, Tuple

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

POLL_S = 0.02
KEY_GRACE_S = 5  # the key outlives its newest ticket by this much

LockChange = Callable[[Optional[TicketLock]], Tuple[Optional[TicketLock], Any]]


class AtomicRedisLockStore(RedisLockStore):
    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, **settings: Any) -> None:
        """Rasa hands a custom lock store its whole endpoints.yml section; RedisLockStore wants its settings."""
        if endpoint_config is not None:
            settings = {"host": endpoint_config.url, **endpoint_config.kwargs, **settings}
        super().__init__(**settings)

    def _change(self, conversation_id: Text, change: LockChange) -> Any:
        """Applies `change` (old lock -> new lock or None to delete, result) atomically; returns the result."""
        key = self.key_prefix + conversation_id
        outcome: dict = {}

        def transaction(pipe: Any) -> None:
            raw = pipe.get(key)
            lock = TicketLock.from_dict(json.loads(raw)) if raw else None
            new_lock, outcome["result"] = change(lock)
            pipe.multi()
            if new_lock is None or not new_lock.tickets:
                pipe.delete(key)
            else:
                expires = max(ticket.expires for ticket in new_lock.tickets)
                pipe.set(key, new_lock.dumps(), px=max(1, int((expires - time.time() + KEY_GRACE_S) * 1000)))

        self.red.transaction(transaction, key)
        return outcome["result"]

    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME) -> int:
        def take(lock: Optional[TicketLock]) -> Tuple[Optional[TicketLock], Any]:
            lock = lock or TicketLock(conversation_id)
            return lock, lock.issue_ticket(lock_lifetime)

        return int(self._change(conversation_id, take))

    def update_lock(self, conversation_id: Text) -> None:
        def drop_expired(lock: Optional[TicketLock]) -> Tuple[Optional[TicketLock], Any]:
            if lock is not None:
                lock.remove_expired_tickets()
            return lock, None

        self._change(conversation_id, drop_expired)

    def finish_serving(self, conversation_id: Text, ticket_number: int) -> None:
        self.cleanup(conversation_id, ticket_number)

    def cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        """Removes the ticket, and the lock with it when nobody else holds a ticket (one step, not two)."""
        def release(lock: Optional[TicketLock]) -> Tuple[Optional[TicketLock], Any]:
            if lock is not None:
                lock.remove_ticket_for(ticket_number)
            return lock, None

        self._change(conversation_id, release)

    def lock(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME,
             wait_time_in_seconds: float = POLL_S) -> AsyncContextManager[TicketLock]:
        return super().lock(conversation_id, lock_lifetime, min(wait_time_in_seconds, POLL_S))
