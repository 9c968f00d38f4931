"""Loads the curated answers and the assistant's messages, and picks the reply for an intent.

One source of truth: every patient-facing text lives in ``knowledge/answers.yml`` (medical, sourced),
``knowledge/practical_answers.yml`` (practical: hours, address, refills, ..., filled from clinic.yml) or
``knowledge/messages.yml`` (conversational). Actions, staff tools and tests all read them here, with the titles of
the articles answers cite (``knowledge/articles.yml``, clinic_bot/content/articles.py).

``default_knowledge()`` is what the servers serve: read again when one of these files or the clinic config
change (at most one check a second), so an edited answer reaches patients without a restart; files that fail to
load keep the previous knowledge in service (and log an error once per change).

Every text is filled by clinic_bot/content/placeholders.py with the placeholders its kind may use (never by
str.format): a curly bracket `make validate` would refuse is shown as written, and never fails the reply.

Every text may have a Spanish text beside it (``es:``, clinic_bot/content/translations.py). Each reply method takes
the patient's language (``language``: "en" or "es"); translations.choose decides which text is shown, and a
Spanish-speaking patient shown the English gets the notice `translation_unavailable` (in Spanish) first. The reply's
marker says which language it is in ("language"), and why a patient who wanted Spanish got the English.

Every curated and practical answer's marker also has "source_line" (articles.source_line): what the widget shows
under it, the articles' titles in the reply's language and when the text shown was last reviewed.
"""
import json
import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Collection, Dict, List, Optional, Tuple, Union

from clinic_bot.content.articles import SOURCE_LINE, Article, cited_articles, load_articles, source_line
from clinic_bot.content.clinic_config import ClinicDetails, Location, load_clinic_details
from clinic_bot.content.entity_values import ENTITY_KINDS, PROCEDURE, name_message
from clinic_bot.content.placeholders import (
    ASK_ABOUT_PLACEHOLDERS,
    ASK_PLACEHOLDERS,
    CURATED_ANSWER_PLACEHOLDERS,
    IF_UNSET_PLACEHOLDERS,
    SUBJECT,
    fill,
    message_placeholders,
    only,
    practical_placeholders,
    problems,
)
from clinic_bot.content.practical_answers import (
    UNSET_MESSAGE,
    WHICH_LOCATION_MESSAGE,
    PracticalAnswer,
    PracticalAnswers,
    parse_practical_answers,
)
from clinic_bot.content.text import one_line
from clinic_bot.content.translations import (
    ALWAYS_IN_SPANISH,
    TRANSLATION_UNAVAILABLE,
    Choice,
    Translation,
    choose,
    fingerprint,
    parse_translation,
)
from clinic_bot.content.yaml_lines import load_yaml
from clinic_bot.files import FileStamp, file_stamp
from clinic_bot.languages import ENGLISH, SPANISH
from clinic_bot.paths import ANSWERS_FILE, ARTICLES_FILE, CLINIC_CONFIG_FILE, MESSAGES_FILE, PRACTICAL_ANSWERS_FILE

logger = logging.getLogger(__name__)
VARIANT_KINDS = ENTITY_KINDS  # an answer has variants for a named procedure or condition
UNAVAILABLE_MESSAGE = "unavailable"  # the apology's key in knowledge/messages.yml


@dataclass(frozen=True)
class Source:
    file: str
    section: str

    def as_dict(self) -> Dict[str, str]:
        return {"file": self.file, "section": self.section}


@dataclass(frozen=True)
class Variant:
    text: str
    sources: Tuple[Source, ...]
    es: Optional[Translation] = None  # the Spanish text (its sources are the variant's)

    def fingerprint(self) -> str:
        """The fingerprint of the English a translation renders (translations.fingerprint): the variant's text."""
        return fingerprint(self.text)


