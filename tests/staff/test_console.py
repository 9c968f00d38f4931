"""The staff console in Chromium, against the real console and the real assistant (tests/staff/conftest.py).

The whole staff loop: log in, review a fallback message and label it, a duplicate refused, an answer edited
(a wrong source heading refused, then saved), a Spanish text edited and reviewed (then made stale by its English),
retrain and switch, the patient sees the new answer in the widget; then a retrain that worsens urgent recall refused
while the old model keeps answering. Screenshots of the main pages go to reports/staff-*.png (tablet width)."""
import csv
import datetime as dt
import hashlib
import http.client
import json
import os
import re
import subprocess
import sys
import time
import urllib.parse
import uuid
from pathlib import Path
from typing import Dict, Optional, Tuple

import pytest
import yaml
from playwright.sync_api import Page, expect

from clinic_bot.content.clinic_config import load_clinic_details
from clinic_bot.content.knowledge import parse_answers
from clinic_bot.content.nlu_data import read_all
from clinic_bot.content.practical_answers import placeholders_in
from clinic_bot.paths import REPO_ROOT
from tests.browser.chat import ChatWidget
from tests.e2e.conftest import answers, free_port, post
from tests.staff.conftest import LOCKED_USER, STAFF_PASSWORD, STAFF_USER, Clinic, project_env, start, stop, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.servers, pytest.mark.model]

REPORTS = REPO_ROOT / "reports"
RETRAIN_TIMEOUT_MS = 900_000
# Nothing the assistant knows: the fallback or out of scope, so it is in the review list.
UNKNOWN_MESSAGE = "zorblax fendersnap quintuple wibble"
EDITED_SENTENCE = "Our billing team can check your plan before the visit."
PRACTICAL_SENTENCE = "Our front desk can also help with directions."
PRACTICAL_MORE = "You can also leave a message at {phone} after hours."
SPANISH_INTENT = "ask_cost"  # not ask_insurance, whose English edit the retrain test looks for in the widget
SPANISH_SENTENCE = "Nuestro equipo puede revisar su plan antes de la visita."
SPANISH_ENGLISH_SENTENCE = "Our billing team can also explain the estimate."
ROTATING_USER = "rotating"  # gets a new password, then is removed: no other test uses it
NEW_PASSWORD = "staple paperclip 42"


def screenshot(page: Page, name: str) -> None:
    REPORTS.mkdir(exist_ok=True)
    page.screenshot(path=str(REPORTS / f"staff-{name}.png"), full_page=True)


def log_in(page: Page, clinic: Clinic, name: str = STAFF_USER, password: str = STAFF_PASSWORD,
           path: str = "/") -> None:
    page.goto(clinic.console_url + path)
    page.get_by_label("Name").fill(name)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def raw_request(url: str, method: str = "GET", body: Optional[Dict[str, str]] = None,
                cookie: str = "") -> Tuple[int, str, str]:
    """(status, Location header, body) without following redirects: what a browser without a login gets."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    data = urllib.parse.urlencode(body or {})
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
    connection.request(method, parts.path, body=data if method == "POST" else None, headers=headers)
    reply = connection.getresponse()
    return reply.status, reply.getheader("Location") or "", reply.read().decode(errors="replace")


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- without a login -------------------------------------------------------------------------------------------
PAGES = ["/", "/review", "/review/urgent", "/answers", "/answers/ask_insurance", "/retrain", "/retrain/status",
         "/changes", "/insights", "/insights/csv/topics"]
ACTIONS = ["/review/abc/label", "/review/abc/fine", "/review/abc/checked", "/answers/ask_insurance", "/retrain",
           "/logout"]


def test_without_a_login_every_page_and_action_is_refused(clinic):
    answers_before = sha(clinic.root / "knowledge" / "answers.yml")
    for path in PAGES:
        status, location, _ = raw_request(clinic.console_url + path)
        assert status == 303 and location.startswith("/login"), path
    for path in ACTIONS:
        status, _, _ = raw_request(clinic.console_url + path, "POST", {"intent": "ask_insurance", "text": "x"})
        assert status == 403, path
    forged = raw_request(clinic.console_url + "/retrain", "POST", cookie="staff_session=forged-token")
    assert forged[0] == 403
    assert sha(clinic.root / "knowledge" / "answers.yml") == answers_before
    status, _, _ = raw_request(clinic.console_url + "/retrain/status")
    assert status == 303


def test_log_in_and_a_wrong_password(clinic, page):
    log_in(page, clinic, password="not the password at all")
    expect(page.locator("[data-login=error]")).to_be_visible()
    assert "/login" in page.url
    screenshot(page, "login")
    log_in(page, clinic)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_text(f"Logged in as {STAFF_USER}")).to_be_visible()
    cookie = next(c for c in page.context.cookies() if c["name"] == "staff_session")
    assert cookie["httpOnly"] and cookie["secure"] and cookie["sameSite"] == "Strict"
    screenshot(page, "home")


def test_keyboard_only_login(clinic, page):
    page.goto(clinic.console_url + "/login")
    assert page.evaluate("document.activeElement.id") == "name"  # the name field has the focus
    page.keyboard.type(STAFF_USER)
    page.keyboard.press("Tab")
    page.keyboard.type(STAFF_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_text(f"Logged in as {STAFF_USER}")).to_be_visible()


def refusal_for(page: Page, name: str) -> str:
    """The login page's refusal, once the page answering the login as ``name`` has loaded."""
    expect(page.get_by_label("Name")).to_have_value(name)
    return page.locator("[data-login=error]").inner_text()


