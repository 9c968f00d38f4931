"""The conversation as the triage's context: whether the message answers the assistant's own question.

The Rasa component receives the conversation so far (its ``process`` takes the ``tracker``: Rasa's recipe hands
an NLU component the tracker when its ``process`` names it), and the assistant's last message says what it
asked: its buttons, and the answer marker the actions put on it. A short reply to such a question ("no" after
"Was this helpful?", "downtown" after "Which location?") is that answer, not a new message to be alarmed by;
a reply to the check-in ("is this happening now?") is read as yes or no.
"""
from dataclasses import dataclass
from typing import Any, Dict, Iterable, Mapping, Optional

from clinic_bot.intents import CHECK_IN_NO, CHECK_IN_YES
from clinic_bot.nlu.triage.terms import TermSet
from clinic_bot.nlu.triage.text import SENTENCE_END, Tokens

YES, NO = CHECK_IN_YES, CHECK_IN_NO


def last_question(events: Iterable[Any]) -> Optional[Dict[str, Any]]:
    """The marker of the assistant's last turn when it asked the patient something (a message with buttons),
    else None. ``events`` run newest first; the search stops at the patient's previous message."""
    for event in events:
        name = getattr(event, "type_name", None)
        if name == "user":
            return None
        if name == "bot" and (getattr(event, "data", None) or {}).get("buttons"):
            custom = event.data.get("custom")
            return dict(custom) if isinstance(custom, dict) else {}
    return None


def word_count(tokens: Tokens) -> int:
    return sum(1 for word in tokens.words if word != SENTENCE_END)


@dataclass(frozen=True)
class CheckInAnswers:
    """The first words that say yes or no to the check-in (knowledge/triage/context.yml: check_in_answers)."""
    yes: TermSet
    no: TermSet

    @classmethod
    def from_config(cls, context: Mapping[str, Any]) -> "CheckInAnswers":
        answers = context.get("check_in_answers") or {}
        return cls(TermSet(answers.get(YES) or []), TermSet(answers.get(NO) or []))

    def read(self, tokens: Tokens, intent: Optional[str]) -> Optional[str]:
        """yes, no, or None when the reply is neither (a new message)."""
        if any(start == 0 for start, _ in self.no.find(tokens)) or intent == "deny":
            return NO
        if any(start == 0 for start, _ in self.yes.find(tokens)) or intent == "affirm":
            return YES
        return None
