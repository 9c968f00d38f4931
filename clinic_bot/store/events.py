"""Every query of the conversations table, in one place: Rasa's SQL `events` table, in an SQLite file or in
PostgreSQL (clinic_bot/store/database.py runs the same SQL on both).

The table is the one Rasa's SQLTrackerStore writes (same columns, one row per event, the event's JSON in
`data`), so Rasa's `type: SQL` store can read what the project's store wrote and the other way round.
Users: the conversation store (clinic_bot/server/tracker_store.py), the review tool
(clinic_bot/tools/review.py) and privacy (clinic_bot/store/privacy.py). Beside it, the `message_outcomes` table
(clinic_bot/store/outcomes.py: what happened to each patient message, for the insights) is written with the events
and deleted with them, so forgetting or purging a conversation takes its counts too. No Rasa imports here.
"""
import json
from contextlib import contextmanager
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

from clinic_bot.store import outcomes
from clinic_bot.store.database import Database, PostgresDatabase, StoreLocation, open_existing, open_for_server
from clinic_bot.store.outcomes import MessageOutcome

_COLUMNS = """
    sender_id VARCHAR(255) NOT NULL,
    type_name VARCHAR(255) NOT NULL,
    timestamp {float},
    intent_name VARCHAR(255),
    action_name VARCHAR(255),
    data TEXT
"""
SCHEMA = {
    "sqlite": [f"CREATE TABLE IF NOT EXISTS events (id INTEGER NOT NULL PRIMARY KEY, "
               f"{_COLUMNS.format(float='FLOAT')})"],
    "postgresql": [f"CREATE TABLE IF NOT EXISTS events (id SERIAL PRIMARY KEY, "
                   f"{_COLUMNS.format(float='DOUBLE PRECISION')})"],
}
_INDEX = "CREATE INDEX IF NOT EXISTS ix_events_sender_id ON events (sender_id)"
# Several Rasa servers starting at once would race on CREATE TABLE in PostgreSQL; one at a time.
_SCHEMA_LOCK = "SELECT pg_advisory_xact_lock(74657221)"
SESSION_STARTED = "session_started"  # rasa.shared.core.events.SessionStarted.type_name
# Rows of the latest session (all rows before the first session start): Rasa's SQLTrackerStore query.
_LATEST_SESSION = f"""
SELECT {{columns}} FROM events WHERE sender_id = ? AND timestamp >= COALESCE(
    (SELECT MAX(timestamp) FROM events WHERE sender_id = ? AND type_name = '{SESSION_STARTED}'),
    timestamp)
ORDER BY id
"""
_INSERT_INTO = "INSERT INTO events (sender_id, type_name, timestamp, intent_name, action_name, data) "
_INSERT = _INSERT_INTO + "VALUES (?, ?, ?, ?, ?, ?)"
_INSERT_MANY = _INSERT_INTO + "VALUES ?"  # PostgreSQL: all rows in one statement (database.py)
_STALE_SENDERS = "SELECT sender_id FROM events GROUP BY sender_id HAVING MAX(timestamp) < ?"

Row = Tuple[str, str, Optional[float], Optional[str], Optional[str], str]


def row_of(sender_id: str, event: Dict[str, Any]) -> Row:
    """The row Rasa's SQL store writes for one serialised event (`Event.as_dict()`)."""
    intent = (event.get("parse_data") or {}).get("intent", {}) or {}
    return (sender_id, str(event.get("event")), event.get("timestamp"), intent.get("name"), event.get("name"),
            json.dumps(event))