def test_lock_out_after_repeated_failed_logins(clinic, page):
    log_in(page, clinic, LOCKED_USER, "wrong password here")
    first = refusal_for(page, LOCKED_USER)
    assert "Wrong name or password" in first and "locked for 15 minutes" in first  # the rule, said to everyone
    for _ in range(4):
        log_in(page, clinic, LOCKED_USER, "wrong password here")
    log_in(page, clinic, LOCKED_USER, STAFF_PASSWORD)  # the right password does not open a locked account
    assert refusal_for(page, LOCKED_USER) == first
    assert not any(c["name"] == "staff_session" for c in page.context.cookies())
    log_in(page, clinic, "nobody-here", STAFF_PASSWORD)  # a name that is no account: the very same reply
    assert refusal_for(page, "nobody-here") == first


def staff_user(clinic: Clinic, name: str, password: str) -> subprocess.CompletedProcess:
    """`make staff-user NAME=...` in the copy: the accounts CLI in a process of its own, the password typed twice
    (without a terminal, getpass reads the lines from stdin)."""
    return subprocess.run([sys.executable, "-m", "clinic_bot.staff.accounts", name], cwd=clinic.root, env=clinic.env,
                          input=f"{password}\n{password}\n", capture_output=True, text=True, timeout=120,
                          start_new_session=True)


def test_a_new_password_or_the_accounts_removal_ends_the_open_session(clinic, page):
    created = staff_user(clinic, ROTATING_USER, STAFF_PASSWORD)
    assert created.returncode == 0, created.stderr
    log_in(page, clinic, ROTATING_USER, STAFF_PASSWORD, path="/answers")
    expect(page.get_by_text(f"Logged in as {ROTATING_USER}")).to_be_visible()

    changed = staff_user(clinic, ROTATING_USER, NEW_PASSWORD)
    assert changed.returncode == 0 and "sessions" in changed.stdout, changed.stdout + changed.stderr
    page.goto(clinic.console_url + "/answers")
    expect(page.locator("[data-login=expired]")).to_be_visible()
    assert "/login" in page.url

    log_in(page, clinic, ROTATING_USER, NEW_PASSWORD, path="/answers")
    expect(page.get_by_text(f"Logged in as {ROTATING_USER}")).to_be_visible()
    accounts_file = clinic.root / "var" / "staff" / "accounts.json"
    data = json.loads(accounts_file.read_text())
    del data["accounts"][ROTATING_USER]
    temp = accounts_file.with_name(".accounts.json.test")
    temp.write_text(json.dumps(data))
    os.replace(temp, accounts_file)
    page.goto(clinic.console_url + "/answers")
    expect(page.locator("[data-login=expired]")).to_be_visible()
    assert "/login" in page.url


def test_pages_keep_their_stylesheet_under_the_no_script_policy(clinic, page):
    violations = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    reply = page.goto(clinic.console_url + "/login")
    assert reply is not None and "default-src 'none'" in reply.headers["content-security-policy"]
    log_in(page, clinic)
    for path in ("/", "/review", "/review/urgent", "/answers", "/retrain", "/changes"):
        page.goto(clinic.console_url + path)
        background = page.evaluate("getComputedStyle(document.querySelector('header.top')).backgroundColor")
        assert background == "rgb(244, 246, 249)", path  # console.css loaded
    assert violations == []


