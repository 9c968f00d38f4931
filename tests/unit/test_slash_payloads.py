"""Which slash messages the webhook honours (clinic_bot/server/slash_payloads.py)."""
import pytest
from rasa.shared.core.events import BotUttered, UserUttered

from clinic_bot.server.slash_payloads import (
    as_patient_text,
    greeting_in,
    is_topic_button,
    offered_payloads,
    uses_slash_syntax,
)

TOPICS = {"ask_insurance", "ask_hours"}


def test_offered_payloads_are_the_slash_payloads_of_the_bots_buttons():
    events = [
        UserUttered("hi"),
        BotUttered("Which one?", {"buttons": [{"title": "North", "payload": '/ask_hours{"location": "north"}'}]}),
        BotUttered("Is this happening now?", {"buttons": [{"title": "No", "payload": "No"}]}),
        BotUttered("Plain text, no buttons"),
    ]
    assert offered_payloads(events) == {'/ask_hours{"location": "north"}'}


@pytest.mark.parametrize("text, honoured", [
    ("/ask_insurance", True),
    ("/ask_hours", True),
    ("/book_appointment", True),
    ("/human_handoff", True),
    ("/greet", True),  # the widget's opening message
    ("/goodbye", False),  # not a topic: only a button offered in the conversation may send it
    ("/ask_insurance please", False),
    ('/ask_insurance{"procedure": "x"}', False),
    ("/ask_insurance@0.9", False),
    ("ask_insurance", False),
])
def test_only_a_bare_topic_intent_is_a_widget_button(text, honoured):
    assert is_topic_button(text, TOPICS.__contains__) is honoured


@pytest.mark.parametrize("text, read_as", [
    ("/my name is Jane", "my name is Jane"),
    ("  //restart ", "restart"),
    ('/greet{"x": 1} I want to kill myself', 'greet{"x": 1} I want to kill myself'),
    ("/", ""),
])
def test_other_slash_text_is_read_without_its_slashes(text, read_as):
    assert uses_slash_syntax(text)
    assert as_patient_text(text) == read_as


def test_text_with_a_slash_inside_is_not_slash_syntax():
    assert not uses_slash_syntax("is it 1/2 price?")


@pytest.mark.parametrize("payload, language, sent", [
    ("/greet", "es", '/greet{"language": "es"}'),  # the widget's greeting carries the patient's choice
    ("/greet", "en", '/greet{"language": "en"}'),
    ("/greet", None, "/greet"),  # no choice: as sent
    ("/ask_cost", "es", "/ask_cost"),  # a topic button keeps the conversation's language
    ("/greet", "fr", "/greet"),  # the channel refuses other languages before this; never passed through
    ("hola", "es", "hola"),  # text: the language detector reads it
])
def test_only_the_widgets_greeting_carries_the_chosen_language(payload, language, sent):
    assert greeting_in(payload, language) == sent
