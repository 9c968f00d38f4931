"""Text on one line (clinic_bot/content/text.py), as answers, clinic details and examples are stored and shown."""
import pytest

from clinic_bot.content.text import one_line


@pytest.mark.parametrize("text,expected", [
    ("", ""),
    ("   ", ""),
    ("one", "one"),
    ("  two   words ", "two words"),
    ("a folded\nYAML block\r\nwith\ttabs", "a folded YAML block with tabs"),
    ("no\u00a0break\u2003spaces\u2028either", "no break spaces either"),
    ("keeps punctuation, Case and {placeholders}", "keeps punctuation, Case and {placeholders}"),
])
def test_every_run_of_whitespace_becomes_one_space(text, expected):
    assert one_line(text) == expected


def test_it_is_what_split_and_join_give():
    text = " Call us\n at {phone}  (Mon\u2013Fri).\t"
    assert one_line(text) == " ".join(text.split()) == one_line(one_line(text))