class EventsTable:
    """The events table through one open connection. `for_server` creates it if missing; `existing` (the staff
    tools) refuses a missing SQLite file."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self.errors = database.errors  # what a failing query raises, for the tools' error messages

    @classmethod
    def for_server(cls, location: StoreLocation) -> "EventsTable":
        table = cls(open_for_server(location))
        table._create()
        return table

    @classmethod
    @contextmanager
    def existing(cls, location: StoreLocation, read_only: bool = False) -> Iterator["EventsTable"]:
        table = cls(open_existing(location, read_only))
        try:
            yield table
        finally:
            table.close()

    def _create(self) -> None:
        with self.database.transaction():
            if self.database.dialect == "postgresql":
                self.database.rows(_SCHEMA_LOCK)
            had_outcomes = bool(self.database.rows(outcomes.EXISTS[self.database.dialect])[0][0])
            for statement in (SCHEMA[self.database.dialect] + [_INDEX] + outcomes.SCHEMA[self.database.dialect]
                              + outcomes.INDEXES):
                self.database.run(statement)
            if not had_outcomes:  # a store written before the outcomes were kept: count its history once
                self._add_outcomes_of_history()

    def _add_outcomes_of_history(self) -> None:
        for sender in self.senders():
            found = outcomes.outcomes_of(sender, self.conversation(sender, all_sessions=True))
            self.database.run_many(outcomes.INSERT, [outcome.row() for outcome in found])

    # --- reading ---

    def last_row(self, sender_id: str) -> Optional[int]:
        """The sender's highest row id: changes whenever anything writes or deletes their rows."""
        return self.database.rows("SELECT MAX(id) FROM events WHERE sender_id = ?", (sender_id,))[0][0]

    def conversation(self, sender_id: str, all_sessions: bool = False) -> List[Dict[str, Any]]:
        """The sender's events (latest session, or every session), oldest first, as Rasa serialised them."""
        if all_sessions:
            rows = self.database.rows("SELECT data FROM events WHERE sender_id = ? ORDER BY id", (sender_id,))
        else:
            rows = self.database.rows(_LATEST_SESSION.format(columns="data"), (sender_id, sender_id))
        return [json.loads(data) for (data,) in rows]

    def latest_session_count(self, sender_id: str) -> int:
        query = f"SELECT COUNT(*) FROM ({_LATEST_SESSION.format(columns='id')}) AS latest"
        return int(self.database.rows(query, (sender_id, sender_id))[0][0])

    def senders(self) -> List[str]:
        return [sender for (sender,) in self.database.rows("SELECT DISTINCT sender_id FROM events ORDER BY 1")]

    def messages_since(self, since: float) -> List[Tuple[str, Dict[str, Any]]]:
        """(sender, event) of every user and bot message since `since` (epoch seconds), in order."""
        rows = self.database.rows(
            "SELECT sender_id, data FROM events WHERE type_name IN ('user', 'bot') AND timestamp >= ? ORDER BY id",
            (since,))
        return [(sender, json.loads(data)) for sender, data in rows]

    # --- writing ---

    def append(self, rows: Sequence[Row], message_outcomes: Sequence[MessageOutcome] = ()) -> Optional[int]:
        """Adds rows, and the outcomes of the patient messages among them, in one transaction (all or none);
        returns the highest new row id where the database says it without another query (PostgreSQL), else None."""
        if isinstance(self.database, PostgresDatabase):
            if not message_outcomes:  # most saves: one statement, atomic by itself, one round trip
                return max(self.database.insert_returning_ids(_INSERT_MANY, rows))
            with self.database.transaction():
                newest = max(self.database.insert_returning_ids(_INSERT_MANY, rows))
                self.database.run_many(outcomes.INSERT, [outcome.row() for outcome in message_outcomes])
            return newest
        with self.database.transaction():
            self.database.run_many(_INSERT, rows)
            self.database.run_many(outcomes.INSERT, [outcome.row() for outcome in message_outcomes])
        return None

    def forget(self, sender_id: str) -> int:
        """Deletes every row of one sender, and the outcomes of their messages; returns how many events."""
        return self._delete([(f"DELETE FROM {outcomes.TABLE} WHERE sender_id = ?", (sender_id,)),
                             ("DELETE FROM events WHERE sender_id = ?", (sender_id,))])

    def purge_before(self, cutoff: float) -> int:
        """Deletes the conversations whose latest event is older than `cutoff`; returns how many."""
        query = f"SELECT COUNT(*) FROM ({_STALE_SENDERS}) AS stale"
        count = int(self.database.rows(query, (cutoff,))[0][0])
        self._delete([(f"DELETE FROM {outcomes.TABLE} WHERE sender_id IN ({_STALE_SENDERS})", (cutoff,)),
                      (f"DELETE FROM events WHERE sender_id IN ({_STALE_SENDERS})", (cutoff,))])
        return count

    def _delete(self, statements: Sequence[Tuple[str, Tuple[Any, ...]]]) -> int:
        """Runs the DELETEs in one transaction (the outcomes first: purge finds its senders in the events), then
        lets the database drop its copies of the deleted rows (database.py); returns the last one's count."""
        deleted = 0
        with self.database.transaction():
            for query, parameters in statements:
                deleted = self.database.run(query, parameters)
        self.database.after_delete(("events", outcomes.TABLE))
        return int(deleted)

    def close(self) -> None:
        self.database.close()

    # --- the outcomes of patient messages (clinic_bot/store/outcomes.py) ---

    def has_outcomes(self) -> bool:
        """False for a store the conversation store has not opened since the outcomes were kept."""
        return bool(self.database.rows(outcomes.EXISTS[self.database.dialect])[0][0])

    def outcome_counts(self, first_hour: int, end_hour: int) -> Dict[str, List[Tuple[Any, ...]]]:
        """The rows of each of outcomes.QUERIES over the hours [first_hour, end_hour)."""
        return {name: self.database.rows(query, (first_hour, end_hour)) for name, query in outcomes.QUERIES.items()}

    def query_plans(self, first_hour: int, end_hour: int) -> Dict[str, str]:
        """How the database runs each of outcomes.QUERIES (the indexes it uses), for the benchmark's report."""
        explain = "EXPLAIN QUERY PLAN " if self.database.dialect == "sqlite" else "EXPLAIN "
        plans = {}
        for name, query in outcomes.QUERIES.items():
            rows = self.database.rows(explain + query, (first_hour, end_hour))
            plans[name] = "\n".join(str(row[-1]) for row in rows)
        return plans
