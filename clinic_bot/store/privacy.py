"""Retention and "forget me" for the conversation store (Rasa's SQL `events` table, in SQLite or PostgreSQL).

    python -m clinic_bot.store.privacy purge --days 30      # make purge DAYS=30
    python -m clinic_bot.store.privacy forget SENDER_ID     # make forget SENDER=...
    ... --db postgresql://...                               # the scaled profile's store (make ... DB=...)

Rasa keeps every event of a conversation (messages, intents, slots, bot replies) as one row of the
`events` table, keyed by `sender_id`, with a Unix `timestamp`. A conversation is "older than N days"
when its latest event is. Deleted rows are overwritten (secure_delete), not just unlinked, and the
write-ahead log the server keeps beside the file (conversations.db-wal) is folded back in and emptied,
so no copy of them stays there either; in PostgreSQL, VACUUM reclaims the deleted row versions. Safe to run
while the servers are up: the conversation store
(clinic_bot/server/tracker_store.py) checks the file at every message, so a forgotten sender who writes again
starts a new conversation.
"""
import argparse
import sys
import time
from typing import Any, Dict, List, Optional, Tuple, Type

from clinic_bot.paths import TRACKER_DB
from clinic_bot.store.database import StoreLocation, describe, store_errors
from clinic_bot.store.events import EventsTable

SECONDS_PER_DAY = 86_400


def conversation_events(db: StoreLocation, sender: str) -> List[Dict[str, Any]]:
    """One sender's stored events (every session), oldest first, as Rasa serialised them."""
    with EventsTable.existing(db) as table:
        return table.conversation(sender, all_sessions=True)


def senders(db: StoreLocation) -> List[str]:
    with EventsTable.existing(db) as table:
        return table.senders()


def forget(db: StoreLocation, sender: str) -> int:
    """Deletes everything stored about one sender; returns the number of events deleted."""
    with EventsTable.existing(db) as table:
        return table.forget(sender)


def purge(db: StoreLocation, days: float, now: Optional[float] = None) -> int:
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
    parser.add_argument("--db", default=str(TRACKER_DB),
                        help=f"the store: a file or a postgresql:// URL (default {TRACKER_DB})")
    commands = parser.add_subparsers(dest="command", required=True)
    purge_args = commands.add_parser("purge", help="delete conversations older than N days")
    purge_args.add_argument("--days", type=_positive_days, required=True)
    forget_args = commands.add_parser("forget", help="delete one sender's conversation")
    forget_args.add_argument("sender")
    args = parser.parse_args(argv)
    failures: Tuple[Type[BaseException], ...] = (FileNotFoundError, *store_errors())
    try:
        if args.command == "purge":
            deleted = purge(args.db, args.days)
            print(f"Deleted {deleted} conversation(s) older than {args.days} days from {describe(args.db)}")
        elif (deleted := forget(args.db, args.sender)):
            print(f"Deleted {deleted} event(s) of sender {args.sender!r} from {describe(args.db)}")
        else:
            print(f"Nothing stored for sender {args.sender!r} in {describe(args.db)}")
    except failures as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
