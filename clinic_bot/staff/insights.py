"""The figures of the staff console's insights page: how many patients use the assistant, what they ask, what
happened to their messages, in which language and when, over the last 7, 30 or 90 days.

Counts only, from the conversation store's `message_outcomes` table (clinic_bot/store/outcomes.py): no message text,
no sender. A count of 1 to 4 is shown as "fewer than 5" (``shown``) in the tables, the charts and the CSV alike, so
the page can be shown in a staff meeting. Days and hours of the week are the clinic's (clinic.yml `time_zone`).

Each figure is a ``Figure``: its columns and rows of raw counts. The page draws its chart from it
(clinic_bot/staff/svg_charts.py), writes its table from it, and the CSV download is the same rows: one shape, so
the three cannot disagree.
"""
import datetime as dt
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union
from zoneinfo import ZoneInfo

from clinic_bot.languages import ENGLISH, SPANISH
from clinic_bot.store.database import StoreLocation, is_server_url
from clinic_bot.store.events import EventsTable
from clinic_bot.store.outcomes import (
    ANSWERED,
    CHECK_IN_OUTCOME,
    EMERGENCY,
    FALLBACK,
    OTHER,
    OUT_OF_SCOPE,
    OUTCOMES,
    PERSONAL,
    SECONDS_PER_HOUR,
)
from clinic_bot.store.turns import NO, NO_ANSWER, PRACTICAL_KIND, YES

PERIODS = (7, 30, 90)  # days the page offers
DEFAULT_PERIOD = 30
SMALL_COUNT = 5  # counts from 1 to SMALL_COUNT - 1 are not shown as they are
FEWER_THAN_SMALL = f"fewer than {SMALL_COUNT}"
TOP_TOPICS = 10
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
OUTCOME_NAMES = {ANSWERED: "Answered", FALLBACK: "Not understood (fallback)", OUT_OF_SCOPE: "Out of scope",
                 PERSONAL: "Personal advice refused", CHECK_IN_OUTCOME: "Check-in", EMERGENCY: "Emergency message",
                 OTHER: "Other (greetings, feedback, booking, handoff)"}
CHECK_IN_ANSWER_NAMES = {YES: "Yes: it is happening now", NO: "No", NO_ANSWER: "No answer"}
LANGUAGE_NAMES = {ENGLISH: "English", SPANISH: "Spanish"}
Cell = Union[int, str]


def shown(count: int) -> Cell:
    """A count as the page, its charts and its CSV show it: 1 to 4 as "fewer than 5"; 0 and 5 up as they are."""
    return FEWER_THAN_SMALL if 0 < count < SMALL_COUNT else count


def period_days(asked: Optional[str]) -> int:
    """The period a ``?days=`` value asks for; anything but one of PERIODS is the default, never an error."""
    text = (asked or "").strip()
    return int(text) if text.isdigit() and int(text) in PERIODS else DEFAULT_PERIOD


@dataclass(frozen=True)
class Figure:
    key: str  # in the CSV's name and the page's anchors
    title: str
    columns: Tuple[str, ...]
    rows: List[Tuple[Any, ...]]  # the first column names the row; the others are counts (ints)
    note: str = ""

    def shown_rows(self) -> List[Tuple[Cell, ...]]:
        """The rows as the table and the CSV show them (the small-count rule on every count)."""
        return [(row[0], *(shown(value) if isinstance(value, int) else value for value in row[1:]))
                for row in self.rows]


@dataclass(frozen=True)
class Insights:
    days: int
    first_day: dt.date
    last_day: dt.date
    time_zone: str
    per_day: Figure  # date, conversations, messages
    topics: Figure  # topic, times answered, helpful yes, helpful no (the most asked, FAQ and practical)
    outcomes_by_week: Figure  # week (its Monday), one column per outcome
    check_in_answers: Figure  # answer, messages
    languages: Figure  # language, messages, conversations
    hours: Figure  # weekday, one column per hour 0..23
    practical: Figure  # practical topic, times answered
    messages: int
    conversations: int

    @property
    def figures(self) -> List[Figure]:
        return [self.per_day, self.topics, self.outcomes_by_week, self.check_in_answers, self.languages,
                self.hours, self.practical]

    def figure(self, key: str) -> Optional[Figure]:
        return next((figure for figure in self.figures if figure.key == key), None)


