"""Retention and "forget me" for the conversation store (Rasa's SQL tracker store in SQLite).

    python -m clinic_bot.store.privacy purge --days 30      # make purge DAYS=30
    python -m clinic_bot.store.privacy forget SENDER_ID     # make forget SENDER=...

Rasa keeps every event of a conversation (messages, intents, slots, bot replies) as one row of the
`events` table, keyed by `sender_id`, with a Unix `timestamp`. A conversation is "older than N days"
when its latest event is. Deleted rows are overwritten (secure_delete), not just unlinked, and the
write-ahead log the server keeps beside the file (conversations.db-wal) is folded back in and emptied,
so no copy of them stays there either. Safe to run while the server is up: the conversation store
(clinic_bot/server/tracker_store.py) checks the file at every message, so a forgotten sender who writes again
starts a new conversation.
"""
import argparse
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

from clinic_bot.paths import TRACKER_DB
from clinic_bot.store.events import EventsTable

SECONDS_PER_DAY = 86_400


def conversation_events(db: Path, sender: str) -> List[Dict[str, Any]]:
    """One sender's stored events (every session), oldest first, as Rasa serialised them."""
    with EventsTable.existing(db) as table:
        return table.conversation(sender, all_sessions=True)


def senders(db: Path) -> List[str]:
    with EventsTable.existing(db) as table:
        return table.senders()


def forget(db: Path, sender: str) -> int:
    """Deletes everything stored about one sender; returns the number of events deleted."""
    with EventsTable.existing(db) as table:
        return table.forget(sender)


def purge(db: Path, days: float, now: Optional[float] = None) -> int:
    """Deletes the conversations whose latest event is older than `days`; returns how many."""
    with EventsTable.existing(db) as table:
        return table.purge_before((time.time() if now is None else now) - days * SECONDS_PER_DAY)


def _positive_days(text: str) -> int:
    days = int(text)
    if days < 1:
        raise argparse.ArgumentTypeError("DAYS must be a whole number of days, at least 1")
    return days


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m clinic_bot.store.privacy", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, default=TRACKER_DB, help=f"the store (default {TRACKER_DB})")
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
