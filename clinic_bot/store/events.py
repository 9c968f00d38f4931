"""Every query of the conversations table, in one place: Rasa's SQL `events` table in one SQLite file.

The table is the one Rasa's SQLTrackerStore writes (same columns, one row per event, the event's JSON in
`data`), so Rasa's `type: SQL` store can read what the project's store wrote and the other way round.
Users: the conversation store (clinic_bot/server/tracker_store.py), the review tool
(clinic_bot/tools/review.py) and privacy (clinic_bot/store/privacy.py). No Rasa imports here.
"""
import json
import sqlite3
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

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
SESSION_STARTED = "session_started"  # rasa.shared.core.events.SessionStarted.type_name
# Rows of the latest session (all rows before the first session start): Rasa's SQLTrackerStore query.
_LATEST_SESSION = f"""
SELECT {{columns}} FROM events WHERE sender_id = :sender AND timestamp >= IFNULL(
    (SELECT MAX(timestamp) FROM events WHERE sender_id = :sender AND type_name = '{SESSION_STARTED}'),
    timestamp)
ORDER BY id
"""
_INSERT = ("INSERT INTO events (sender_id, type_name, timestamp, intent_name, action_name, data) "
           "VALUES (?, ?, ?, ?, ?, ?)")
_STALE_SENDERS = "SELECT sender_id FROM events GROUP BY sender_id HAVING MAX(timestamp) < ?"

Row = Tuple[str, str, Optional[float], Optional[str], Optional[str], str]


def row_of(sender_id: str, event: Dict[str, Any]) -> Row:
    """The row Rasa's SQL store writes for one serialised event (`Event.as_dict()`)."""
    intent = (event.get("parse_data") or {}).get("intent", {}) or {}
    return (sender_id, str(event.get("event")), event.get("timestamp"), intent.get("name"), event.get("name"),
            json.dumps(event))


class EventsTable:
    """One open connection to the file. `for_server` creates it; `existing` refuses a missing file."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    @classmethod
    def for_server(cls, path: Path) -> "EventsTable":
        path.parent.mkdir(parents=True, exist_ok=True)
        # Autocommit; Rasa calls the store from its one event-loop thread.
        connection = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False, timeout=30)
        # Write-ahead log: a commit is one append, not a sync of journal and file; a power cut may lose the
        # last turns, never the file's consistency. secure_delete: deleted rows are overwritten.
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute("PRAGMA secure_delete=ON")
        connection.executescript(SCHEMA)
        return cls(connection)

    @classmethod
    @contextmanager
    def existing(cls, path: Path, read_only: bool = False) -> Iterator["EventsTable"]:
        if not Path(path).is_file():
            raise FileNotFoundError(f"no conversation store at {path}")
        mode = "ro" if read_only else "rw"
        with closing(sqlite3.connect(f"file:{Path(path).resolve()}?mode={mode}", uri=True, timeout=30)) as connection:
            if not read_only:
                connection.execute("PRAGMA secure_delete = ON")
            yield cls(connection)

    # --- reading ---

    def last_row(self, sender_id: str) -> Optional[int]:
        """The sender's highest row id: changes whenever anything writes or deletes their rows."""
        row = self.connection.execute("SELECT MAX(id) FROM events WHERE sender_id = ?", (sender_id,)).fetchone()
        return row[0]

    def conversation(self, sender_id: str, all_sessions: bool = False) -> List[Dict[str, Any]]:
        """The sender's events (latest session, or every session), oldest first, as Rasa serialised them."""
        query = ("SELECT data FROM events WHERE sender_id = :sender ORDER BY id" if all_sessions
                 else _LATEST_SESSION.format(columns="data"))
        return [json.loads(data) for (data,) in self.connection.execute(query, {"sender": sender_id})]

    def latest_session_count(self, sender_id: str) -> int:
        query = f"SELECT COUNT(*) FROM ({_LATEST_SESSION.format(columns='id')})"
        return int(self.connection.execute(query, {"sender": sender_id}).fetchone()[0])

    def senders(self) -> List[str]:
        return [sender for (sender,) in self.connection.execute("SELECT DISTINCT sender_id FROM events ORDER BY 1")]

    def messages_since(self, since: float) -> List[Tuple[str, Dict[str, Any]]]:
        """(sender, event) of every user and bot message since `since` (epoch seconds), in order."""
        rows = self.connection.execute(
            "SELECT sender_id, data FROM events WHERE type_name IN ('user', 'bot') AND timestamp >= ? ORDER BY id",
            (since,))
        return [(sender, json.loads(data)) for sender, data in rows]

    # --- writing ---

    def append(self, rows: Sequence[Row]) -> None:
        """Adds rows in one transaction (all or none)."""
        self.connection.execute("BEGIN")
        try:
            self.connection.executemany(_INSERT, rows)
            self.connection.execute("COMMIT")
        except BaseException:
            self.connection.execute("ROLLBACK")
            raise

    def forget(self, sender_id: str) -> int:
        """Deletes every row of one sender; returns how many."""
        return self._delete("DELETE FROM events WHERE sender_id = ?", (sender_id,))

    def purge_before(self, cutoff: float) -> int:
        """Deletes the conversations whose latest event is older than `cutoff`; returns how many."""
        count = int(self.connection.execute(f"SELECT COUNT(*) FROM ({_STALE_SENDERS})", (cutoff,)).fetchone()[0])
        self._delete(f"DELETE FROM events WHERE sender_id IN ({_STALE_SENDERS})", (cutoff,))
        return count

    def _delete(self, query: str, parameters: Tuple[Any, ...]) -> int:
        """Runs one DELETE, then moves the write-ahead log into the (secure-deleted) file and empties it, so no
        copy of the deleted rows stays there."""
        with self.connection:
            deleted = self.connection.execute(query, parameters).rowcount
        self.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return int(deleted)

    def close(self) -> None:
        self.connection.close()
