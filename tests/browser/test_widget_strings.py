"""The widget's strings files (widget/strings/<language>.json) against each other and against widget.js: every
language gives every text, with the same placeholders, and widget.js holds none of them. No browser needed."""
import json
import re

import pytest

from clinic_bot.languages import LANGUAGES
from tests.browser.chat import STRINGS_DIR, WIDGET_DIR, topic_payloads, widget_strings

WIDGET_JS = (WIDGET_DIR / "widget.js").read_text(encoding="utf-8")
PLACEHOLDER = re.compile(r"\{(\w+)\}")
# What each template may hold: the clinic's name, and in the call line its phone (a link the widget makes); in the
# line under an answer the articles' titles (links where the clinic has them), then that part and the review month.
ALLOWED_PLACEHOLDERS = {"title": {"clinic"}, "call_clinic": {"clinic"}, "call_clinic_at": {"clinic", "phone"},
                        "source_from": {"titles"}, "source_from_several": {"titles"},
                        "source_reviewed": {"source", "date"}, "source_english_reviewed": {"source", "date"}}


def flat(strings):
    """key -> text, the topics' titles as topics.<key>."""
    out = {key: value for key, value in strings.items() if key != "topics"}
    out.update({f"topics.{key}": value for key, value in strings["topics"].items()})
    return out


def test_there_is_one_strings_file_per_language_the_webhook_accepts():
    assert sorted(path.stem for path in STRINGS_DIR.glob("*.json")) == sorted(LANGUAGES)
    assert sorted(re.findall(r"\b(\w\w): \"[^\"]+\"", re.search(r"var LANGUAGES = \{[^}]*\}", WIDGET_JS).group(0))) \
        == sorted(LANGUAGES)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_text_is_given_as_plain_text(language):
    path = STRINGS_DIR / f"{language}.json"
    strings = json.loads(path.read_text(encoding="utf-8"))  # valid JSON, UTF-8
    required = re.search(r"var STRING_KEYS = \[([^\]]*)\]", WIDGET_JS).group(1)
    assert set(strings) == set(re.findall(r'"(\w+)"', required)) | {"topics"}, "the keys widget.js reads"
    assert set(strings["topics"]) == set(topic_payloads()), "widget.js's TOPICS"
    for key, text in flat(strings).items():
        assert isinstance(text, str) and text.strip() == text and text, key
        assert "<" not in text and "&" not in text.replace("& ", ""), f"{key}: the widget shows it as text, not HTML"
        assert set(PLACEHOLDER.findall(text)) <= ALLOWED_PLACEHOLDERS.get(key, set()), key
    assert "{phone}" in strings["call_clinic_at"]  # the widget refuses a file that would lose the phone number


@pytest.mark.parametrize("language", [lang for lang in LANGUAGES if lang != "en"])
def test_every_language_translates_every_text_with_the_same_placeholders(language):
    english, other = flat(widget_strings("en")), flat(widget_strings(language))
    assert set(other) == set(english)
    for key, text in english.items():
        assert set(PLACEHOLDER.findall(other[key])) == set(PLACEHOLDER.findall(text)), key
        assert other[key] != text, f"{key} is not translated"


def test_widget_js_shows_no_text_of_its_own():
    code = re.sub(r"(?<![:\\])//[^\n]*", "", re.sub(r"/\*.*?\*/", "", WIDGET_JS, flags=re.DOTALL))  # no comments
    for language in LANGUAGES:
        for key, text in flat(widget_strings(language)).items():
            assert json.dumps(text) not in code and json.dumps(text, ensure_ascii=False) not in code, \
                f"{key} ({language}) is written in widget.js"
