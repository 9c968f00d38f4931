"""Adds the examples labelled in a filled review file (from `make review`) to data/nlu/.

    python -m clinic_bot.tools.import_review var/review/review-2026-11-22.csv [--nlu-dir data/nlu]

Every row with a `correct_intent` goes through the same checks as `make add-example` (known intent, not
already there in any intent, not in the hold-out set); rows left blank are skipped. Prints what was added
and what was refused and why. Exit code 1 when a row was refused or the file cannot be read.
"""
import argparse
import csv
import sys
from pathlib import Path
from typing import List, Optional, Sequence, Tuple

from clinic_bot import paths
from clinic_bot.tools.add_example import Outcome, TrainingData
from clinic_bot.tools.review import from_spreadsheet

REQUIRED = ("message", "correct_intent")


def read_labelled(path: Path) -> Tuple[List[Tuple[int, str, str]], int]:
    """(row number as the spreadsheet shows it, message, intent) of the labelled rows, and the blank count."""
    raw = Path(path).read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:  # saved as "CSV" (not "CSV UTF-8") by an older spreadsheet
        text = raw.decode("cp1252", errors="replace")
    reader = csv.DictReader(text.splitlines())
    missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        raise ValueError(f"{path} has no {' or '.join(missing)} column: import the review file written by "
                         "`make review` (not the emergencies list)")
    labelled, blank = [], 0
    for number, row in enumerate(reader, start=2):
        intent = (row.get("correct_intent") or "").strip()
        if intent:
            labelled.append((number, from_spreadsheet((row.get("message") or "").strip()), intent))
        else:
            blank += 1
    return labelled, blank


def import_rows(path: Path, data: TrainingData) -> Tuple[List[Tuple[int, Outcome]], int]:
    labelled, blank = read_labelled(path)
    return [(number, data.add(intent, [message])[0]) for number, message, intent in labelled], blank


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", type=Path, help="the filled review CSV")
    parser.add_argument("--nlu-dir", type=Path, default=paths.NLU_DIR, help="default: data/nlu")
    args = parser.parse_args(argv)
    try:
        results, blank = import_rows(args.file, TrainingData(args.nlu_dir))
    except (OSError, ValueError, csv.Error) as error:
        print(f"cannot import: {error}", file=sys.stderr)
        return 1
    for number, outcome in results:
        print(f"row {number}: {outcome}")
    added = sum(o.added for _, o in results)
    print(f"{added} added, {len(results) - added} refused, {blank} blank row(s) skipped")
    if added:
        print("Next: `make validate`, then `make train` and `make test`.")
    return 0 if added == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
