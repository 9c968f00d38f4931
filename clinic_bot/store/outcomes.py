"""What happened to each patient message, kept so it can be counted: one row per message in the store's
`message_outcomes` table, beside Rasa's `events` table (clinic_bot/store/events.py writes and deletes both).

A row holds no text: when (the epoch second and its UTC hour), the message's language, what the assistant did
(OUTCOMES), whether it opened a conversation, the curated or practical answer it got (its id), and, for a reply
to "Was this helpful?" or to a check-in, what the patient answered. The sender id is kept only so that `make
forget` and `make purge` delete a patient's rows with their conversation; nothing reads it to count.

Why a table of its own rather than counting the events: each message is several events whose JSON would have to
be read (a year of a clinic's traffic is millions of events); these rows are counted by an index in SQL alone
(clinic_bot/staff/insights.py). The conversation store writes a message's row in the same transaction as its
events (clinic_bot/server/tracker_store.py), from the same turn reading the review tools use
(clinic_bot/store/turns.py). No Rasa imports.
"""
from dataclasses import astuple, dataclass
from typing import Any, Dict, List, Optional, Sequence, Tuple

from clinic_bot.content.feedback import HELPFUL_INTENT, NOT_HELPFUL_INTENT
from clinic_bot.intents import CHECK_IN, EMERGENCY_INTENT, FALLBACK_INTENT, OUT_OF_SCOPE_INTENT, PERSONAL_INTENT
from clinic_bot.store.turns import NO, NO_ANSWER, YES, Turn, check_in_answer, turns_of

# What happened to a message, in the order the insights stack them.
ANSWERED = "answered"  # a curated (FAQ) or practical answer
FALLBACK = "fallback"  # not understood: the topic suggestions
OUT_OF_SCOPE = "out_of_scope"
PERSONAL = "personal"  # personal medical advice, refused (with the general answer where there is one)
CHECK_IN_OUTCOME = "check_in"  # "is this happening now?"
EMERGENCY = "emergency"  # the 911/988 message
OTHER = "other"  # greetings, thanks, "Was this helpful?" replies, booking, handoff, ...
OUTCOMES = (ANSWERED, FALLBACK, OUT_OF_SCOPE, PERSONAL, CHECK_IN_OUTCOME, EMERGENCY, OTHER)
FEEDBACK = {HELPFUL_INTENT: YES, NOT_HELPFUL_INTENT: NO}  # the intent of a reply to "Was this helpful?"
SECONDS_PER_HOUR = 3600
SESSION_STARTED = "session_started"  # rasa.shared.core.events.SessionStarted.type_name

TABLE = "message_outcomes"
_COLUMNS = ("sender_id", "timestamp", "hour", "language", "outcome", "starts_conversation", "topic", "topic_kind",
            "feedback", "check_in_answer")
_DEFINITION = """
    sender_id VARCHAR(255) NOT NULL,
    timestamp {float} NOT NULL,
    hour INTEGER NOT NULL,
    language VARCHAR(8) NOT NULL,
    outcome VARCHAR(32) NOT NULL,
    starts_conversation SMALLINT NOT NULL,
    topic VARCHAR(255),
    topic_kind VARCHAR(16),
    feedback VARCHAR(8),
    check_in_answer VARCHAR(8)
"""
SCHEMA = {
    "sqlite": [f"CREATE TABLE IF NOT EXISTS {TABLE} (id INTEGER NOT NULL PRIMARY KEY, "
               f"{_DEFINITION.format(float='FLOAT')})"],
    "postgresql": [f"CREATE TABLE IF NOT EXISTS {TABLE} (id SERIAL PRIMARY KEY, "
                   f"{_DEFINITION.format(float='DOUBLE PRECISION')})"],
}
# The insights count a range of hours by outcome and language: this index alone answers that (no table read);
# the topic counts use its hour prefix. The sender index serves forget and purge.
INDEXES = [
    f"CREATE INDEX IF NOT EXISTS ix_{TABLE}_hour ON {TABLE} (hour, outcome, language, starts_conversation)",
    # Partial and covering, so the topic and check-in counts read only their own rows, from the index alone;
    # without them PostgreSQL scanned the whole table for 90 days of a year's traffic.
    f"CREATE INDEX IF NOT EXISTS ix_{TABLE}_topic ON {TABLE} (hour, topic_kind, topic, feedback) "
    "WHERE topic IS NOT NULL",
    f"CREATE INDEX IF NOT EXISTS ix_{TABLE}_check_in ON {TABLE} (hour, check_in_answer) "
    "WHERE check_in_answer IS NOT NULL",
    f"CREATE INDEX IF NOT EXISTS ix_{TABLE}_sender_id ON {TABLE} (sender_id)",
]
INSERT = f"INSERT INTO {TABLE} ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})"
EXISTS = {
    "sqlite": f"SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '{TABLE}'",
    "postgresql": f"SELECT COUNT(*) FROM pg_tables WHERE tablename = '{TABLE}' AND schemaname = current_schema()",
}


