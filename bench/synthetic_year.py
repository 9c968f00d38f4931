"""A year of synthetic patient traffic in a conversation store, ending now: what the staff console's insights page
is timed on (bench/insights_page.py), and a store to look at the page with.

    .venv/bin/python -m bench.synthetic_year STORE [--conversations 202000] [--seed 2025]

STORE is an SQLite file or a postgresql:// URL, new or empty: EventsTable.for_server creates the product's tables.

Each conversation is one the chat widget could have had, its events shaped as Rasa stores them: the session's
start with the disclaimer, the greeting the widget sends on opening (with the patient's language), typed questions
with the NLU's parse (intent, ranking, the triage's record, the language reading), topic buttons, the actions, the
bot's messages with the answer markers the actions put on them, "Was this helpful?" and its replies, check-ins and
their answers, emergencies. The bot's replies are the knowledge's own (Knowledge.faq, .practical, .message and the
triage's replies), their texts cut short so a year stays a few GB; the patients' messages are training examples
of their intent and language. The outcome rows are what clinic_bot.store.outcomes.outcomes_of reads from those
events, as the conversation store computes them when it saves a turn.

When: more on weekdays and in the clinic's daytime (clinic.yml `time_zone`), growing over the year. Seeded: the
same seed, count and end give the same traffic, so runs compare.
"""
import argparse
import datetime as dt
import io
import itertools
import random
import time
from collections import Counter
from dataclasses import dataclass, field, fields
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Set, Tuple
from zoneinfo import ZoneInfo

from clinic_bot.content.clinic_config import load_time_zone
from clinic_bot.content.feedback import HELPFUL_INTENT, NOT_HELPFUL_INTENT, helpful_question
from clinic_bot.content.knowledge import Knowledge, Reply, default_knowledge
from clinic_bot.content.nlu_data import read_all
from clinic_bot.content.triage_replies import GENERAL_NOT_YOUR_CASE, check_in_reply, urgent_reply
from clinic_bot.intents import (
    CHECK_IN,
    EMERGENCY_INTENT,
    FALLBACK_INTENT,
    FAQ_ACTION,
    GREET_INTENT,
    OUT_OF_SCOPE_INTENT,
    PERSONAL_INTENT,
    PRACTICAL_ACTION,
)
from clinic_bot.languages import ENGLISH, SPANISH
from clinic_bot.paths import NLU_DIR
from clinic_bot.store import outcomes
from clinic_bot.store.database import StoreLocation, describe, is_server_url
from clinic_bot.store.events import EventsTable, Row, row_of
from clinic_bot.store.outcomes import MessageOutcome, outcomes_of

DEFAULT_CONVERSATIONS = 202_000
DEFAULT_SEED = 2025
DAYS = 365
GROWTH = 2.5  # the last day's traffic over the first day's, weekday for weekday
WEEKDAY_WEIGHTS = (1.0, 1.0, 0.95, 0.95, 0.85, 0.4, 0.3)  # Monday first
HOUR_WEIGHTS = (0.08, 0.05, 0.04, 0.04, 0.06, 0.15, 0.4, 0.9, 1.5, 1.9, 2.0, 1.9,  # 0:00-11:00, clinic time
                1.7, 1.8, 1.9, 1.8, 1.5, 1.2, 1.0, 0.95, 0.85, 0.6, 0.35, 0.15)
END_MARGIN_S = 900  # the newest conversation starts this long before the end, so all of it lies in the past

SPANISH_SHARE = 0.15
RETURNING_SHARE = 0.05  # later sessions of a recent sender: typed first, without the widget's greeting
RECENT_SENDERS = 4000  # ... picked among this many latest senders (a few days of traffic)
# What a question is, by share (the rest of the conversation follows from it).
QUESTION_MIX = {"faq": 44.0, "practical": 30.0, "fallback": 6.0, "out_of_scope": 6.0, "personal": 5.0,
                "conversation": 7.0, "check_in": 1.2, "emergency": 0.8}
