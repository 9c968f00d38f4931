"""The staff console's review lists: the messages `make review` would write, minus those already handled.

Same selection and order as the CSV (clinic_bot/tools/review.py: fallback, low confidence, "not helpful", out of
scope, and first the messages after which the patient pressed a topic the assistant offered, that topic suggested
as the label; urgent messages apart, each with its disposition: the emergency message or a check-in). A message is
"handled" once a staff member labelled it or marked it fine; that is kept in var/staff/review_done.json by the
message's key (a one-way hash: no sender id is stored or shown). The console shows the list PER_PAGE messages at a time
(page_of).
"""
import datetime as dt
import functools
import json
import math
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

from clinic_bot import paths
from clinic_bot.content.yaml_lines import load_yaml
from clinic_bot.files import PRIVATE, FileStamp, file_stamp, write_atomically
from clinic_bot.intents import FALLBACK_INTENT
from clinic_bot.languages import ENGLISH
from clinic_bot.store.database import StoreLocation, is_server_url
from clinic_bot.store.turns import Turn
from clinic_bot.tools.review import (
    DEFAULT_THRESHOLD,
    Urgent,
    UrgentCounts,
    count_dispositions,
    messages_to_review,
    patient_chose,
    read_conversations,
)

REVIEW_DONE_FILE = paths.STAFF_DIR / "review_done.json"
DEFAULT_DAYS = 30
LIKELIEST = 3  # topics offered first, from the model's own ranking
PER_PAGE = 50  # each message carries a form with every topic: hundreds at once make a page of megabytes


@dataclass(frozen=True)
class Topic:
    intent: str
    label: str  # what staff read: the answer's title, or the intent in words


@dataclass(frozen=True)
class ReviewItem:
    key: str
    text: str
    why: Tuple[str, ...]
    guess: str  # the intent the model leaned to (behind a fallback: its best real intent)
    confidence: float
    answers: Tuple[str, ...]  # the answer markers the patient got
    time: str
    likeliest: Tuple[str, ...]  # intents to offer first
    red_flag: Optional[str] = None
    urgent: Optional[Urgent] = None  # for an urgent message: its disposition, what raised it, the answer
    language: str = ENGLISH  # the message's, as the language detector read it: where its example goes
    suggested: str = ""  # the topic the patient pressed after it (related button, "did you mean"); "" if none
    chosen_from: str = ""  # where that topic was offered (clinic_bot.store.turns: RELATED, DID_YOU_MEAN); "" if none


@dataclass(frozen=True)
class Page:
    items: List[ReviewItem]  # this page's messages
    number: int  # 1 to count
    count: int  # pages in all; 1 for an empty list
    total: int  # messages in all
    first: int  # the 1-based position of items[0] in the whole list

    @property
    def previous(self) -> Optional[int]:
        return self.number - 1 if self.number > 1 else None

    @property
    def next(self) -> Optional[int]:
        return self.number + 1 if self.number < self.count else None


def page_number(asked: Optional[str]) -> int:
    """The page a ``?page=`` value asks for: anything but a whole number above 0 is page 1, never an error; a
    number too long to be a page is past the last one (page_of makes that the last)."""
    text = (asked or "").strip()
    if not (text.isascii() and text.isdigit()):
        return 1
    return max(1, int(text)) if len(text) <= 9 else 10**9


def page_of(items: Sequence[ReviewItem], asked: Optional[str], per_page: int = PER_PAGE) -> Page:
    """The page of ``items`` that ``asked`` (the ``?page=`` text) names; one past the end is the last page, so a
    page emptied by handling its last messages shows the ones before it."""
    count = max(1, math.ceil(len(items) / per_page))
    number = min(page_number(asked), count)
    start = (number - 1) * per_page
    return Page(list(items[start:start + per_page]), number, count, len(items), start + 1)


def topics(domain_file: Path = paths.DOMAIN_FILE, answers_file: Path = paths.ANSWERS_FILE,
           practical_answers_file: Path = paths.PRACTICAL_ANSWERS_FILE) -> List[Topic]:
    """Every intent a message may be labelled with, named as staff know it (the curated and practical answers'
    titles). Read again only when one of the files changed: every review and insights page asks for them."""
    files = (domain_file, answers_file, practical_answers_file)
    return list(_topics(files, tuple(file_stamp(Path(file)) for file in files)))


