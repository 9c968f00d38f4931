"""The practical answers (knowledge/practical_answers.yml), filled from the clinic's details (clinic.yml).

That file is the one list of the practical intents (``practical_intents``): the triage reads it at training
(clinic_bot/nlu/triage/component.py), and `make validate` checks domain.yml and data/rules/practical.yml against
it, so adding a practical topic never means copying the list by hand.

An answer never shows an empty detail and never guesses one: a sentence of `more` whose detail is empty is left
out, and when the main text needs an empty detail the patient gets `if_unset` ("please call us at {phone}").
With several locations, an answer marked `per_location` needs to know which one: ``PracticalAnswers.reply`` then
returns None and the action asks.

A Spanish answer (``es:``: clinic_bot/content/translations.py) is filled the same way, with the same placeholders,
from the Spanish values of clinic.yml's details where it has them (clinic_config.py); which language a patient is
shown is decided by knowledge.py, not here.

Texts are filled by clinic_bot/content/placeholders.py, never by str.format: a name the answer may not use counts
as a detail that is empty (the patient gets if_unset, or the sentence is left out), and any other curly bracket
is shown as written, so that a text `make validate` would refuse never makes the reply fail.
"""
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from clinic_bot import paths
from clinic_bot.content.articles import SOURCE_LINE, source_line
from clinic_bot.content.clinic_config import ClinicDetails, Location
from clinic_bot.content.placeholders import (
    IF_UNSET_PLACEHOLDERS,
    fill,
    only,
    placeholders_in,
    practical_placeholders,
)
from clinic_bot.content.text import one_line
from clinic_bot.content.translations import Translation, fingerprint, parse_translation
from clinic_bot.content.yaml_lines import load_yaml
from clinic_bot.languages import SPANISH

UNSET_MESSAGE = "detail_unset"  # messages.yml: the default when a detail the answer needs is empty
WHICH_LOCATION_MESSAGE = "which_location"  # messages.yml: "which of our locations do you mean?"


@dataclass(frozen=True)
class PracticalAnswer:
    intent: str
    title: str
    text: str
    more: Tuple[str, ...] = ()
    if_unset: str = ""
    per_location: bool = False
    es: Optional[Translation] = None  # the Spanish: title, text, more, if_unset, ask
    ask: str = ""  # the related-topic button that offers this answer, as a patient would ask it

    def fingerprint(self) -> str:
        """The fingerprint of the English a translation renders (translations.fingerprint)."""
        return fingerprint(self.title, self.text, list(self.more), self.if_unset, *((self.ask,) if self.ask else ()))


def _flat(text: Any) -> str:
    return one_line(str(text or ""))


def parse_practical_answers(data: Any) -> Dict[str, PracticalAnswer]:
    """Builds answers from the parsed YAML, tolerating gaps (`make validate` reports them)."""
    answers: Dict[str, PracticalAnswer] = {}
    for intent, raw in ((data or {}).get("answers") or {}).items():
        raw = raw if isinstance(raw, dict) else {}
        answers[intent] = PracticalAnswer(
            intent=intent,
            title=_flat(raw.get("title")) or intent.replace("ask_", "").replace("_", " "),
            text=_flat(raw.get("text")),
            more=tuple(_flat(m) for m in raw.get("more") or [] if _flat(m)),
            if_unset=_flat(raw.get("if_unset")),
            per_location=bool(raw.get("per_location", False)),
            es=parse_translation(raw),
            ask=_flat(raw.get("ask")),
        )
    return answers


def practical_intents(file: Path = paths.PRACTICAL_ANSWERS_FILE) -> List[str]:
    """The practical intents: the keys of the practical answers file, in its order."""
    return [str(intent) for intent in parse_practical_answers(load_yaml(file))]


@dataclass(frozen=True)
class FilledAnswer:
    text: str
    marker: Dict[str, Any]
    default_unset: bool = False  # the patient got the default text for a missing detail (messages.yml's)


def filled_values(clinic: ClinicDetails, place: Optional[Location], language: str = "en") -> Dict[str, str]:
    """What the placeholders of an answer are filled with: the clinic's details, and the location's when given (their
    Spanish values where they have one, for a Spanish text)."""
    return {**clinic.placeholders(language), **(place.placeholders(language) if place else {})}


class PracticalAnswers:
    def __init__(self, answers: Dict[str, PracticalAnswer], clinic: ClinicDetails, unset_text: str,
                 unset_text_es: str = "") -> None:
        self.answers = answers
        self.clinic = clinic
        self.unset_text = unset_text
        self.unset_text_es = unset_text_es  # the Spanish of the default, for a Spanish answer

    def needs_location(self, intent: str, location: Optional[Location]) -> bool:
        """True when the answer depends on which location and the patient has not said (several locations)."""
        return self.answers[intent].per_location and location is None and len(self.clinic.locations) > 1

    def reply(self, intent: str, location: Optional[Location], language: str = "en") -> FilledAnswer:
        """The answer for ``intent`` at ``location`` (the only location when there is one); with ``language`` "es"
        its Spanish (the caller checked it has one), filled with the details' Spanish values."""
        answer = self.answers[intent]
        spanish = answer.es if language == SPANISH and answer.es is not None else None
        place = location or (self.clinic.locations[0] if answer.per_location and self.clinic.locations else None)
        values = only(filled_values(self.clinic, place, SPANISH if spanish else "en"),
                      practical_placeholders(answer.per_location))
        main, more, if_unset = (spanish.text, spanish.more, spanish.if_unset) if spanish else (
            answer.text, answer.more, answer.if_unset)
        default = self.unset_text_es if spanish else self.unset_text
        unset = sorted(name for name in placeholders_in(main) if not values.get(name))
        if unset:
            text = fill(if_unset or default, only(values, IF_UNSET_PLACEHOLDERS))
            added: List[str] = []
        else:
            added = [fill(sentence, values) for sentence in more
                     if all(values.get(name) for name in placeholders_in(sentence))]
            text = " ".join([fill(main, values), *added])
        # No article: the widget's line under it says it comes from the clinic's own details.
        marker: Dict[str, Any] = {"answer": intent, "kind": "practical", "sources": [],
                                  SOURCE_LINE: source_line(clinic_details=True)}
        if answer.per_location and place is not None:
            marker["location"] = place.key
        if unset:
            marker["unset"] = unset  # the details clinic.yml is missing for this answer
        return FilledAnswer(one_line(text), marker, default_unset=bool(unset) and not if_unset)