QUESTIONS = {1: 58, 2: 27, 3: 10, 4: 5}  # questions per conversation, by share
TOPIC_BUTTON_SHARE = 0.25  # first questions asked with one of the greeting's topic buttons
HELPFUL_REPLY_SHARE = 0.35  # answers whose "Was this helpful?" the patient answers
HELPFUL_YES_SHARE = 0.75
TYPED_REPLY_SHARE = 0.3  # replies typed rather than pressed
GENERAL_ANSWER_SHARE = 0.3  # personal questions that also get the general answer
CHECK_IN_ANSWERS = {"yes": 25, "no": 60, "none": 15}
CONVERSATION_INTENTS = ("thank", "goodbye", "book_appointment", "human_handoff", "ask_capabilities", "bot_challenge")
SUGGESTED_PRACTICAL = ("ask_hours", "ask_location")  # actions/suggest_topics.py PRACTICAL_TOPICS
GREETING_TOPICS = ("ask_safety", "ask_side_effects", "ask_insurance", "ask_medication", "ask_procedures",
                   "ask_hours")  # widget/widget.js TOPICS
RED_FLAGS = (("chest_pain", "medical"), ("breathing", "medical"), ("stroke", "medical"),  # knowledge/triage
             ("leg_weakness_numbness", "medical"), ("bladder_bowel", "medical"), ("allergic_reaction", "medical"),
             ("suicide_self_harm", "crisis"))
BOT_TEXT_CHARS = 160
BATCH_CONVERSATIONS = 5000
TIMESTAMP, TIMESTAMP_ZERO = '"timestamp": ', '"timestamp": 0'  # as json.dumps writes them
METADATA = {"model_id": "5b1e0c7d2f9a4e33a1c0d6f4b8e2a917", "assistant_id": "clinic-faq-assistant"}
RULES = "RecentTurnsRulePolicy"
NO_BUTTONS = {"elements": None, "quick_replies": None, "attachment": None, "image": None}
PROBABILITIES = {  # the triage's five classes, per level (rounded as TriageDecision.as_dict rounds them)
    "general": {"crisis": 0.0, "emergency": 0.0001, "general": 0.9985, "off_topic": 0.0012, "personal": 0.0002},
    "reply": {"crisis": 0.0108, "emergency": 0.0006, "general": 0.0211, "off_topic": 0.9659, "personal": 0.0016},
    "personal": {"crisis": 0.0, "emergency": 0.0, "general": 0.0021, "off_topic": 0.0, "personal": 0.9979},
    "check_in": {"crisis": 0.0058, "emergency": 0.356, "general": 0.5934, "off_topic": 0.0022, "personal": 0.0426},
    "emergency": {"crisis": 0.0, "emergency": 0.9993, "general": 0.0007, "off_topic": 0.0, "personal": 0.0},
}
LEVELS = {"general": "general", "reply": "general", "personal": "personal", "check_in": "urgent",
          "emergency": "urgent"}


@dataclass
class Vocabulary:
    """What patients type (training examples by intent and language) and what the bot answers (the knowledge's
    replies, made once per topic and language)."""

    knowledge: Knowledge
    texts: Dict[Tuple[str, str], List[str]]
    faq: List[str]
    practical: List[str]
    replies: Dict[Tuple[str, ...], Tuple[str, Dict[str, Any]]] = field(default_factory=dict)
    questions: Dict[str, Tuple[Tuple[str, Dict[str, Any]], List[Dict[str, str]]]] = field(default_factory=dict)
    serialised: Dict[Tuple[Any, ...], Tuple[str, str]] = field(default_factory=dict)  # Talk._add's

    @classmethod
    def load(cls) -> "Vocabulary":
        knowledge = default_knowledge()
        texts: Dict[Tuple[str, str], List[str]] = {}
        for example in read_all(NLU_DIR.glob("*.yml")):
            texts.setdefault((example.intent, example.language), []).append(example.text)
        return cls(knowledge, texts, list(knowledge.answers), list(knowledge.practical_answers))

    def text(self, rng: random.Random, intent: str, language: str) -> str:
        choices = self.texts.get((intent, language)) or self.texts[(intent, ENGLISH)]
        return rng.choice(choices)

    def helpful_question(self, language: str) -> Tuple[Tuple[str, Dict[str, Any]], List[Dict[str, str]]]:
        """"Was this helpful?" and its buttons, made once per language."""
        if language not in self.questions:
            question, buttons = helpful_question(self.knowledge, language=language)
            self.questions[language] = ((question.text, question.marker), buttons)
        return self.questions[language]

    def reply(self, key: Tuple[str, ...], make: Callable[[], Reply]) -> Tuple[str, Dict[str, Any]]:
        """(text cut short, marker) of a reply, made once."""
        if key not in self.replies:
            made = make()
            self.replies[key] = (made.text[:BOT_TEXT_CHARS], made.marker)
        return self.replies[key]


