"""The chat widget as a patient uses it, for the browser tests: open it, ask, read what the bot said."""
import json
import re
from functools import lru_cache
from typing import Any, Dict, List, Tuple

from playwright.sync_api import BrowserContext, Locator, Page, Request, Route, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from clinic_bot.paths import REPO_ROOT

WIDGET_DIR = REPO_ROOT / "widget"
STRINGS_DIR = WIDGET_DIR / "strings"
# widget.js's TOPICS: each topic button's key in the strings' "topics" and the payload it sends.
TOPIC_ENTRY = re.compile(r'\{ key: "(\w+)", payload: "(/\w+)" \}')

# True once the reply to the last message is complete: a new bot message or an error, and no typing.
# (The widget clears the error as soon as a message is sent, so an error seen here is this message's.)
REPLY_DONE = """botCount => document.querySelector('.cw-typing').textContent === ''
  && (document.querySelectorAll('.cw-msg--bot').length > botCount
      || document.querySelector('.cw-alert').textContent !== '')"""


class ChatWidget:
    def __init__(self, page: Page, site_url: str) -> None:
        self.page = page
        self.site_url = site_url
        self.launcher = page.locator(".cw-launcher")
        self.panel = page.get_by_role("dialog")
        self.log = page.get_by_role("log")
        self.status = page.get_by_role("status")
        self.alert = page.get_by_role("alert")
        self.input = page.locator(".cw-input")  # its label, in either language: test_aria_roles_and_labels

    def visit(self, path: str = "index.html") -> "ChatWidget":
        self.page.goto(f"{self.site_url}/{path}")
        self.launcher.wait_for(state="attached")
        return self

    def open(self) -> None:
        """Opens the panel and waits for the first reply (disclaimer and greeting) of a new conversation."""
        self.launcher.click()
        self.wait_for_reply(0)

    def send(self, text: str) -> List[str]:
        """Types a message, presses Enter, waits for the whole reply; returns the reply's answer markers."""
        before = self.bot_count()
        self.input.fill(text)
        self.input.press("Enter")
        self.wait_for_reply(before)
        return self.answers()[before:]

    def choose(self, title: str) -> List[str]:
        """Clicks the last offered button with this title; returns the reply's answer markers."""
        before = self.bot_count()
        self.log.get_by_role("button", name=title, exact=True).last.click()
        self.wait_for_reply(before)
        return self.answers()[before:]

    def wait_for_reply(self, bot_count: int) -> None:
        try:
            self.page.wait_for_function(REPLY_DONE, arg=bot_count)
        except PlaywrightTimeoutError:
            raise AssertionError(f"no reply: typing={self.status.text_content()!r} alert={self.alert.text_content()!r} "
                                 f"transcript={self.texts()!r}") from None

    def bot_count(self) -> int:
        return self.page.locator(".cw-msg--bot").count()

    def bot_messages(self) -> Locator:
        return self.page.locator(".cw-msg--bot")

    def answers(self) -> List[str]:
        """The answer markers of the bot messages shown, in order (the widget keeps them as data-answer)."""
        return self.bot_messages().evaluate_all("nodes => nodes.map(n => n.dataset.answer)")

    def last_bot(self) -> Locator:
        return self.bot_messages().last

    def bot(self, answer: str) -> Locator:
        """The latest bot message with this answer marker."""
        return self.page.locator(f'.cw-msg--bot[data-answer="{answer}"]').last

    def last_user_text(self) -> str:
        return self.page.locator(".cw-msg--user .cw-bubble").last.inner_text()

    def texts(self) -> List[str]:
        """Every message in the transcript, patient's and bot's, as the patient reads it."""
        return self.page.locator(".cw-msg .cw-bubble").all_inner_texts()

    def sender_id(self) -> str:
        return self.page.evaluate("JSON.parse(sessionStorage.getItem('clinicChat.sender'))")


def fake_bot_reply(page: Page, messages: Any, status: int = 200, times: int = 1) -> None:
    """The next `times` webhook calls get this reply instead of the real bot's (for what the bot never says)."""
    def reply(route: Route) -> None:
        if route.request.method == "POST":
            route.fulfill(status=status, body=json.dumps(messages), content_type="application/json",
                          headers={"Access-Control-Allow-Origin": "*"})
        else:
            route.continue_()
    page.route("**/webhooks/rest/webhook", reply, times=times)


