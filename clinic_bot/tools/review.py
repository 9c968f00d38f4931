"""Lists the patient messages staff should look at, from the SQLite tracker store, as a CSV for a spreadsheet.

    python -m clinic_bot.tools.review [--db FILE] [--days 7] [--threshold 0.7] [--out FILE]

A message is listed when it fell to the fallback, was understood with low confidence, got an answer the
patient marked "not helpful", or was out of scope, and whenever the patient then pressed a topic the assistant
offered (the related topic after an answer, or one of "did you mean"): those come first. Each row: why, the
message, the predicted intent and its confidence, the answer given, the time, an empty `correct_intent` column to
fill in for `import_review`, and the topic the patient chose (`patient_chose`, a suggestion for that column: a
person still fills it in). Messages the triage found urgent go to a separate file (`...-emergencies.csv`) for a safety
check, not for labelling: each with its disposition (the emergency message, or a check-in asking whether it is
happening now), what raised it, and for a check-in what the patient answered. Sender ids are never written.
"""
import argparse
import csv
import datetime as dt
import hashlib
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

from clinic_bot import paths
from clinic_bot.content.feedback import NOT_HELPFUL_INTENT
from clinic_bot.intents import CHECK_IN, EMERGENCY_INTENT, FALLBACK_INTENT, OUT_OF_SCOPE_INTENT
from clinic_bot.store.database import StoreLocation, describe, is_server_url, store_errors
from clinic_bot.store.events import EventsTable
from clinic_bot.store.turns import DID_YOU_MEAN, NO, NO_ANSWER, RELATED, YES, Turn, check_in_answer, turns_of

DEFAULT_THRESHOLD = 0.7  # above config.yml's FallbackClassifier threshold: the band where it answered but was unsure
# patient_chose last: `import_review` reads the columns by name, and files filled before it existed still import.
REVIEW_COLUMNS = ["why", "message", "predicted_intent", "confidence", "answer_given", "time", "correct_intent",
                  "patient_chose"]
EMERGENCY_COLUMNS = ["message", "red_flag", "confidence", "answer_given", "time", "disposition", "raised_by",
                     "p_urgent", "check_in_answer"]
# An urgent message's disposition (the triage's own values) and what the patient answered to a check-in.
EMERGENCY = "emergency"
# What raised an urgent message, besides a red-flag concept of the rules.
RAISED_BY_CLASSIFIER = "classifier"
RAISED_BY_YES = "patient said yes to the check-in"
OLD_CLASSIFIER_FLAG = "(classifier)"  # the red_flag field of a message the classifier alone found urgent
# Why a message is listed when the patient pressed a topic the assistant offered, by where it was offered.
CHOICE_REASONS = {RELATED: "chose a related topic", DID_YOU_MEAN: "chose from \"did you mean\""}
# Every reason, in the order `make review` counts them.
REASONS = ("fell to fallback", "low confidence", "not helpful", "out of scope", *CHOICE_REASONS.values())
# A cell starting with one of these runs as a formula when the CSV is opened in a spreadsheet.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def reasons(turn: Turn, next_turn: Optional[Turn], threshold: float) -> List[str]:
    # A pressed choice is listed whatever the confidence: the patient said what the words meant.
    found = [CHOICE_REASONS[turn.chosen_from]] if turn.chosen_from in CHOICE_REASONS else []
    if turn.intent == FALLBACK_INTENT:
        found.append("fell to fallback")
    elif turn.confidence < threshold:
        found.append("low confidence")
    if turn.asked_if_helpful and next_turn is not None and next_turn.intent == NOT_HELPFUL_INTENT:
        found.append("not helpful")
    if turn.intent == OUT_OF_SCOPE_INTENT:
        found.append("out of scope")
    if turn.is_button or turn.answers_check_in:  # no patient wording to learn from; only its feedback matters
        found = [r for r in found if r == "not helpful"]
    return found


def patient_chose(turn: Turn, why: Sequence[str]) -> str:
    """The topic the patient pressed after this message, as a suggested label: only when that is why it is listed
    (a button press or a reply to the check-in is listed for its feedback alone: no words of its own to label)."""
    return turn.chosen if CHOICE_REASONS.get(turn.chosen_from) in why else ""


@dataclass(frozen=True)
class Urgent:
    """How the assistant handled an urgent message: read from its triage record and the patient's next message."""

    disposition: str  # EMERGENCY (the 911/988 message) or CHECK_IN (asked whether it is happening now)
    raised_by: Tuple[str, ...]  # red-flag concepts, RAISED_BY_CLASSIFIER, RAISED_BY_YES
    p_urgent: Optional[float]  # the classifier's P(emergency) + P(crisis); None for older messages
    check_in_answer: str = ""  # for a check-in: YES, NO or NO_ANSWER


@dataclass(frozen=True)
class UrgentCounts:
    """How often each disposition was chosen and how patients answered the check-ins: whether the thresholds
    that pick between them serve patients."""

    emergency: int = 0
    check_in: int = 0
    yes: int = 0
    no: int = 0
    no_answer: int = 0