def _popularity(topics: Sequence[str]) -> List[float]:
    """A few topics asked much more than the rest, as on any FAQ (in the answer files' order)."""
    return [1 / (rank + 1) ** 0.8 for rank in range(len(topics))]


def _hex(rng: random.Random) -> str:
    return f"{rng.getrandbits(128):032x}"


class Talk:
    """One session's events as Rasa stores them, appended as the patient and the assistant take turns, and the
    store's rows of them (events.row_of's). An event that differs from an earlier one only in its timestamp (an
    action, a slot, a cached reply: most of them) is serialised once; its row then only gets the new timestamp."""

    def __init__(self, rng: random.Random, words: Vocabulary, sender: str, start: float, language: str) -> None:
        self.rng, self.words, self.sender, self.clock, self.language = rng, words, sender, start, language
        self.events: List[Dict[str, Any]] = []
        self.rows: List[Row] = []

    # --- events ---

    def _add(self, kind: str, step_s: float = 0.0004, key: Optional[Tuple[Any, ...]] = None, **values: Any) -> None:
        """Appends an event; ``key`` names what it says besides its timestamp, when that repeats."""
        self.clock += step_s
        event = {"event": kind, "timestamp": self.clock, "metadata": METADATA, **values}
        self.events.append(event)
        if key is None:
            self.rows.append(row_of(self.sender, event))
            return
        halves = self.words.serialised.get(key)
        if halves is None:  # json.dumps writes the timestamp as repr() does: only it changes between copies
            head, _, tail = row_of(self.sender, {**event, "timestamp": 0})[-1].partition(TIMESTAMP_ZERO)
            halves = self.words.serialised[key] = (head + TIMESTAMP, tail)
        self.rows.append((self.sender, kind, self.clock, None, values.get("name"),
                          f"{halves[0]}{self.clock!r}{halves[1]}"))

    def action(self, name: str, policy: Optional[str] = RULES) -> None:
        self._add("action", step_s=0.002, key=("action", name, policy), name=name, policy=policy,
                  confidence=1.0 if policy else None, action_text=None,
                  hide_rule_turn=policy is not None and name != FAQ_ACTION)

    def slot(self, name: str, value: Any) -> None:
        self._add("slot", key=("slot", name, repr(value)), name=name, value=value)

    def bot(self, reply: Tuple[str, Dict[str, Any]], buttons: Optional[List[Dict[str, str]]] = None,
            key: Optional[Tuple[Any, ...]] = None) -> None:
        text, marker = reply
        self._add("bot", key=key and ("bot", *key), text=text,
                  data={**NO_BUTTONS, "buttons": buttons, "custom": marker})

    def reply(self, key: Tuple[str, ...], make: Callable[[], Reply]) -> None:
        """A reply of the knowledge's, made and serialised once per ``key``."""
        self.bot(self.words.reply(key, make), key=key)

    def user(self, text: str, parse: Dict[str, Any], think_s: float) -> None:
        message_id = _hex(self.rng)
        self._add("user", step_s=think_s, text=text,
                  parse_data={**parse, "text": text, "message_id": message_id,
                              "metadata": {"language": self.language}},
                  input_channel="rest", message_id=message_id)
        self._add("user_featurization", step_s=0.004, key=("user_featurization",), use_text_for_featurization=False)

    # --- what the patient sends ---

    def pressed(self, intent: str, think_s: float, text: Optional[str] = None) -> None:
        """A button's payload ("/ask_hours"): Rasa reads the intent from it and runs no NLU, so no triage and no
        language reading."""
        entities = []
        if text is not None:
            entities = [{"entity": "language", "value": self.language, "start": len(intent) + 1,
                         "end": len(text), "extractor": "RegexMessageHandler"}]
        self.user(text or f"/{intent}", {"intent": {"name": intent, "confidence": 1.0}, "entities": entities,
                                         "intent_ranking": [{"name": intent, "confidence": 1.0}]}, think_s)

    def typed(self, text: str, intent: str, think_s: float, profile: str = "general",
              triage: Optional[Dict[str, Any]] = None, red_flag: Optional[str] = None,
              guess: Optional[str] = None) -> Dict[str, Any]:
        """A typed message as the NLU parsed it (``profile``: the triage's opinion, a key of PROBABILITIES);
        returns the parse (the triage's replies read it)."""
        confidence = 1.0 if intent in (EMERGENCY_INTENT, PERSONAL_INTENT) else round(self.rng.uniform(0.62, 1.0), 4)
        second = guess or self.rng.choice(self.words.faq)
        ranking = [{"name": intent, "confidence": confidence}, {"name": second, "confidence": 0.0123}]
        spanish = self.language == SPANISH
        p_spanish = round(self.rng.uniform(0.9, 0.999) if spanish else self.rng.uniform(0.0005, 0.05), 4)
        probabilities = PROBABILITIES[profile]
        record = {"level": LEVELS[profile], "kind": None, "concept": None, "language": self.language,
                  "raised_by": [], "gentle_crisis_line": False, "probabilities": probabilities, "disposition": None,
                  "calm_level": "personal" if profile == "personal" else "general",
                  "p_urgent": probabilities["emergency"] + probabilities["crisis"],
                  "general_intent": {"name": guess or intent, "confidence": confidence}, **(triage or {})}
        parse: Dict[str, Any] = {
            "intent": {"name": intent, "confidence": confidence},
            "entities": [{"entity": "language", "value": self.language, "start": 0, "end": len(text),
                          "extractor": "LanguageDetector"}],
            "intent_ranking": ranking, "triage": record,
            "language": {"conversation": self.language, "message": self.language, "p_spanish": p_spanish}}
        if red_flag:
            parse["red_flag"] = red_flag
        self.user(text, parse, think_s)
        self.slot("language", self.language)
        return parse

    # --- what the assistant answers ---

    def open_session(self, greeted: bool) -> None:
        """The session's start: the widget's opening greeting, or a typed message after an hour away."""
        if greeted:
            self.slot("session_started_metadata", {"language": self.language})
        self.action("action_session_start", policy=None)
        self._add("session_started", key=("session_started",))
        if greeted:
            self.slot("session_started_metadata", {"language": self.language})
            self.slot("language", self.language)
        self.slot("disclaimer_language", self.language)
        self.message("disclaimer")
        self.action("action_listen", policy=None)
        if greeted:
            self.pressed(GREET_INTENT, 0.3, text=f'/{GREET_INTENT}{{"language": "{self.language}"}}')
            self.slot("language", self.language)
            self.action("action_reply")
            self.message(GREET_INTENT)
            self.listen()

    def listen(self) -> None:
        self.action("action_listen")

    def message(self, key: str) -> None:
        language, knowledge = self.language, self.words.knowledge
        self.reply((key, language), lambda: knowledge.message(key, language=language))

    def answer(self, topic: str) -> None:
        """A curated or practical answer, then "Was this helpful?" (actions/topic_answers.py)."""
        knowledge, language = self.words.knowledge, self.language
        if topic in knowledge.practical_answers:
            self.reply((topic, language), lambda: knowledge.practical(topic, language=language))
        else:
            self.reply((topic, language), lambda: knowledge.faq(topic, {}, language=language))
        question, buttons = self.words.helpful_question(language)
        self.bot(question, buttons, key=("helpful_question", language))


