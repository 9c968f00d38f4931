"""The conversation store: Rasa's SQL `events` table in one SQLite file, read and written with sqlite3,
with the open conversations kept in memory.

endpoints.yml:
    tracker_store:
      type: clinic_bot.tracker_store.SQLiteTrackerStore
      db: var/conversations.db
      max_cached_conversations: 200

Why not Rasa's `type: SQL`: per message it rebuilt the whole conversation from the file (SQLAlchemy
query, JSON, every event replayed) and, on each of its two saves, counted the stored rows to find the new
ones: about 30% of the Rasa server's CPU, growing with the conversation (bench/tuning.md). Here a
conversation is read from the file once, then the same tracker is handed out again as long as nothing
else touched its rows: one indexed `MAX(id)` per message checks that, so `make forget`/`make purge`
(clinic_bot/privacy.py) and another process writing still take effect at the next message.

The table is the one Rasa's SQLTrackerStore writes (same columns, one row per event, JSON in `data`), so
clinic_bot/staff/review.py, clinic_bot/privacy.py and older files keep working, and `type: SQL` can read
what this store wrote. A conversation is the events since its latest `session_started`, as in Rasa.
"""
import json
import sqlite3
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Optional, Text

from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SerializedTrackerAsText, TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker

SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    id INTEGER NOT NULL PRIMARY KEY,
    sender_id VARCHAR(255) NOT NULL,
    type_name VARCHAR(255) NOT NULL,
    timestamp FLOAT,
    intent_name VARCHAR(255),
    action_name VARCHAR(255),
    data TEXT
);
CREATE INDEX IF NOT EXISTS ix_events_sender_id ON events (sender_id);
"""
# Rows of the latest session (all rows before the first session start): Rasa's SQLTrackerStore query.
LATEST_SESSION = f"""
SELECT {{columns}} FROM events WHERE sender_id = :sender AND timestamp >= IFNULL(
    (SELECT MAX(timestamp) FROM events WHERE sender_id = :sender AND type_name = '{SessionStarted.type_name}'),
    timestamp)
ORDER BY id
"""
INSERT = ("INSERT INTO events (sender_id, type_name, timestamp, intent_name, action_name, data) "
          "VALUES (?, ?, ?, ?, ?, ?)")


@dataclass
class _Cached:
    tracker: DialogueStateTracker
    stored: int  # how many of tracker.events are in the file
    last_row: Optional[int]  # the sender's highest row id when this entry was written


class SQLiteTrackerStore(TrackerStore, SerializedTrackerAsText):
    def __init__(self, domain: Optional[Domain] = None, db: Text = "var/conversations.db",
                 event_broker: Optional[EventBroker] = None, max_cached_conversations: int = 200,
                 **kwargs: Any) -> None:
        super().__init__(domain, event_broker, **kwargs)
        self.path = Path(db).resolve()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.max_cached = max(0, int(max_cached_conversations))
        self._cache: "OrderedDict[Text, _Cached]" = OrderedDict()
        # Autocommit; Rasa calls the store from its one event-loop thread.
        self.connection = sqlite3.connect(str(self.path), isolation_level=None, check_same_thread=False,
                                          timeout=30)
        # Write-ahead log: a commit is one append, not a sync of journal and file; a power cut may lose
        # the last turns, never the file's consistency. secure_delete: see clinic_bot/privacy.py.
        self.connection.execute("PRAGMA journal_mode=WAL")
        self.connection.execute("PRAGMA synchronous=NORMAL")
        self.connection.execute("PRAGMA secure_delete=ON")
        self.connection.executescript(SCHEMA)

    # --- reading ---

    def _last_row(self, sender_id: Text) -> Optional[int]:
        return self.connection.execute("SELECT MAX(id) FROM events WHERE sender_id = ?", (sender_id,)).fetchone()[0]

    def _load(self, sender_id: Text, all_sessions: bool) -> Optional[DialogueStateTracker]:
        query = ("SELECT data FROM events WHERE sender_id = :sender ORDER BY id" if all_sessions
                 else LATEST_SESSION.format(columns="data"))
        rows = self.connection.execute(query, {"sender": sender_id})
        events = [json.loads(data) for (data,) in rows]
        if not events:
            return None
        return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        """The latest session of a conversation; the tracker in memory when its rows are unchanged."""
        last_row = self._last_row(sender_id)
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
        return [sender for (sender,) in self.connection.execute("SELECT DISTINCT sender_id FROM events")]

    # --- writing ---

    def _stored_count(self, tracker: DialogueStateTracker, last_row: Optional[int]) -> int:
        """How many of the tracker's events are in the file already."""
        cached = self._cache.get(tracker.sender_id)
        if cached is not None and cached.tracker is tracker and cached.last_row == last_row:
            return cached.stored
        # Rasa's own rule for a tracker this store did not hand out: count the latest session's rows.
        query = f"SELECT COUNT(*) FROM ({LATEST_SESSION.format(columns='id')})"
        return self.connection.execute(query, {"sender": tracker.sender_id}).fetchone()[0]

    async def save(self, tracker: DialogueStateTracker) -> None:
        last_row = self._last_row(tracker.sender_id)
        stored = self._stored_count(tracker, last_row)
        new_events = list(tracker.events)[stored:]
        if self.event_broker is not None:
            await self._stream_new_events(self.event_broker, new_events, tracker.sender_id)
        rows = []
        for event in new_events:
            data = event.as_dict()
            intent = (data.get("parse_data") or {}).get("intent", {}) or {}
            rows.append((tracker.sender_id, event.type_name, data.get("timestamp"), intent.get("name"),
                         data.get("name"), json.dumps(data)))
        if rows:
            self.connection.execute("BEGIN")
            try:
                self.connection.executemany(INSERT, rows)
                self.connection.execute("COMMIT")
                last_row = self._last_row(tracker.sender_id)
            except BaseException:
                self.connection.execute("ROLLBACK")
                self._cache.pop(tracker.sender_id, None)
                raise
        if any(isinstance(event, SessionStarted) for event in new_events):
            # A new session: the next read starts from it, exactly as Rasa's store reads.
            self._cache.pop(tracker.sender_id, None)
        else:
            self._remember(tracker, stored + len(rows), last_row)

    def _remember(self, tracker: DialogueStateTracker, stored: int, last_row: Optional[int]) -> None:
        if not self.max_cached:
            return
        self._cache[tracker.sender_id] = _Cached(tracker, stored, last_row)
        self._cache.move_to_end(tracker.sender_id)
        while len(self._cache) > self.max_cached:
            self._cache.popitem(last=False)
