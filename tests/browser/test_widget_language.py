"""The widget in English and Spanish, in Chromium against the real servers: its own texts from widget/strings/
<language>.json (compared with the files, never with prose copied here), the first language from the page, the
English / Español switch (mouse and keyboard), the `language` of every request, the choice kept with the
conversation, strings files that fail to load, and the accessibility checks in Spanish. Whether the bot answers in
Spanish is the server's part (tests/e2e): these tests read the requests and the widget's own texts."""
import html
import json
import re
import urllib.error
import urllib.request
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from clinic_bot.content.clinic_config import load_clinic_details
from clinic_bot.launcher.demo_site import content_security_policy
from clinic_bot.store.privacy import conversation_events
from tests.browser.chat import (
    STRINGS_DIR,
    ChatWidget,
    bot_message,
    control_sizes,
    csp_blocked,
    expect_labelled,
    fake_bot_reply,
    filled,
    network_failure,
    record_webhook_bodies,
    tab_to,
    topic_titles,
    watched_page,
    widget_strings,
)
from tests.browser.test_widget import CONTRASTS
from tests.conftest import FIGURES

pytestmark = [pytest.mark.servers, pytest.mark.browser]

EN, ES = widget_strings("en"), widget_strings("es")
SPANISH_PAGE = "es/index.html"
STRINGS_TIMEOUT_S = 5  # widget.js's config.stringsTimeoutMs

# The widget's own texts as shown: its language, each text by its strings key, the language pressed in the switch.
SHOWN = """() => {
  const root = document.querySelector('[data-clinic-chat]');
  const q = selector => root.querySelector(selector);
  return {
    lang: root.lang,
    launcher: q('.cw-launcher').textContent,
    title: q('.cw-title').textContent,
    language_label: q('.cw-languages').getAttribute('aria-label'),
    start_over: q('.cw-restart').textContent,
    close_label: q('.cw-close').getAttribute('aria-label'),
    conversation_label: q('.cw-log').getAttribute('aria-label'),
    input_label: q('label[for="cw-input"]').textContent,
    input_placeholder: q('.cw-input').placeholder,
    send: q('.cw-send').textContent,
    pressed: [...root.querySelectorAll('.cw-language[aria-pressed="true"]')].map(b => b.dataset.language),
  };
}"""


def clinic_name(language: str) -> str:
    return load_clinic_details().placeholders(language)["clinic_name"]


def own_texts(strings_language: str, pressed: str, page_language: str = "en") -> dict:
    """What SHOWN must find: the texts of `strings_language`'s file, the switch on `pressed`."""
    strings = widget_strings(strings_language)
    keys = ("launcher", "language_label", "start_over", "close_label", "conversation_label", "input_label",
            "input_placeholder", "send")
    return {"lang": strings_language, **{key: strings[key] for key in keys},
            "title": filled(strings["title"], clinic=clinic_name(page_language)), "pressed": [pressed]}


def shown(page) -> dict:
    return page.evaluate(SHOWN)


def switch_to(chat: ChatWidget, name: str) -> None:
    """Clicks "English" or "Español" and waits for the greeting the switch sends."""
    before = chat.bot_count()
    chat.page.locator(".cw-languages").get_by_role("button", name=name, exact=True).click()
    chat.wait_for_reply(before)


def wait_for_strings(page, language: str) -> None:
    page.wait_for_function("lang => document.querySelector('[data-clinic-chat]').lang === lang", arg=language)


def choice_groups_labels(page) -> list:
    return page.locator(".cw-choices").evaluate_all("nodes => nodes.map(n => n.getAttribute('aria-label'))")


@pytest.fixture
def spanish(page, site) -> ChatWidget:
    return ChatWidget(page, site.url).visit(SPANISH_PAGE)


# --- the Spanish page ---

def test_spanish_page_opens_the_widget_in_spanish(spanish, page):
    bodies = record_webhook_bodies(page)
    assert shown(page) == own_texts("es", "es", "es")
    spanish.open()
    sender = spanish.sender_id()
    assert spanish.answers() == ["disclaimer", "greet"]
    greeting = spanish.bot("greet")
    titles = topic_titles("es")
    assert greeting.get_by_role("button").all_inner_texts() == list(titles)
    assert greeting.get_by_role("button").evaluate_all("ns => ns.map(n => n.dataset.payload)") == list(titles.values())
    assert choice_groups_labels(page) == [ES["reply_options_label"]]
    assert shown(page) == own_texts("es", "es", "es")
    spanish.choose(ES["topics"]["appointment"])
    assert spanish.last_user_text() == ES["topics"]["appointment"]  # the patient's choice, as they saw it
    assert bodies == [{"sender": sender, "message": "/greet", "language": "es"},
                      {"sender": sender, "message": "/book_appointment", "language": "es"}]


