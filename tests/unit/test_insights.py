"""The staff console's insights (clinic_bot/staff/insights.py, routes_insights.py): every figure counted right on a
small store whose counts are known, small counts hidden everywhere, the CSV equal to the tables, the page for
staff only."""
import csv
import datetime as dt
import html
import io
import re
import time
from pathlib import Path
from typing import Any, Dict, List, Optional
from zoneinfo import ZoneInfo

import pytest

from clinic_bot.staff.insights import FEWER_THAN_SMALL, Insights, period_days, read_insights, shown
from clinic_bot.store.events import EventsTable, row_of
from clinic_bot.store.outcomes import OUTCOMES, outcomes_of
from tests.unit.test_outcomes import answer, spanish
from tests.unit.test_staff_console import Setup, logged_in, setup  # noqa: F401  (the console fixture)
from tests.unit.test_staff_review import bot, user

ZONE = ZoneInfo("America/Chicago")
# Noon on a Wednesday in the clinic's time zone: "today" of the figures.
NOW = dt.datetime(2026, 11, 18, 12, 0, tzinfo=ZONE).timestamp()
DAY = 86_400
NAMES = {"ask_cost": "Cost", "ask_hours": "Opening hours"}


def at(days_ago: int, hour: int) -> float:
    """A moment ``days_ago`` days before today, at ``hour`` o'clock in the clinic's time."""
    day = dt.datetime.fromtimestamp(NOW, ZONE).date() - dt.timedelta(days=days_ago)
    return dt.datetime.combine(day, dt.time(hour), tzinfo=ZONE).timestamp()


def stamped(events: List[Dict[str, Any]], when: float) -> List[Dict[str, Any]]:
    return [dict(event, timestamp=when + n) for n, event in enumerate(events)]


def cost_question(helpful: Optional[str]) -> List[Dict[str, Any]]:
    events = [user("how much", "ask_cost"), answer("ask_cost"), bot("helpful_question")]
    return events + ([user(f"/{helpful}", helpful, 1.0), bot(helpful)] if helpful else [])


def check_in(reply: str) -> List[Dict[str, Any]]:
    events = [user("chest tight", "emergency", triage={"disposition": "check_in"}), bot("check_in")]
    if reply == "yes":
        return events + [user("yes", "emergency", triage={"raised_by": ["check_in"]}), bot("emergency")]
    return events + [user("no", "ask_safety", triage={"check_in_answer": "no"}), answer("ask_safety")]


# (conversation, days ago, hour): 21 conversations, 32 messages, in the last 7 days.
CONVERSATIONS = (
    [(cost_question("affirm"), 1, 10)] * 5 + [(cost_question("deny"), 1, 10)]  # Tuesday 10:00: 12 messages
    + [([user("hours?", "ask_hours"), answer("ask_hours", kind="practical")], 2, 15)] * 7  # Monday 15:00
    + [([user("blorp", "nlu_fallback", 0.3), bot("fallback")], 0, 9)] * 2  # today, Wednesday 9:00
    + [([spanish(user("me duele el pecho ahora", "emergency")), bot("emergency")], 0, 9)]
    + [(check_in("yes"), 3, 20)] * 3 + [(check_in("no"), 3, 20)] * 2  # Sunday 20:00
)


def write_store(db: Path, conversations=CONVERSATIONS, now_offset: float = 0.0) -> None:
    table = EventsTable.for_server(db)
    for number, (events, days_ago, hour) in enumerate(conversations):
        sender = f"patient-{number}"
        timed = stamped([{"event": "session_started"}, *events], at(days_ago, hour) + now_offset)
        table.append([row_of(sender, event) for event in timed], outcomes_of(sender, timed))
    # one conversation before the period: counted in no figure of the last 7 days
    old = stamped([user("cost?", "ask_cost"), answer("ask_cost")], at(8, 10) + now_offset)
    table.append([row_of("long-ago", event) for event in old], outcomes_of("long-ago", old))
    table.close()


@pytest.fixture
def insights(tmp_path: Path) -> Insights:
    write_store(tmp_path / "t.db")
    return read_insights(tmp_path / "t.db", 7, ZONE, NAMES, now=NOW)


def test_conversations_and_messages_per_day(insights: Insights):
    rows = {day: (conversations, messages) for day, conversations, messages in insights.per_day.rows}
    assert len(rows) == 7 and insights.first_day == dt.date(2026, 11, 12)
    assert rows["2026-11-17"] == (6, 12) and rows["2026-11-16"] == (7, 7)
    assert rows["2026-11-18"] == (3, 3) and rows["2026-11-15"] == (5, 10)
    assert sum(messages for _, messages in rows.values()) == insights.messages == 32
    assert insights.conversations == 21


def test_topics_with_their_helpful_counts_and_the_practical_ones(insights: Insights):
    assert insights.topics.rows[:2] == [("Opening hours", "practical", 7, 0, 0), ("Cost", "medical (FAQ)", 6, 5, 1)]
    assert ("Safety", "medical (FAQ)", 2, 0, 0) in insights.topics.rows  # the answers after a "no" to a check-in
    assert insights.practical.rows == [("Opening hours", 7)]