@dataclass(frozen=True)
class Answer:
    intent: str
    title: str
    text: str
    sources: Tuple[Source, ...]
    reviewed: str
    variants: Dict[str, Dict[str, Variant]] = field(default_factory=dict)  # kind -> value -> variant
    # False for general topics ("what is pain management") where a procedure named earlier in the
    # conversation is not what the patient is asking about now.
    follow_up: bool = True
    es: Optional[Translation] = None  # the Spanish title and text (its sources are the answer's)
    # The related-topic button that offers this answer (clinic_bot/content/choices.py), as a patient would ask it;
    # ``ask_about`` names the conversation's procedure ({subject}).
    ask: str = ""
    ask_about: str = ""

    def fingerprint(self) -> str:
        """The fingerprint of the English a translation renders (translations.fingerprint): title and text, and the
        button's questions when it has them."""
        return fingerprint(self.title, self.text, *((self.ask, self.ask_about) if self.ask or self.ask_about else ()))


@dataclass(frozen=True)
class Reply:
    """What the patient sees, plus the marker tests and tools use to check routing."""

    text: str
    marker: Dict[str, Any]


def _sources(raw: Any) -> Tuple[Source, ...]:
    return tuple(Source(str(s.get("file", "")), str(s.get("section", ""))) for s in raw or [] if isinstance(s, dict))


def _variant(raw: Any) -> Variant:
    raw = raw if isinstance(raw, dict) else {}
    return Variant(text=str(raw.get("text") or "").strip(), sources=_sources(raw.get("sources")),
                   es=parse_translation(raw))


def parse_answers(data: Any) -> Dict[str, Answer]:
    """Builds answers from the parsed YAML, tolerating gaps (the validator reports them)."""
    answers: Dict[str, Answer] = {}
    for intent, raw in ((data or {}).get("answers") or {}).items():
        raw = raw if isinstance(raw, dict) else {}
        answers[intent] = Answer(
            intent=intent,
            title=str(raw.get("title") or intent.replace("ask_", "").replace("_", " ")).strip(),
            text=str(raw.get("text") or "").strip(),
            sources=_sources(raw.get("sources")),
            reviewed=str(raw.get("reviewed") or ""),
            follow_up=bool(raw.get("follow_up", True)),
            variants={
                kind: {value: _variant(v) for value, v in (raw.get(f"by_{kind}") or {}).items()}
                for kind in VARIANT_KINDS
            },
            es=parse_translation(raw),
            ask=one_line(str(raw.get("ask") or "")),
            ask_about=one_line(str(raw.get("ask_about") or "")),
        )
    return answers


def parse_messages(data: Any) -> Tuple[Dict[str, str], Dict[str, Translation]]:
    """(key -> English text, key -> Spanish) from the parsed knowledge/messages.yml, where each message is a mapping
    ``{text: ..., es: {text, translates, reviewed}}``; a message written as a plain text is read as English only
    (`make validate` refuses it)."""
    english: Dict[str, str] = {}
    spanish: Dict[str, Translation] = {}
    for key, raw in ((data or {}).get("messages") or {}).items():
        if isinstance(raw, dict):
            english[str(key)] = str(raw.get("text") or "")
            translation = parse_translation(raw)
            if translation is not None:
                spanish[str(key)] = translation
        else:
            english[str(key)] = "" if raw is None else str(raw)
    return english, spanish


def humanise(value: str) -> str:
    """'radiofrequency_ablation' -> 'radiofrequency ablation'."""
    return value.replace("_", " ")