# A page made up for each case, served at the demo site's origin beside the real widget.js.
@pytest.mark.parametrize("html_lang, data_lang, expected", [
    ("es", None, "es"), ("es-US", None, "es"), ("es-MX", None, "es"), ("ES-419", None, "es"),
    ("en", None, "en"), ("en-US", None, "en"), ("fr", None, "en"), ("", None, "en"), (None, None, "en"),
    ("espanol", None, "en"),
    ("en", "es", "es"), ("fr", "es-MX", "es"), ("es", "en", "en"), ("es-MX", "fr", "en"),
])
def test_the_first_language_is_the_pages_or_the_script_tags(page, site, html_lang, data_lang, expected):
    lang = "" if html_lang is None else f' lang="{html_lang}"'
    data = "" if data_lang is None else f' data-lang="{data_lang}"'
    html = (f'<!doctype html><html{lang}><head><meta charset="utf-8"><title>t</title></head><body><p>A page</p>'
            f'<script src="widget.js" data-phone="(555) 010-0100" data-clinic="C"{data} defer></script></body></html>')
    page.route(f"{site.url}/made-up.html", lambda route: route.fulfill(body=html, content_type="text/html"))
    page.goto(f"{site.url}/made-up.html")
    page.locator(".cw-launcher").wait_for(state="attached")
    texts = shown(page)
    assert (texts["lang"], texts["launcher"], texts["pressed"]) == (expected, widget_strings(expected)["launcher"],
                                                                    [expected])


# --- the switch ---

def test_the_switch_changes_the_widgets_texts_and_sends_the_language(page, site):
    bodies = record_webhook_bodies(page)
    chat = ChatWidget(page, site.url).visit()
    chat.open()
    sender = chat.sender_id()
    assert shown(page) == own_texts("en", "en")
    english_transcript = chat.texts()

    switch_to(chat, "Español")
    assert shown(page) == own_texts("es", "es")
    assert bodies[-1] == {"sender": sender, "message": "/greet", "language": "es"}  # the same conversation
    assert chat.answers() == ["disclaimer", "greet", "disclaimer", "greet"]  # the disclaimer again, in Spanish
    assert chat.texts()[:len(english_transcript)] == english_transcript  # the transcript is not re-rendered
    greetings = page.locator('.cw-msg--bot[data-answer="greet"]')
    assert greetings.first.get_by_role("button").all_inner_texts() == list(topic_titles("en"))
    assert greetings.last.get_by_role("button").all_inner_texts() == list(topic_titles("es"))
    assert choice_groups_labels(page) == [ES["reply_options_label"]] * 2  # the widget's own labels are
    expect(chat.input).to_be_enabled()
    chat.send("¿El seguro cubre una epidural?")
    assert bodies[-1] == {"sender": sender, "message": "¿El seguro cubre una epidural?", "language": "es"}

    sent = len(bodies)
    page.locator(".cw-languages").get_by_role("button", name="Español").click()  # already chosen: nothing happens
    page.wait_for_timeout(300)
    assert len(bodies) == sent

    switch_to(chat, "English")
    assert shown(page) == own_texts("en", "en")
    assert bodies[-1] == {"sender": sender, "message": "/greet", "language": "en"}
    assert all(set(body) == {"sender", "message", "language"} for body in bodies)


def test_the_choice_is_kept_with_the_conversation_across_reloads_and_pages(page, site):
    bodies = record_webhook_bodies(page)
    chat = ChatWidget(page, site.url).visit()
    chat.open()
    switch_to(chat, "Español")
    sender, transcript = chat.sender_id(), chat.texts()
    assert page.evaluate("sessionStorage.getItem('clinicChat.language')") == '"es"'

    page.reload()
    chat.launcher.wait_for(state="attached")
    expect(chat.panel).to_be_visible()
    assert shown(page) == own_texts("es", "es")
    assert (chat.sender_id(), chat.texts()) == (sender, transcript)

    page.get_by_role("link", name="Plan your visit").click()  # an English page: the conversation stays Spanish
    page.wait_for_url("**/visit.html")
    chat.launcher.wait_for(state="attached")
    assert shown(page) == own_texts("es", "es")
    chat.send("gracias")
    assert bodies[-1] == {"sender": sender, "message": "gracias", "language": "es"}

    before = chat.bot_count()
    page.get_by_role("button", name=ES["start_over"]).click()  # a new conversation, in the language chosen
    page.wait_for_function("n => document.querySelectorAll('.cw-msg--bot').length === 2 "
                           "&& document.querySelector('.cw-typing').textContent === ''", arg=before)
    assert chat.sender_id() != sender
    assert bodies[-1] == {"sender": chat.sender_id(), "message": "/greet", "language": "es"}
    assert shown(page) == own_texts("es", "es")


