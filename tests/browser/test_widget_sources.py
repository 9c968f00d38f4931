"""The line under an answer that says where it comes from, in Chromium against the real servers: the articles' titles
(read from knowledge/articles.yml, never copied here) and the month the answer was reviewed, in English and in
Spanish; the clinic's details under a practical answer; no line under any other message; a title that is a link
only when clinic.yml gives the article's address (servers reading such a clinic.yml through CLINIC_CONFIG), reached
with the keyboard; the line kept across a reload; and markers the widget must not trust. Screenshots:
reports/widget-sources.png (English), reports/widget-sources-es.png (Spanish)."""
from typing import Any, Dict, Iterator, List

import pytest
import yaml
from playwright.sync_api import Locator, Page, expect

from clinic_bot import paths
from clinic_bot.content.knowledge import default_knowledge
from clinic_bot.launcher.demo_site import serving_site
from clinic_bot.launcher.servers import running_servers
from clinic_bot.server.rate_limit import NO_RATE_LIMITS
from tests.browser.chat import ChatWidget, fake_bot_reply, filled, tab_to, widget_strings
from tests.browser.conftest import Site
from tests.browser.test_widget import CONTRASTS
from tests.e2e.conftest import free_port

pytestmark = [pytest.mark.servers, pytest.mark.browser]

EN, ES = widget_strings("en"), widget_strings("es")
STRINGS = {"en": EN, "es": ES}
SPANISH_PAGE = "es/index.html"
SCREENSHOTS = {"en": paths.REPO_ROOT / "reports" / "widget-sources.png",
               "es": paths.REPO_ROOT / "reports" / "widget-sources-es.png"}
ARTICLES = yaml.safe_load(paths.ARTICLES_FILE.read_text(encoding="utf-8"))["articles"]
TITLE_SEPARATOR = "; "  # widget.js's, between the titles of several articles
XSS = "<img src=x onerror=alert(1)>"
LINK = "https://clinic.example/articles/insurance"  # the address the linked clinic gives ask_insurance's article


def article_title(file: str, language: str) -> str:
    return ARTICLES[file]["es"]["title"] if language == "es" else ARTICLES[file]["title"]


def cited_files(intent: str) -> List[str]:
    return list(dict.fromkeys(source.file for source in default_knowledge().answers[intent].sources))


def month(page: Page, iso: str, language: str) -> str:
    """The month of ``iso`` as this browser writes it in ``language``."""
    return page.evaluate("([iso, lang]) => new Intl.DateTimeFormat(lang, {month: 'long', year: 'numeric', "
                         "timeZone: 'UTC'}).format(new Date(iso + 'T00:00:00Z'))", [iso, language])


def expected_line(page: Page, intent: str, language: str) -> str:
    """The line under ``intent``'s answer in ``language``, from the files: the titles of the articles it cites, the
    strings' templates, and the date of the text shown (its Spanish's when reviewed, else its English's, said so)."""
    answer = default_knowledge().answers[intent]
    strings = STRINGS[language]
    titles = [article_title(file, language) for file in cited_files(intent)]
    source = filled(strings["source_from_several" if len(titles) > 1 else "source_from"],
                    titles=TITLE_SEPARATOR.join(titles))
    translated = answer.es.reviewed if language == "es" and answer.es else ""
    template = "source_reviewed" if language == "en" or translated else "source_english_reviewed"
    return filled(strings[template], source=source, date=month(page, translated or answer.reviewed, language))


def source_line(message: Locator) -> Locator:
    return message.locator(".cw-source")


def expect_below_the_text(message: Locator) -> None:
    """One line, a paragraph right after the message's text, inside the message's entry."""
    line = source_line(message)
    expect(line).to_have_count(1)
    assert line.evaluate("n => [n.tagName, n.parentElement.classList.contains('cw-msg'),"
                         " n.previousElementSibling.classList.contains('cw-bubble')]") == ["P", True, True]


def lines_by_answer(chat: ChatWidget) -> Dict[str, int]:
    """answer marker -> how many lines its messages have."""
    counts = chat.bot_messages().evaluate_all(
        "nodes => nodes.map(n => [n.dataset.answer, n.querySelectorAll('.cw-source').length])")
    found: Dict[str, int] = {}
    for answer, count in counts:
        found[answer] = found.get(answer, 0) + count
    return found


