"""Log in, log out, the home page and the list of changes (the audit log)."""
import datetime as dt
import logging
import secrets

from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from clinic_bot.staff.accounts import MAX_NAME_INPUT, MAX_PASSWORD_LENGTH, LoginResult
from clinic_bot.staff.console import LOGIN_CSRF_COOKIE, SESSION_COOKIE, Console, safe_next, set_cookie
from clinic_bot.staff.sessions import csrf_matches

logger = logging.getLogger(__name__)

LOGIN_FORM_S = 3600  # how long an open login page stays usable


def failed_login_text(console: Console) -> str:
    """The one reply to every failed login: it must read the same whether the name is an account, the password
    wrong or the account locked, so it tells about the lock-out without saying whether it applies."""
    minutes = max(1, round(console.accounts.lock_s / 60))
    return (f"Wrong name or password. After {console.accounts.max_failures} failed logins in a row a name is "
            f"locked for {minutes} minutes, even for the right password; a colleague can set a new password "
            "with `make staff-user`, which also unlocks it.")


def audit_name(console: Console, typed: str, result: LoginResult) -> str:
    """Who a failed login is recorded as: an account's own name, else a stand-in, never what was typed (the
    audit log is shown to staff, and a name that is no account may be a password typed in the wrong field)."""
    if result.known:
        return result.name
    return f"(unknown name {console.audit.pseudonym(typed)})"


def register(app: Sanic, console: Console) -> None:
    def login_page(request: Request, status: int = 200, error: str = "", name: str = "") -> HTTPResponse:
        # One token per browser until it logs in: a second login page (another tab, the favicon's redirect)
        # must not invalidate the form already open.
        token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(32)
        expired = request.args.get("expired") == "1"
        submitted_next = request.form.get("next") if request.form else None
        reply = console.render(request, "login.html", status=status, login_csrf=token, error=error,
                               name=name if len(name) <= MAX_NAME_INPUT else "", max_name=MAX_NAME_INPUT,
                               max_password=MAX_PASSWORD_LENGTH,
                               expired=expired, next=safe_next(submitted_next or request.args.get("next")))
        set_cookie(reply, LOGIN_CSRF_COOKIE, token, max_age=LOGIN_FORM_S)
        return reply

    @app.get("/login")
    async def login_form(request: Request) -> HTTPResponse:
        return login_page(request)

    @app.post("/login")
    async def login(request: Request) -> HTTPResponse:
        form = request.form or {}
        if not csrf_matches(request.cookies.get(LOGIN_CSRF_COOKIE, ""), form.get("csrf")):
            return login_page(request, 403, "The login form had expired. Please try again.")
        name = (form.get("name") or "").strip()
        address = console.client(request)
        wait = console.logins.wait_s(address)
        if wait:  # before any account is looked at: no hash, no count, no audit line per refused try
            minutes = max(1, round(wait / 60))
            reply = login_page(request, 429, "Too many failed logins from this computer. Try again in about "
                                             f"{minutes} minute(s).", name)
            reply.headers["Retry-After"] = str(wait)
            return reply
        result = console.accounts.login(name, form.get("password") or "")
        if not result.ok:
            who = audit_name(console, name, result)
            console.audit.record(who, "login refused: account locked" if result.reason == "locked"
                                 else "login failed", "account")
            if console.logins.failed(address):
                logger.warning("Refusing logins from %s for a while: too many failed logins", address)
                console.audit.record(who, "logins refused from one address: too many failed logins",
                                     f"address {address}")
            return login_page(request, 401, failed_login_text(console), name)
        session = console.sessions.start(result.name, result.generation)
        console.audit.record(result.name, "logged in", "account")
        reply = response.redirect(safe_next(form.get("next")), status=303)
        set_cookie(reply, SESSION_COOKIE, session.token)
        del reply.cookies[LOGIN_CSRF_COOKIE]
        return reply

    @app.post("/logout")
    async def logout(request: Request) -> HTTPResponse:
        console.sessions.end(request.ctx.session.token)
        console.audit.record(request.ctx.session.user, "logged out", "account")
        reply = response.redirect("/login", status=303)
        del reply.cookies[SESSION_COOKIE]
        return reply

    @app.get("/")
    async def home(request: Request) -> HTTPResponse:
        to_label, urgent = console.queue.lists()
        due = console.answers.due_for_review(dt.date.today())
        return console.render(request, "home.html", to_label=len(to_label), urgent=len(urgent), due=len(due),
                              retrain=console.retrainer.status() if console.retrainer else None)

    @app.get("/changes")
    async def changes(request: Request) -> HTTPResponse:
        return console.render(request, "changes.html", entries=console.audit.recent(200))