class Weighted:
    """rng.choices over fixed weights, without summing them again at every draw."""

    def __init__(self, weights: Mapping[Any, float]) -> None:
        self.population = list(weights)
        self.cumulative = list(itertools.accumulate(weights.values()))

    def draw(self, rng: random.Random) -> Any:
        return rng.choices(self.population, cum_weights=self.cumulative)[0]


class Traffic:
    """The conversations, one session at a time, oldest first."""

    def __init__(self, words: Vocabulary, seed: int) -> None:
        self.words = words
        self.rng = random.Random(seed)
        self.recent: List[str] = []  # the latest senders, a ring of RECENT_SENDERS
        self.asked: Counter[str] = Counter()  # questions by kind (QUESTION_MIX)
        self.questions, self.mix = Weighted(QUESTIONS), Weighted(QUESTION_MIX)
        self.check_in_answers = Weighted(CHECK_IN_ANSWERS)
        self.faq = Weighted(dict(zip(words.faq, _popularity(words.faq))))
        self.practical = Weighted(dict(zip(words.practical, _popularity(words.practical))))

    def _sender(self) -> Tuple[str, bool]:
        """(sender id, whether they came back: a recent sender's new session)."""
        rng = self.rng
        if self.recent and rng.random() < RETURNING_SHARE:
            return rng.choice(self.recent), True
        sender = _hex(rng)
        if len(self.recent) < RECENT_SENDERS:
            self.recent.append(sender)
        else:
            self.recent[rng.randrange(RECENT_SENDERS)] = sender
        return sender, False

    def session(self, start: float) -> Talk:
        """One session starting at ``start``: its events and rows."""
        rng = self.rng
        sender, returning = self._sender()
        talk = Talk(rng, self.words, sender, start, SPANISH if rng.random() < SPANISH_SHARE else ENGLISH)
        talk.open_session(greeted=not returning)
        for number in range(self.questions.draw(rng)):
            kind = self.mix.draw(rng)
            self.asked[kind] += 1
            self.question(talk, kind, first=number == 0 and not returning)
        return talk

    def topic(self, kind: str) -> str:
        return (self.practical if kind == "practical" else self.faq).draw(self.rng)

    def question(self, talk: Talk, kind: str, first: bool) -> None:
        rng, think_s = self.rng, self.rng.uniform(4, 60)
        if kind in ("faq", "practical"):
            topic = self.topic(kind)
            if first and rng.random() < TOPIC_BUTTON_SHARE:
                topic = rng.choice(GREETING_TOPICS)
                talk.pressed(topic, think_s)
            else:
                talk.typed(self.words.text(rng, topic, talk.language), topic, think_s)
            self.answered(talk, topic)
        elif kind == "fallback":
            self.fallback(talk, think_s)
        elif kind == "personal":
            self.personal(talk, think_s)
        elif kind in ("out_of_scope", "conversation"):
            intent = OUT_OF_SCOPE_INTENT if kind == "out_of_scope" else rng.choice(CONVERSATION_INTENTS)
            talk.typed(self.words.text(rng, intent, talk.language), intent, think_s,
                       profile="reply" if kind == "conversation" else "general")
            talk.action("action_reply")
            talk.message(intent)
            talk.listen()
        else:
            self.urgent(talk, think_s, check_in=kind == "check_in")

    def answered(self, talk: Talk, topic: str) -> None:
        talk.action(PRACTICAL_ACTION if topic in self.words.knowledge.practical_answers else FAQ_ACTION)
        talk.answer(topic)
        talk.listen()
        if self.rng.random() < HELPFUL_REPLY_SHARE:
            self.reply(talk, HELPFUL_INTENT if self.rng.random() < HELPFUL_YES_SHARE else NOT_HELPFUL_INTENT)

    def reply(self, talk: Talk, intent: str) -> None:
        """The patient's answer to "Was this helpful?": the button, or typed."""
        think_s = self.rng.uniform(2, 20)
        if self.rng.random() < TYPED_REPLY_SHARE:
            talk.typed(self.words.text(self.rng, intent, talk.language), intent, think_s, profile="reply")
        else:
            talk.pressed(intent, think_s)
        talk.action("action_reply")
        talk.message(intent)
        talk.listen()

    def fallback(self, talk: Talk, think_s: float) -> None:
        """Not understood: the likeliest topics as buttons (actions/suggest_topics.py)."""
        guess = self.topic("faq")
        talk.typed(self.words.text(self.rng, guess, talk.language), FALLBACK_INTENT, think_s, guess=guess)
        talk.action("action_suggest_topics")
        language, knowledge = talk.language, self.words.knowledge
        text, marker = self.words.reply(("fallback", language), lambda: knowledge.message("fallback", language))
        topics = [guess, *(topic for topic in SUGGESTED_PRACTICAL if topic != guess)]
        buttons = [{"title": knowledge.topic_title(topic, language), "payload": f"/{topic}"} for topic in topics]
        talk.bot((text, {**marker, "suggestions": topics}), buttons, key=("fallback", language, guess))
        talk.listen()

    def personal(self, talk: Talk, think_s: float) -> None:
        general = self.topic("faq")
        talk.typed(self.words.text(self.rng, PERSONAL_INTENT, talk.language), PERSONAL_INTENT, think_s,
                   profile="personal", guess=general)
        talk.action("action_reply")
        talk.message(PERSONAL_INTENT)
        if self.rng.random() < GENERAL_ANSWER_SHARE:  # actions/reply.py: the general part answered too
            talk.message(GENERAL_NOT_YOUR_CASE)
            talk.answer(general)
        talk.listen()

    def urgent(self, talk: Talk, think_s: float, check_in: bool) -> None:
        """The emergency message, or the check-in ("is this happening now?") and its answer. The triage gives
        both the intent `emergency`; its record's disposition tells them apart."""
        rng, knowledge, language = self.rng, self.words.knowledge, talk.language
        concept, kind = rng.choice(RED_FLAGS)
        otherwise = self.topic("faq")
        triage = {"kind": kind, "concept": concept, "raised_by": ["rules", "classifier"],
                  "disposition": CHECK_IN if check_in else EMERGENCY_INTENT, "otherwise": otherwise}
        parse = talk.typed(self.words.text(rng, EMERGENCY_INTENT, language), EMERGENCY_INTENT, think_s,
                           profile="check_in" if check_in else "emergency", red_flag=concept, guess=otherwise,
                           triage=triage)
        talk.action("action_reply")
        if not check_in:
            talk.reply(("emergency", kind, concept, language), lambda: urgent_reply(knowledge, parse, language))
            talk.listen()
            return
        question, buttons = check_in_reply(knowledge, parse, language)
        talk.bot((question.text[:BOT_TEXT_CHARS], question.marker), buttons)
        talk.listen()
        answer = self.check_in_answers.draw(rng)
        if answer == "yes":  # the triage turns it into the emergency the check-in held back
            parse = talk.typed(buttons[0]["payload"], EMERGENCY_INTENT, rng.uniform(2, 15), profile="emergency",
                               red_flag=concept, triage={"kind": kind, "concept": concept, "raised_by": [CHECK_IN],
                                                         "disposition": EMERGENCY_INTENT})
            talk.action("action_reply")
            talk.reply(("emergency", kind, concept, language), lambda: urgent_reply(knowledge, parse, language))
            talk.listen()
        elif answer == "no":  # the answer the first message would have had
            talk.typed(buttons[1]["payload"], otherwise, rng.uniform(2, 15), profile="reply",
                       triage={"check_in_answer": "no"})
            talk.action(FAQ_ACTION)
            talk.answer(otherwise)
            talk.listen()


