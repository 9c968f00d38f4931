"""The related-topic button in the chat widget, in Chromium against the real servers: after an answer whose runner-up
topic came close, one button in the entry of the related-topic message, between the answer and "Was this helpful?",
titled as the knowledge words it and carrying the other topic about the same procedure; reached with the keyboard with
a visible focus; pressed (by mouse or keyboard), it sends its payload, is disabled and shown pressed, and the other
answer comes. Judged by the markers and the DOM, never the prose. Screenshot: reports/widget-related.png."""
import json
import re
from typing import Any, Dict, List, Tuple

import pytest
from playwright.sync_api import Locator, expect

from clinic_bot.content.choices import RELATED_MARKER
from clinic_bot.content.feedback import HELPFUL_QUESTION
from clinic_bot.content.knowledge import default_knowledge
from clinic_bot.paths import REPO_ROOT
from tests.browser.chat import ChatWidget, record_webhook_bodies, tab_to, widget_strings
from tests.e2e.test_related_topics import CLOSE_PAIRS, RFA

pytestmark = [pytest.mark.servers, pytest.mark.browser]

SCREENSHOT = REPO_ROOT / "reports" / "widget-related.png"
EN = widget_strings("en")
PAYLOAD = re.compile(r"/(\w+)(\{.*\})?")  # a button's payload: /intent, then its entities as JSON


@pytest.fixture
def chat(page, site) -> ChatWidget:
    widget = ChatWidget(page, site.url).visit()
    widget.open()
    return widget


def start_over(chat: ChatWidget) -> None:
    """A new conversation in the same page, as the patient gets it with "Start over"."""
    chat.page.get_by_role("button", name=EN["start_over"]).click()
    chat.page.wait_for_function("() => [...document.querySelectorAll('.cw-msg--bot')].map(n => n.dataset.answer)"
                                ".join() === 'disclaimer,greet' && document.querySelector('.cw-typing').textContent"
                                " === ''")


def offered(chat: ChatWidget) -> Tuple[str, List[str]]:
    """Types the close pairs in turn, each in a new conversation, until one gets the related-topic button; returns
    the question and the reply's answer markers."""
    for i, text in enumerate(CLOSE_PAIRS):
        if i:
            start_over(chat)
        reply = chat.send(text)
        if RELATED_MARKER in reply:
            return text, reply
    pytest.fail(f"the widget showed no related-topic button after any of the close pairs: {CLOSE_PAIRS}")


def related_button(chat: ChatWidget) -> Locator:
    return chat.bot(RELATED_MARKER).locator("button.cw-choice")


def payload_of(button: Locator) -> Tuple[str, Dict[str, Any]]:
    """The intent and entities the button's payload carries."""
    payload = button.get_attribute("data-payload") or ""
    match = PAYLOAD.fullmatch(payload)
    assert match, f"not a payload: {payload!r}"
    return match.group(1), json.loads(match.group(2) or "{}")


def expected_button(intent: str, entities: Dict[str, Any]) -> Dict[str, str]:
    return default_knowledge().related_button(intent, entities)


def pressed(chat: ChatWidget, button: Locator) -> None:
    """The related button after it was pressed: disabled, shown pressed, and the patient's choice shown as theirs."""
    expect(button).to_be_disabled()
    expect(button).to_have_attribute("aria-pressed", "true")
    assert chat.last_user_text() == button.inner_text()


def test_a_close_pair_shows_one_related_button_between_the_answer_and_the_helpful_question(chat, page):
    _, reply = offered(chat)
    first = reply[0]
    assert first.startswith("ask_") and reply.count(RELATED_MARKER) == 1
    assert reply.index(RELATED_MARKER) > 0 and reply[reply.index(RELATED_MARKER) + 1:] == [HELPFUL_QUESTION]
    expect(chat.bot(first)).to_have_attribute("data-about", RFA)

    entry = chat.bot(RELATED_MARKER)
    buttons = entry.locator("button.cw-choice")
    expect(buttons).to_have_count(1)  # one button, in the related message's own entry
    button = related_button(chat)
    expect(button).to_be_visible()
    expect(entry.get_by_role("group", name=EN["reply_options_label"])).to_have_count(1)
    intent, entities = payload_of(button)
    assert intent.startswith("ask_") and intent != first
    assert entities == {"procedure": RFA.split(":", 1)[1]}  # the same procedure as the answer
    wanted = expected_button(intent, entities)
    assert button.get_attribute("data-payload") == wanted["payload"]
    expect(button).to_have_text(wanted["title"])
    expect(button).to_be_enabled()
    expect(button).not_to_have_attribute("aria-pressed", "true")
    entry.scroll_into_view_if_needed()
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT))  # for a person to look at


def test_clicking_the_related_button_brings_the_other_answer(chat, page):
    offered(chat)
    button = related_button(chat)
    intent, _ = payload_of(button)
    sent = record_webhook_bodies(page)
    reply = chat.choose(button.inner_text())
    assert [body["message"] for body in sent] == [button.get_attribute("data-payload")]
    pressed(chat, button)
    assert reply[0] == intent  # the other answer, first
    expect(chat.bot(intent)).to_have_attribute("data-about", RFA)
    assert RELATED_MARKER not in reply  # the topic chosen: nothing more to offer
    expect(page.locator(f'.cw-msg--bot[data-answer="{RELATED_MARKER}"] button.cw-choice')).to_have_count(1)


def test_the_related_button_is_reached_and_pressed_with_the_keyboard(chat, page):
    offered(chat)
    button = related_button(chat)
    intent, _ = payload_of(button)
    chat.input.focus()
    tab_to(page, button, key="Shift+Tab")  # back from the input, past "Was this helpful?", to the offer
    before = chat.bot_count()
    page.keyboard.press("Enter")
    chat.wait_for_reply(before)
    pressed(chat, button)
    expect(chat.input).to_be_focused()  # the keyboard stays in the chat
    assert chat.answers()[before] == intent
