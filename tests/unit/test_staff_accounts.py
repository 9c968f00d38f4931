"""The staff console's accounts, sessions and audit log (clinic_bot/staff/): a fake clock, no sleeping."""
import json
import os
import stat
import threading
from pathlib import Path
from typing import Callable, List

import pytest

from clinic_bot.staff import accounts as accounts_module
from clinic_bot.staff.accounts import (
    MAX_NAME_INPUT,
    MAX_PASSWORD_LENGTH,
    AccountError,
    Accounts,
    LoginResult,
    main,
    normalise_name,
)
from clinic_bot.staff.audit import FIELD_CHARS, VALUE_CHARS, AuditLog
from clinic_bot.staff.sessions import LoginThrottle, Sessions, address_key, csrf_matches, session_limits_from_env

PASSWORD = "correct horse battery"
OTHER_PASSWORD = "staple paperclip 42"


class Clock:
    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def accounts_file(tmp_path: Path) -> Path:
    return tmp_path / "staff" / "accounts.json"


@pytest.fixture
def accounts(accounts_file: Path, clock: Clock) -> Accounts:
    return Accounts(accounts_file, clock=clock)


@pytest.fixture
def alice(accounts: Accounts) -> Accounts:
    assert accounts.set_password("alice", PASSWORD) is True
    return accounts


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def fail(accounts: Accounts, times: int, name: str = "alice") -> List[LoginResult]:
    return [accounts.login(name, "not the password") for _ in range(times)]


# --- accounts ---

def test_a_created_account_logs_in_with_its_password(alice: Accounts):
    assert alice.login("alice", PASSWORD) == LoginResult(True, "alice", "ok")
    assert alice.names() == ["alice"]
    assert alice.exists("alice") and not alice.exists("bob")


def test_names_are_normalised(alice: Accounts):
    assert alice.login("  Alice ", PASSWORD) == LoginResult(True, "alice", "ok")
    assert alice.exists("ALICE")
    assert normalise_name(" Dr.Smith-2_b ") == "dr.smith-2_b"


def test_a_wrong_password_is_refused(alice: Accounts):
    assert alice.login("alice", OTHER_PASSWORD) == LoginResult(False, "alice", "wrong")
    assert alice.login("alice", "") == LoginResult(False, "alice", "wrong")


def test_an_unknown_name_gives_the_same_answer_as_a_wrong_password(alice: Accounts, monkeypatch):
    hashes: List[int] = []
    real = accounts_module._scrypt
    monkeypatch.setattr(accounts_module, "_scrypt", lambda *a: hashes.append(1) or real(*a))
    unknown, wrong = alice.login("bob", PASSWORD), alice.login("alice", OTHER_PASSWORD)
    assert (unknown.ok, unknown.reason, unknown.locked_for_s) == (wrong.ok, wrong.reason, wrong.locked_for_s)
    assert len(hashes) == 2  # one scrypt each: no timing hint either
    assert alice.login("x", PASSWORD).reason == "wrong"  # a name that cannot exist: the same, no error
    assert len(hashes) == 3


def test_five_failures_lock_the_account_even_for_the_right_password(alice: Accounts, clock: Clock):
    results = fail(alice, 5)
    assert [r.reason for r in results] == ["wrong"] * 4 + ["locked"]
    assert results[-1].locked_for_s == 900
    clock.now += 60
    locked = alice.login("alice", PASSWORD)
    assert locked == LoginResult(False, "alice", "locked", 840)
    clock.now += 840
    assert alice.login("alice", PASSWORD).ok


def test_a_lock_out_survives_a_restart(alice: Accounts, accounts_file: Path, clock: Clock):
    fail(alice, 5)
    restarted = Accounts(accounts_file, clock=clock)
    assert restarted.login("alice", PASSWORD).reason == "locked"
    saved = json.loads(accounts_file.read_text())["accounts"]["alice"]
    assert saved["locked_until"] == clock.now + 900