def session_starts(count: int, end: float, zone: ZoneInfo, rng: random.Random) -> List[float]:
    """When each of about ``count`` sessions starts over the ``DAYS`` days before ``end``: weighted by the day's
    place in the year (growth), its weekday and the hour in the clinic's time."""
    last_day = dt.datetime.fromtimestamp(end, zone).date()
    slots: List[Tuple[float, float]] = []
    for back in range(DAYS):
        day = last_day - dt.timedelta(days=back)
        growth = 1 + (GROWTH - 1) * (DAYS - 1 - back) / (DAYS - 1)
        for hour, weight in enumerate(HOUR_WEIGHTS):
            start = dt.datetime.combine(day, dt.time(hour), tzinfo=zone).timestamp()
            slots.append((start, growth * WEEKDAY_WEIGHTS[day.weekday()] * weight))
    total = sum(weight for _, weight in slots)
    starts = []
    for start, weight in slots:
        expected = count * weight / total
        for _ in range(int(expected) + (rng.random() < expected % 1)):
            starts.append(start + rng.uniform(0, 3600))
    return sorted(start for start in starts if start < end - END_MARGIN_S)


Batch = Tuple[List[Row], List[Tuple[Any, ...]]]  # events' rows, outcome rows (MessageOutcome.row()'s)