def test_a_conversation_begun_in_english_stays_english_on_a_spanish_page(page, site):
    # Its language is the conversation's (a clinic's site may have pages in one language only); the switch changes it.
    bodies = record_webhook_bodies(page)
    chat = ChatWidget(page, site.url).visit()
    chat.open()
    page.get_by_role("link", name="Español").click()
    page.wait_for_url("**/es/index.html")
    chat.launcher.wait_for(state="attached")
    assert shown(page) == own_texts("en", "en", "es")
    chat.send("hello")
    assert bodies[-1]["language"] == "en"


def test_a_new_tab_starts_from_the_pages_language(context, site):
    first = context.new_page()
    chat = ChatWidget(first, site.url).visit()
    chat.open()
    switch_to(chat, "Español")
    second = context.new_page()  # another tab: its own session storage, so its own conversation
    ChatWidget(second, site.url).visit()
    assert shown(second) == own_texts("en", "en")


def test_the_switch_works_with_the_keyboard(page, site):
    bodies = record_webhook_bodies(page)
    chat = ChatWidget(page, site.url).visit()
    chat.launcher.focus()
    page.keyboard.press("Enter")
    chat.wait_for_reply(0)
    expect(chat.input).to_be_focused()
    spanish_button = page.locator('.cw-language[data-language="es"]')
    tab_to(page, spanish_button, "Shift+Tab")  # back from the input, through the topic buttons and the transcript
    before = chat.bot_count()
    page.keyboard.press("Enter")
    chat.wait_for_reply(before)
    expect(spanish_button).to_be_focused()  # the focus stays where the patient is
    expect(spanish_button).to_have_attribute("aria-pressed", "true")
    assert shown(page) == own_texts("es", "es")
    assert bodies[-1]["language"] == "es"

    page.keyboard.press("Shift+Tab")
    english_button = page.locator('.cw-language[data-language="en"]')
    expect(english_button).to_be_focused()
    before = chat.bot_count()
    page.keyboard.press("Space")
    chat.wait_for_reply(before)
    assert shown(page) == own_texts("en", "en")
    assert bodies[-1]["language"] == "en"


# --- strings that cannot be loaded ---

def broken_strings(page, language: str, how: str) -> None:
    """Every request for strings/<language>.json fails this way."""
    bodies = {"not-json": "<html>Not found</html>", "incomplete": json.dumps({"launcher": "Chat"}),
              "no-phone": json.dumps({**widget_strings(language), "call_clinic_at": "Please call {clinic}."})}

    def fail(route):
        if how == "network":
            route.abort("connectionrefused")
        elif how == "404":
            route.fulfill(status=404, body="Not found")
        else:
            route.fulfill(status=200, body=bodies[how], content_type="application/json")
    page.route(f"**/strings/{language}.json", fail)


@pytest.mark.parametrize("how", ["network", "404", "not-json", "incomplete", "no-phone"])
def test_when_the_spanish_strings_fail_the_widget_speaks_english_and_the_bot_is_asked_in_spanish(page, site, how):
    broken_strings(page, "es", how)
    bodies = record_webhook_bodies(page)
    chat = ChatWidget(page, site.url).visit(SPANISH_PAGE)
    assert shown(page) == own_texts("en", "es", "es")  # the patient's language stays Spanish
    chat.open()
    assert chat.answers()[-1] == "greet" and bodies[0]["language"] == "es"
    network_failure(page)
    chat.send("hola")
    phone = load_clinic_details().placeholders("es")["phone"]
    expect(chat.alert).to_contain_text(EN["error_unreachable"])
    expect(chat.alert.get_by_role("link", name=phone)).to_be_visible()