class Knowledge:
    def __init__(self, answers: Dict[str, Answer], messages: Dict[str, str], clinic: ClinicDetails,
                 practical_answers: Optional[Dict[str, PracticalAnswer]] = None,
                 message_translations: Optional[Dict[str, Translation]] = None,
                 articles: Optional[Dict[str, Article]] = None) -> None:
        self.answers = answers
        self.messages = messages  # key -> the English text
        self.clinic = clinic
        self.practical_answers = practical_answers or {}
        self.message_translations = message_translations or {}  # key -> the Spanish
        self.articles = articles or {}  # article file -> its titles (knowledge/articles.yml)

    def has_topic(self, intent: str) -> bool:
        """An intent with an answer of its own: a curated (medical) one or a practical one."""
        return intent in self.answers or intent in self.practical_answers

    # Which text: the one decision, translations.choose ---------------------------------------------------------

    def _choose(self, language: str, translation: Optional[Translation], english: str, always: bool = False) -> Choice:
        return choose(language, translation, english, self.clinic.show_unreviewed_translations, always)

    def _message_choice(self, key: str, language: str) -> Choice:
        return self._choose(language, self.message_translations.get(key), fingerprint(self.messages.get(key, "")),
                            always=key in ALWAYS_IN_SPANISH)

    def _reply(self, text: str, choice: Choice, allowed: Collection[str], marker: Dict[str, Any],
               notice: bool = True, **extra: str) -> Reply:
        """``text`` filled in the language ``choice`` shows, with the marker of the language; the English shown to a
        patient who wanted Spanish has the notice first (unless ``notice`` is False: a safety message, whose numbers
        come first)."""
        filled = self._fill(text, allowed, choice.language, **extra)
        if choice.why and notice:
            filled = self._with_notice(filled)
        return Reply(filled, {**marker, **choice.marker()})

    def _with_notice(self, text: str) -> str:
        return " ".join(part for part in (self._notice(), text) if part)

    def _notice(self) -> str:
        """The line before an English reply to a Spanish-speaking patient: in Spanish (when messages.yml has it)."""
        choice = self._message_choice(TRANSLATION_UNAVAILABLE, SPANISH)
        translation = choice.translation
        if translation is None:
            return self._fill(self.messages.get(TRANSLATION_UNAVAILABLE, ""), message_placeholders(
                TRANSLATION_UNAVAILABLE))
        return self._fill(translation.text, message_placeholders(TRANSLATION_UNAVAILABLE), SPANISH)

    def _fill(self, text: str, allowed: Collection[str], language: str = ENGLISH, **extra: str) -> str:
        """``text`` on one line, with the placeholders ``allowed`` filled (with the clinic's details in ``language``:
        their Spanish values where clinic.yml has them); any other curly bracket as written."""
        return fill(one_line(text), only({**self.clinic.placeholders(language), **extra}, allowed))

    # The replies ---------------------------------------------------------------------------------------------------

    def topic_title(self, intent: str, language: str = ENGLISH) -> str:
        """The topic's button title (answers.yml or practical_answers.yml), in Spanish when its answer would be."""
        topic = self.answers[intent] if intent in self.answers else self.practical_answers[intent]
        choice = self._choose(language, topic.es, topic.fingerprint())
        return (choice.translation.title if choice.translation else "") or topic.title

    def related_button(self, intent: str, context: Dict[str, Optional[str]], language: str = ENGLISH
                       ) -> Dict[str, str]:
        """The related-topic button that offers ``intent``'s answer (clinic_bot/content/choices.py): its question as a
        patient would ask it, `ask`, or `ask_about` naming the procedure of ``context``, in the
        patient's ``language`` when the answer would be (the topic's title when it has no question); its payload
        carries that procedure or condition, so the answer it brings is about it."""
        topic: Union[Answer, PracticalAnswer] = self.answers[intent] if intent in self.answers else (
            self.practical_answers[intent])
        choice = self._choose(language, topic.es, topic.fingerprint())
        texts: Union[Answer, PracticalAnswer, Translation] = choice.translation or topic
        mentioned = next(((kind, value) for kind, value in context.items() if value), None)
        procedure = context.get(PROCEDURE)
        about = getattr(texts, "ask_about", "")
        if procedure and about:  # worded for a procedure ("Is {subject} safe?"), so only a procedure fills it
            title = self._fill(about, ASK_ABOUT_PLACEHOLDERS, choice.language,
                               **{SUBJECT: self.name(procedure, choice.language)})
        else:
            title = self._fill(texts.ask, ASK_PLACEHOLDERS, choice.language) if texts.ask else self.topic_title(
                intent, language)
        entities = json.dumps({mentioned[0]: mentioned[1]}) if mentioned else ""
        return {"title": title, "payload": f"/{intent}{entities}"}

    def _practical(self) -> PracticalAnswers:
        spanish = self.message_translations.get(UNSET_MESSAGE)
        return PracticalAnswers(self.practical_answers, self.clinic, self.messages.get(UNSET_MESSAGE, ""),
                                spanish.text if spanish else "")

    def needs_location(self, intent: str, location: Optional[Location]) -> bool:
        return self._practical().needs_location(intent, location)

    def practical(self, intent: str, location: Optional[Location] = None, language: str = ENGLISH) -> Reply:
        """The practical answer for ``intent`` (at ``location`` when it depends on one), from clinic.yml, in the
        patient's ``language`` when it can be (translations.choose). A Spanish answer that falls back on the default
        text for a missing detail is Spanish only when that message's Spanish can be shown too."""
        answer = self.practical_answers[intent]
        practical = self._practical()
        choice = self._choose(language, answer.es, answer.fingerprint())
        if choice.spanish:
            filled = practical.reply(intent, location, SPANISH)
            unset_choice = self._message_choice(UNSET_MESSAGE, SPANISH)
            if not filled.default_unset or unset_choice.spanish:
                return Reply(filled.text, {**filled.marker, **choice.marker()})
            choice = Choice(ENGLISH, why=unset_choice.why)
        filled = practical.reply(intent, location)
        text = self._with_notice(filled.text) if choice.why else filled.text
        return Reply(text, {**filled.marker, **choice.marker()})

    def which_location(self, intent: str, language: str = ENGLISH) -> Tuple[Reply, List[Dict[str, str]]]:
        """"Which of our locations?" with one button per location, each asking ``intent`` again for it."""
        reply = self.message(WHICH_LOCATION_MESSAGE, language=language)
        shown = reply.marker.get("language", ENGLISH)
        buttons = [{"title": place.name_in(shown), "payload": f'/{intent}{{"location": "{place.key}"}}'}
                   for place in self.clinic.locations]
        return Reply(reply.text, {**reply.marker, "for": intent}), buttons

    def message(self, key: str, language: str = ENGLISH, **extra: str) -> Reply:
        """A conversational or system message by key (an intent name, 'disclaimer', 'fallback', ...), in the patient's
        ``language`` when it can be (a safety message whenever its Spanish exists); ``extra``: the values of its own
        placeholders (placeholders.MESSAGE_EXTRAS), such as the topic of no_specific_info."""
        choice = self._message_choice(key, language)
        text = choice.translation.text if choice.translation else self.messages[key]
        return self._reply(text, choice, message_placeholders(key), {"answer": key},
                           notice=key not in ALWAYS_IN_SPANISH, **extra)

    def label(self, key: str, language: str = ENGLISH) -> str:
        """A button's title from the message ``key`` ("Yes", "Talk to our staff"): its text in the patient's
        ``language`` when it can be, as message() chooses, but never with the notice before it."""
        choice = self._message_choice(key, language)
        text = choice.translation.text if choice.translation else self.messages[key]
        return self._fill(text, message_placeholders(key), choice.language)

    def name(self, value: str, language: str = ENGLISH) -> str:
        """How a reply in ``language`` names the procedure or condition ``value`` (its message, as label() gives
        it; the value made readable where messages.yml has none)."""
        return self.label(name_message(value), language) if name_message(value) in self.messages else humanise(value)

    def unavailable(self, sender: str, language: str = ENGLISH) -> Dict[str, Any]:
        """The REST channel's apology when the bot cannot answer (action server down, no Rasa server up: the
        proxy sends it then), as one webhook message with the clinic's phone."""
        reply = self.message(UNAVAILABLE_MESSAGE, language=language)
        return {"recipient_id": sender, "text": reply.text, "custom": reply.marker}

    def unfillable(self) -> List[str]:
        """The texts with a curly bracket that is not a placeholder they may use (named as `make validate` names
        them, a Spanish text with "(es)"): the bot shows such brackets as written, so the servers log these texts
        when they load them."""
        texts: List[Tuple[str, str, Collection[str]]] = []
        for intent, answer in self.answers.items():
            texts.append((f"answer '{intent}'", answer.text, CURATED_ANSWER_PLACEHOLDERS))
            if answer.es:
                texts.append((f"answer '{intent}' (es)", answer.es.text, CURATED_ANSWER_PLACEHOLDERS))
            for owner, where in ((answer, ""), (answer.es, " (es)")):
                if owner is not None:
                    texts += [(f"answer '{intent}' (ask{where})", owner.ask, ASK_PLACEHOLDERS),
                              (f"answer '{intent}' (ask_about{where})", owner.ask_about, ASK_ABOUT_PLACEHOLDERS)]
            for variants in answer.variants.values():
                for value, variant in variants.items():
                    texts.append((f"answer '{intent}' variant '{value}'", variant.text, CURATED_ANSWER_PLACEHOLDERS))
                    if variant.es:
                        texts.append((f"answer '{intent}' variant '{value}' (es)", variant.es.text,
                                      CURATED_ANSWER_PLACEHOLDERS))
        texts += [(f"message '{key}'", text, message_placeholders(key)) for key, text in self.messages.items()]
        texts += [(f"message '{key}' (es)", translation.text, message_placeholders(key))
                  for key, translation in self.message_translations.items()]
        for intent, practical in self.practical_answers.items():
            allowed = practical_placeholders(practical.per_location)
            named = f"practical answer '{intent}'"
            texts += [(named, text, allowed) for text in (practical.text, *practical.more)]
            texts.append((f"{named} (if_unset)", practical.if_unset, IF_UNSET_PLACEHOLDERS))
            texts += [(f"{named} (ask)", practical.ask, ASK_PLACEHOLDERS)]
            if practical.es:
                texts.append((f"{named} (ask, es)", practical.es.ask, ASK_PLACEHOLDERS))
                texts += [(f"{named} (es)", text, allowed) for text in (practical.es.text, *practical.es.more)]
                texts.append((f"{named} (es, if_unset)", practical.es.if_unset, IF_UNSET_PLACEHOLDERS))
        return list(dict.fromkeys(where for where, text, allowed in texts if problems(text, allowed)))

    def faq(self, intent: str, context: Dict[str, Optional[str]], language: str = ENGLISH) -> Reply:
        """The curated answer for ``intent``; ``context`` maps 'procedure'/'condition' to a canonical value,
        in order of preference. Without a matching variant, the general answer is prefixed with a plain
        note that the articles say nothing specific to that procedure or condition. In the patient's ``language``
        when it can be: the Spanish keeps the English's sources and markers."""
        answer = self.answers[intent]
        for kind, value in context.items():
            variant = answer.variants.get(kind, {}).get(value) if value else None
            if variant:
                choice = self._choose(language, variant.es, variant.fingerprint())
                return self._reply(
                    choice.translation.text if choice.translation else variant.text, choice,
                    CURATED_ANSWER_PLACEHOLDERS,
                    {"answer": intent, "variant": f"{kind}:{value}", "about": f"{kind}:{value}",
                     "sources": [s.as_dict() for s in variant.sources],
                     **self._source_line(variant.sources, choice, answer.reviewed)},
                )
        choice = self._choose(language, answer.es, answer.fingerprint())
        # "about": the procedure or condition the answer is given for; without a variant of its own, the general
        # answer says plainly that the articles have nothing specific to it.
        mentioned = next(((kind, value) for kind, value in context.items() if value), None)
        about = f"{mentioned[0]}:{mentioned[1]}" if mentioned else None
        shown: List[str] = []
        if mentioned:
            note = self._message_choice("no_specific_info", language)
            if choice.spanish and not note.spanish:  # the whole reply in one language: then the English
                choice = Choice(ENGLISH, why=note.why)
            note_text = note.translation.text if choice.spanish and note.translation else self.messages[
                "no_specific_info"]
            shown.append(self._fill(note_text, message_placeholders("no_specific_info"), choice.language,
                                    topic=self.name(str(mentioned[1]), choice.language)))
        text = choice.translation.text if choice.translation else answer.text
        shown.append(self._fill(text, CURATED_ANSWER_PLACEHOLDERS, choice.language))
        text = " ".join(shown)
        return Reply(self._with_notice(text) if choice.why else text,
                     {"answer": intent, "variant": None, "about": about,
                      "sources": [s.as_dict() for s in answer.sources],
                      **self._source_line(answer.sources, choice, answer.reviewed), **choice.marker()})

    def _source_line(self, sources: Tuple[Source, ...], choice: Choice, reviewed: str) -> Dict[str, Any]:
        """The marker's source_line of a curated answer (or variant) shown as ``choice`` says: the titles of the
        articles its ``sources`` name, in the reply's language, with their links from clinic.yml, and the date its
        Spanish was reviewed when that is the text shown and has one, else its English's (``reviewed``). {} when no
        article it cites is in the registry: the widget then shows no line."""
        cited = cited_articles((s.file for s in sources), self.articles, self.clinic.article_links, choice.language)
        if not cited:
            return {}
        translated = choice.translation.reviewed if choice.translation else ""
        line = source_line(cited, translated or reviewed, SPANISH if translated else ENGLISH)
        return {SOURCE_LINE: line}