@dataclass
class Year:
    """The year's traffic, in batches of BATCH_CONVERSATIONS sessions, and what it holds."""

    batches: List[Batch]
    end: float
    seed: int
    conversations: int = 0
    senders: int = 0
    events: int = 0
    messages: int = 0  # patient messages: one outcome row each
    by_outcome: Dict[str, int] = field(default_factory=dict)
    by_language: Dict[str, int] = field(default_factory=dict)  # patient messages, as outcomes_of reads them
    opened_by_language: Dict[str, int] = field(default_factory=dict)  # conversations, as outcomes_of reads them
    conversations_by_language: Dict[str, int] = field(default_factory=dict)  # the language each patient spoke
    asked: Dict[str, int] = field(default_factory=dict)  # the questions generated, by kind (QUESTION_MIX)
    first: float = 0.0
    generate_s: float = 0.0

    def summary(self) -> Dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "batches"}


def _outcome_row(outcome: MessageOutcome) -> Tuple[Any, ...]:
    """MessageOutcome.row() without dataclasses.astuple's deep copy, which would cost seconds on a year."""
    return tuple(getattr(outcome, name) for name in OUTCOME_COLUMNS)


def generate(count: int = DEFAULT_CONVERSATIONS, seed: int = DEFAULT_SEED, end: Optional[float] = None) -> Year:
    """About ``count`` sessions over the year before ``end`` (default: now), their outcome rows from
    outcomes_of as the conversation store computes them."""
    started = time.monotonic()
    end = time.time() if end is None else end
    traffic = Traffic(Vocabulary.load(), seed)
    starts = session_starts(count, end, load_time_zone(), random.Random(seed + 1))
    year = Year([], end, seed, conversations=len(starts), first=starts[0] if starts else end)
    senders: Set[str] = set()
    by_outcome: Counter[str] = Counter()
    languages: Counter[str] = Counter()
    opened: Counter[str] = Counter()
    sessions: Counter[str] = Counter()
    for first in range(0, len(starts), BATCH_CONVERSATIONS):
        rows: List[Row] = []
        found: List[MessageOutcome] = []
        for number, start in enumerate(starts[first:first + BATCH_CONVERSATIONS]):
            talk = traffic.session(start)
            if number == 0:
                _check_rows(talk)
            senders.add(talk.sender)
            sessions[talk.language] += 1
            rows.extend(talk.rows)
            found.extend(outcomes_of(talk.sender, talk.events))
        by_outcome.update(outcome.outcome for outcome in found)
        languages.update(outcome.language for outcome in found)
        opened.update(outcome.language for outcome in found if outcome.starts_conversation)
        year.events += len(rows)
        year.messages += len(found)
        year.batches.append((rows, [_outcome_row(outcome) for outcome in found]))
    year.senders = len(senders)
    year.by_outcome, year.by_language = dict(by_outcome), dict(languages)
    year.conversations_by_language, year.opened_by_language = dict(sessions), dict(opened)
    year.asked = dict(traffic.asked)
    year.generate_s = time.monotonic() - started
    return year