@dataclass(frozen=True)
class MessageOutcome:
    sender_id: str
    timestamp: float
    hour: int  # whole hours since the epoch, UTC: the unit every count is grouped by
    language: str
    outcome: str
    starts_conversation: int  # 1 for the first patient message of a session
    topic: Optional[str] = None  # the answer given; for a reply to "Was this helpful?": the answer it rates
    topic_kind: Optional[str] = None  # FAQ_KIND or PRACTICAL_KIND (clinic_bot/store/turns.py)
    feedback: Optional[str] = None  # YES or NO: this message answered "Was this helpful?"
    check_in_answer: Optional[str] = None  # YES or NO: this message answered a check-in

    def row(self) -> Tuple[Any, ...]:
        return astuple(self)


def outcome_of(turn: Turn) -> str:
    """What the assistant did with one message. The urgent dispositions first: a message that got the emergency
    message or a check-in is counted as that, whatever its topic. The triage gives a check-in the emergency intent
    too; its disposition tells the two apart."""
    if turn.triage.get("disposition") == CHECK_IN:
        return CHECK_IN_OUTCOME
    if turn.intent == EMERGENCY_INTENT:
        return EMERGENCY
    if turn.intent == PERSONAL_INTENT:
        return PERSONAL
    if turn.intent == FALLBACK_INTENT:
        return FALLBACK
    if turn.intent == OUT_OF_SCOPE_INTENT:
        return OUT_OF_SCOPE
    return ANSWERED if turn.topics else OTHER


def _sessions(events: Sequence[Dict[str, Any]]) -> List[Tuple[int, List[Dict[str, Any]]]]:
    """(index of the session's first event, its events) for each session in ``events``."""
    sessions: List[Tuple[int, List[Dict[str, Any]]]] = [(0, [])]
    for index, event in enumerate(events):
        if event.get("event") == SESSION_STARTED:
            sessions.append((index, []))
        sessions[-1][1].append(event)
    return [session for session in sessions if session[1]]


def outcomes_of(sender_id: str, events: Sequence[Dict[str, Any]], new_from: int = 0) -> List[MessageOutcome]:
    """The outcome of every patient message in ``events`` (one conversation's events as Rasa serialised them,
    oldest first) from index ``new_from`` on; the events before it are what the conversation already said (the
    answer a "Was this helpful?" reply rates, the check-in a "yes" answers, whether a session was open)."""
    outcomes: List[MessageOutcome] = []
    for start, session in _sessions(events):
        positions = [start + i for i, event in enumerate(session) if event.get("event") == "user"]
        turns = turns_of(session)
        for number, (turn, position) in enumerate(zip(turns, positions)):
            if position < new_from:
                continue
            before = turns[number - 1] if number else None
            outcomes.append(_outcome(sender_id, turn, before, starts=number == 0))
    return outcomes


def _outcome(sender_id: str, turn: Turn, before: Optional[Turn], starts: bool) -> MessageOutcome:
    topic, kind = turn.topics[0] if turn.topics else (None, None)
    feedback = None
    if before is not None and before.asked_if_helpful and turn.intent in FEEDBACK and before.topics:
        feedback = FEEDBACK[turn.intent]
        topic, kind = before.topics[0]
    answered = None
    if before is not None and before.triage.get("disposition") == CHECK_IN:
        answered = check_in_answer(turn)
        answered = None if answered == NO_ANSWER else answered
    return MessageOutcome(sender_id, turn.time, int(turn.time // SECONDS_PER_HOUR), turn.language, outcome_of(turn),
                          int(starts), topic, kind, feedback, answered)


# --- reading: counts over a range of hours, for the insights (clinic_bot/staff/insights.py) ---

# (hour, outcome, language, messages, conversations opened): the index ix_message_outcomes_hour alone answers it.
COUNTS_BY_HOUR = f"""
SELECT hour, outcome, language, COUNT(*), SUM(starts_conversation) FROM {TABLE}
WHERE hour >= ? AND hour < ? GROUP BY hour, outcome, language
"""
# (kind, topic, times answered, "helpful" yes, "helpful" no)
TOPIC_COUNTS = f"""
SELECT topic_kind, topic,
       SUM(CASE WHEN feedback IS NULL THEN 1 ELSE 0 END),
       SUM(CASE WHEN feedback = '{YES}' THEN 1 ELSE 0 END),
       SUM(CASE WHEN feedback = '{NO}' THEN 1 ELSE 0 END)
FROM {TABLE} WHERE hour >= ? AND hour < ? AND topic IS NOT NULL GROUP BY topic_kind, topic
"""
# (what the patient answered, how many)
CHECK_IN_ANSWERS = f"""
SELECT check_in_answer, COUNT(*) FROM {TABLE}
WHERE hour >= ? AND hour < ? AND check_in_answer IS NOT NULL GROUP BY check_in_answer
"""
QUERIES = {"counts_by_hour": COUNTS_BY_HOUR, "topic_counts": TOPIC_COUNTS, "check_in_answers": CHECK_IN_ANSWERS}
# The index each query is meant to count through (INDEXES): the benchmark checks the databases' plans against it.
QUERY_INDEXES = {"counts_by_hour": f"ix_{TABLE}_hour", "topic_counts": f"ix_{TABLE}_topic",
                 "check_in_answers": f"ix_{TABLE}_check_in"}
