"""The staff console's insights page (GET /insights) on a year of synthetic traffic (bench/synthetic_year.py), on
both stores: an SQLite file (the embedded profile) and a PostgreSQL database (the scaled profile's server, started
as clinic_bot/launcher/services.py starts it, the database dropped afterwards).

The page is asked of a real console process (`python -m clinic_bot.staff`, as `make staff` runs it) on a free port,
logged in with a staff account made in a temporary folder, over one keep-alive HTTP connection as a browser would:
for each period (7, 30 and 90 days) one warm-up, then RUNS timed requests, from the request's first byte to the
page's last. Each store's query plans for the 90 days say whether the database counts each query through the index
meant for it (clinic_bot/store/outcomes.py QUERY_INDEXES).

    .venv/bin/python -m bench.run --only insights --out /tmp/insights     (this stage alone)
"""
import datetime as dt
import http.client
import re
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, ContextManager, Dict, Iterator, List, Optional, Tuple
from urllib.parse import urlencode

from bench import synthetic_year
from clinic_bot.content.clinic_config import load_time_zone
from clinic_bot.launcher.servers import server_env
from clinic_bot.launcher.services import POSTGRES_DB, MissingService, Postgres
from clinic_bot.launcher.supervisor import Child, Supervisor, answers
from clinic_bot.paths import REPO_ROOT
from clinic_bot.staff.accounts import Accounts
from clinic_bot.staff.console import SESSION_COOKIE
from clinic_bot.staff.insights import PERIODS
from clinic_bot.store import outcomes
from clinic_bot.store.database import StoreLocation, is_server_url
from clinic_bot.store.events import EventsTable
from tests.e2e.conftest import free_port

RUNS = 5  # timed requests per store and period, after one warm-up
STAGES = 5  # for bench/run.py's progress bar: generating, then writing and timing on each store
AIM_S = 2.0  # the page must show in under this, every time
STAFF_USER = "bench"
START_TIMEOUT_S = 120
Stage = Callable[[str], ContextManager[None]]


# --- the stores ---

@contextmanager
def running_postgres(work: Path) -> Iterator[str]:
    """A database of the project's own PostgreSQL cluster, started as the scaled profile starts it (Postgres and
    the launcher's Supervisor); yields its URL, then drops the database and stops the server."""
    postgres = Postgres(work / "postgres", free_port())
    supervisor = Supervisor()
    postgres.initialise()
    try:
        supervisor.start(postgres.child(server_env(), work / "log"))
        supervisor.wait_until_ready(["postgres"], timeout_s=60)
        postgres.create_database()
        try:
            yield postgres.url()
        finally:
            _drop_database(postgres)
    finally:
        supervisor.stop()


def _drop_database(postgres: Postgres) -> None:
    import psycopg2

    connection = psycopg2.connect(postgres.url("postgres"), connect_timeout=5)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {POSTGRES_DB}")
    finally:
        connection.close()


def store_mib(location: StoreLocation) -> float:
    """The store's size on disk: the SQLite file with its write-ahead log, or the PostgreSQL database."""
    if is_server_url(location):
        with EventsTable.existing(location, read_only=True) as table:
            return float(table.database.rows("SELECT pg_database_size(current_database())")[0][0]) / 2**20
    path = Path(location)
    return sum(p.stat().st_size for p in (path, path.with_name(path.name + "-wal")) if p.exists()) / 2**20


# --- the console, logged in ---

@contextmanager
def running_console(store: StoreLocation, work: Path) -> Iterator[Tuple[int, str]]:
    """The staff console on a free port, reading ``store``, with one staff account; yields (port, password)."""
    staff_dir = work / "staff"
    password = secrets.token_urlsafe(18)
    Accounts(staff_dir / "accounts.json").set_password(STAFF_USER, password)
    port = free_port()
    env = {**server_env(), "TRACKER_DB": str(store), "STAFF_DIR": str(staff_dir)}
    supervisor = Supervisor()
    supervisor.start(Child("console", [sys.executable, "-m", "clinic_bot.staff", "--port", str(port)], env, REPO_ROOT,
                           work / "log" / "console.log", ready=answers(f"http://127.0.0.1:{port}/login")))
    try:
        supervisor.wait_until_ready(["console"], timeout_s=START_TIMEOUT_S)
        yield port, password
    finally:
        supervisor.stop()