def _check_rows(talk: Talk) -> None:
    """A session's rows are the ones the conversation store would write for its events (events.row_of)."""
    if talk.rows != [row_of(talk.sender, event) for event in talk.events]:
        raise RuntimeError("the generated rows differ from events.row_of's: Talk._add serialises wrongly")


# --- writing: SQLite through the conversation store's own write, PostgreSQL through COPY ---

EVENT_COLUMNS = ("sender_id", "type_name", "timestamp", "intent_name", "action_name", "data")  # events.row_of's
OUTCOME_COLUMNS = tuple(f.name for f in fields(MessageOutcome))  # MessageOutcome.row()'s order
NULL, BACKSLASH, ESCAPED_BACKSLASH = "\\N", "\\", "\\\\"  # COPY's text format
EVENTS_INSERT = f"INSERT INTO events ({', '.join(EVENT_COLUMNS)}) VALUES ({', '.join('?' * len(EVENT_COLUMNS))})"


def _copy_field(value: Any) -> str:
    """One value in PostgreSQL's COPY text format: NULL as \\N, backslashes doubled."""
    if value is None:
        return "\\N"
    text = str(value)
    return text.replace("\\", "\\\\") if "\\" in text else text


def _event_lines(rows: Sequence[Row]) -> str:
    """The events' rows in COPY's text format, written for speed (a year is millions of rows): only the JSON
    needs escaping (its backslashes; json.dumps leaves no raw tab or newline); the other columns are ids, names
    of events, intents and actions, and numbers."""
    return "".join(f"{sender}\t{kind}\t{timestamp!r}\t{intent or NULL}\t{action or NULL}\t"
                   f"{data.replace(BACKSLASH, ESCAPED_BACKSLASH)}\n"
                   for sender, kind, timestamp, intent, action, data in rows)


