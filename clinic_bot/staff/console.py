"""The staff console: a small web app on 127.0.0.1 for the staff loop (review, label, edit answers, retrain) and
the insights (what patients ask, in charts).

    python -m clinic_bot.staff [--port 8090] [--host 127.0.0.1]     (what `make staff` runs)

Served by Sanic with Jinja2 templates, both installed with Rasa. Every page needs a staff login
(`make staff-user NAME=...`); every form carries the session's CSRF token; every change goes to the audit
log and lands in the files the command-line tools write (data/nlu/, knowledge/). Pages: routes_*.py.
"""
import argparse
import logging
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple
from urllib.parse import quote, urlparse

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from clinic_bot import net
from clinic_bot.server.rate_limit import Network, client_address, parse_networks
from clinic_bot.staff.accounts import AccountError, Accounts
from clinic_bot.staff.answers_editor import AnswersFile
from clinic_bot.staff.audit import AuditLog
from clinic_bot.staff.practical_editor import PracticalAnswersFile
from clinic_bot.staff.retrain import Retrainer
from clinic_bot.staff.review_queue import ReviewQueue
from clinic_bot.staff.sessions import LoginThrottle, Session, Sessions, csrf_matches, session_limits_from_env
from clinic_bot.store.database import store_errors

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
DEFAULT_PORT = 8090
SESSION_COOKIE = "staff_session"
LOGIN_CSRF_COOKIE = "staff_login_csrf"  # before a session exists, the login form's token (double submit)
OPEN_PATHS = ("/login", "/static/")
TRUSTED_PROXIES_ENV = "STAFF_TRUSTED_PROXIES"
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",  # "no-referrer" makes Chromium send "Origin: null" with every form
    # Patient messages are shown on these pages: no script at all (not even the console's own: it has none),
    # nothing from anywhere else, no frame. The pages need their stylesheet and their own forms, nothing more;
    # every other fetch (script, image, font, connect, frame, object, ...) falls back to default-src 'none'.
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; "
                               "base-uri 'none'",
}


def trusted_proxies_from_env() -> List[Network]:
    """The reverse proxies in front of the console (STAFF_TRUSTED_PROXIES: addresses or networks, comma-separated)
    whose X-Forwarded-For names the staff member's computer; none unless set, so the header counts for nothing.
    Behind a proxy not listed, every client is the proxy's one address to the failed-login limit."""
    return parse_networks(entry for entry in os.environ.get(TRUSTED_PROXIES_ENV, "").split(",") if entry.strip())


@dataclass
class Console:
    """Everything the pages share; one per process."""

    accounts: Accounts = field(default_factory=Accounts)
    sessions: Sessions = field(default_factory=lambda: Sessions(*session_limits_from_env()))
    logins: LoginThrottle = field(default_factory=LoginThrottle)  # failed logins per client address
    trusted_proxies: List[Network] = field(default_factory=trusted_proxies_from_env)
    audit: AuditLog = field(default_factory=AuditLog)
    queue: ReviewQueue = field(default_factory=ReviewQueue)
    answers: AnswersFile = field(default_factory=AnswersFile)
    practical: PracticalAnswersFile = field(default_factory=PracticalAnswersFile)  # knowledge/practical_answers.yml
    retrainer: Optional[Retrainer] = None
    flashes: Dict[str, List[Tuple[str, str]]] = field(default_factory=dict)  # session token -> (kind, text)
    templates: Environment = field(default_factory=lambda: Environment(
        loader=FileSystemLoader(str(HERE / "templates")), autoescape=select_autoescape(["html"]),
        trim_blocks=True, lstrip_blocks=True))

    def __post_init__(self) -> None:
        if self.retrainer is None:
            self.retrainer = Retrainer(self.audit)

    def flash(self, request: Request, kind: str, text: str) -> None:
        """kind: "ok" or "error"; shown once on the next page."""
        session = request.ctx.session
        self.flashes.setdefault(session.token, []).append((kind, text))

    def client(self, request: Request) -> str:
        """The client's address: the peer's, or behind a trusted proxy the one the proxy names."""
        return client_address(request.ip, request.headers.get("x-forwarded-for"), self.trusted_proxies)

    def render(self, request: Request, template: str, status: int = 200, **context: Any) -> HTTPResponse:
        session: Optional[Session] = getattr(request.ctx, "session", None)
        flashes = self.flashes.pop(session.token, []) if session else []
        page = self.templates.get_template(template).render(
            user=session.user if session else None, csrf=session.csrf if session else "",
            flashes=flashes, path=request.path, **context)
        return response.html(page, status=status)


def is_loopback(host: str) -> bool:
    """The address the console listens on is this machine's own (a host name too: "localhost")."""
    return host == "localhost" or net.is_loopback(host)


def safe_next(target: Optional[str]) -> str:
    """Only a path of this console: a login link must not send staff to another site."""
    if not target or not target.startswith("/") or target.startswith("//") or urlparse(target).netloc:
        return "/"
    return target