def test_a_form_without_its_csrf_token_is_refused(clinic, page):
    log_in(page, clinic, path="/retrain")
    expect(page.get_by_role("button", name="Train and compare")).to_be_visible()
    page.evaluate("document.querySelectorAll('main input[name=csrf]').forEach(e => e.remove())")
    page.get_by_role("button", name="Train and compare").click()
    expect(page.locator("[data-refusal]")).to_be_visible()
    status = page.request.get(clinic.console_url + "/retrain/status").json()
    assert status["outcome"] == "none"  # nothing started


@pytest.fixture
def short_session_console(clinic):
    """A second console on the same copy whose sessions expire after 2 s idle."""
    port = free_port()
    log = clinic.root / "var" / "log" / "console-short.log"
    process = start(["-m", "clinic_bot.staff", "--port", str(port)], clinic.root,
                    project_env(clinic.root, STAFF_SESSION_IDLE_S="2"), log)
    try:
        wait_for(f"http://127.0.0.1:{port}/login", process, log)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(process)


def test_a_page_opened_after_the_session_expired_asks_to_log_in_again(clinic, page, short_session_console):
    page.goto(short_session_console + "/login")
    page.get_by_label("Name").fill(STAFF_USER)
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text(f"Logged in as {STAFF_USER}")).to_be_visible()
    time.sleep(3)
    page.goto(short_session_console + "/answers")
    expect(page.locator("[data-login=expired]")).to_be_visible()
    assert "/login" in page.url


# --- the staff loop --------------------------------------------------------------------------------------------
def every_field_has_a_label(page: Page) -> None:
    unlabelled = page.evaluate("""() => [...document.querySelectorAll('input, select, textarea')]
        .filter(e => e.type !== 'hidden' && e.labels.length === 0 && !e.getAttribute('aria-label'))
        .map(e => e.name)""")
    assert unlabelled == []


def examples_of(clinic: Clinic, text: str) -> Dict[str, str]:
    return {e.intent: f"{e.file.name}:{e.line}" for e in read_all((clinic.root / "data" / "nlu").glob("*.yml"))
            if e.text == text}


def test_review_label_and_duplicate(clinic, page):
    for _ in range(2):  # two patients ask the same: the second label is a duplicate
        status, replies = post(clinic.webhook, {"sender": f"patient-{uuid.uuid4().hex[:8]}",
                                                "message": UNKNOWN_MESSAGE})
        assert status == 200 and "emergency" not in answers(replies)
    log_in(page, clinic, path="/review")
    items = page.locator("[data-item]").filter(has_text=UNKNOWN_MESSAGE)
    expect(items).to_have_count(2)
    expect(items.first.locator(".why")).to_contain_text(re.compile("fell to fallback|out of scope|low confidence"))
    every_field_has_a_label(page)
    screenshot(page, "review")
    items.first.get_by_label("This should have been").select_option("ask_insurance")
    items.first.get_by_role("button", name="Add as a training example").click()
    expect(page.locator("[data-flash=ok]")).to_contain_text("ask_insurance")
    added = examples_of(clinic, UNKNOWN_MESSAGE)
    assert list(added) == ["ask_insurance"]
    validate = clinic.run("-m", "clinic_bot.tools.validate")
    assert validate.returncode == 0, validate.stdout[-2000:]

    remaining = page.locator("[data-item]").filter(has_text=UNKNOWN_MESSAGE)
    expect(remaining).to_have_count(1)
    remaining.get_by_label("This should have been").select_option("ask_cost")
    remaining.get_by_role("button", name="Add as a training example").click()
    refusal = page.locator("[data-flash=error]")
    expect(refusal).to_contain_text("already in intent 'ask_insurance'")
    expect(refusal).to_contain_text(added["ask_insurance"])  # where it already is: file and line
    assert examples_of(clinic, UNKNOWN_MESSAGE) == added
    page.goto(clinic.console_url + "/changes")
    expect(page.locator("[data-action='added training example']")).to_have_count(1)


COST_QUESTION = "how much does radiofrequency ablation cost"
ASKED = 6  # at least the small-count rule's 5, so the page shows the number