def _copy(cursor: Any, table: str, columns: Sequence[str], lines: str) -> None:
    cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", io.StringIO(lines), size=1 << 20)


def _write_postgres(url: str, year: Year) -> float:
    """COPY, one transaction per batch (the store's own multi-row INSERTs would take many times longer for a
    year); then VACUUM ANALYZE, as autovacuum keeps a table that grew over a year: statistics and visibility map
    current (and it would otherwise start on these tables in the middle of the timing). Returns its seconds."""
    import psycopg2

    connection = psycopg2.connect(url)
    try:
        for rows, found in year.batches:
            with connection, connection.cursor() as cursor:
                _copy(cursor, "events", EVENT_COLUMNS, _event_lines(rows))
                _copy(cursor, outcomes.TABLE, OUTCOME_COLUMNS,
                      "".join("\t".join(map(_copy_field, row)) + "\n" for row in found))
        started = time.monotonic()
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE events, {outcomes.TABLE}")
        return time.monotonic() - started
    finally:
        connection.close()


@dataclass
class Filled:
    store: str
    seconds: float  # writing, VACUUM ANALYZE included
    vacuum_seconds: float = 0.0  # PostgreSQL's VACUUM ANALYZE after the load


def fill(location: StoreLocation, year: Year) -> Filled:
    """Writes ``year`` into a new or empty store. SQLite: the conversation store's INSERTs (as EventsTable.append
    runs them: executemany in one transaction), one transaction per batch; PostgreSQL: COPY."""
    started = time.monotonic()
    table = EventsTable.for_server(location)  # the product's tables and indexes
    vacuum_s = 0.0
    try:
        if table.database.rows("SELECT COUNT(*) FROM events")[0][0]:
            raise SystemExit(f"{describe(location)} already holds conversations: give a new or empty store")
        if is_server_url(location):
            vacuum_s = _write_postgres(str(location), year)
        else:
            for rows, found in year.batches:
                with table.database.transaction():
                    table.database.run_many(EVENTS_INSERT, rows)
                    table.database.run_many(outcomes.INSERT, found)
    finally:
        table.close()
    return Filled(describe(location), time.monotonic() - started, vacuum_s)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("store", help="an SQLite file or a postgresql:// URL (new or empty)")
    parser.add_argument("--conversations", type=int, default=DEFAULT_CONVERSATIONS)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args()
    year = generate(args.conversations, args.seed)
    print(f"Generated {year.conversations:,} conversations ({year.senders:,} senders), {year.events:,} events, "
          f"{year.messages:,} patient messages in {year.generate_s:.0f} s")
    filled = fill(args.store, year)
    print(f"Written to {filled.store} in {filled.seconds:.0f} s")
    print("Patient messages by outcome: " + ", ".join(f"{k} {v:,}" for k, v in sorted(year.by_outcome.items())))


if __name__ == "__main__":
    main()
