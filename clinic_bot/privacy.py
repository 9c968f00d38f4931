"""Retention and "forget me" for the conversation store (Rasa's SQL tracker store in SQLite).

    python -m clinic_bot.privacy purge --days 30      # make purge DAYS=30
    python -m clinic_bot.privacy forget SENDER_ID     # make forget SENDER=...

Rasa keeps every event of a conversation (messages, intents, slots, bot replies) as one row of the
`events` table, keyed by `sender_id`, with a Unix `timestamp`. A conversation is "older than N days"
when its latest event is. Deleted rows are overwritten (secure_delete), not just unlinked, and the
write-ahead log the server keeps beside the file (conversations.db-wal) is folded back in and emptied,
so no copy of them stays there either. Safe to run while the server is up: the conversation store
(clinic_bot/tracker_store.py) checks the file at every message, so a forgotten sender who writes again
starts a new conversation.
"""
import argparse
import json
import sqlite3
import sys
import time
from contextlib import closing
from pathlib import Path
from typing import Any, Dict, List, Optional

from clinic_bot.servers import DEFAULT_TRACKER_DB

SECONDS_PER_DAY = 86_400


def _connect(db: Path) -> sqlite3.Connection:
    if not Path(db).is_file():
        raise FileNotFoundError(f"no conversation store at {db}")
    connection = sqlite3.connect(f"file:{Path(db).resolve()}?mode=rw", uri=True, timeout=30)
    connection.execute("PRAGMA secure_delete = ON")
    return connection


def _delete(db: Path, query: str, parameters: tuple) -> int:
    """Runs one DELETE, then moves the write-ahead log into the (secure-deleted) file and empties it;
    returns the number of rows deleted."""
    with closing(_connect(db)) as connection:
        with connection:
            deleted = connection.execute(query, parameters).rowcount
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return deleted


def conversation_events(db: Path, sender: str) -> List[Dict[str, Any]]:
    """One sender's stored events, oldest first, as Rasa serialised them ({"event": "user", "text": ...})."""
    with closing(_connect(db)) as connection:
        rows = connection.execute("SELECT data FROM events WHERE sender_id = ? ORDER BY id", (sender,))
        return [json.loads(data) for (data,) in rows]


def senders(db: Path) -> List[str]:
    with closing(_connect(db)) as connection:
        return [sender for (sender,) in connection.execute("SELECT DISTINCT sender_id FROM events ORDER BY 1")]


def forget(db: Path, sender: str) -> int:
    """Deletes everything stored about one sender; returns the number of events deleted."""
    return _delete(db, "DELETE FROM events WHERE sender_id = ?", (sender,))


def purge(db: Path, days: float, now: Optional[float] = None) -> int:
    """Deletes the conversations whose latest event is older than `days`; returns how many."""
    cutoff = (time.time() if now is None else now) - days * SECONDS_PER_DAY
    stale = "SELECT sender_id FROM events GROUP BY sender_id HAVING MAX(timestamp) < ?"
    with closing(_connect(db)) as connection:
        count = connection.execute(f"SELECT COUNT(*) FROM ({stale})", (cutoff,)).fetchone()[0]
    _delete(db, f"DELETE FROM events WHERE sender_id IN ({stale})", (cutoff,))
    return count


def _positive_days(text: str) -> int:
    days = int(text)
    if days < 1:
        raise argparse.ArgumentTypeError("DAYS must be a whole number of days, at least 1")
    return days


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m clinic_bot.privacy", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, default=DEFAULT_TRACKER_DB, help=f"the store (default {DEFAULT_TRACKER_DB})")
    commands = parser.add_subparsers(dest="command", required=True)
    purge_args = commands.add_parser("purge", help="delete conversations older than N days")
    purge_args.add_argument("--days", type=_positive_days, required=True)
    forget_args = commands.add_parser("forget", help="delete one sender's conversation")
    forget_args.add_argument("sender")
    args = parser.parse_args(argv)
    try:
        if args.command == "purge":
            print(f"Deleted {purge(args.db, args.days)} conversation(s) older than {args.days} days from {args.db}")
        elif (deleted := forget(args.db, args.sender)):
            print(f"Deleted {deleted} event(s) of sender {args.sender!r} from {args.db}")
        else:
            print(f"Nothing stored for sender {args.sender!r} in {args.db}")
    except (FileNotFoundError, sqlite3.Error) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