def test_what_happened_to_messages_per_week_and_the_check_in_answers(insights: Insights):
    weeks = {row[0]: dict(zip(OUTCOMES, row[1:])) for row in insights.outcomes_by_week.rows}
    assert list(weeks) == ["2026-11-09", "2026-11-16"]  # the Mondays of the weeks the period touches
    assert weeks["2026-11-09"] == {**dict.fromkeys(OUTCOMES, 0), "check_in": 5, "emergency": 3, "answered": 2}
    assert weeks["2026-11-16"] == {**dict.fromkeys(OUTCOMES, 0), "answered": 13, "other": 6, "fallback": 2,
                                   "emergency": 1}
    assert [row[1] for row in insights.check_in_answers.rows] == [3, 2, 0]  # yes, no, no answer


def test_languages_and_the_busiest_hours_in_the_clinics_time(insights: Insights):
    assert insights.languages.rows == [("English", 31, 20), ("Spanish", 1, 1)]
    grid = {row[0]: row[1:] for row in insights.hours.rows}
    assert grid["Tuesday"][10] == 12 and grid["Monday"][15] == 7 and grid["Sunday"][20] == 10
    assert grid["Wednesday"][9] == 3
    assert sum(sum(hours) for hours in grid.values()) == 32


def test_small_counts_are_shown_as_fewer_than_five_and_zero_as_zero():
    assert [shown(n) for n in (0, 1, 4, 5, 120)] == [0, FEWER_THAN_SMALL, FEWER_THAN_SMALL, 5, 120]


def test_every_table_row_hides_small_counts(insights: Insights):
    assert ("Cost", "medical (FAQ)", 6, 5, FEWER_THAN_SMALL) in insights.topics.shown_rows()
    assert insights.check_in_answers.shown_rows() == [(name, value) for name, value in zip(
        [row[0] for row in insights.check_in_answers.rows], [FEWER_THAN_SMALL, FEWER_THAN_SMALL, 0])]


def test_a_period_is_one_of_three_and_anything_else_the_default():
    assert [period_days(asked) for asked in ("7", "30", "90", "365", "-7", "abc", None)] == [7, 30, 90, 30, 30, 30, 30]


def test_a_store_without_outcomes_or_without_a_file_gives_zeros(tmp_path: Path):
    missing = read_insights(tmp_path / "none.db", 30, ZONE, {}, now=NOW)
    assert missing.messages == 0 and missing.topics.rows == [] and len(missing.per_day.rows) == 30


# --- the page, through the console ---

def table_of(page: str, key: str) -> List[List[str]]:
    section = re.search(rf'<section[^>]*data-figure="{key}".*?</section>', page, re.S)
    assert section, key
    table = re.search(r"<table>.*?</table>", section.group(0), re.S).group(0)
    header = [html.unescape(cell) for cell in re.findall(r'<th scope="col">(.*?)</th>', table)]
    rows = [[html.unescape(re.sub(r"<[^>]+>", "", cell)) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)]
            for row in re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>")[1], re.S)]
    return [header, *rows]


def test_the_page_shows_each_figure_as_a_chart_a_table_and_the_same_csv(setup: Setup):  # noqa: F811
    write_store(setup.db, now_offset=time.time() - NOW)
    client = logged_in(setup)
    page = client.get("/insights?days=7")
    assert page.status == 200 and re.search(r'data-period="7" aria-current="page"', page.body)
    keys = re.findall(r'data-figure="([a-z_]+)"', page.body)
    assert keys == ["per_day", "topics", "outcomes", "check_in_answers", "languages", "hours", "practical"]
    assert page.body.count("<svg") == len(keys) and "<script" not in page.body and "style=" not in page.body
    for key in keys:
        download = client.get(f"/insights/csv/{key}?days=7")
        assert download.status == 200 and download.header("content-type").startswith("text/csv")
        assert list(csv.reader(io.StringIO(download.body))) == table_of(page.body, key), key
    assert [FEWER_THAN_SMALL] == [cell for cell in table_of(page.body, "languages")[2][1:2]]  # Spanish: 1 message
    assert "how much" not in page.body and "patient-" not in page.body  # counts only: no text, no sender


def test_the_page_and_its_downloads_need_a_login(setup: Setup):  # noqa: F811
    for path in ("/insights", "/insights/csv/topics?days=7"):
        refused = setup.client().get(path)
        assert refused.status == 303 and refused.location.startswith("/login?next=/insights")
    asked = setup.client().get("/insights?days=90")  # after the login, the period asked for
    assert asked.location.startswith("/login?next=/insights%3Fdays%3D90")


def test_an_unknown_download_is_refused(setup: Setup):  # noqa: F811
    assert logged_in(setup).get("/insights/csv/secrets").status == 404


def test_a_store_that_cannot_be_read_gets_a_plain_refusal_not_a_crash(setup: Setup):  # noqa: F811
    client = logged_in(setup)
    setup.db.write_bytes(b"this is not a database" * 100)
    for path in ("/insights", "/insights/csv/topics", "/", "/review", "/review/urgent"):
        page = client.get(path)
        assert page.status == 503 and "data-refusal" in page.body, path