def test_insights_count_what_patients_asked_in_charts_tables_and_csv(clinic, page):
    for _ in range(ASKED):
        status, replies = post(clinic.webhook, {"sender": f"patient-{uuid.uuid4().hex[:8]}", "message": COST_QUESTION})
        assert status == 200 and "ask_cost" in answers(replies)
    title = parse_answers(yaml.safe_load((clinic.root / "knowledge" / "answers.yml").read_text()))["ask_cost"].title
    log_in(page, clinic, path="/insights?days=7")
    figures = page.locator("[data-figure]")
    expect(figures).to_have_count(7)
    expect(page.locator("[data-figure] svg[role=img]")).to_have_count(7)
    topics = page.locator("[data-figure=topics]")
    topics.locator("summary").click()  # the table, as a keyboard or screen-reader user opens it
    cost_row = topics.locator("tbody tr").filter(has=page.locator("th", has_text=title))
    asked = int(cost_row.locator("td").nth(1).inner_text().replace(",", ""))
    assert asked >= ASKED
    with page.expect_download() as download:
        topics.get_by_role("link", name=re.compile("Download")).click()
    rows = list(csv.reader(open(download.value.path(), encoding="utf-8")))
    assert [title, "medical (FAQ)", str(asked)] == next(row[:3] for row in rows if row[0] == title)
    expect(page.get_by_role("link", name="Last 7 days")).to_have_attribute("aria-current", "page")
    screenshot(page, "insights")


def test_answer_edit_refuses_a_wrong_heading_then_saves(clinic, page):
    answers_file = clinic.root / "knowledge" / "answers.yml"
    before = sha(answers_file)
    log_in(page, clinic, path="/answers/ask_insurance")
    every_field_has_a_label(page)
    text = page.get_by_label("General answer")
    text.fill(text.input_value() + " " + EDITED_SENTENCE)
    section = page.locator("#source-0-section")
    right_heading = section.input_value()
    section.fill("A heading that is in no article")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("[data-problem]").first).to_contain_text("A heading that is in no article")
    screenshot(page, "answer-refused")
    assert sha(answers_file) == before

    page.locator("#source-0-section").fill(right_heading)
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("[data-preview-text]").first).to_contain_text(EDITED_SENTENCE)
    clinic_phone = yaml.safe_load((clinic.root / "clinic.yml").read_text())["phone"]
    preview = page.locator("[data-preview]").inner_text()
    assert "{phone}" not in preview and clinic_phone in preview  # placeholders filled from clinic.yml
    assert sha(answers_file) == before
    page.get_by_role("button", name="Save").click()
    expect(page.locator("[data-flash=ok]")).to_be_visible()
    saved = yaml.safe_load(answers_file.read_text())["answers"]["ask_insurance"]
    assert EDITED_SENTENCE in saved["text"] and saved["reviewed"] == dt.date.today()
    assert clinic.run("-m", "clinic_bot.tools.validate").returncode == 0


def test_practical_answer_edit_previews_and_saves(clinic, page):
    practical_file = clinic.root / "knowledge" / "practical_answers.yml"
    before = sha(practical_file)
    details = load_clinic_details(clinic.root / "clinic.yml")
    filled = details.placeholders()
    intent = next(i for i, a in yaml.safe_load(practical_file.read_text())["answers"].items()  # its own text shown
                  if not a.get("per_location") and "phone" in placeholders_in(a["text"])
                  and all(filled.get(name) for name in placeholders_in(a["text"])))
    log_in(page, clinic, path="/answers")
    listed = page.locator("[data-practical]")
    expect(listed.get_by_role("heading", level=2)).to_contain_text("Practical answers")
    listed.locator(f"[data-practical-intent={intent}]").get_by_role("link", name=re.compile("^Edit")).click()
    page.wait_for_url(f"**/practical/{intent}")
    every_field_has_a_label(page)
    text = page.locator("#text")
    text.fill(text.input_value() + " " + PRACTICAL_SENTENCE)
    more = page.locator("#more")
    more.fill(more.input_value() + "\n" + PRACTICAL_MORE)
    page.get_by_role("button", name="Preview").click()
    shown = page.locator("[data-preview-text]")
    expect(shown).to_contain_text(PRACTICAL_SENTENCE)
    preview = shown.inner_text()
    assert "{phone}" not in preview and details.phone in preview  # placeholders filled from the copy's clinic.yml
    assert PRACTICAL_MORE.replace("{phone}", details.phone) in preview
    screenshot(page, "practical-preview")
    assert sha(practical_file) == before
    page.get_by_role("button", name="Save").click()
    expect(page.locator("[data-flash=ok]")).to_be_visible()
    assert sha(practical_file) != before
    saved = yaml.safe_load(practical_file.read_text())["answers"][intent]
    assert saved["text"].endswith(PRACTICAL_SENTENCE) and saved["more"][-1] == PRACTICAL_MORE
    validate = clinic.run("-m", "clinic_bot.tools.validate")
    assert validate.returncode == 0, validate.stdout[-2000:]
    page.goto(clinic.console_url + "/changes")
    expect(page.locator("[data-action='edited practical answer']")).to_have_count(1)