def test_failures_are_counted_across_objects_on_one_file(alice: Accounts, accounts_file: Path, clock: Clock):
    fail(alice, 3)
    assert [r.reason for r in fail(Accounts(accounts_file, clock=clock), 2)] == ["wrong", "locked"]


def test_a_success_resets_the_count(alice: Accounts):
    fail(alice, 4)
    assert alice.login("alice", PASSWORD).ok
    assert [r.reason for r in fail(alice, 4)] == ["wrong"] * 4
    assert alice.login("alice", PASSWORD).ok


def test_the_limits_can_be_set(accounts_file: Path, clock: Clock):
    strict = Accounts(accounts_file, max_failures=2, lock_s=30, clock=clock)
    strict.set_password("alice", PASSWORD)
    assert [r.reason for r in fail(strict, 2)] == ["wrong", "locked"]
    clock.now += 29.5
    assert strict.login("alice", PASSWORD).locked_for_s == 1  # rounded up: never "locked for 0 s"
    clock.now += 0.5
    assert strict.login("alice", PASSWORD).ok


def test_a_new_password_unlocks_the_account(alice: Accounts):
    fail(alice, 5)
    assert alice.set_password("Alice", OTHER_PASSWORD) is False
    assert alice.login("alice", OTHER_PASSWORD).ok
    assert alice.login("alice", PASSWORD).reason == "wrong"


Work = Callable[[], List[str]]


@pytest.fixture
def work(monkeypatch) -> Work:
    """What a login costs, in order: "hash" per scrypt, "write" per write of the accounts file."""
    done: List[str] = []
    scrypt, write = accounts_module._scrypt, accounts_module.write_atomically
    monkeypatch.setattr(accounts_module, "_scrypt", lambda *a: done.append("hash") or scrypt(*a))
    monkeypatch.setattr(accounts_module, "write_atomically", lambda *a, **k: done.append("write") or write(*a, **k))

    def taken() -> List[str]:
        result = list(done)
        done.clear()
        return result
    return taken


def test_every_failure_on_a_possible_name_costs_one_hash_and_one_write(alice: Accounts, work: Work):
    """The reply's time must not tell an unknown name from an account, locked or not."""
    fail(alice, 4)
    work()
    assert alice.login("alice", OTHER_PASSWORD).reason == "locked"  # the fifth: locks
    assert work() == ["hash", "write"]
    assert alice.login("alice", PASSWORD).reason == "locked"  # locked: the right password is not enough
    assert work() == ["hash", "write"]
    assert alice.login("bobby", PASSWORD).reason == "wrong"  # no such account
    assert work() == ["hash", "write"]
    assert alice.login("x", PASSWORD).reason == "wrong"  # cannot be a name (its form is public): the hash only
    assert work() == ["hash"]


def test_a_locked_login_reads_like_an_unknown_name_but_for_the_audit_fields(alice: Accounts):
    fail(alice, 5)
    locked, unknown = alice.login("alice", PASSWORD), alice.login("bobby", PASSWORD)
    assert (locked.ok, locked.known, unknown.ok, unknown.known) == (False, True, False, False)
    assert locked.generation == unknown.generation == ""


def test_over_long_input_is_refused_before_any_hashing(alice: Accounts, work: Work, accounts_file: Path):
    before = accounts_file.read_bytes()
    assert alice.login("alice", "p" * (MAX_PASSWORD_LENGTH + 1)) == LoginResult(False, "", "wrong")
    assert alice.login("a" * (MAX_NAME_INPUT + 1), PASSWORD) == LoginResult(False, "", "wrong")
    assert work() == [] and accounts_file.read_bytes() == before  # not counted against alice either
    assert alice.login(" " * (MAX_NAME_INPUT - 5) + "alice", PASSWORD).ok  # at the limit: fine
    with pytest.raises(AccountError, match=f"at most {MAX_PASSWORD_LENGTH} characters"):
        alice.set_password("alice", "p" + "q" * MAX_PASSWORD_LENGTH)  # could never log in