def network_failure(page: Page, times: int = 1) -> None:
    """The next `times` webhook calls fail as if the network or the server were gone."""
    page.route("**/webhooks/rest/webhook", lambda route: route.abort("connectionrefused"), times=times)


def bot_message(text: str, answer: str, **extra: Dict[str, Any]) -> Dict[str, Any]:
    return {"recipient_id": "x", "text": text, "custom": {"answer": answer}, **extra}


@lru_cache(maxsize=None)
def widget_strings(language: str) -> Dict[str, Any]:
    """The widget's own texts in ``language``: widget/strings/<language>.json."""
    return json.loads((STRINGS_DIR / f"{language}.json").read_text(encoding="utf-8"))


def filled(template: str, **values: str) -> str:
    """A strings template with its {name}s put in, as the widget fills them."""
    for name, value in values.items():
        template = template.replace("{" + name + "}", value)
    return template


def topic_payloads() -> Dict[str, str]:
    """widget.js's topic buttons, in order: the key of each one's title -> the payload it sends."""
    return dict(TOPIC_ENTRY.findall((WIDGET_DIR / "widget.js").read_text(encoding="utf-8")))


def topic_titles(language: str) -> Dict[str, str]:
    """The topic buttons in order, as the widget shows them in ``language``: title -> payload."""
    titles = widget_strings(language)["topics"]
    return {titles[key]: payload for key, payload in topic_payloads().items()}


def record_webhook_bodies(page: Page) -> List[Dict[str, Any]]:
    """The JSON bodies the page posts to the webhook from now on, in order (the list fills as they are sent)."""
    bodies: List[Dict[str, Any]] = []

    def seen(request: Request) -> None:
        if request.method == "POST" and request.url.endswith("/webhooks/rest/webhook"):
            bodies.append(request.post_data_json)
    page.on("request", seen)
    return bodies


def watched_page(context: BrowserContext) -> Tuple[Page, List[str]]:
    """A new page of ``context``, with the URL of every request the context makes from now on (the list fills as
    they are made) and what the page's content security policy blocks kept for ``csp_blocked``."""
    requested: List[str] = []
    context.on("request", lambda request: requested.append(request.url))
    page = context.new_page()
    page.add_init_script("window.blocked = []; document.addEventListener('securitypolicyviolation',"
                         " e => window.blocked.push(e.blockedURI));")
    return page, requested


def csp_blocked(page: Page) -> List[str]:
    """What the page's content security policy blocked so far (a page from ``watched_page``)."""
    return list(page.evaluate("window.blocked"))


def expect_labelled(page: Page, chat: ChatWidget, strings: Dict[str, Any], clinic: str) -> Locator:
    """The widget's accessible names in the language of ``strings`` (a strings file): the dialog, the conversation,
    close, the input and its placeholder, the reply options; returns the group of the language buttons."""
    expect(page.get_by_role("dialog", name=filled(strings["title"], clinic=clinic), exact=True)).to_be_visible()
    expect(chat.log).to_have_attribute("aria-label", strings["conversation_label"])
    expect(page.get_by_role("button", name=strings["close_label"])).to_be_visible()
    expect(page.get_by_role("textbox", name=strings["input_label"])).to_have_attribute(
        "placeholder", strings["input_placeholder"])
    expect(page.get_by_role("group", name=strings["reply_options_label"])).to_have_count(1)
    return page.get_by_role("group", name=strings["language_label"])


def control_sizes(page: Page) -> List[Dict[str, Any]]:
    """Name, width and height of every visible button and input of the widget (tap targets)."""
    return list(page.locator("[data-clinic-chat] button:visible, [data-clinic-chat] input:visible").evaluate_all(
        "nodes => nodes.map(n => ({name: n.textContent || n.id, w: n.getBoundingClientRect().width,"
        " h: n.getBoundingClientRect().height}))"))


def tab_to(page: Page, target: Locator, key: str = "Tab", presses: int = 30) -> None:
    """Presses ``key`` (Tab, or Shift+Tab to go back) until ``target`` has the focus, as a keyboard user would
    reach it, then checks it has it and that the focus can be seen (the widget's 3 px outline)."""
    for _ in range(presses):
        page.keyboard.press(key)
        if target.evaluate("node => node === document.activeElement"):
            break
    expect(target).to_be_focused()
    outline = target.evaluate("n => getComputedStyle(n).outlineStyle + ' ' + getComputedStyle(n).outlineWidth")
    assert outline == "solid 3px"  # the focus can be seen