def low_contrasts(page: Page) -> List[Dict[str, Any]]:
    return [r for r in page.locator("[data-clinic-chat]").evaluate(CONTRASTS) if r["ratio"] < 4.5]


def screenshot(page: Page, language: str) -> None:
    SCREENSHOTS[language].parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS[language]))  # for a person to look at


@pytest.fixture
def chat(page, site) -> ChatWidget:
    widget = ChatWidget(page, site.url).visit()
    widget.open()
    return widget


@pytest.fixture
def spanish(page, site) -> ChatWidget:
    widget = ChatWidget(page, site.url).visit(SPANISH_PAGE)
    widget.open()
    return widget


# --- as the clinic's articles have no address on its website (the demo clinic.yml) ---

def test_an_english_answer_shows_its_article_and_review_month_as_text(chat, page):
    assert chat.choose(EN["topics"]["insurance"])[0] == "ask_insurance"
    answer = chat.bot("ask_insurance")
    expect_below_the_text(answer)
    expect(source_line(answer)).to_have_text(expected_line(page, "ask_insurance", "en"))
    assert article_title(cited_files("ask_insurance")[0], "en") in source_line(answer).inner_text()
    expect(source_line(answer).locator("a")).to_have_count(0)  # no link configured: nothing to click
    assert lines_by_answer(chat) == {"disclaimer": 0, "greet": 0, "ask_insurance": 1, "helpful_question": 0}
    expect(source_line(answer)).to_have_css("font-size", "13px")  # small, and readable:
    assert low_contrasts(page) == []
    screenshot(page, "en")


def test_several_articles_are_listed_once_each(chat, page):
    assert len(cited_files("ask_safety")) > 1
    assert chat.choose(EN["topics"]["safety"])[0] == "ask_safety"
    expect(source_line(chat.bot("ask_safety"))).to_have_text(expected_line(page, "ask_safety", "en"))


def test_a_spanish_answer_shows_the_spanish_line(spanish, page):
    assert spanish.choose(ES["topics"]["insurance"])[0] == "ask_insurance"
    answer = spanish.bot("ask_insurance")
    expect(answer).to_have_attribute("lang", "es")
    expect_below_the_text(answer)
    expect(source_line(answer)).to_have_text(expected_line(page, "ask_insurance", "es"))
    assert article_title(cited_files("ask_insurance")[0], "es") in source_line(answer).inner_text()
    expect(source_line(answer).locator("a")).to_have_count(0)
    assert low_contrasts(page) == []
    screenshot(page, "es")


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_practical_answer_shows_the_clinic_details_line(page, site, language):
    chat = ChatWidget(page, site.url).visit(SPANISH_PAGE if language == "es" else "index.html")
    chat.open()
    assert chat.choose(STRINGS[language]["topics"]["hours"])[0] == "ask_hours"
    answer = chat.bot("ask_hours")
    expect_below_the_text(answer)
    expect(source_line(answer)).to_have_text(STRINGS[language]["source_clinic_details"])
    assert lines_by_answer(chat)["helpful_question"] == 0


def test_the_line_is_kept_across_a_reload_and_another_page(chat, page):
    chat.choose(EN["topics"]["insurance"])
    shown = expected_line(page, "ask_insurance", "en")
    expect(source_line(chat.bot("ask_insurance"))).to_have_text(shown)
    page.reload()
    expect(chat.panel).to_be_visible()
    expect(source_line(chat.bot("ask_insurance"))).to_have_text(shown)
    page.get_by_role("link", name="Plan your visit").click()
    page.wait_for_url("**/visit.html")
    expect(source_line(chat.bot("ask_insurance"))).to_have_text(shown)
    expect_below_the_text(chat.bot("ask_insurance"))