def test_each_new_password_gives_the_account_a_new_generation(alice: Accounts, accounts_file: Path):
    first = alice.login("alice", PASSWORD)
    assert first.generation and first.generation == alice.generation("alice")
    assert alice.login("alice", PASSWORD).generation == first.generation  # logging in changes nothing
    fail(alice, 5)  # nor does a lock-out
    assert alice.generation("alice") == first.generation
    alice.set_password("alice", OTHER_PASSWORD)
    assert alice.generation("alice") not in (None, first.generation)
    assert alice.generation("bobby") is None
    assert first.generation not in accounts_file.read_text().replace(str(alice.generation("alice")), "")


def test_a_removed_and_recreated_account_does_not_get_its_old_generation_back(alice: Accounts,
                                                                             accounts_file: Path):
    old = alice.generation("alice")
    data = json.loads(accounts_file.read_text())
    del data["accounts"]["alice"]
    accounts_file.write_text(json.dumps(data))
    assert alice.generation("alice") is None
    alice.set_password("alice", PASSWORD)
    assert alice.generation("alice") not in (None, old)


def test_an_account_written_before_generations_has_an_empty_one(alice: Accounts, accounts_file: Path):
    data = json.loads(accounts_file.read_text())
    del data["accounts"]["alice"]["generation"]
    accounts_file.write_text(json.dumps(data))
    assert alice.generation("alice") == "" == alice.login("alice", PASSWORD).generation


def test_generation_rereads_the_file_only_when_it_changed(alice: Accounts, accounts_file: Path, clock: Clock,
                                                          monkeypatch):
    reads: List[int] = []
    real = Accounts._read
    monkeypatch.setattr(Accounts, "_read", lambda self: reads.append(1) or real(self))
    console = Accounts(accounts_file, clock=clock)  # the console's object; the CLI's is another process's
    generation = console.generation("alice")
    for _ in range(5):
        assert console.generation("alice") == generation
    assert len(reads) == 1
    Accounts(accounts_file).set_password("alice", OTHER_PASSWORD)  # written elsewhere
    reads.clear()
    assert console.generation("alice") not in (None, generation)
    assert console.generation("alice") == console.generation("alice")
    assert len(reads) == 1
    os.unlink(accounts_file)
    assert console.generation("alice") is None


def test_generation_reports_a_damaged_file(alice: Accounts, accounts_file: Path):
    accounts_file.write_text("{not json")
    with pytest.raises(AccountError, match="damaged"):
        alice.generation("alice")


@pytest.mark.parametrize("password, problem", [
    ("short pw", "at least 10 characters"),
    ("", "at least 10 characters"),
    ("my-ALICE-password", "must not contain the account name"),
    ("zzzzzzzzzzzzzz", "one character repeated"),
])
def test_weak_passwords_are_refused_with_the_reason(accounts: Accounts, accounts_file: Path, password, problem):
    with pytest.raises(AccountError, match=problem):
        accounts.set_password("alice", password)
    assert not accounts_file.exists()


@pytest.mark.parametrize("name", ["", "a", "-alice", ".alice", "alice smith", "élise", "a/b", "x" * 33, "a\nb"])
def test_bad_names_are_refused(accounts: Accounts, name):
    with pytest.raises(AccountError, match="2 to 32 characters"):
        accounts.set_password(name, PASSWORD)
    with pytest.raises(AccountError):
        normalise_name(name)
    assert not accounts.exists(name)


def test_account_error_is_a_value_error():
    assert issubclass(AccountError, ValueError)


def test_the_file_is_private_and_holds_no_password(alice: Accounts, accounts_file: Path):
    alice.login("alice", OTHER_PASSWORD)  # the failure count is written too
    assert mode(accounts_file) == 0o600
    assert mode(accounts_file.parent) == 0o700
    text = accounts_file.read_text()
    assert PASSWORD not in text and OTHER_PASSWORD not in text
    stored = json.loads(text)["accounts"]["alice"]["password"]
    scheme, n, r, p, salt, key = stored.split("$")
    assert (scheme, n, r, p) == ("scrypt", "32768", "8", "1")
    assert [p.name for p in accounts_file.parent.iterdir() if p.name.startswith(".")] == []  # no temp left