def test_spanish_text_edited_reviewed_then_made_stale_by_the_english(clinic, page):
    """The Spanish beside the English: edited, previewed as a Spanish-speaking patient reads it, saved with the review
    box ticked (reviewed today, translating the English as saved, the English's own reviewed date untouched); then an
    English edit makes it stale: the page says so and the list shows the answer first."""
    answers_file = clinic.root / "knowledge" / "answers.yml"
    before = yaml.safe_load(answers_file.read_text())["answers"][SPANISH_INTENT]
    log_in(page, clinic, path=f"/answers/{SPANISH_INTENT}")
    every_field_has_a_label(page)
    expect(page.locator("[data-spanish-rule]")).to_be_visible()
    spanish = page.locator("#es-text")
    spanish.fill(spanish.input_value() + " " + SPANISH_SENTENCE)
    page.get_by_role("button", name="Preview").click()
    shown = page.locator("[data-preview-spanish] [data-preview-es-text]").first
    expect(shown).to_contain_text(SPANISH_SENTENCE)  # the copy's clinic.yml shows unreviewed translations
    assert "{" not in shown.inner_text()  # placeholders filled with clinic.yml's (Spanish) values
    expect(page.locator("[data-preview-spanish] [data-preview-es-unreviewed]").first).to_be_visible()
    expect(page.locator("#es-text")).to_have_value(re.compile(re.escape(SPANISH_SENTENCE) + "$"))
    screenshot(page, "answer-spanish-preview")
    assert yaml.safe_load(answers_file.read_text())["answers"][SPANISH_INTENT] == before  # a preview saves nothing

    page.locator("#es-review").check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator("[data-flash=ok]").filter(has_text="Spanish marked reviewed today")).to_be_visible()
    saved = yaml.safe_load(answers_file.read_text())["answers"][SPANISH_INTENT]
    assert saved["es"]["text"].endswith(SPANISH_SENTENCE) and saved["es"]["reviewed"] == dt.date.today()
    english_now = parse_answers({"answers": {SPANISH_INTENT: saved}})[SPANISH_INTENT].fingerprint()
    assert saved["es"]["translates"] == english_now
    assert saved["text"] == before["text"] and saved["reviewed"] == before["reviewed"]  # the English untouched
    expect(page.locator("[data-spanish-state=reviewed]").first).to_be_visible()
    validate = clinic.run("-m", "clinic_bot.tools.validate")
    assert validate.returncode == 0, validate.stdout[-2000:]

    english = page.locator("#text")
    english.fill(english.input_value() + " " + SPANISH_ENGLISH_SENTENCE)
    page.get_by_role("button", name="Save").click()
    expect(page.locator("[data-flash=warn]").first).to_contain_text("stale")
    expect(page.locator("[data-spanish-state=stale]").first).to_be_visible()
    screenshot(page, "answer-spanish-stale")
    saved = yaml.safe_load(answers_file.read_text())["answers"][SPANISH_INTENT]
    assert saved["text"].endswith(SPANISH_ENGLISH_SENTENCE) and saved["es"]["reviewed"] is None
    page.goto(clinic.console_url + "/answers")
    expect(page.locator(f"tr[data-answer-intent={SPANISH_INTENT}]")).to_have_attribute("data-spanish-state", "stale")
    rows = page.locator("tr[data-answer-intent]")
    states = [rows.nth(i).get_attribute("data-spanish-state") for i in range(rows.count())]
    stale = states.count("stale")  # an earlier test's English edit may have made another answer stale too
    assert states[:stale] == ["stale"] * stale, states  # the stale ones first
    validate = clinic.run("-m", "clinic_bot.tools.validate")  # stale is a warning, not an error
    assert validate.returncode == 0 and "ask_cost' (es)" in validate.stdout, validate.stdout[-2000:]


