"""The chat widget on the demo clinic site, in Debian's Chromium, against the real bot and action server."""
import re
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from clinic_bot.content.knowledge import default_knowledge
from clinic_bot.paths import REPO_ROOT
from tests.browser.chat import (
    ChatWidget,
    bot_message,
    control_sizes,
    csp_blocked,
    expect_labelled,
    fake_bot_reply,
    filled,
    network_failure,
    topic_titles,
    watched_page,
    widget_strings,
)
from tests.conftest import FIGURES
from tests.e2e.conftest import Patient, answers

pytestmark = [pytest.mark.servers, pytest.mark.browser]

SCREENSHOT = REPO_ROOT / "reports" / "widget.png"
# The widget's own English texts (widget/strings/en.json); the Spanish ones: test_widget_language.py.
EN = widget_strings("en")
TOPICS = topic_titles("en")  # title -> payload, in the order shown
BOOK = EN["topics"]["appointment"]
XSS = "<img src=x onerror=alert(1)>"


def normalized(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def chat(page, site) -> ChatWidget:
    return ChatWidget(page, site.url).visit()


@pytest.fixture
def opened(chat) -> ChatWidget:
    chat.open()
    return chat


def test_keyboard_alone_opens_asks_insurance_and_closes(chat, page):
    for _ in range(20):  # Tab through the page's own links until the launcher has the focus
        page.keyboard.press("Tab")
        if chat.launcher.evaluate("node => node === document.activeElement"):
            break
    expect(chat.launcher).to_be_focused()
    expect(chat.launcher).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("Enter")
    expect(chat.panel).to_be_visible()
    expect(chat.input).to_be_focused()
    chat.wait_for_reply(0)
    assert chat.answers() == ["disclaimer", "greet"]
    shown = " ".join(chat.bot_messages().first.inner_text().split())
    assert default_knowledge().message("disclaimer").text in shown

    page.keyboard.type("Is interventional pain management covered by insurance?")
    before = chat.bot_count()
    page.keyboard.press("Enter")
    chat.wait_for_reply(before)
    assert chat.answers()[before] == "ask_insurance"  # the answer first; a follow-up question may come after
    expected = default_knowledge().faq("ask_insurance", {}).text
    assert normalized(chat.bot("ask_insurance").locator(".cw-bubble").inner_text()) == normalized(expected)

    page.keyboard.press("Escape")
    expect(chat.panel).to_be_hidden()
    expect(chat.launcher).to_be_focused()
    expect(chat.launcher).to_have_attribute("aria-expanded", "false")


def test_replies_appear_in_order_after_the_typing_indicator(page, site):
    # Records, as they happen, what the status region says and which bot messages are added.
    page.add_init_script("""
      window.chatEvents = [];
      new MutationObserver(records => records.forEach(record => {
        if (record.target.classList && record.target.classList.contains('cw-typing'))
          window.chatEvents.push('status:' + record.target.textContent);
        record.addedNodes.forEach(node => {
          if (node.classList && node.classList.contains('cw-msg--bot'))
            window.chatEvents.push('message:' + node.dataset.answer);
        });
      })).observe(document, {childList: true, subtree: true});
    """)
    chat = ChatWidget(page, site.url).visit()
    chat.open()
    events = page.evaluate("window.chatEvents")
    assert events == ["status:" + EN["typing"], "message:disclaimer", "message:greet", "status:"]


def test_topic_button_answers_that_topic_and_the_choices_are_disabled(opened):
    topics = opened.bot("greet").get_by_role("button")
    assert topics.all_inner_texts() == list(TOPICS)
    assert list(TOPICS.values()) == ["/ask_safety", "/ask_side_effects", "/ask_insurance", "/ask_medication",
                                     "/ask_procedures", "/ask_hours", "/ask_location", "/ask_refill",
                                     "/book_appointment"]
    assert opened.choose(BOOK) == ["book_appointment"]
    assert opened.last_user_text() == BOOK  # the patient's choice, shown as their message
    for button in topics.all():
        expect(button).to_be_disabled()
    expect(topics.filter(has_text=BOOK)).to_have_attribute("aria-pressed", "true")
    booking_url = default_knowledge().clinic.booking_url
    expect(opened.bot("book_appointment").get_by_role("link", name=booking_url)).to_have_attribute("href", booking_url)
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    opened.page.screenshot(path=str(SCREENSHOT))  # for a person to look at: reports/widget.png


def test_every_topic_button_leads_to_its_answer(opened, site):
    payloads = opened.bot("greet").get_by_role("button").evaluate_all("nodes => nodes.map(n => n.dataset.payload)")
    assert payloads == list(TOPICS.values())
    patient = Patient(site.servers.webhook_url)
    for payload in payloads:
        assert answers(patient.say(payload))[0] == payload.lstrip("/"), payload


def test_procedure_follow_up_over_two_turns(opened):
    before = opened.bot_count()
    opened.send("what is radiofrequency ablation?")
    expect(opened.bot_messages().nth(before)).to_have_attribute("data-variant", "procedure:radiofrequency_ablation")
    assert opened.send("is it safe?")[0] == "ask_safety"
    follow_up = opened.bot("ask_safety")
    # ask_safety has no RFA variant: the general answer, given for RFA with the note that the articles are silent.
    expect(follow_up).to_have_attribute("data-about", "procedure:radiofrequency_ablation")
    expect(follow_up).not_to_have_attribute("data-variant", re.compile(".+"))


def test_emergency_message_shows_the_urgent_message(opened):
    assert opened.send("I had my epidural yesterday and now I can't feel my legs") == ["emergency"]
    urgent = opened.bot("emergency")
    assert "911" in urgent.inner_text() and "988" in urgent.inner_text()
    assert "cw-msg--urgent" in urgent.get_attribute("class")


def test_typed_markup_stays_text(opened, page):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    opened.send(XSS)
    assert XSS in opened.texts()
    assert page.locator("[data-clinic-chat] img").count() == 0
    assert dialogs == []


def test_bot_markup_stays_text_and_only_http_urls_become_links(opened, page):
    text = ("<b>Book</b> at https://clinic.example/book. Not javascript:alert(1) nor "
            '<a href="javascript:alert(1)">this</a> ' + XSS)
    fake_bot_reply(page, [bot_message(text, "book_appointment")])
    opened.send("how do I book?")
    shown = opened.last_bot()
    assert normalized(shown.inner_text()) == normalized(text)
    links = shown.locator("a")
    assert links.evaluate_all("nodes => nodes.map(n => n.href)") == ["https://clinic.example/book"]
    expect(links).to_have_attribute("rel", "noopener noreferrer")
    assert shown.locator("b, img").count() == 0


def test_reload_and_another_page_keep_the_conversation(opened, page):
    opened.send("what is radiofrequency ablation?")
    sender, transcript = opened.sender_id(), opened.texts()
    page.reload()
    expect(opened.panel).to_be_visible()
    assert opened.sender_id() == sender
    assert opened.texts() == transcript

    page.get_by_role("link", name="Plan your visit").click()
    page.wait_for_url("**/visit.html")
    expect(opened.panel).to_be_visible()
    assert opened.sender_id() == sender
    assert opened.texts() == transcript
    # The bot still remembers the procedure: the same conversation goes on, without a second disclaimer.
    assert opened.send("is it safe?")[0] == "ask_safety"
    follow_up = opened.bot("ask_safety")
    expect(follow_up).to_have_attribute("data-about", "procedure:radiofrequency_ablation")
    assert opened.answers().count("disclaimer") == 1


def test_start_over_begins_a_new_conversation(opened, page):
    opened.send("what is radiofrequency ablation?")
    old_sender = opened.sender_id()
    before = opened.bot_count()
    page.get_by_role("button", name=EN["start_over"]).click()
    page.wait_for_function("n => document.querySelectorAll('.cw-msg--bot').length === 2 "
                           "&& document.querySelector('.cw-typing').textContent === ''", arg=before)
    assert opened.answers() == ["disclaimer", "greet"]
    assert opened.sender_id() != old_sender
    assert "radiofrequency" not in " ".join(opened.texts())


def test_network_failure_shows_the_phone_and_the_next_message_retries(opened, page):
    phone = default_knowledge().clinic.phone
    network_failure(page)
    opened.send("Is it covered by insurance?")
    expect(opened.alert).to_contain_text(EN["error_unreachable"])
    expect(opened.alert).to_contain_text(phone)
    assert opened.texts()[-1] == "Is it covered by insurance?"  # the patient's message stays
    assert opened.send("Is it covered by insurance?")[0] == "ask_insurance"
    expect(opened.alert).to_have_text("")


@pytest.mark.parametrize("status, reply, says", [
    (500, {"error": "boom"}, "error_unreachable"),
    (429, {"error": "too many messages"}, "error_too_many"),
    (200, [], "error_unreachable"),
    (200, {"unexpected": 1}, "error_unreachable"),
], ids=["server-error", "rate-limited", "empty-reply", "not-a-list"])
def test_a_bad_reply_shows_the_phone_never_a_blank_or_a_trace(opened, page, status, reply, says):
    fake_bot_reply(page, reply, status=status)
    opened.send("hello")
    clinic = default_knowledge().clinic
    call = filled(EN["call_clinic_at"], clinic=clinic.name, phone=clinic.phone)
    expect(opened.alert).to_have_text(f"{EN[says]} {call} {EN['emergency']}")
    expect(opened.alert.get_by_role("link", name=clinic.phone)).to_have_attribute(
        "href", "tel:" + re.sub(r"[^\d+]", "", clinic.phone))
    widget_text = page.locator("[data-clinic-chat]").inner_text()
    assert not re.search(r"boom|Error|undefined|null|\[object", widget_text)


def test_another_origin_cannot_use_the_bot(page, site):
    # The webhook's CORS allows the demo site's origin only; the same site under another name is refused.
    other_origin = site.url.replace("127.0.0.1", "localhost")
    chat = ChatWidget(page, other_origin).visit()
    chat.launcher.click()
    expect(chat.alert).to_contain_text(default_knowledge().clinic.phone)
    assert chat.bot_count() == 0


def test_phone_screen_320px_has_no_horizontal_scroll(browser, site):
    context = browser.new_context(viewport={"width": 320, "height": 568}, is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        chat = ChatWidget(page, site.url).visit()
        chat.open()
        chat.send("what are the side effects of an epidural? " + "x" * 80)
        panel = chat.panel.bounding_box()
        assert panel["x"] >= 0 and panel["x"] + panel["width"] <= 320
        sizes = page.evaluate("() => ({page: document.documentElement.scrollWidth, viewport: window.innerWidth,\n"
                              "            log: document.querySelector('.cw-log').scrollWidth, "
                              "logBox: document.querySelector('.cw-log').clientWidth})")
        assert sizes["page"] <= sizes["viewport"] == 320
        assert sizes["log"] <= sizes["logBox"]
    finally:
        context.close()


def test_aria_roles_and_labels(opened, page):
    languages = expect_labelled(page, opened, EN, default_knowledge().clinic.name)
    expect(opened.log).to_have_attribute("aria-live", "polite")
    assert opened.log.locator(".cw-msg").count() == 2
    expect(opened.status).to_have_count(1)
    expect(opened.alert).to_have_count(1)
    expect(languages.get_by_role("button", name="English")).to_have_attribute("aria-pressed", "true")
    expect(languages.get_by_role("button", name="Español")).to_have_attribute("aria-pressed", "false")
    network_failure(page)
    opened.send("hello")
    expect(page.get_by_role("alert")).to_contain_text(default_knowledge().clinic.phone)


# Contrast of every text the widget shows, against the background it is drawn on (WCAG 2 formula).
CONTRASTS = """root => {
  const rgba = c => { const p = c.match(/[\\d.]+/g).map(Number); return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; };
  const over = (top, bottom) => [0, 1, 2].map(i => top[i] * top[3] + bottom[i] * (1 - top[3])).concat([1]);
  const luminance = c => c.slice(0, 3).map(v => { v /= 255; \
return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
    .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  const background = node => {
    const layers = [];
    for (let n = node; n; n = n.parentElement) {
      const c = rgba(getComputedStyle(n).backgroundColor);
      if (c[3] > 0) layers.push(c);
      if (c[3] >= 1) break;
    }
    return layers.reverse().reduce((below, layer) => over(layer, below), [255, 255, 255, 1]);
  };
  const ratio = (fg, bg) => { const [a, b] = [luminance(fg), luminance(bg)].sort((x, y) => y - x); \
return (a + 0.05) / (b + 0.05); };
  const results = [];
  root.querySelectorAll('*').forEach(node => {
    const ownText = [...node.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!ownText || !node.getClientRects().length || node.closest('.cw-visually-hidden')) return;
    const bg = background(node);
    results.push({text: node.textContent.trim().slice(0, 40), \
ratio: ratio(over(rgba(getComputedStyle(node).color), bg), bg)});
  });
  const input = root.querySelector('.cw-input');
  const bg = background(input);
  results.push({text: 'placeholder', ratio: ratio(over(rgba(getComputedStyle(input, '::placeholder').color), bg), bg)});
  return results;
}"""


def test_text_contrast_is_at_least_4_5_to_1(opened, page):
    opened.choose(BOOK)  # a link, a patient message, disabled and chosen buttons
    fake_bot_reply(page, [bot_message("Call 911 now. See https://clinic.example/urgent", "emergency")])
    opened.send("urgent")
    network_failure(page)
    opened.send("hello")  # the error alert
    page.evaluate("typing => { document.querySelector('.cw-typing').textContent = typing; }", EN["typing"])
    results = page.locator("[data-clinic-chat]").evaluate(CONTRASTS)
    texts = {r["text"] for r in results}
    assert {EN["start_over"], EN["send"], BOOK, "placeholder", EN["typing"], "English", "Español"} <= texts
    assert EN["error_unreachable"][:40] in texts  # (each text is cut at 40 characters)
    low = [r for r in results if r["ratio"] < 4.5]
    assert low == [], low
    lowest = min(results, key=lambda r: r["ratio"])
    FIGURES["widget: lowest text contrast"] = f"{lowest['ratio']:.1f}:1 ({lowest['text']!r}, {len(results)} texts)"


def test_tap_targets_are_at_least_24px(opened, page):
    sizes = control_sizes(page)
    assert len(sizes) >= 14  # two languages, start over, close, nine topics, the input, send
    small = [s for s in sizes if s["w"] < 24 or s["h"] < 24]
    assert small == [], small
    page.keyboard.press("Escape")
    box = opened.launcher.bounding_box()
    assert box["width"] >= 24 and box["height"] >= 24


def test_nothing_loads_from_another_host(context, site):
    page, requested = watched_page(context)
    chat = ChatWidget(page, site.url).visit()
    chat.open()
    chat.choose(BOOK)
    page.get_by_role("link", name="Plan your visit").click()
    page.wait_for_url("**/visit.html")
    chat.send("thanks")
    hosts = {urlparse(url).hostname for url in requested if not url.startswith("data:")}
    assert hosts == {"127.0.0.1"}, requested
    assert any(url.endswith("/webhooks/rest/webhook") for url in requested)
    assert csp_blocked(page) == []  # the page's CSP blocked nothing either


def test_bot_stopped_shows_the_error_with_the_phone(opened, page, bot_stopped):
    # Runs last (see conftest): the Rasa server is stopped for good.
    opened.send("Is it covered by insurance?")
    expect(opened.alert).to_contain_text(default_knowledge().clinic.phone)
    expect(opened.alert).to_contain_text(EN["error_unreachable"])
    assert opened.texts()[-1] == "Is it covered by insurance?"
    assert not re.search(r"Error|fetch|undefined", page.locator("[data-clinic-chat]").inner_text())