@functools.lru_cache(maxsize=8)
def _topics(files: Tuple[Path, Path, Path], _stamps: Tuple[FileStamp, ...]) -> Tuple[Topic, ...]:
    domain_file, answers_file, practical_answers_file = files
    intents = [str(i) for i in (load_yaml(domain_file) or {}).get("intents") or []]
    answers = {**((load_yaml(practical_answers_file) or {}).get("answers") or {}),
               **((load_yaml(answers_file) or {}).get("answers") or {})}
    named = []
    for intent in intents:
        title = (answers.get(intent) or {}).get("title") if isinstance(answers.get(intent), dict) else None
        named.append(Topic(intent, str(title or intent.replace("ask_", "").replace("_", " ").capitalize())))
    return tuple(sorted(named, key=lambda topic: topic.label.lower()))


def _when(timestamp: float) -> str:
    return dt.datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M")


def _likeliest(turn: Turn) -> Tuple[str, ...]:
    ranked = [str(r.get("name")) for r in turn.ranking if r.get("name") not in (FALLBACK_INTENT, None)]
    return tuple(ranked[:LIKELIEST])


def _item(turn: Turn, why: Sequence[str], urgent: Optional[Urgent] = None) -> ReviewItem:
    guess, confidence = turn.best_guess()
    suggested = patient_chose(turn, why)
    return ReviewItem(turn.key, turn.text, tuple(why), guess, confidence, tuple(turn.answers), _when(turn.time),
                      _likeliest(turn), turn.red_flag, urgent, turn.language, suggested,
                      turn.chosen_from if suggested else "")


class ReviewQueue:
    """Reads the conversation store each time a list is asked for (staff look rarely; patients write often)."""

    def __init__(self, db: StoreLocation = paths.TRACKER_DB, done_file: Path = REVIEW_DONE_FILE,
                 threshold: float = DEFAULT_THRESHOLD, days: float = DEFAULT_DAYS) -> None:
        self.db = db
        self.done_file = Path(done_file)
        self.threshold = threshold
        self.days = days
        self._lock = threading.Lock()

    def lists(self) -> Tuple[List[ReviewItem], List[ReviewItem]]:
        """(messages to label, urgent messages to check), oldest first (to label: those with the patient's choice
        before the others), without the handled ones."""
        to_label, urgent, _ = self._read()
        return to_label, urgent

    def urgent(self) -> Tuple[List[ReviewItem], UrgentCounts]:
        """(urgent messages to check, counts of the dispositions). The counts take in the checked messages too:
        they tell how the thresholds served patients over the whole period, not how much is left to do."""
        _, urgent, counts = self._read()
        return urgent, counts

    def _read(self) -> Tuple[List[ReviewItem], List[ReviewItem], UrgentCounts]:
        if not is_server_url(self.db) and not Path(self.db).is_file():
            return [], [], UrgentCounts()
        conversations = read_conversations(self.db, time.time() - self.days * 86400)
        to_label, urgent = messages_to_review(conversations, self.threshold)
        done = self.done()
        return ([_item(turn, why) for turn, why in to_label if turn.key not in done],
                [_item(turn, ["caught as urgent"], how) for turn, how in urgent if turn.key not in done],
                count_dispositions(how for _, how in urgent))

    def find(self, key: str) -> Optional[ReviewItem]:
        to_label, urgent = self.lists()
        return next((item for item in to_label + urgent if item.key == key), None)

    def done(self) -> Dict[str, Any]:
        try:
            data = json.loads(self.done_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def mark_done(self, key: str, user: str, outcome: str) -> None:
        """outcome: "labelled <intent>", "answer was right", "checked"."""
        with self._lock:
            done = self.done()
            done[key] = {"by": user, "outcome": outcome, "time": dt.datetime.now().isoformat(timespec="seconds")}
            self.done_file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            # Private like its folder. No fsync: a crash at worst loses which messages were handled, and they
            # show in the list again; no patient sees it.
            write_atomically(self.done_file, json.dumps(done, indent=1), mode=PRIVATE, fsync=False)