def _raised_by(turn: Turn) -> Tuple[str, ...]:
    sources = turn.triage.get("raised_by")
    if not turn.triage or not isinstance(sources, list):  # older messages: only the red_flag field tells
        flag = turn.red_flag
        return (flag,) if flag and flag != OLD_CLASSIFIER_FLAG else (RAISED_BY_CLASSIFIER,)
    named = {"rules": str(turn.triage.get("concept") or "rules"), "classifier": RAISED_BY_CLASSIFIER,
             CHECK_IN: RAISED_BY_YES}
    return tuple(named.get(str(source), str(source)) for source in sources)


def _p_urgent(turn: Turn) -> Optional[float]:
    """The triage record's ``p_urgent``; records written before it existed carry only the probabilities."""
    if isinstance(turn.triage.get("p_urgent"), (int, float)):
        return round(float(turn.triage["p_urgent"]), 2)
    probabilities = turn.triage.get("probabilities")
    if not isinstance(probabilities, dict):
        return None
    return round(float(probabilities.get("emergency") or 0) + float(probabilities.get("crisis") or 0), 2)


def urgent_of(turn: Turn, next_turn: Optional[Turn]) -> Urgent:
    """An urgent message's disposition. Without a check-in disposition the assistant sends the emergency message
    (also for older messages that have no triage record)."""
    if turn.triage.get("disposition") == CHECK_IN:
        return Urgent(CHECK_IN, _raised_by(turn), _p_urgent(turn), check_in_answer(next_turn))
    return Urgent(EMERGENCY, _raised_by(turn), _p_urgent(turn))


def count_dispositions(urgent: Iterable[Urgent]) -> UrgentCounts:
    found = list(urgent)
    check_ins = [u.check_in_answer for u in found if u.disposition == CHECK_IN]
    return UrgentCounts(emergency=len(found) - len(check_ins), check_in=len(check_ins), yes=check_ins.count(YES),
                        no=check_ins.count(NO), no_answer=check_ins.count(NO_ANSWER))


def spreadsheet_safe(value: str) -> str:
    """Patient text must not become a formula in the staff's spreadsheet: prefix a quote."""
    return "'" + value if value.startswith(FORMULA_START) else value


def from_spreadsheet(value: str) -> str:
    """Undoes ``spreadsheet_safe``."""
    return value[1:] if value.startswith("'") and value[1:].startswith(FORMULA_START) else value


def _time(timestamp: float) -> str:
    return dt.datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M")


def messages_to_review(conversations: Iterable[List[Turn]], threshold: float
                       ) -> Tuple[List[Tuple[Turn, List[str]]], List[Tuple[Turn, Urgent]]]:
    """(messages to label with why, urgent messages with their disposition), each sorted by time, the messages
    whose patient chose a topic first (theirs is the likeliest right label): what `make review` writes to its two
    files and what the staff console lists."""
    to_label: List[Tuple[Turn, List[str]]] = []
    urgent: List[Tuple[Turn, Urgent]] = []
    for turns in conversations:
        for turn, next_turn in zip(turns, turns[1:] + [None]):
            if turn.intent == EMERGENCY_INTENT:
                urgent.append((turn, urgent_of(turn, next_turn)))
                continue
            why = reasons(turn, next_turn, threshold)
            if why:
                to_label.append((turn, why))
    return (sorted(to_label, key=lambda item: (not patient_chose(*item), item[0].time)),
            sorted(urgent, key=lambda item: item[0].time))


def emergency_row(turn: Turn, urgent: Urgent) -> List[str]:
    p_urgent = "" if urgent.p_urgent is None else f"{urgent.p_urgent:.2f}"
    return [spreadsheet_safe(turn.text), turn.red_flag or "(model)", f"{turn.confidence:.2f}",
            ", ".join(turn.answers), _time(turn.time), urgent.disposition, "; ".join(urgent.raised_by), p_urgent,
            urgent.check_in_answer]


def review_rows(conversations: Iterable[List[Turn]], threshold: float) -> Tuple[List[List[str]], List[List[str]]]:
    """(rows to label, emergency rows), in the order of ``messages_to_review``."""
    to_label, urgent = messages_to_review(conversations, threshold)
    rows = []
    for turn, why in to_label:
        intent, confidence = turn.best_guess()
        rows.append(["; ".join(why), spreadsheet_safe(turn.text), intent, f"{confidence:.2f}",
                     ", ".join(turn.answers), _time(turn.time), "", patient_chose(turn, why)])
    return rows, [emergency_row(turn, how) for turn, how in urgent]


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
    for why in REASONS:
        print(f"  {why}: {sum(why in row[0] for row in rows)}")
    print(f"{len(emergencies)} urgent message(s) (check them; not for labelling) -> {emergencies_path(args.out)}")
    counts = count_dispositions(how for _, how in messages_to_review(conversations, args.threshold)[1])
    print(f"  emergency message: {counts.emergency}; check-in: {counts.check_in} "
          f"(answered yes: {counts.yes}, no: {counts.no}, no answer: {counts.no_answer})")
    print("Fill in `correct_intent` where the assistant got it wrong (`patient_chose`: the topic the patient "
          "picked, to check), leave the rest blank, save as CSV, then:\n"
          f"  make import-review FILE={args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