def load_knowledge(
    answers_file: Path = ANSWERS_FILE, messages_file: Path = MESSAGES_FILE, clinic_file: Optional[Path] = None,
    practical_answers_file: Path = PRACTICAL_ANSWERS_FILE, articles_file: Path = ARTICLES_FILE,
) -> Knowledge:
    messages, message_translations = parse_messages(load_yaml(messages_file))
    articles = load_articles(articles_file)
    return Knowledge(parse_answers(load_yaml(answers_file)), messages, load_clinic_details(clinic_file, articles),
                     parse_practical_answers(load_yaml(practical_answers_file)), message_translations, articles)


class ReloadingKnowledge:
    """Callable: the knowledge from its five files, read again when one of them has changed (mtime and size,
    checked at most every `check_every_s`). New files that fail to load (YAML error, clinic field missing, file
    missing mid-save) leave the previous knowledge in service, with one logged error per change; only the first
    load raises."""

    def __init__(self, answers_file: Path, messages_file: Path, clinic_file: Path, check_every_s: float = 1.0,
                 clock: Callable[[], float] = time.monotonic,
                 practical_answers_file: Path = PRACTICAL_ANSWERS_FILE, articles_file: Path = ARTICLES_FILE) -> None:
        self.files = (Path(answers_file), Path(messages_file), Path(clinic_file), Path(practical_answers_file),
                      Path(articles_file))
        self.check_every_s = check_every_s
        self.clock = clock
        self._lock = threading.Lock()
        self._knowledge: Optional[Knowledge] = None
        self._stamps: Tuple[FileStamp, ...] = ()
        self._failed_stamps: Optional[Tuple[FileStamp, ...]] = None
        self._checked_at = 0.0

    def __call__(self) -> Knowledge:
        knowledge = self._knowledge
        if knowledge is not None and self.clock() - self._checked_at < self.check_every_s:
            return knowledge
        with self._lock:
            return self._check()

    def _check(self) -> Knowledge:
        self._checked_at = self.clock()
        stamps = tuple(file_stamp(path) for path in self.files)  # before reading: a change meanwhile shows next time
        if self._knowledge is not None and stamps in (self._stamps, self._failed_stamps):
            return self._knowledge
        try:
            knowledge = load_knowledge(*self.files)
        except Exception as error:  # a half-saved or broken file must not take the answers away
            if self._knowledge is None:
                raise
            self._failed_stamps = stamps
            logger.error("The changed knowledge files do not load (%s: %s); still serving the previous answers "
                         "and messages. `make validate` shows what is wrong.", type(error).__name__, error)
            return self._knowledge
        if self._knowledge is not None:
            logger.info("Knowledge files changed: serving the new answers and messages")
        unfillable = knowledge.unfillable()
        if unfillable:  # a hand edit that skipped `make validate`: patients see these brackets as written
            logger.warning("Curly brackets that are not placeholders in %s: the bot shows them as written (or "
                           "leaves the sentence out). `make validate` shows what to fix.", ", ".join(unfillable))
        self._knowledge, self._stamps, self._failed_stamps = knowledge, stamps, None
        return knowledge

    def cache_clear(self) -> None:
        """Forgets what was read: the next call reads the files again (functools.lru_cache's name)."""
        with self._lock:
            self._knowledge, self._stamps, self._failed_stamps, self._checked_at = None, (), None, 0.0


# The knowledge the servers (actions, the channel's apology) and the tools serve: CLINIC_KNOWLEDGE_DIR and
# CLINIC_CONFIG (clinic_bot/paths.py) choose the files.
default_knowledge = ReloadingKnowledge(ANSWERS_FILE, MESSAGES_FILE, CLINIC_CONFIG_FILE,
                                       practical_answers_file=PRACTICAL_ANSWERS_FILE, articles_file=ARTICLES_FILE)
