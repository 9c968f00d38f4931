"""The conversation store: Rasa's SQL `events` table in an SQLite file or in PostgreSQL, with the open
conversations kept in memory.

endpoints.yml (embedded profile):             endpoints.scaled.yml (several Rasa servers):
    tracker_store:                                tracker_store:
      type: clinic_bot.server.tracker_store.EventsTrackerStore    type: (the same)
      max_cached_conversations: 200                 db: postgresql://${POSTGRES_USER}:...
The location is `db` (a file path or a postgresql:// URL), else paths.TRACKER_DB (the TRACKER_DB environment
variable, or var/conversations.db). Its SQL is clinic_bot/store/events.py, run by clinic_bot/store/database.py.

Why not Rasa's `type: SQL`: per message it rebuilt the whole conversation from the file (SQLAlchemy
query, JSON, every event replayed) and, on each of its two saves, counted the stored rows to find the new
ones: about 30% of the Rasa server's CPU, growing with the conversation (bench/tuning.md). Here a
conversation is read from the database once, then the same tracker is handed out again as long as nothing
else touched its rows: one indexed `MAX(id)` per message checks that, so `make forget`/`make purge`
(clinic_bot/store/privacy.py) and another Rasa server writing the same conversation (the scaled profile:
a patient's turns may land on different servers) take effect at the next message. That two servers never
handle one conversation at the same moment is the lock store's job (Redis in the scaled profile).

When the database cannot be reached, Rasa's FailSafeTrackerStore (which wraps every store) would answer the
patient from an empty conversation kept in memory: a reply without the context of what was said before (a
follow-up about "it" answered in general), and a turn stored nowhere. It also swallows every error of the store,
so no exception can tell the channel. Instead the channel (clinic_bot/server/channel.py) asks this store to watch
the sender while it handles one message (`watching`, reached through the agent: `events_store_of`), and sends the
apology with the clinic's phone when the store failed meanwhile. A failure outside a watched message (the HTTP
API reading a conversation) is no message's concern, and leaves nothing behind.

The table is the one Rasa's SQLTrackerStore writes (clinic_bot/store/events.py), so `type: SQL` can read
what this store wrote. A conversation is the events since its latest `session_started`, as in Rasa.
"""
from collections import OrderedDict
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Dict, Iterable, Iterator, List, Optional, Text

from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SerializedTrackerAsText, TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from clinic_bot.paths import TRACKER_DB
from clinic_bot.store.events import EventsTable, row_of
from clinic_bot.store.outcomes import MessageOutcome, outcomes_of


@dataclass
class _Cached:
    tracker: DialogueStateTracker
    stored: int  # how many of tracker.events are in the file
    last_row: Optional[int]  # the sender's highest row id when this entry was written


@dataclass(eq=False)  # each message's own: told apart by identity
class TurnOutcome:
    """What the store did for one message of one sender, as the channel reads it once the message is handled."""
    store_failed: bool = False  # a read or a write of the conversation failed


def events_store_of(agent: Any) -> Optional["EventsTrackerStore"]:
    """The agent's EventsTrackerStore, None when endpoints.yml names another store. Rasa 3.6 wraps every store in a
    FailSafeTrackerStore (Agent._create_tracker_store) that keeps it as `_tracker_store`, with no public accessor;
    rasa_patches.install refuses any other Rasa version, and tests/unit/test_tracker_store.py checks it."""
    store = getattr(agent, "tracker_store", None)
    store = getattr(store, "_tracker_store", store)
    return store if isinstance(store, EventsTrackerStore) else None