def test_retrain_switches_and_the_patient_sees_the_edit(clinic, page):
    """Runs after the label and the edit (file order). A conversation started before the switch goes on."""
    patient = f"patient-{uuid.uuid4().hex[:8]}"
    status, replies = post(clinic.webhook, {"sender": patient, "message": "what is radiofrequency ablation"})
    assert status == 200
    model = clinic.root / "models" / "clinic.tar.gz"
    old_model = sha(model)
    log_in(page, clinic, path="/retrain")
    page.get_by_role("button", name="Train and compare").click()
    expect(page.locator("[data-outcome=running]")).to_be_visible()
    screenshot(page, "retrain-running")
    expect(page.locator("[data-outcome]")).not_to_have_attribute("data-outcome", "running",
                                                                 timeout=RETRAIN_TIMEOUT_MS)
    outcome = page.locator("[data-outcome]")
    assert outcome.get_attribute("data-outcome") == "switched", outcome.inner_text()
    expect(page.locator("[data-changes]")).to_be_visible()
    screenshot(page, "retrain-switched")
    assert sha(model) != old_model and (clinic.root / "models" / "previous.tar.gz").is_file()

    # The conversation from before the switch goes on: the follow-up is about the procedure asked earlier.
    status, replies = post(clinic.webhook, {"sender": patient, "message": "is it safe?"})
    assert status == 200 and any((r.get("custom") or {}).get("about") == "procedure:radiofrequency_ablation"
                                 for r in replies), replies
    # The new model learned the label.
    status, replies = post(clinic.webhook, {"sender": f"p-{uuid.uuid4().hex[:8]}", "message": UNKNOWN_MESSAGE})
    assert "ask_insurance" in answers(replies)

    widget = ChatWidget(page, clinic.site_url).visit()
    widget.open()
    assert "ask_insurance" in widget.send("Is interventional pain management covered by insurance?")
    expect(page.locator(".cw-msg--bot").last.locator("xpath=..")).to_contain_text(EDITED_SENTENCE)


def sabotage_urgent_recall(root: Path) -> None:
    """Valid data (make validate passes) that misses emergencies: no red-flag words, no emergency examples."""
    lexicon = root / "knowledge" / "triage" / "red_flags.yml"
    data = yaml.safe_load(lexicon.read_text())
    for concept in data["concepts"].values():
        for key in list(concept):
            if key != "kind":
                del concept[key]
        concept["terms"] = ["zzqxv"]
    lexicon.write_text(yaml.safe_dump(data, sort_keys=False))
    for name in ("emergencies_en.jsonl", "crisis_and_indirect_emergencies.jsonl"):
        (root / "data" / "triage" / name).unlink()


def test_a_retrain_that_worsens_urgent_recall_is_refused(clinic, page):
    sabotage_urgent_recall(clinic.root)
    model = clinic.root / "models" / "clinic.tar.gz"
    running = sha(model)
    log_in(page, clinic, path="/retrain")
    page.get_by_role("button", name="Train and compare").click()
    expect(page.locator("[data-outcome]")).not_to_have_attribute("data-outcome", "running",
                                                                 timeout=RETRAIN_TIMEOUT_MS)
    outcome = page.locator("[data-outcome]")
    assert outcome.get_attribute("data-outcome") == "refused", outcome.inner_text()
    expect(page.locator("[data-summary]")).to_contain_text("911/988")
    expect(page.locator("tr[data-too-much=yes]").first).to_be_visible()
    screenshot(page, "retrain-refused")
    assert sha(model) == running
    status, replies = post(clinic.webhook, {"sender": f"p-{uuid.uuid4().hex[:8]}",
                                            "message": "my chest is crushing and my left arm is numb"})
    assert status == 200 and "emergency" in answers(replies)
    log = subprocess.run(["tail", "-n", "5", str(clinic.root / "var" / "staff" / "audit.jsonl")],
                         capture_output=True, text=True).stdout
    assert re.search(r'"action": ?"retrain refused"', log)
