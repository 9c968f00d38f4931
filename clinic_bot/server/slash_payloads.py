"""Which messages may use Rasa's slash syntax ("/intent{...}"), which sets the intent and entities directly and so
skips the NLU and the triage.

Only the payloads of the assistant's own buttons:
- what the widget sends on its own: "/" and an intent that has an answer of its own, the greeting it opens
  with, booking or the handoff, with nothing after it (the conversation itself never offered these);
- exactly a payload the assistant offered in this conversation: "did you mean" and the related topic (which may
  carry the procedure or condition), the topic list and the handoff, the location buttons (they carry the
  location's key), the two answers to "Was this helpful?".
Any other message that starts with "/" is the patient's own text ("/my name is ...", "/greet{...} I want to ...",
"/restart"): the leading slashes are dropped and the rest goes through the NLU and the triage like any message.
Rasa's parser would otherwise act on it, or log a warning that quotes the whole message.
"""
import re
from typing import Any, Callable, Iterable, Optional, Set, Text

from rasa.shared.constants import INTENT_MESSAGE_PREFIX
from rasa.shared.core.events import BotUttered

from clinic_bot.intents import BUTTON_INTENTS, GREET_INTENT
from clinic_bot.languages import LANGUAGE_SLOT, LANGUAGES

_BARE_INTENT = re.compile(r"/([a-z_]+)")


def offered_payloads(events: Iterable[Any]) -> Set[Text]:
    """The slash payloads of every button the assistant sent in these events (a tracker's)."""
    offered: Set[Text] = set()
    for event in events:
        if isinstance(event, BotUttered):
            for button in event.data.get("buttons") or []:
                payload = str(button.get("payload") or "")
                if payload.startswith(INTENT_MESSAGE_PREFIX):
                    offered.add(payload)
    return offered


def is_topic_button(text: Text, has_topic: Callable[[str], bool]) -> bool:
    """"/ask_insurance": a topic the assistant answers (or the greeting, booking, the handoff), named with no
    entities and no text after it."""
    found = _BARE_INTENT.fullmatch(text)
    return found is not None and (found.group(1) in BUTTON_INTENTS or has_topic(found.group(1)))


def uses_slash_syntax(text: Text) -> bool:
    return text.strip().startswith(INTENT_MESSAGE_PREFIX)


def as_patient_text(text: Text) -> Text:
    """The message read as text: without the leading slashes Rasa would parse."""
    return text.strip().lstrip(INTENT_MESSAGE_PREFIX).strip()


def greeting_in(payload: Text, language: Optional[Text]) -> Text:
    """The widget's greeting ("/greet", which it sends on opening and when the patient switches its language) with
    the language the patient chose as the payload's entity, so that it sets the conversation's language (the slot
    `language`): Rasa reads a payload without running the language detector. Any other payload as it is: a topic
    button keeps the conversation's language, whatever the page's."""
    if language in LANGUAGES and payload == f"{INTENT_MESSAGE_PREFIX}{GREET_INTENT}":
        return f'{payload}{{"{LANGUAGE_SLOT}": "{language}"}}'
    return payload