class EventsTrackerStore(TrackerStore, SerializedTrackerAsText):
    def __init__(self, domain: Optional[Domain] = None, db: Optional[Text] = None,
                 event_broker: Optional[EventBroker] = None, max_cached_conversations: int = 200,
                 **kwargs: Any) -> None:
        super().__init__(domain, event_broker, **kwargs)
        self.location = str(db or TRACKER_DB)
        self.max_cached = max(0, int(max_cached_conversations))
        self._cache: "OrderedDict[Text, _Cached]" = OrderedDict()
        self.table = EventsTable.for_server(self.location)
        self._watched: Dict[Text, List[TurnOutcome]] = {}  # sender -> the outcomes of the messages being handled

    # --- the outcome of one message, for the channel ---

    @contextmanager
    def watching(self, sender_id: Text) -> Iterator[TurnOutcome]:
        """While the block runs (the handling of one message), this sender's store failures go into the outcome.
        Two messages of one sender at once (the widget sends one at a time) both see a failure of either: the
        apology, rather than an answer from an empty conversation."""
        outcome = TurnOutcome()
        self._watched.setdefault(sender_id, []).append(outcome)
        try:
            yield outcome
        finally:
            watchers = self._watched[sender_id]
            watchers.remove(outcome)
            if not watchers:
                del self._watched[sender_id]

    def _failed(self, sender_id: Text) -> None:
        for outcome in self._watched.get(sender_id, ()):
            outcome.store_failed = True

    # --- reading ---

    def _load(self, sender_id: Text, all_sessions: bool) -> Optional[DialogueStateTracker]:
        events = self.table.conversation(sender_id, all_sessions)
        if not events:
            return None
        return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        """The latest session of a conversation; the tracker in memory when its rows are unchanged."""
        try:
            return self._retrieve(sender_id)
        except self.table.errors:
            self._failed(sender_id)
            raise

    def _retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        last_row = self.table.last_row(sender_id)
        cached = self._cache.get(sender_id)
        if (cached is not None and cached.last_row == last_row
                and len(cached.tracker.events) == cached.stored):  # nothing unsaved from a failed turn
            self._cache.move_to_end(sender_id)
            return cached.tracker
        tracker = self._load(sender_id, all_sessions=False)
        if tracker is None:
            self._cache.pop(sender_id, None)
        else:
            self._remember(tracker, len(tracker.events), last_row)
        return tracker

    async def retrieve_full_tracker(self, conversation_id: Text) -> Optional[DialogueStateTracker]:
        """Every session of a conversation (the HTTP API's `all_sessions`): always from the file."""
        return self._load(conversation_id, all_sessions=True)

    async def keys(self) -> Iterable[Text]:
        return self.table.senders()

    # --- writing ---

    def _stored_count(self, tracker: DialogueStateTracker, last_row: Optional[int]) -> int:
        """How many of the tracker's events are in the file already."""
        cached = self._cache.get(tracker.sender_id)
        if cached is not None and cached.tracker is tracker and cached.last_row == last_row:
            return cached.stored
        # Rasa's own rule for a tracker this store did not hand out: count the latest session's rows.
        return self.table.latest_session_count(tracker.sender_id)

    async def save(self, tracker: DialogueStateTracker) -> None:
        try:
            await self._save(tracker)
        except self.table.errors:
            self._failed(tracker.sender_id)
            raise

    async def _save(self, tracker: DialogueStateTracker) -> None:
        last_row = self.table.last_row(tracker.sender_id)
        stored = self._stored_count(tracker, last_row)
        new_events = list(tracker.events)[stored:]
        if self.event_broker is not None:
            await self._stream_new_events(self.event_broker, new_events, tracker.sender_id)
        rows = [row_of(tracker.sender_id, event.as_dict()) for event in new_events]
        if rows:
            try:
                newest = self.table.append(rows, self._outcomes(tracker, stored))
            except BaseException:
                self._cache.pop(tracker.sender_id, None)
                raise
            last_row = newest if newest is not None else self.table.last_row(tracker.sender_id)
        if any(isinstance(event, SessionStarted) for event in new_events):
            # A new session: the next read starts from it, exactly as Rasa's store reads.
            self._cache.pop(tracker.sender_id, None)
        else:
            self._remember(tracker, stored + len(rows), last_row)

    @staticmethod
    def _outcomes(tracker: DialogueStateTracker, stored: int) -> List[MessageOutcome]:
        """The outcomes of the patient messages among the new events (clinic_bot/store/outcomes.py), read with the
        turn before them: the answer a "Was this helpful?" reply rates, the check-in a reply answers."""
        events: List[Event] = list(tracker.events)
        if not any(isinstance(event, UserUttered) for event in events[stored:]):
            return []
        first = next((index for index in range(stored - 1, -1, -1) if isinstance(events[index], UserUttered)), 0)
        return outcomes_of(tracker.sender_id, [event.as_dict() for event in events[first:]], stored - first)

    def _remember(self, tracker: DialogueStateTracker, stored: int, last_row: Optional[int]) -> None:
        if not self.max_cached:
            return
        self._cache[tracker.sender_id] = _Cached(tracker, stored, last_row)
        self._cache.move_to_end(tracker.sender_id)
        while len(self._cache) > self.max_cached:
            self._cache.popitem(last=False)