def test_the_same_password_is_salted_differently(accounts: Accounts, accounts_file: Path):
    accounts.set_password("alice", PASSWORD)
    accounts.set_password("bobby", PASSWORD)
    saved = json.loads(accounts_file.read_text())["accounts"]
    assert saved["alice"]["password"] != saved["bobby"]["password"]


def test_a_hash_with_old_parameters_still_verifies_and_is_upgraded(alice: Accounts, accounts_file: Path,
                                                                     monkeypatch):
    monkeypatch.setattr(accounts_module, "SCRYPT_N", 2**14)
    alice.set_password("alice", OTHER_PASSWORD)
    monkeypatch.undo()
    assert "scrypt$16384$" in accounts_file.read_text()
    assert alice.login("alice", OTHER_PASSWORD).ok
    assert "scrypt$32768$" in accounts_file.read_text()
    assert alice.login("alice", OTHER_PASSWORD).ok


def test_a_damaged_hash_is_a_wrong_password(alice: Accounts, accounts_file: Path):
    data = json.loads(accounts_file.read_text())
    data["accounts"]["alice"]["password"] = "scrypt$nonsense"
    accounts_file.write_text(json.dumps(data))
    assert alice.login("alice", PASSWORD).reason == "wrong"


def test_a_damaged_file_is_reported_not_overwritten(accounts: Accounts, accounts_file: Path):
    accounts_file.parent.mkdir()
    accounts_file.write_text("{not json")
    with pytest.raises(AccountError, match="damaged"):
        accounts.set_password("alice", PASSWORD)
    assert accounts_file.read_text() == "{not json"


