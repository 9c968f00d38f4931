"""Lists the patient messages staff should look at, from the SQLite tracker store, as a CSV for a spreadsheet.

    python -m clinic_bot.tools.review [--db FILE] [--days 7] [--threshold 0.7] [--out FILE]

A message is listed when it fell to the fallback, was understood with low confidence, got an answer the
patient marked "not helpful", or was out of scope. Each row: why, the message, the predicted intent and
its confidence, the answer given, the time, and an empty `correct_intent` column to fill in for
`import_review`. Messages the emergency safety net caught go to a separate file (`...-emergencies.csv`)
for a safety check, not for labelling. Sender ids are never written.
"""
import argparse
import csv
import datetime as dt
import hashlib
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

from clinic_bot import paths
from clinic_bot.content.feedback import HELPFUL_QUESTION, NOT_HELPFUL_INTENT
from clinic_bot.intents import EMERGENCY_INTENT, FALLBACK_INTENT, OUT_OF_SCOPE_INTENT
from clinic_bot.store.database import StoreLocation, describe, is_server_url, store_errors
from clinic_bot.store.events import EventsTable

DEFAULT_THRESHOLD = 0.7  # above the FallbackClassifier's 0.35: the band where it answered but was unsure
REVIEW_COLUMNS = ["why", "message", "predicted_intent", "confidence", "answer_given", "time", "correct_intent"]
EMERGENCY_COLUMNS = ["message", "red_flag", "confidence", "answer_given", "time"]
NOT_SHOWN_MARKERS = {"disclaimer", HELPFUL_QUESTION}
# A cell starting with one of these runs as a formula when the CSV is opened in a spreadsheet.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Turn:
    """One patient message and the bot's reply to it."""

    text: str
    time: float
    intent: str
    confidence: float
    ranking: List[Dict[str, Any]]
    red_flag: Optional[str]
    answers: List[str] = field(default_factory=list)  # answer markers of the bot's messages
    asked_if_helpful: bool = False
    key: str = ""  # stands for this message without naming its sender (the staff console's review list)

    @property
    def is_button(self) -> bool:
        return self.text.startswith("/")

    def best_guess(self) -> Tuple[str, float]:
        """The predicted intent; for a fallback, the model's best real intent behind it."""
        if self.intent == FALLBACK_INTENT:
            for entry in self.ranking:
                if entry.get("name") != FALLBACK_INTENT:
                    return str(entry.get("name")), float(entry.get("confidence") or 0)
        return self.intent, self.confidence


def turns_of(events: Iterable[Dict[str, Any]]) -> List[Turn]:
    """One conversation's user and bot events (Rasa's event JSON, in order) as turns."""
    turns: List[Turn] = []
    for event in events:
        if event.get("event") == "user":
            parse = event.get("parse_data") or {}
            intent = parse.get("intent") or {}
            turns.append(Turn(str(event.get("text") or ""), float(event.get("timestamp") or 0),
                              str(intent.get("name") or ""), float(intent.get("confidence") or 0),
                              list(parse.get("intent_ranking") or []), parse.get("red_flag")))
        elif event.get("event") == "bot" and turns:
            marker = (((event.get("data") or {}).get("custom")) or {}).get("answer")
            if marker == HELPFUL_QUESTION:
                turns[-1].asked_if_helpful = True
            elif marker and marker not in NOT_SHOWN_MARKERS:
                turns[-1].answers.append(str(marker))
    return turns


def reasons(turn: Turn, next_turn: Optional[Turn], threshold: float) -> List[str]:
    found = []
    if turn.intent == FALLBACK_INTENT:
        found.append("fell to fallback")
    elif turn.confidence < threshold:
        found.append("low confidence")
    if turn.asked_if_helpful and next_turn is not None and next_turn.intent == NOT_HELPFUL_INTENT:
        found.append("not helpful")
    if turn.intent == OUT_OF_SCOPE_INTENT:
        found.append("out of scope")
    if turn.is_button:  # a button click is no patient wording to learn from; only its feedback matters
        found = [r for r in found if r == "not helpful"]
    return found


def spreadsheet_safe(value: str) -> str:
    """Patient text must not become a formula in the staff's spreadsheet: prefix a quote."""
    return "'" + value if value.startswith(FORMULA_START) else value


def from_spreadsheet(value: str) -> str:
    """Undoes ``spreadsheet_safe``."""
    return value[1:] if value.startswith("'") and value[1:].startswith(FORMULA_START) else value


def _time(timestamp: float) -> str:
    return dt.datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M")