def test_markers_the_widget_cannot_trust_show_no_more_than_they_can(chat, page):
    dialogs: List[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    several = {"articles": [{"title": "First article", "url": "javascript:alert(1)"},
                            {"title": XSS, "url": "https://clinic.example/second"},
                            {"title": "Third article", "url": "http://clinic.example/third"}],
               "reviewed": "2026-02-31", "reviewed_language": "en"}  # not a date: no month
    broken = ["not a line", {"articles": "x"}, {"articles": [{"title": 5}, None]}, {"clinic_details": "yes"}, None]
    messages = [{"recipient_id": "x", "text": "An answer.", "custom": {"answer": "ask_cost", "source_line": several}}]
    messages += [{"recipient_id": "x", "text": f"Message {i}.", "custom": {"answer": "fake", "source_line": line}}
                 for i, line in enumerate(broken)]
    messages.append({"recipient_id": "x", "text": "No marker."})
    fake_bot_reply(page, messages)
    chat.send("how much does it cost?")
    page.wait_for_timeout(300)  # the lines are drawn once the strings are in: none may come late
    expect(source_line(chat.bot("ask_cost"))).to_have_text(filled(
        EN["source_from_several"], titles=TITLE_SEPARATOR.join(["First article", XSS, "Third article"])))
    assert page.locator(".cw-source").count() == 1
    links = source_line(chat.bot("ask_cost")).locator("a")
    assert links.evaluate_all("nodes => nodes.map(n => [n.textContent, n.href])") == [
        [XSS, "https://clinic.example/second"]]  # only the https address is a link; the titles stay text
    assert page.locator("[data-clinic-chat] img").count() == 0 and dialogs == []
    page.reload()
    expect(chat.panel).to_be_visible()
    expect(page.locator(".cw-source")).to_have_count(1)


# --- as a clinic that gives an article's address (CLINIC_CONFIG, as a deployment sets it) ---

@pytest.fixture(scope="module")
def linked_site(model_path, tmp_path_factory) -> Iterator[Site]:
    """The demo site and the real servers reading a clinic.yml that gives ask_insurance's article an address."""
    tmp = tmp_path_factory.mktemp("linked-clinic")
    config = yaml.safe_load(paths.CLINIC_CONFIG_FILE.read_text(encoding="utf-8"))
    config["article_links"] = {**config.get("article_links", {}), cited_files("ask_insurance")[0]: LINK}
    clinic = tmp / "clinic.yml"
    clinic.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")
    web_port, rasa_port, action_port = free_port(), free_port(), free_port()
    origin = f"http://127.0.0.1:{web_port}"
    with pytest.MonkeyPatch.context() as env:
        env.setenv("CLINIC_CONFIG", str(clinic))  # server_env() passes it to both servers
        with serving_site(web_port, chat_server=f"http://127.0.0.1:{rasa_port}"), \
                running_servers(rasa_port, action_port, tracker_db=tmp / "conversations.db", model=model_path,
                                log_dir=tmp / "logs", cors=origin, channel_settings=NO_RATE_LIMITS) as servers:
            yield Site(origin, servers)


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_title_with_an_address_is_a_link_to_it(page, linked_site, language):
    chat = ChatWidget(page, linked_site.url).visit(SPANISH_PAGE if language == "es" else "index.html")
    chat.open()
    chat.choose(STRINGS[language]["topics"]["insurance"])
    line = source_line(chat.bot("ask_insurance"))
    expect(line).to_have_text(expected_line(page, "ask_insurance", language))  # the same words, one of them a link
    link = line.get_by_role("link", name=article_title(cited_files("ask_insurance")[0], language), exact=True)
    expect(link).to_have_attribute("href", LINK)
    expect(link).to_have_attribute("target", "_blank")
    expect(link).to_have_attribute("rel", "noopener noreferrer")
    assert line.locator("a").count() == 1
    assert low_contrasts(page) == []


def test_the_link_is_reached_with_the_keyboard(page, linked_site):
    chat = ChatWidget(page, linked_site.url).visit()
    chat.open()
    chat.choose(EN["topics"]["insurance"])
    link = source_line(chat.bot("ask_insurance")).get_by_role("link")
    expect(link).to_have_count(1)
    chat.log.focus()
    tab_to(page, link)  # forward from the transcript, through what it holds, to the line's link