def test_writers_at_once_lose_no_account(accounts_file: Path):
    def create(prefix: str) -> None:
        for number in range(3):
            Accounts(accounts_file).set_password(f"{prefix}{number}", PASSWORD)

    threads = [threading.Thread(target=create, args=(prefix,)) for prefix in ("ann", "ben", "cat", "dan")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(Accounts(accounts_file).names()) == 12


# --- the CLI ---

def answers(*typed: str):
    queue = list(typed)
    return lambda prompt: queue.pop(0)


def test_the_cli_creates_and_then_changes_an_account(accounts_file: Path, capsys):
    assert main(["Alice", "--accounts", str(accounts_file)], ask=answers(PASSWORD, PASSWORD)) == 0
    assert capsys.readouterr().out.strip() == "created staff account 'alice'"
    Accounts(accounts_file).login("alice", "wrong password")
    assert main(["alice", "--accounts", str(accounts_file)], ask=answers(OTHER_PASSWORD, OTHER_PASSWORD)) == 0
    captured = capsys.readouterr()
    assert captured.out.strip() == ("changed the password of 'alice' (and unlocked it); the existing staff console "
                                    "sessions of 'alice' end: their next page asks to log in again")
    assert PASSWORD not in captured.out + captured.err and OTHER_PASSWORD not in captured.out + captured.err
    assert Accounts(accounts_file).login("alice", OTHER_PASSWORD).ok


@pytest.mark.parametrize("typed, reason", [
    ((PASSWORD, OTHER_PASSWORD), "the two passwords differ"),
    (("too short", "too short"), "at least 10 characters"),
    (("alice12345", "alice12345"), "must not contain the account name"),
])
def test_the_cli_refuses_without_writing(accounts_file: Path, capsys, typed, reason):
    assert main(["bobby", "--accounts", str(accounts_file)], ask=answers(PASSWORD, PASSWORD)) == 0
    before = accounts_file.read_bytes()
    capsys.readouterr()
    assert main(["alice", "--accounts", str(accounts_file)], ask=answers(*typed)) == 1
    captured = capsys.readouterr()
    assert reason in captured.err and "nothing was changed" in captured.err
    assert "Traceback" not in captured.err
    assert all(t not in captured.out + captured.err for t in typed)
    assert accounts_file.read_bytes() == before


def test_the_cli_asks_once_only_for_a_weak_password(accounts_file: Path):
    prompts: List[str] = []
    assert main(["alice", "--accounts", str(accounts_file)], ask=lambda p: prompts.append(p) or "weak") == 1
    assert len(prompts) == 1 and not accounts_file.exists()


@pytest.mark.parametrize("argv", [["x"], ["a b"], ["Zoë"]])
def test_the_cli_refuses_a_bad_name_before_asking(accounts_file: Path, capsys, argv):
    def never(prompt: str) -> str:
        raise AssertionError("asked for a password")

    assert main([*argv, "--accounts", str(accounts_file)], ask=never) == 1
    assert "2 to 32 characters" in capsys.readouterr().err and not accounts_file.exists()


@pytest.mark.parametrize("interruption", [EOFError, KeyboardInterrupt])
def test_the_cli_is_cancelled_quietly(accounts_file: Path, capsys, interruption):
    def interrupted(prompt: str) -> str:
        raise interruption()

    assert main(["alice", "--accounts", str(accounts_file)], ask=interrupted) == 1
    assert "cancelled" in capsys.readouterr().err and not accounts_file.exists()


# --- sessions ---

@pytest.fixture
def sessions(clock: Clock) -> Sessions:
    return Sessions(idle_s=60, max_age_s=300, clock=clock)


def test_a_session_is_found_by_its_token(sessions: Sessions):
    session = sessions.start("alice")
    assert sessions.get(session.token) is session and session.user == "alice"
    assert len(session.token) >= 43 and len(session.csrf) >= 43 and session.token != session.csrf
    assert sessions.start("alice").token != session.token
    assert sessions.get(None) is None and sessions.get("") is None and sessions.get("made-up") is None


def test_a_session_expires_when_idle(sessions: Sessions, clock: Clock):
    session = sessions.start("alice")
    clock.now += 59
    assert sessions.get(session.token) is session  # refreshed: idle counts from here
    assert session.last_seen == clock.now
    clock.now += 59
    assert sessions.get(session.token) is session
    clock.now += 60
    assert sessions.get(session.token) is None
    clock.now -= 60  # removed, not only hidden
    assert sessions.get(session.token) is None


def test_a_busy_session_still_ends_at_its_max_age(sessions: Sessions, clock: Clock):
    session = sessions.start("alice")
    for _ in range(5):
        clock.now += 50
        assert sessions.get(session.token) is session
    clock.now += 50
    assert sessions.get(session.token) is None


def test_end_and_end_all_of(sessions: Sessions):
    first, second, other = sessions.start("alice"), sessions.start("alice"), sessions.start("bobby")
    sessions.end(first.token)
    sessions.end(first.token)
    sessions.end(None)
    assert sessions.get(first.token) is None and sessions.get(second.token) is second
    sessions.end_all_of("alice")
    assert sessions.get(second.token) is None and sessions.get(other.token) is other


def test_end_outdated_keeps_only_the_sessions_of_the_current_generation(sessions: Sessions):
    old, new, other = sessions.start("alice", "g1"), sessions.start("alice", "g2"), sessions.start("bobby", "g1")
    assert old.generation == "g1"
    assert sessions.end_outdated("alice", "g2") == 1
    assert sessions.get(old.token) is None and sessions.get(new.token) is new and sessions.get(other.token) is other
    assert sessions.end_outdated("alice", None) == 1  # the account is gone: all of them
    assert sessions.get(new.token) is None and sessions.get(other.token) is other


def test_expired_sessions_are_forgotten(sessions: Sessions, clock: Clock):
    sessions.start("alice")
    clock.now += 61
    sessions.start("bobby")
    assert len(sessions) == 1


# --- failed logins per client address ---

def test_an_address_is_refused_after_ten_failures_in_15_minutes(clock: Clock):
    throttle = LoginThrottle(clock=clock)
    assert [throttle.failed("203.0.113.7") for _ in range(10)] == [False] * 9 + [True]  # True once: at the limit
    assert throttle.wait_s("203.0.113.7") == 900
    assert throttle.wait_s("203.0.113.8") == 0  # other addresses are not affected
    clock.now += 600
    assert throttle.wait_s("203.0.113.7") == 300
    clock.now += 300
    assert throttle.wait_s("203.0.113.7") == 0


def test_the_window_slides(clock: Clock):
    throttle = LoginThrottle(max_failures=3, window_s=60, clock=clock)
    for step in (40, 30, 20):  # failures at 0, 40 and 70 s: the first has left the window by then
        throttle.failed("198.51.100.1")
        assert throttle.wait_s("198.51.100.1") == 0
        clock.now += step
    throttle.failed("198.51.100.1")  # at 90 s: three within the last minute
    assert throttle.wait_s("198.51.100.1") == 10  # until the one at 40 s is a minute old
    clock.now += 10
    assert throttle.wait_s("198.51.100.1") == 0


def test_an_ipv6_client_counts_as_its_64_network():
    assert address_key("2001:db8:1:2:aaaa::1") == address_key("2001:db8:1:2:bbbb::9") == "2001:db8:1:2::/64"
    assert address_key("2001:db8:1:3::1") != address_key("2001:db8:1:2::1")
    assert address_key("::ffff:198.51.100.1") == "198.51.100.1" == address_key("198.51.100.1")
    assert address_key("not an address") == "not an address"
    throttle = LoginThrottle(max_failures=2)
    throttle.failed("2001:db8::1")
    throttle.failed("2001:db8::2")
    assert throttle.wait_s("2001:db8::3") > 0


def test_quiet_addresses_are_forgotten(clock: Clock):
    throttle = LoginThrottle(clock=clock)
    for number in range(1001):
        throttle.failed(f"10.0.{number // 256}.{number % 256}")
    clock.now += 901
    throttle.failed("10.9.9.9")
    assert len(throttle._failures) == 1


def test_csrf_matching():
    token = Sessions().start("alice").csrf
    assert csrf_matches(token, token)
    assert not csrf_matches(token, token[:-1])
    assert not csrf_matches(token, None) and not csrf_matches(token, "")
    assert not csrf_matches("", "") and not csrf_matches(token, "é" * 43)


def test_session_limits_from_the_environment(monkeypatch, clock: Clock):
    monkeypatch.delenv("STAFF_SESSION_IDLE_S", raising=False)
    monkeypatch.delenv("STAFF_SESSION_MAX_AGE_S", raising=False)
    assert session_limits_from_env() == (1800, 12 * 3600)
    monkeypatch.setenv("STAFF_SESSION_IDLE_S", "2")
    monkeypatch.setenv("STAFF_SESSION_MAX_AGE_S", "7.5")
    assert session_limits_from_env() == (2, 7.5)
    sessions = Sessions(*session_limits_from_env(), clock=clock)
    session = sessions.start("alice")
    clock.now += 2
    assert sessions.get(session.token) is None
    for bad in ("soon", "0", "-5", "inf", "nan"):
        monkeypatch.setenv("STAFF_SESSION_IDLE_S", bad)
        with pytest.raises(ValueError, match="STAFF_SESSION_IDLE_S"):
            session_limits_from_env()


# --- audit log ---

@pytest.fixture
def audit_file(tmp_path: Path) -> Path:
    return tmp_path / "staff" / "audit.jsonl"


def test_audit_records_round_trip_newest_first(audit_file: Path, clock: Clock):
    log = AuditLog(audit_file, clock=clock)
    assert log.recent() == []
    log.record("alice", "edit answer", "ask_insurance", before={"text": "old"}, after={"text": "new ✓"})
    clock.now += 1.5
    log.record("bobby", "add example", "ask_hours", after="are you open saturdays")
    first, second = log.recent()[::-1]
    assert first == {"time": "2023-11-14T22:13:20.000+00:00", "user": "alice", "action": "edit answer",
                     "target": "ask_insurance", "before": {"text": "old"}, "after": {"text": "new ✓"}}
    assert second["time"] == "2023-11-14T22:13:21.500+00:00" and second["before"] is None
    assert [e["user"] for e in log.recent(limit=1)] == ["bobby"]
    assert log.recent(limit=0) == []
    assert len(audit_file.read_text().splitlines()) == 2


def test_audit_file_is_private(audit_file: Path):
    AuditLog(audit_file).record("alice", "login", "console")
    assert mode(audit_file) == 0o600 and mode(audit_file.parent) == 0o700


def test_a_damaged_line_is_skipped(audit_file: Path):
    log = AuditLog(audit_file)
    log.record("alice", "first", "a")
    with open(audit_file, "ab") as out:
        out.write(b'{"time": "cut off by a cra')  # a crash in the middle of a write: no newline
    log.record("alice", "second", "b")
    with open(audit_file, "ab") as out:
        out.write(b"[1, 2]\n\xff\xfe\n\n")
    log.record("alice", "third", "c")
    assert [e["action"] for e in log.recent()] == ["third", "second", "first"]


def test_recent_reads_only_the_end_of_a_long_log(audit_file: Path, monkeypatch):
    monkeypatch.setattr("clinic_bot.staff.audit.READ_BLOCK", 100)  # many blocks: lines cross their edges
    log = AuditLog(audit_file)
    for number in range(30):
        log.record("alice", f"change {number}", "x" * (number * 7))
    assert [e["action"] for e in log.recent(limit=25)] == [f"change {n}" for n in range(29, 4, -1)]
    assert len(log.recent()) == 30


def test_writers_at_once_keep_every_line_whole(audit_file: Path):
    logs = [AuditLog(audit_file), AuditLog(audit_file)]
    big = "y" * 20_000  # far beyond any stdio buffer: a line written in pieces would be torn

    def write(log: AuditLog, user: str) -> None:
        for number in range(40):
            log.record(user, "edit", f"item {number}", before=big, after={"n": number})

    threads = [threading.Thread(target=write, args=(log, user)) for log, user in zip(logs, ("alice", "bobby"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    lines = audit_file.read_text().splitlines()
    assert len(lines) == 80
    entries = [json.loads(line) for line in lines]
    for user in ("alice", "bobby"):
        assert [e["after"]["n"] for e in entries if e["user"] == user] == list(range(40))
        assert all(e["before"] == big for e in entries)


def test_every_field_of_a_record_is_bounded(audit_file: Path):
    log = AuditLog(audit_file)
    log.record("u" * 300_000, "a" * 1000, "t" * 1000, before="b" * 300_000, after={"text": "c" * 300_000})
    entry = log.recent()[0]
    assert [len(entry[f]) for f in ("user", "action", "target")] == [FIELD_CHARS] * 3
    assert entry["user"].endswith("\u2026")
    assert len(entry["before"]) == len(entry["after"]) == VALUE_CHARS
    assert entry["after"].startswith('{"text": "ccc')  # the start of its JSON, as text
    assert audit_file.stat().st_size < 3 * VALUE_CHARS
    log.record("alice", "edit", "x", before={"n": 1}, after=[1, True, None])  # short values stay as they are
    assert log.recent()[0]["before"] == {"n": 1} and log.recent()[0]["after"] == [1, True, None]


def test_a_pseudonym_is_short_stable_and_keyed(audit_file: Path):
    log, other = AuditLog(audit_file), AuditLog(audit_file)
    typed = "correct horse battery"
    assert log.pseudonym(typed) == log.pseudonym(typed) != log.pseudonym(typed + "!")
    assert len(log.pseudonym(typed)) == 8 and typed not in log.pseudonym(typed)
    assert other.pseudonym(typed) != log.pseudonym(typed)  # another key: nothing to look up offline


def test_other_values_are_recorded_as_text(audit_file: Path):
    log = AuditLog(audit_file)
    log.record("alice", "upload", "file", after=Path("/tmp/x.csv"))
    assert log.recent()[0]["after"] == "/tmp/x.csv"