def _hours_range(days: int, now: float, zone: ZoneInfo) -> Tuple[dt.date, int, int]:
    """(first day, first hour, end hour) of the last ``days`` days in the clinic's time, today included."""
    today = dt.datetime.fromtimestamp(now, zone).date()
    first_day = today - dt.timedelta(days=days - 1)
    start = dt.datetime.combine(first_day, dt.time(), tzinfo=zone).timestamp()
    return first_day, int(start // SECONDS_PER_HOUR), int(now // SECONDS_PER_HOUR) + 1


def _local(hour: int, zone: ZoneInfo) -> dt.datetime:
    return dt.datetime.fromtimestamp(hour * SECONDS_PER_HOUR, zone)


def read_insights(db: StoreLocation, days: int, zone: ZoneInfo, topic_names: Dict[str, str],
                  now: Optional[float] = None) -> Insights:
    """The figures of the last ``days`` days; an empty store (or one not written since the outcomes were kept)
    gives zeros. ``topic_names``: how staff name each answer id."""
    now = time.time() if now is None else now
    first_day, first_hour, end_hour = _hours_range(days, now, zone)
    counts: Dict[str, List[Tuple[Any, ...]]] = {"counts_by_hour": [], "topic_counts": [], "check_in_answers": []}
    if is_server_url(db) or Path(db).is_file():
        with EventsTable.existing(db, read_only=True) as table:
            if table.has_outcomes():
                counts = table.outcome_counts(first_hour, end_hour)
    return build(counts, days, first_day, zone, topic_names)


def build(counts: Dict[str, List[Tuple[Any, ...]]], days: int, first_day: dt.date, zone: ZoneInfo,
          topic_names: Dict[str, str]) -> Insights:
    """The figures from the rows of outcomes.QUERIES."""
    by_day: Dict[dt.date, List[int]] = {first_day + dt.timedelta(days=n): [0, 0] for n in range(days)}
    by_week: Dict[dt.date, Counter] = defaultdict(Counter)
    for day in by_day:
        by_week[day - dt.timedelta(days=day.weekday())]  # every week of the period has a row, quiet or not
    languages: Dict[str, List[int]] = defaultdict(lambda: [0, 0])
    grid = [[0] * 24 for _ in WEEKDAYS]
    for hour, outcome, language, messages, opened in counts["counts_by_hour"]:
        local = _local(int(hour), zone)
        day = local.date()
        if day not in by_day:  # the hour the period starts in may begin the day before (a half-hour zone)
            continue
        by_day[day][0] += int(opened or 0)
        by_day[day][1] += int(messages)
        by_week[day - dt.timedelta(days=day.weekday())][str(outcome)] += int(messages)
        languages[str(language)][0] += int(messages)
        languages[str(language)][1] += int(opened or 0)
        grid[local.weekday()][local.hour] += int(messages)
    topics = sorted(((str(kind), str(topic), int(asked), int(yes), int(no))
                     for kind, topic, asked, yes, no in counts["topic_counts"]), key=lambda row: (-row[2], row[1]))

    def name(topic: str) -> str:
        return topic_names.get(topic, topic.replace("ask_", "").replace("_", " ").capitalize())

    answers = Counter({str(answer): int(count) for answer, count in counts["check_in_answers"]})
    check_ins = sum(week[CHECK_IN_OUTCOME] for week in by_week.values())
    answers[NO_ANSWER] = max(0, check_ins - answers[YES] - answers[NO])
    totals = [sum(day[0] for day in by_day.values()), sum(day[1] for day in by_day.values())]
    return Insights(
        days=days, first_day=first_day, last_day=first_day + dt.timedelta(days=days - 1), time_zone=str(zone.key),
        per_day=Figure("per_day", "Conversations and messages per day", ("Day", "Conversations", "Messages"),
                       [(day.isoformat(), *values) for day, values in sorted(by_day.items())]),
        topics=Figure("topics", "Topics asked most",
                      ("Topic", "Kind", "Answered", "Helpful: yes", "Helpful: no"),
                      [(name(topic), "practical" if kind == PRACTICAL_KIND else "medical (FAQ)", asked, yes, no)
                       for kind, topic, asked, yes, no in topics[:TOP_TOPICS]]),
        outcomes_by_week=Figure("outcomes", "What happened to messages, per week",
                                ("Week of", *(OUTCOME_NAMES[o] for o in OUTCOMES)),
                                [(week.isoformat(), *(found[o] for o in OUTCOMES))
                                 for week, found in sorted(by_week.items())]),
        check_in_answers=Figure("check_in_answers", "What patients answered to check-ins",
                                ("Answer", "Messages"),
                                [(CHECK_IN_ANSWER_NAMES[a], answers[a]) for a in (YES, NO, NO_ANSWER)],
                                note="A check-in asks whether an alarming situation is happening now."),
        languages=Figure("languages", "Languages", ("Language", "Messages", "Conversations"),
                         [(LANGUAGE_NAMES.get(code, code), *values)
                          for code, values in sorted(languages.items(), key=lambda item: -item[1][0])]),
        hours=Figure("hours", "Busiest hours of the week (messages)", ("Day", *(f"{h:02d}" for h in range(24))),
                     [(weekday, *grid[n]) for n, weekday in enumerate(WEEKDAYS)],
                     note=f"Hours in the clinic's time zone, {zone.key}."),
        practical=Figure("practical", "Practical questions asked most", ("Question", "Answered"),
                         [(name(topic), asked) for kind, topic, asked, _, _ in topics
                          if kind == PRACTICAL_KIND][:TOP_TOPICS],
                         note="A hint at what the website could say more clearly."),
        messages=totals[1], conversations=totals[0],
    )


def csv_rows(figure: Figure) -> List[Sequence[Cell]]:
    """The CSV download of a figure: its header and its rows as the table shows them."""
    return [figure.columns, *figure.shown_rows()]