def set_cookie(reply: HTTPResponse, name: str, value: str, max_age: Optional[int] = None) -> None:
    reply.cookies[name] = value
    cookie = reply.cookies[name]
    cookie["httponly"] = True
    cookie["samesite"] = "Strict"
    cookie["secure"] = True  # browsers treat http://127.0.0.1 as secure; elsewhere the console needs HTTPS
    cookie["path"] = "/"
    if max_age is not None:
        cookie["max-age"] = max_age


def refused(console: Console, request: Request, status: int, title: str, text: str) -> HTTPResponse:
    return console.render(request, "message.html", status=status, title=title, text=text)


def same_origin(request: Request) -> bool:
    """A browser names the page a form came from; one from another site is refused (CSRF's second line)."""
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return origin is None
    return urlparse(origin).netloc == request.host


def current_session(console: Console, token: Optional[str]) -> Optional[Session]:
    """The live session of ``token`` if its account still exists with the password it logged in with. A new
    password (`make staff-user`, any process) or the account's removal from the file ends the account's older
    sessions here, at their next request."""
    session = console.sessions.get(token)
    if session is None:
        return None
    try:
        generation = console.accounts.generation(session.user)
    except AccountError as error:  # no account can be confirmed: no session goes on
        logger.error("Ending a session of %s: %s", session.user, error)
        generation = None
    if generation == session.generation:
        return session
    ended = console.sessions.end_outdated(session.user, generation)
    logger.info("Ended %d session(s) of %s: %s", ended, session.user,
                "the account is gone" if generation is None else "its password was changed")
    return None


def create_app(console: Optional[Console] = None) -> Sanic:
    from clinic_bot.staff import (
        routes_answers,
        routes_insights,
        routes_login,
        routes_practical,
        routes_retrain,
        routes_review,
    )

    console = console or Console()
    app = Sanic("clinic_staff_console")
    app.config.KEEP_ALIVE_TIMEOUT = 5
    app.config.REQUEST_MAX_SIZE = 1_000_000
    app.ctx.console = console
    app.static("/static", str(HERE / "static"), name="static")

    @app.middleware("request")
    async def require_login(request: Request) -> Optional[HTTPResponse]:
        request.ctx.session = None
        if request.path.startswith(OPEN_PATHS):
            return None
        token = request.cookies.get(SESSION_COOKIE)
        session = current_session(console, token)
        if session is None:
            if request.method in ("GET", "HEAD"):
                reason = "&expired=1" if token else ""
                # The query too (?days=90, ?page=3): after the login, the page as it was asked for.
                asked = f"{request.path}?{request.query_string}" if request.query_string else request.path
                return response.redirect(f"/login?next={quote(asked)}{reason}", status=303)
            return refused(console, request, 403, "Please log in",
                           "This action needs a staff login. Your session may have expired: log in and try again.")
        request.ctx.session = session
        if request.method == "POST":
            submitted = request.form.get("csrf") if request.form else None
            if not csrf_matches(session.csrf, submitted) or not same_origin(request):
                logger.warning("Refused a %s %s without a valid CSRF token (user %s)", request.method,
                               request.path, session.user)
                return refused(console, request, 403, "This form could not be accepted",
                               "The form had no valid security token (it may be from an old page or another "
                               "site). Nothing was changed. Go back, reload the page and try again.")
        return None

    @app.exception(*store_errors())
    async def store_unavailable(request: Request, error: BaseException) -> HTTPResponse:
        """Every page that reads the conversation store (home, review, insights) when it cannot be read: a plain
        message, never a server error."""
        logger.error("The conversation store could not be read for %s: %s", request.path, error)
        return refused(console, request, 503, "Conversations unavailable",
                       "The conversation store could not be read just now. Nothing was changed. Try again in a "
                       "minute; if it goes on, tell whoever runs the assistant.")

    @app.middleware("response")
    async def add_security_headers(_: Request, reply: HTTPResponse) -> None:
        reply.headers.update(SECURITY_HEADERS)

    routes_login.register(app, console)
    routes_review.register(app, console)
    routes_answers.register(app, console)
    routes_practical.register(app, console)
    routes_retrain.register(app, console)
    routes_insights.register(app, console)
    return app


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default=os.environ.get("STAFF_HOST", "127.0.0.1"),
                        help="the address to listen on (default 127.0.0.1: this machine only)")
    parser.add_argument("--port", type=int, default=int(os.environ.get("STAFF_PORT", DEFAULT_PORT)))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        console = Console()
    except ValueError as error:  # a bad STAFF_TRUSTED_PROXIES or session limit, named in the message
        print(f"refused: {error}", file=sys.stderr)
        return 2
    if not console.accounts.names():
        print("No staff account yet: create one first with  make staff-user NAME=<name>", file=sys.stderr)
        return 1
    if not is_loopback(args.host):
        print(f"WARNING: the staff console listens on {args.host}, so other machines can reach it. Put it "
              "behind HTTPS (a reverse proxy with a certificate): its cookies are sent over HTTPS only, and "
              "patient messages are shown on its pages.", file=sys.stderr)
    print(f"Staff console: http://{'127.0.0.1' if args.host == '0.0.0.0' else args.host}:{args.port}/ "
          f"(accounts: {', '.join(console.accounts.names())}). Ctrl-C stops it.", flush=True)
    create_app(console).run(host=args.host, port=args.port, access_log=False, motd=False, workers=1)
    return 0
