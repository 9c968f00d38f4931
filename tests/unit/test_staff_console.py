"""The staff console's login, sessions, audit records, headers and review pages over HTTP, in-process (Sanic's
ASGI interface, no port, no browser), on files in a temporary folder. A changed password or a removed account
is written through another Accounts object, as the `make staff-user` process would. (The console in Chromium
against the real servers: tests/staff.)"""
import asyncio
import json
import re
import time
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Coroutine, Dict, Iterator, List, Tuple, TypeVar
from urllib.parse import urlencode

import pytest
from sanic import Sanic

from clinic_bot.staff import accounts as accounts_module
from clinic_bot.staff.accounts import Accounts
from clinic_bot.staff.audit import AuditLog
from clinic_bot.staff.console import HERE, Console, create_app, main, trusted_proxies_from_env
from clinic_bot.staff.review_queue import PER_PAGE, ReviewQueue
from clinic_bot.staff.sessions import LoginThrottle
from clinic_bot.store.events import EventsTable, row_of
from tests.conftest import LoopThread

T = TypeVar("T")
PASSWORD = "correct horse battery"


NEW_PASSWORD = "staple paperclip 42"


@dataclass
class Reply:
    status: int
    headers: List[Tuple[str, str]]
    body: str

    def header(self, name: str) -> str:
        return next((value for key, value in self.headers if key == name.lower()), "")

    @property
    def location(self) -> str:
        return self.header("location")


class Client:
    """Just enough of a browser for the console: keeps cookies, does not follow redirects, comes from one
    address."""

    def __init__(self, app: Sanic, run: Callable[[Coroutine[Any, Any, Any]], Any], address: str = "203.0.113.7",
                 forwarded_for: str = "") -> None:
        self.app, self.run, self.address, self.forwarded_for = app, run, address, forwarded_for
        self.cookies: Dict[str, str] = {}

    def get(self, path: str) -> Reply:
        return self.request("GET", path)

    def post(self, path: str, form: Dict[str, str]) -> Reply:
        return self.request("POST", path, urlencode(form).encode())

    def request(self, method: str, target: str, body: bytes = b"") -> Reply:
        path, _, query = target.partition("?")
        headers = [(b"host", b"127.0.0.1:8090"), (b"content-type", b"application/x-www-form-urlencoded"),
                   (b"content-length", str(len(body)).encode())]
        if self.forwarded_for:
            headers.append((b"x-forwarded-for", self.forwarded_for.encode()))
        if self.cookies:
            headers.append((b"cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()).encode()))
        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
                 "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": query.encode(),
                 "root_path": "", "headers": headers, "client": (self.address, 50000),
                 "server": ("127.0.0.1", 8090)}
        messages: List[Dict[str, Any]] = []
        delivered = False

        async def receive() -> Dict[str, Any]:
            nonlocal delivered
            if delivered:
                await asyncio.sleep(3600)  # the client never disconnects mid-request
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: Dict[str, Any]) -> None:
            messages.append(message)

        self.run(self.app(scope, receive, send))
        start = next(m for m in messages if m["type"] == "http.response.start")
        reply_headers = [(k.decode().lower(), v.decode()) for k, v in start["headers"]]
        for key, value in reply_headers:
            if key == "set-cookie":
                name, _, rest = value.partition("=")
                cookie_value = rest.split(";")[0]
                if "max-age=0" in value.lower():
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = cookie_value
        text = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body").decode()
        return Reply(start["status"], reply_headers, text)

    def form_token(self, path: str = "/login") -> str:
        return hidden(self.get(path).body, "csrf")

    def log_in(self, name: str, password: str, next_path: str = "/") -> Reply:
        return self.post("/login", {"csrf": self.form_token(), "name": name, "password": password,
                                    "next": next_path})


