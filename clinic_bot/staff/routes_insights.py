"""Insights: what the clinic learns from its assistant over the last 7, 30 or 90 days, in charts drawn on the
server, each with its table and its CSV (clinic_bot/staff/insights.py has the figures, svg_charts.py the charts)."""
import csv
import io
from typing import Dict, List, Tuple
from zoneinfo import ZoneInfo

from markupsafe import Markup
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from clinic_bot.content.clinic_config import DEFAULT_TIME_ZONE, load_time_zone
from clinic_bot.staff import svg_charts
from clinic_bot.staff.console import Console, refused
from clinic_bot.staff.insights import PERIODS, Figure, Insights, csv_rows, period_days, read_insights, shown
from clinic_bot.staff.review_queue import topics


def _time_zone() -> Tuple[ZoneInfo, str]:
    """The clinic's time zone, and a problem to show when clinic.yml's is not one (then UTC)."""
    try:
        return load_time_zone(), ""
    except ValueError as error:
        return ZoneInfo(DEFAULT_TIME_ZONE), f"{error}. Days and hours are shown in UTC until it is corrected."


def _bars(figure: Figure, column: int = 1) -> List[Tuple[str, int]]:
    """(name, count) of each row of ``figure``, the count from its ``column``."""
    return [(str(row[0]), int(row[column])) for row in figure.rows]


def _charts(insights: Insights) -> Dict[str, Markup]:
    return {
        "per_day": svg_charts.lines(insights.per_day.title, insights.per_day),
        "topics": svg_charts.bars(insights.topics.title, _bars(insights.topics, 2)),
        "outcomes": svg_charts.stacked(insights.outcomes_by_week.title, insights.outcomes_by_week),
        "check_in_answers": svg_charts.bars(insights.check_in_answers.title, _bars(insights.check_in_answers)),
        "languages": svg_charts.bars(insights.languages.title, _bars(insights.languages)),
        "hours": svg_charts.heat_map(insights.hours.title, insights.hours),
        "practical": svg_charts.bars(insights.practical.title, _bars(insights.practical)),
    }


def _read(console: Console, request: Request) -> Tuple[Insights, str]:
    """(the figures of the period asked for, a problem with the time zone to show). A store that cannot be read
    raises: the console's handler answers with a plain message."""
    zone, problem = _time_zone()
    names = {topic.intent: topic.label for topic in topics()}
    return read_insights(console.queue.db, period_days(request.args.get("days")), zone, names), problem


def register(app: Sanic, console: Console) -> None:
    @app.get("/insights")
    async def insights_page(request: Request) -> HTTPResponse:
        insights, problem = _read(console, request)
        return console.render(request, "insights.html", insights=insights, charts=_charts(insights),
                              periods=PERIODS, problem=problem, shown=shown)

    @app.get("/insights/csv/<key:str>")
    async def insights_csv(request: Request, key: str) -> HTTPResponse:
        insights, _ = _read(console, request)
        figure = insights.figure(key)
        if figure is None:
            return refused(console, request, 404, "No such figure", "This download does not exist.")
        return response.text(_csv(figure), content_type="text/csv; charset=utf-8", headers={
            "Content-Disposition": f'attachment; filename="insights-{figure.key}-{insights.days}-days.csv"'})


def _csv(figure: Figure) -> str:
    out = io.StringIO()
    csv.writer(out).writerows(csv_rows(figure))
    return out.getvalue()