def test_when_no_strings_load_the_clinics_phone_is_shown(page, site):
    broken_strings(page, "es", "network")
    broken_strings(page, "en", "404")
    ChatWidget(page, site.url).visit(SPANISH_PAGE)
    details = load_clinic_details().placeholders("es")
    call = page.locator("[data-clinic-chat]").get_by_role("link")
    expect(call).to_have_text(re.compile(re.escape(details["clinic_name"]) + r".*" + re.escape(details["phone"])))
    expect(call).to_have_attribute("href", "tel:" + re.sub(r"[^\d+]", "", details["phone"]))
    expect(call).to_be_in_viewport()
    assert page.locator("[data-clinic-chat] button, [data-clinic-chat] .cw-panel").count() == 0
    box = call.bounding_box()
    assert box["width"] >= 24 and box["height"] >= 24
    colours = call.evaluate("n => [getComputedStyle(n).color, getComputedStyle(n).backgroundColor]")
    assert colours == ["rgb(255, 255, 255)", "rgb(11, 83, 148)"]  # the launcher's: 7.6:1


def test_a_switch_to_a_language_whose_strings_fail_keeps_the_texts_and_is_tried_again_later(page, site):
    bodies = record_webhook_bodies(page)
    chat = ChatWidget(page, site.url).visit()
    chat.open()
    page.route("**/strings/es.json", lambda route: route.abort("connectionrefused"))
    switch_to(chat, "Español")
    assert shown(page) == own_texts("en", "es")
    assert bodies[-1]["language"] == "es"
    page.unroute("**/strings/es.json")
    switch_to(chat, "English")
    switch_to(chat, "Español")
    assert shown(page) == own_texts("es", "es")


def test_a_hanging_strings_file_holds_neither_the_page_nor_the_chat_for_long(page, site):
    held = []
    page.route("**/strings/es.json", lambda route: held.append(route))  # never answered
    page.goto(f"{site.url}/{SPANISH_PAGE}")
    page.wait_for_function("performance.getEntriesByName('first-contentful-paint').length > 0")
    expect(page.get_by_role("heading", level=1)).to_be_visible()  # the page is drawn meanwhile
    assert held and page.locator("[data-clinic-chat]").count() == 0
    waited = page.evaluate("performance.now()")
    page.locator(".cw-launcher").wait_for(state="attached", timeout=(STRINGS_TIMEOUT_S + 5) * 1000)
    waited = (page.evaluate("performance.now()") - waited) / 1000
    assert waited <= STRINGS_TIMEOUT_S + 2
    assert shown(page) == own_texts("en", "es", "es")


def test_the_strings_load_with_the_page_from_the_scripts_server_only(context, site):
    page, requested = watched_page(context)
    chat = ChatWidget(page, site.url).visit(SPANISH_PAGE)
    timing = page.evaluate("""() => {
      const strings = performance.getEntriesByType('resource').find(e => e.name.endsWith('/strings/es.json'));
      const css = performance.getEntriesByType('resource').find(e => e.name.endsWith('/widget.css'));
      return {stringsStart: strings.startTime, stringsEnd: strings.responseEnd, cssStart: css.startTime,
              domReady: performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd};
    }""")
    assert abs(timing["stringsStart"] - timing["cssStart"]) < 50  # fetched together with the stylesheet
    FIGURES["widget: Spanish strings loaded (from navigation start)"] = (
        f"{timing['stringsEnd']:.0f} ms (page ready at {timing['domReady']:.0f} ms)")
    strings = [url for url in requested if "/strings/" in url]
    assert strings == [f"{site.url}/strings/es.json"]  # only the language shown, once
    chat.open()
    switch_to(chat, "English")
    assert [url for url in requested if "/strings/" in url] == [f"{site.url}/strings/{lang}.json" for lang in "es en"
                                                                 .split()]
    assert {urlparse(url).hostname for url in requested if not url.startswith("data:")} == {"127.0.0.1"}
    assert csp_blocked(page) == []  # the page's CSP blocked nothing


def test_the_chosen_language_is_stored_with_each_message_and_nothing_else_of_the_body(spanish, site):
    spanish.open()
    spanish.send("¿Es seguro?")
    sender = spanish.sender_id()
    events = conversation_events(site.servers.tracker_db, sender)
    user = [e for e in events if e["event"] == "user"]
    # The widget's greeting carries the chosen language as its entity (clinic_bot/server/slash_payloads.py).
    assert [e["text"] for e in user] == ['/greet{"language": "es"}', "¿Es seguro?"]
    assert [e["value"] for e in user[0]["parse_data"]["entities"]] == ["es"]
    assert [e["metadata"]["language"] for e in user] == ["es", "es"]


# --- accessibility in Spanish ---

