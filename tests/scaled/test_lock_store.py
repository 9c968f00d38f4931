"""The lock store against the profile's real Redis, many clients at once (as many Rasa servers would be)."""
import uuid
from concurrent.futures import ThreadPoolExecutor

from clinic_bot.server.lock_store import AtomicRedisLockStore

CLIENTS = 8
TICKETS_EACH = 25


def stores(scaled):
    return [AtomicRedisLockStore(host="127.0.0.1", port=scaled.redis_port, key_prefix="locktest")
            for _ in range(CLIENTS)]


def test_tickets_taken_at_once_by_many_servers_are_all_different(scaled):
    conversation = f"lock-{uuid.uuid4().hex[:8]}"

    def take(store):
        return [store.issue_ticket(conversation, 30) for _ in range(TICKETS_EACH)]

    with ThreadPoolExecutor(CLIENTS) as pool:
        tickets = [t for batch in pool.map(take, stores(scaled)) for t in batch]
    assert sorted(tickets) == list(range(CLIENTS * TICKETS_EACH))  # none shared, none lost


def test_the_lock_disappears_only_with_its_last_ticket(scaled):
    conversation = f"lock-{uuid.uuid4().hex[:8]}"
    first, second = stores(scaled)[:2]
    one = first.issue_ticket(conversation, 30)
    two = second.issue_ticket(conversation, 30)
    first.cleanup(conversation, one)
    lock = second.get_lock(conversation)
    assert lock is not None and not lock.is_locked(two)  # the second message's turn now
    second.cleanup(conversation, two)
    assert second.get_lock(conversation) is None
    assert second.red.exists(second.key_prefix + conversation) == 0
