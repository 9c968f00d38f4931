"""Log in, log out, the home page and the list of changes (the audit log)."""
import datetime as dt
import secrets

from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from clinic_bot.staff.console import LOGIN_CSRF_COOKIE, SESSION_COOKIE, Console, safe_next, set_cookie
from clinic_bot.staff.sessions import csrf_matches

LOGIN_FORM_S = 3600  # how long an open login page stays usable


def register(app: Sanic, console: Console) -> None:
    def login_page(request: Request, status: int = 200, error: str = "", name: str = "") -> HTTPResponse:
        # One token per browser until it logs in: a second login page (another tab, the favicon's redirect)
        # must not invalidate the form already open.
        token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(32)
        expired = request.args.get("expired") == "1"
        submitted_next = request.form.get("next") if request.form else None
        reply = console.render(request, "login.html", status=status, login_csrf=token, error=error, name=name,
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
        result = console.accounts.login(name, form.get("password") or "")
        if not result.ok:
            if result.reason == "locked":
                minutes = max(1, round(result.locked_for_s / 60))
                console.audit.record(result.name or name, "login refused: account locked", "account")
                error = (f"This account is locked after too many failed logins. Try again in about {minutes} "
                         "minute(s), or ask a colleague to set a new password with `make staff-user`.")
            else:
                console.audit.record(result.name or name, "login failed", "account")
                error = "Wrong name or password."
            return login_page(request, 401, error, name)
        session = console.sessions.start(result.name)
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