def test_spanish_aria_roles_and_labels(spanish, page):
    spanish.open()
    root = page.locator("[data-clinic-chat]")
    expect(root).to_have_attribute("lang", "es")
    languages = expect_labelled(page, spanish, ES, clinic_name("es"))
    expect(languages.get_by_role("button", name="English")).to_have_attribute("lang", "en")
    expect(languages.get_by_role("button", name="Español")).to_have_attribute("lang", "es")
    expect(languages.get_by_role("button", name="Español")).to_have_attribute("aria-pressed", "true")
    network_failure(page)
    spanish.send("hola")
    expect(page.locator(".cw-msg--user").last).to_have_attribute("lang", "es")
    details = load_clinic_details().placeholders("es")
    call = filled(ES["call_clinic_at"], clinic=details["clinic_name"], phone=details["phone"])
    expect(page.get_by_role("alert")).to_have_text(f"{ES['error_unreachable']} {call} {ES['emergency']}")
    fake_bot_reply(page, {"error": "too many"}, status=429)
    spanish.send("hola")
    expect(page.get_by_role("alert")).to_contain_text(ES["error_too_many"])


def test_spanish_text_contrast_is_at_least_4_5_to_1(spanish, page):
    spanish.open()
    spanish.choose(ES["topics"]["appointment"])
    fake_bot_reply(page, [bot_message("Llame al 911 ahora. https://clinic.example/urgent", "emergency")])
    spanish.send("urgente")
    network_failure(page)
    spanish.send("hola")
    page.evaluate("typing => { document.querySelector('.cw-typing').textContent = typing; }", ES["typing"])
    results = page.locator("[data-clinic-chat]").evaluate(CONTRASTS)
    texts = {r["text"] for r in results}
    assert {ES["start_over"][:40], ES["send"], ES["topics"]["appointment"], ES["typing"], "English",
            "Español", ES["error_unreachable"][:40]} <= texts
    low = [r for r in results if r["ratio"] < 4.5]
    assert low == [], low


@pytest.mark.parametrize("width, height", [(1000, 760), (320, 568)], ids=["desktop", "phone-320px"])
def test_spanish_tap_targets_and_no_horizontal_scroll(browser, site, width, height):
    context = browser.new_context(viewport={"width": width, "height": height}, is_mobile=width < 500,
                                  has_touch=width < 500)
    try:
        page = context.new_page()
        chat = ChatWidget(page, site.url).visit(SPANISH_PAGE)
        chat.open()
        sizes = control_sizes(page)
        assert len(sizes) >= 15  # two languages, start over, close, nine topics, the input, send
        small = [s for s in sizes if s["w"] < 24 or s["h"] < 24]
        assert small == [], small
        panel = chat.panel.bounding_box()
        assert panel["x"] >= 0 and panel["x"] + panel["width"] <= width
        overflow = page.evaluate("""() => [...document.querySelectorAll('[data-clinic-chat] *')]
            .filter(n => n.getClientRects().length && !n.closest('.cw-visually-hidden')
                         && n.scrollWidth > n.clientWidth + 1
                         && getComputedStyle(n).overflowX !== 'visible').map(n => n.className)""")
        assert overflow == []
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        for button in page.locator(".cw-header button").all():  # nothing of the header is cut off or outside it
            box, header = button.bounding_box(), page.locator(".cw-header").bounding_box()
            assert header["x"] <= box["x"] and box["x"] + box["width"] <= header["x"] + header["width"]
    finally:
        context.close()


# --- the demo site ---

def test_the_demo_site_serves_the_spanish_pages_and_the_strings(site):
    with urllib.request.urlopen(f"{site.url}/{SPANISH_PAGE}") as reply:
        page = reply.read().decode()
        assert reply.headers["Content-Security-Policy"] == content_security_policy(site.servers.rasa_url)
    details = load_clinic_details().placeholders("es")
    assert '<html lang="es">' in page and not re.search(r"\{\{\w+\}\}", page)
    assert f'data-phone="{html.escape(details["phone"])}"' in page and html.escape(details["hours"]) in page
    with urllib.request.urlopen(f"{site.url}/es") as reply:  # redirected to es/, so its links resolve
        assert reply.url == f"{site.url}/es/"
    for path in sorted(STRINGS_DIR.glob("*.json")):
        with urllib.request.urlopen(f"{site.url}/strings/{path.name}") as reply:
            assert reply.headers["Content-Type"].startswith("application/json")
            assert json.loads(reply.read()) == json.loads(path.read_text(encoding="utf-8"))
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(f"{site.url}/strings/fr.json")