class StaffBrowser:
    """Just enough of a browser: one keep-alive connection, the console's cookies (sent over plain HTTP here,
    which a browser does for 127.0.0.1 only), no redirects followed."""

    def __init__(self, port: int) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.cookies: Dict[str, str] = {}

    def request(self, method: str, path: str, form: Optional[Dict[str, str]] = None) -> Tuple[int, str]:
        headers = {"Cookie": "; ".join(f"{name}={value}" for name, value in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.connection.request(method, path, body=body, headers=headers)
        reply = self.connection.getresponse()
        page = reply.read().decode()
        for cookie in reply.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        return reply.status, page

    def log_in(self, user: str, password: str) -> None:
        _, page = self.request("GET", "/login")
        token = re.search(r'name="csrf" value="([^"]*)"', page)
        if token is None:
            raise RuntimeError("the login page has no csrf field")
        status, _ = self.request("POST", "/login", {"csrf": token.group(1), "name": user, "password": password,
                                                     "next": "/insights"})
        if status != 303 or SESSION_COOKIE not in self.cookies:
            raise RuntimeError(f"the staff login failed ({status})")

    def close(self) -> None:
        self.connection.close()


def _totals(page: str) -> Dict[str, Optional[int]]:
    """The conversations and messages the page says it counted."""
    found = {}
    for name in ("conversations", "messages"):
        match = re.search(rf'data-total="{name}">([^<]*)<', page)
        found[name] = int(match.group(1).replace(",", "")) if match and match.group(1).isdigit() else None
    return found


def time_page(browser: StaffBrowser, days: int, runs: int) -> Dict[str, Any]:
    """One warm-up, then ``runs`` timed requests of the page for ``days``."""
    path = f"/insights?days={days}"
    browser.request("GET", path)
    seconds: List[float] = []
    for _ in range(runs):
        started = time.perf_counter()
        status, page = browser.request("GET", path)
        seconds.append(time.perf_counter() - started)
        if status != 200 or "data-totals" not in page:
            raise RuntimeError(f"GET {path} answered {status} without the figures: {page[:300]}")
    return {"days": days, "runs_s": seconds, "median_s": statistics.median(seconds), "max_s": max(seconds),
            "page_kib": len(page.encode()) / 1024, "shown": _totals(page)}


# --- what the database does ---

def hours_of(days: int, now: float) -> Tuple[int, int]:
    """The page's range for ``days``: whole days in the clinic's time zone, today included, as epoch hours
    [first, end) (clinic_bot/staff/insights.py)."""
    zone = load_time_zone()
    first_day = dt.datetime.fromtimestamp(now, zone).date() - dt.timedelta(days=days - 1)
    start = dt.datetime.combine(first_day, dt.time(), tzinfo=zone).timestamp()
    return int(start // outcomes.SECONDS_PER_HOUR), int(now // outcomes.SECONDS_PER_HOUR) + 1


def query_plans(location: StoreLocation, days: int) -> Dict[str, Any]:
    """How the database runs each of the page's queries over ``days``, and whether each uses its index."""
    with EventsTable.existing(location, read_only=True) as table:
        plans = table.query_plans(*hours_of(days, time.time()))
    used = {name: outcomes.QUERY_INDEXES[name] in plan for name, plan in plans.items()}
    return {"days": days, "plans": plans, "index_used": used}


def stored_messages(location: StoreLocation, days: int) -> int:
    """The patient messages the store holds for the page's range: what the page's total should say."""
    with EventsTable.existing(location, read_only=True) as table:
        first, end = hours_of(days, time.time())
        query = f"SELECT COUNT(*) FROM {outcomes.TABLE} WHERE hour >= ? AND hour < ?"
        return int(table.database.rows(query, (first, end))[0][0])


def measure_store(location: StoreLocation, work: Path, year: synthetic_year.Year, runs: int,
                  stage: Stage, name: str) -> Dict[str, Any]:
    """Fills the store with ``year``, then times the page on it."""
    with stage(f"insights: writing a year into {name}"):
        filled = synthetic_year.fill(location, year)
    figures: Dict[str, Any] = {"fill_s": filled.seconds, "vacuum_s": filled.vacuum_seconds,
                               "size_mib": store_mib(location)}
    with stage(f"insights: the page on {name}"):
        with running_console(location, work / name) as (port, password):
            browser = StaffBrowser(port)
            try:
                browser.log_in(STAFF_USER, password)
                figures["pages"] = [time_page(browser, days, runs) for days in PERIODS]
            finally:
                browser.close()
        for page in figures["pages"]:
            page["stored_messages"] = stored_messages(location, page["days"])
        figures["query_plans"] = query_plans(location, max(PERIODS))
    return figures


def measure(stage: Stage, conversations: int = synthetic_year.DEFAULT_CONVERSATIONS,
            runs: int = RUNS) -> Dict[str, Any]:
    """The whole stage: one year generated, written into each store in turn, the page timed on each."""
    started = time.monotonic()
    # Not under the benchmark's own temporary folder: PostgreSQL runs as its own user and must reach its data.
    work = Path(tempfile.mkdtemp(prefix="clinic-bench-insights-"))
    work.chmod(0o755)
    results: Dict[str, Any] = {"runs": runs, "aim_s": AIM_S, "periods": list(PERIODS), "stores": {}}
    try:
        with stage(f"insights: generating a year of traffic ({conversations:,} conversations)"):
            year = synthetic_year.generate(conversations)
        results["traffic"] = year.summary()
        sqlite = work / "conversations.db"
        results["stores"]["sqlite"] = measure_store(sqlite, work, year, runs, stage, "sqlite")
        for path in sqlite.parent.glob(sqlite.name + "*"):  # its GBs are not needed beside PostgreSQL's
            path.unlink()
        try:
            with running_postgres(work) as url:
                results["stores"]["postgresql"] = measure_store(url, work, year, runs, stage, "postgresql")
        except (MissingService, RuntimeError, TimeoutError) as error:
            results["stores"]["postgresql"] = {"error": str(error)}
    finally:
        shutil.rmtree(work, ignore_errors=True)
    results["seconds"] = time.monotonic() - started
    return results