def messages_to_review(conversations: Iterable[List[Turn]],
                       threshold: float) -> Tuple[List[Tuple[Turn, List[str]]], List[Turn]]:
    """(messages to label with why, messages caught as emergencies), each sorted by time: what `make review`
    writes to its two files and what the staff console lists."""
    to_label: List[Tuple[Turn, List[str]]] = []
    emergencies: List[Turn] = []
    for turns in conversations:
        for turn, next_turn in zip(turns, turns[1:] + [None]):
            if turn.intent == EMERGENCY_INTENT:
                emergencies.append(turn)
                continue
            why = reasons(turn, next_turn, threshold)
            if why:
                to_label.append((turn, why))
    return sorted(to_label, key=lambda item: item[0].time), sorted(emergencies, key=lambda turn: turn.time)


def review_rows(conversations: Iterable[List[Turn]], threshold: float) -> Tuple[List[List[str]], List[List[str]]]:
    """(rows to label, emergency rows), each sorted by time."""
    to_label, emergencies = messages_to_review(conversations, threshold)
    rows = []
    for turn, why in to_label:
        intent, confidence = turn.best_guess()
        rows.append(["; ".join(why), spreadsheet_safe(turn.text), intent, f"{confidence:.2f}",
                     ", ".join(turn.answers), _time(turn.time), ""])
    return rows, [[spreadsheet_safe(turn.text), turn.red_flag or "(model)", f"{turn.confidence:.2f}",
                   ", ".join(turn.answers), _time(turn.time)] for turn in emergencies]


def read_conversations(db: StoreLocation, since: float) -> List[List[Turn]]:
    """The user and bot events since ``since`` (epoch seconds) from Rasa's SQLTrackerStore ``events`` table,
    one list of turns per sender; the sender ids stay here."""
    with EventsTable.existing(db, read_only=True) as table:
        messages = table.messages_since(since)
    by_sender: Dict[str, List[Dict[str, Any]]] = defaultdict(list)
    for sender, event in messages:
        by_sender[sender].append(event)
    conversations = []
    for sender, events in by_sender.items():
        turns = turns_of(events)
        for turn in turns:
            turn.key = message_key(sender, turn)
        conversations.append(turns)
    return conversations


def message_key(sender: str, turn: Turn) -> str:
    """A stable id of one patient message that does not reveal the sender id (a one-way hash)."""
    return hashlib.sha256(f"{sender}\0{turn.time!r}\0{turn.text}".encode()).hexdigest()[:20]


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # utf-8-sig: Excel then reads accents and emoji correctly.
    with open(path, "w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)


def emergencies_path(review_file: Path) -> Path:
    return review_file.with_name(f"{review_file.stem}-emergencies{review_file.suffix}")


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default=str(paths.TRACKER_DB),
                        help=f"the conversation store: a file or a postgresql:// URL (default {paths.TRACKER_DB})")
    parser.add_argument("--days", type=float, default=7, help="look at the last N days (default 7)")
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD,
                        help=f"list messages understood with less confidence than this (default {DEFAULT_THRESHOLD})")
    parser.add_argument("--out", type=Path,
                        default=paths.REPO_ROOT / "var" / "review" / f"review-{dt.date.today()}.csv",
                        help="the review file (default var/review/review-<today>.csv, "
                        "git-ignored: it holds patient messages)")
    args = parser.parse_args(argv)
    if not is_server_url(args.db) and not Path(args.db).is_file():
        print(f"no conversations yet: {args.db} does not exist", file=sys.stderr)
        return 1
    try:
        conversations = read_conversations(args.db, time.time() - args.days * 86400)
    except store_errors() as error:
        print(f"error: cannot read the conversations in {describe(args.db)}: {error}", file=sys.stderr)
        return 1
    rows, emergencies = review_rows(conversations, args.threshold)
    write_csv(args.out, REVIEW_COLUMNS, rows)
    write_csv(emergencies_path(args.out), EMERGENCY_COLUMNS, emergencies)
    messages = sum(len(turns) for turns in conversations)
    print(f"{len(conversations)} conversation(s), {messages} message(s) in the last {args.days:g} day(s).")
    print(f"{len(rows)} message(s) to review -> {args.out}")
    for why in ("fell to fallback", "low confidence", "not helpful", "out of scope"):
        print(f"  {why}: {sum(why in row[0] for row in rows)}")
    print(f"{len(emergencies)} message(s) caught as emergencies (check them; not for labelling) -> "
          f"{emergencies_path(args.out)}")
    print("Fill in `correct_intent` where the assistant got it wrong, leave the rest blank, save as CSV, then:\n"
          f"  make import-review FILE={args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