def hidden(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert found, f"no {name} field in the page"
    return found.group(1)


@dataclass
class Setup:
    console: Console
    accounts_file: Path
    audit_file: Path
    db: Path
    app: Sanic
    loop: LoopThread

    def client(self, address: str = "203.0.113.7", forwarded_for: str = "") -> Client:
        return Client(self.app, self.loop.run, address, forwarded_for)

    def audit(self) -> List[Dict[str, Any]]:
        return AuditLog(self.audit_file).recent()

    def cli(self) -> Accounts:
        """The accounts as another process sees them (`make staff-user`)."""
        return Accounts(self.accounts_file)


@pytest.fixture
def setup(tmp_path: Path, monkeypatch) -> Iterator[Setup]:
    monkeypatch.setattr(Sanic, "test_mode", True)  # one app per test, all of the same name
    accounts_file, audit_file, db = tmp_path / "staff" / "accounts.json", tmp_path / "audit.jsonl", tmp_path / "t.db"
    for name in ("alice", "bobby"):
        Accounts(accounts_file).set_password(name, PASSWORD)
    audit = AuditLog(audit_file)
    console = Console(accounts=Accounts(accounts_file), audit=audit, logins=LoginThrottle(),
                      queue=ReviewQueue(db=db, done_file=tmp_path / "done.json"))
    app = create_app(console)
    loop = LoopThread()
    started: List[str] = []

    async def new_queue() -> "asyncio.Queue[Dict[str, str]]":
        return asyncio.Queue()  # made on the loop it is used on

    lifespan = loop.run(new_queue())

    async def send(message: Dict[str, Any]) -> None:
        started.append(message["type"])

    def step(event: str) -> None:
        loop.run(lifespan.put({"type": f"lifespan.{event}"}))
        while f"lifespan.{event}.complete" not in started:
            time.sleep(0.01)

    runner = asyncio.run_coroutine_threadsafe(
        app({"type": "lifespan", "asgi": {"version": "3.0"}}, lifespan.get, send), loop.loop)
    step("startup")
    try:
        yield Setup(console, accounts_file, audit_file, db, app, loop)
    finally:
        step("shutdown")
        # Sanic 21.12 then handles the lifespan scope as a request, and fails: an ASGI server ignores that.
        with suppress(AttributeError):
            runner.result(30)
        loop.close()


def logged_in(setup: Setup, name: str = "alice", password: str = PASSWORD) -> Client:
    client = setup.client()
    reply = client.log_in(name, password)
    assert reply.status == 303 and "staff_session" in client.cookies, reply.body[:500]
    assert client.get("/").status == 200
    return client


def asks_to_log_in(client: Client) -> bool:
    page = client.get("/changes")
    return page.status == 303 and page.location.startswith("/login?next=/changes") and "expired=1" in page.location


# --- sessions end with a new password or the account's removal ---------------------------------------------

def test_a_new_password_set_by_another_process_ends_the_accounts_sessions(setup: Setup):
    alice, alice_elsewhere, bobby = logged_in(setup), logged_in(setup), logged_in(setup, "bobby")
    setup.cli().set_password("alice", NEW_PASSWORD)
    assert asks_to_log_in(alice) and asks_to_log_in(alice_elsewhere)
    posted = alice.post("/logout", {"csrf": "anything"})
    assert posted.status == 403 and "data-refusal" in posted.body
    assert bobby.get("/changes").status == 200  # other accounts go on
    assert alice.log_in("alice", PASSWORD).status == 401  # the old password is gone too
    again = logged_in(setup, "alice", NEW_PASSWORD)  # a session of the new password lasts
    assert again.get("/changes").status == 200 and again.get("/").status == 200
    assert len(setup.console.sessions) == 2


def remove_by_hand(accounts_file: Path, name: str) -> None:
    data = json.loads(accounts_file.read_text())
    del data["accounts"][name]
    accounts_file.write_text(json.dumps(data))  # in place, as an editor might: no new inode


def test_removing_the_account_from_the_file_ends_its_sessions(setup: Setup):
    alice, bobby = logged_in(setup), logged_in(setup, "bobby")
    remove_by_hand(setup.accounts_file, "alice")
    assert asks_to_log_in(alice)
    assert bobby.get("/changes").status == 200


def test_an_account_removed_and_created_again_does_not_revive_its_sessions(setup: Setup):
    alice = logged_in(setup)
    remove_by_hand(setup.accounts_file, "alice")
    setup.cli().set_password("alice", PASSWORD)  # the same name and password, before alice's next request
    assert asks_to_log_in(alice)


def test_the_session_check_does_not_hash(setup: Setup, monkeypatch):
    alice = logged_in(setup)
    hashes: List[int] = []
    real = accounts_module._scrypt
    monkeypatch.setattr(accounts_module, "_scrypt", lambda *a: hashes.append(1) or real(*a))
    for _ in range(3):
        assert alice.get("/changes").status == 200
    assert hashes == []


# --- failed logins say nothing of the name -----------------------------------------------------------------

def test_an_unknown_name_and_a_locked_account_get_the_same_reply(setup: Setup, monkeypatch):
    attacker = setup.client("198.51.100.20")
    for _ in range(5):
        assert attacker.log_in("alice", "not the password").status == 401
    hashes: List[int] = []
    real = accounts_module._scrypt
    monkeypatch.setattr(accounts_module, "_scrypt", lambda *a: hashes.append(1) or real(*a))

    prober = setup.client("198.51.100.21")
    token = prober.form_token()
    replies = {name: prober.post("/login", {"csrf": token, "name": name, "password": PASSWORD, "next": "/"})
               for name in ("alice", "zelda", "bobby")}  # locked (with the right password), unknown, open
    assert replies["bobby"].status == 303
    locked, unknown = replies["alice"], replies["zelda"]
    assert locked.status == unknown.status == 401
    assert locked.body.replace('value="alice"', "") == unknown.body.replace('value="zelda"', "")
    assert "locked" in locked.body and "Wrong name or password" in locked.body  # the rule, for everyone
    assert hashes == [1, 1, 1]  # each one scrypt: the locked account's too, so it takes as long
    assert "staff_session" not in attacker.cookies


def test_the_failed_login_reply_is_the_same_before_and_after_a_lock_out(setup: Setup):
    client = setup.client()
    first = client.log_in("alice", "not the password")
    for _ in range(5):
        last = client.log_in("alice", "not the password")
    assert first.status == last.status == 401
    assert re.sub(r'name="csrf" value="[^"]*"', "", first.body) == re.sub(r'name="csrf" value="[^"]*"', "",
                                                                         last.body)


# --- failed logins per client address ----------------------------------------------------------------------

def test_one_address_cannot_go_on_failing_and_locking_accounts(setup: Setup, monkeypatch):
    attacker = setup.client("198.51.100.30")
    for number in range(10):  # ten names, or one name ten times: the same
        assert attacker.log_in(f"guess{number}", "not the password").status == 401
    hashes: List[int] = []
    real = accounts_module._scrypt
    monkeypatch.setattr(accounts_module, "_scrypt", lambda *a: hashes.append(1) or real(*a))
    before = setup.accounts_file.read_bytes()
    for _ in range(5):
        refused = attacker.log_in("bobby", "not the password")
        assert refused.status == 429 and int(refused.header("retry-after")) > 800
        assert "Too many failed logins from this computer" in refused.body
    assert attacker.log_in("bobby", PASSWORD).status == 429  # not even the right password, from there
    assert hashes == [] and setup.accounts_file.read_bytes() == before  # bobby was never tried: not locked
    assert logged_in(setup, "bobby").get("/").status == 200  # from another address, at once
    limit = [e for e in setup.audit() if e["action"].startswith("logins refused from one address")]
    assert len(limit) == 1 and limit[0]["target"] == "address 198.51.100.30"


def test_behind_a_trusted_proxy_each_client_has_its_own_limit(setup: Setup, monkeypatch):
    setup.console.logins = LoginThrottle(max_failures=2)
    spoofer = setup.client("198.51.100.40", forwarded_for="192.0.2.1")  # not our proxy: the header is ignored
    for _ in range(2):
        spoofer.log_in("zelda", "not the password")
    assert spoofer.log_in("zelda", "x").status == 429
    assert setup.client("198.51.100.40", forwarded_for="192.0.2.2").log_in("zelda", "x").status == 429

    monkeypatch.setenv("STAFF_TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/8")
    setup.console.trusted_proxies = trusted_proxies_from_env()
    behind = setup.client("127.0.0.1", forwarded_for="192.0.2.9")
    for _ in range(2):
        behind.log_in("zelda", "not the password")
    assert behind.log_in("zelda", "x").status == 429
    colleague = setup.client("127.0.0.1", forwarded_for="192.0.2.10")  # the same proxy, another computer
    assert colleague.log_in("alice", PASSWORD).status == 303


def test_a_bad_proxy_setting_stops_the_console_with_its_name(monkeypatch, capsys):
    monkeypatch.setenv("STAFF_TRUSTED_PROXIES", "proxy.example")
    assert main([]) == 2
    assert "proxy.example" in capsys.readouterr().err


def test_an_over_long_login_is_refused_before_hashing(setup: Setup, monkeypatch):
    hashes: List[int] = []
    real = accounts_module._scrypt
    monkeypatch.setattr(accounts_module, "_scrypt", lambda *a: hashes.append(1) or real(*a))
    client = setup.client()
    normal = client.log_in("zelda", "not the password")
    long_password = client.log_in("alice", "p" * 300_000)
    long_name = client.log_in("n" * 300_000, PASSWORD)
    assert normal.status == long_password.status == long_name.status == 401
    assert "n" * 100 not in long_name.body and len(long_name.body) < 10_000  # not sent back either
    assert hashes == [1]
    page = client.get("/login").body
    assert 'maxlength="64"' in page and 'maxlength="256"' in page


# --- the audit log of failed logins --------------------------------------------------------------------------

def test_failed_logins_are_recorded_without_what_was_typed(setup: Setup):
    client = setup.client()
    typed = {"password in the name field": "correct horse battery", "long": "x" * 300_000,
             "unknown": "zelda", "account": "Alice"}
    for name in typed.values():
        client.log_in(name, "not the password")
    text = setup.audit_file.read_text()
    assert len(text) < 2000
    for secret in ("correct horse", "xxxxxxxxxx", "zelda"):
        assert secret not in text
    users = [e["user"] for e in setup.audit()[::-1]]
    assert users[3] == "alice"
    assert all(re.fullmatch(r"\(unknown name [0-9a-f]{8}\)", user) for user in users[:3])
    assert users[0] != users[1] != users[2]
    client.log_in("zelda", "again")  # the same unknown name shows as the same stand-in
    assert setup.audit()[0]["user"] == users[2]
    changes = logged_in(setup).get("/changes").body
    assert "correct horse" not in changes and "zelda" not in changes


# --- the Content-Security-Policy ---------------------------------------------------------------------------

def policy(reply: Reply) -> Dict[str, str]:
    directives = [d.strip().split(None, 1) for d in reply.header("content-security-policy").split(";")]
    return {d[0]: d[1] if len(d) > 1 else "" for d in directives if d}


def test_the_pages_allow_no_script_at_all(setup: Setup):
    for reply in (setup.client().get("/login"), logged_in(setup).get("/review")):
        directives = policy(reply)
        assert directives == {"default-src": "'none'", "style-src": "'self'", "form-action": "'self'",
                              "frame-ancestors": "'none'", "base-uri": "'none'"}
        assert "script-src" not in directives and "script-src-elem" not in directives  # falls back to 'none'
        assert reply.header("x-frame-options") == "DENY"


def test_the_templates_need_nothing_the_policy_leaves_out():
    """Only the stylesheet and the console's own forms: no script, inline style, image, frame or font."""
    for template in (HERE / "templates").glob("*.html"):
        text = template.read_text()
        for needs in ("<script", "style=", "<style", "<img", "<svg", "<iframe", "<object", "<embed"):
            assert needs not in text, (template.name, needs)
        assert not re.search(r"\son[a-z]+=", text), template.name  # an event handler is script too
        assert re.findall(r'<link [^>]*href="([^"]+)"', text) in ([], ["/static/console.css"])
    assert "url(" not in (HERE / "static" / "console.css").read_text()


# --- review paging -----------------------------------------------------------------------------------------

def fill_review(db: Path, count: int) -> None:
    now = time.time()
    table = EventsTable.for_server(db)
    ranking = [{"name": "nlu_fallback", "confidence": 0.4}, {"name": "ask_cost", "confidence": 0.3}]
    rows = []
    for number in range(count):
        stamp = now - 3600 + number
        rows += [row_of(f"patient-{number}", {"event": "user", "timestamp": stamp, "text": f"message number {number}",
                                              "parse_data": {"intent": {"name": "nlu_fallback", "confidence": 0.4},
                                                             "entities": [], "intent_ranking": ranking}}),
                 row_of(f"patient-{number}", {"event": "bot", "timestamp": stamp, "text": "...",
                                              "data": {"custom": {"answer": "fallback"}}})]
    table.append(rows)
    table.close()


def items_on(page: str) -> List[str]:
    return re.findall(r"message number (\d+)<", page)


def test_the_review_list_is_shown_a_page_at_a_time(setup: Setup):
    fill_review(setup.db, 2 * PER_PAGE + 20)
    alice = logged_in(setup)
    first = alice.get("/review")
    assert first.status == 200
    assert items_on(first.body) == [str(n) for n in range(PER_PAGE)]  # oldest first, one page only
    assert first.body.count("data-item=") == PER_PAGE
    assert 'href="/review?page=2" rel="next"' in first.body and 'rel="prev"' not in first.body
    assert '<span data-page>1</span> of <span data-pages>3</span>' in first.body
    assert '<span data-total>120</span>' in first.body
    last = alice.get("/review?page=3")
    assert items_on(last.body) == [str(n) for n in range(2 * PER_PAGE, 2 * PER_PAGE + 20)]
    assert 'href="/review?page=2" rel="prev"' in last.body and 'rel="next"' not in last.body
    assert 'start="101"' in last.body
    for asked, shown in (("99", "3"), ("99999999999999999999", "3"), ("0", "1"), ("-2", "1"), ("two", "1"),
                         ("", "1"), ("2.5", "1")):
        reply = alice.get(f"/review?page={asked}")
        assert reply.status == 200 and f"<span data-page>{shown}</span>" in reply.body, asked


def test_a_review_form_returns_to_its_page(setup: Setup):
    fill_review(setup.db, PER_PAGE + 5)
    alice = logged_in(setup)
    page = alice.get("/review?page=2").body
    keys = re.findall(r'data-item="([^"]+)"', page)
    assert len(keys) == 5
    assert hidden(page, "page") == "2"
    csrf = hidden(page, "csrf")
    done = alice.post(f"/review/{keys[0]}/fine", {"csrf": csrf, "page": "2"})
    assert done.status == 303 and done.location == "/review?page=2"
    unchosen = alice.post(f"/review/{keys[1]}/label", {"csrf": csrf, "page": "2", "intent": ""})
    assert unchosen.status == 303 and unchosen.location == f"/review?page=2#item-{keys[1]}"
    odd = alice.post(f"/review/{keys[2]}/label", {"csrf": csrf, "page": "/elsewhere", "intent": ""})
    assert odd.status == 303 and odd.location == f"/review#item-{keys[2]}"


def test_an_empty_review_list_has_no_pager(setup: Setup):
    page = logged_in(setup).get("/review?page=4").body
    assert "data-empty" in page and "data-pager" not in page

