"""What happened to each patient message (clinic_bot/store/outcomes.py): read from a conversation's events, written
by the conversation store with them, and deleted with them by forget and purge."""
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any, Dict, List

from rasa.shared.core.events import BotUttered, SessionStarted

from clinic_bot.server.tracker_store import EventsTrackerStore
from clinic_bot.store import outcomes
from clinic_bot.store.events import EventsTable, row_of
from clinic_bot.store.outcomes import outcomes_of
from clinic_bot.store.privacy import forget, purge
from tests.unit.test_staff_review import T0, bot, user
from tests.unit.test_tracker_store import DOMAIN, new_conversation, run, turn

SOURCES = [{"file": "001.txt", "section": "A heading"}]


def answer(intent: str, **custom: Any) -> Dict[str, Any]:
    return bot(intent, sources=SOURCES, **custom)


def spanish(event: Dict[str, Any]) -> Dict[str, Any]:
    event["parse_data"]["language"] = {"p_spanish": 0.97}
    return event


def fields(found: List[outcomes.MessageOutcome], *names: str) -> List[tuple]:
    return [tuple(getattr(outcome, name) for name in names) for outcome in found]


def test_each_message_gets_what_the_assistant_did_with_it():
    events = [
        {"event": "session_started", "timestamp": T0}, bot("disclaimer"),
        user("how much is it", "ask_cost"), answer("ask_cost"), bot("helpful_question"),
        user("/affirm", "affirm", 1.0), bot("affirm"),
        user("when are you open", "ask_hours"), answer("ask_hours", kind="practical"),
        user("blorp", "nlu_fallback", 0.3), bot("fallback"),
        user("best pizza?", "out_of_scope"), bot("out_of_scope"),
        user("should i stop my meds", "ask_personal_advice"), bot("ask_personal_advice"),
        answer("ask_medication"),
        user("my chest feels tight", "emergency", triage={"disposition": "check_in"}), bot("check_in"),
        user("yes", "emergency", triage={"raised_by": ["check_in"]}), bot("emergency"),
        spanish(user("me duele el pecho ahora", "emergency")), bot("emergency"),
    ]
    found = outcomes_of("p1", events)
    assert fields(found, "outcome", "topic", "topic_kind", "feedback", "check_in_answer", "starts_conversation") == [
        ("answered", "ask_cost", "faq", None, None, 1),
        ("other", "ask_cost", "faq", "yes", None, 0),  # rates the answer before it
        ("answered", "ask_hours", "practical", None, None, 0),
        ("fallback", None, None, None, None, 0),
        ("out_of_scope", None, None, None, None, 0),
        ("personal", "ask_medication", "faq", None, None, 0),  # refused, with the general answer
        ("check_in", None, None, None, None, 0),
        ("emergency", None, None, None, "yes", 0),
        ("emergency", None, None, None, None, 0),
    ]
    assert [outcome.language for outcome in found] == ["en"] * 8 + ["es"]
    assert {outcome.sender_id for outcome in found} == {"p1"}
    assert found[0].hour == int(T0 // 3600)


def test_a_button_press_has_the_language_the_widget_sent_with_it():
    pressed = user("/affirm", "affirm", 1.0)
    pressed["parse_data"]["metadata"] = {"language": "es"}  # a payload: the language detector never saw it
    events = [spanish(user("cuanto cuesta", "ask_cost")), answer("ask_cost"), bot("helpful_question"), pressed]
    assert fields(outcomes_of("p", events), "language", "feedback") == [("es", None), ("es", "yes")]


def test_a_no_to_the_check_in_is_recorded_with_the_answer_it_got():
    events = [user("chest tight after the shot", "emergency", triage={"disposition": "check_in"}),
              bot("check_in"), user("no", "ask_side_effects", triage={"check_in_answer": "no"}),
              answer("ask_side_effects")]
    assert fields(outcomes_of("p", events), "outcome", "check_in_answer") == [("check_in", None), ("answered", "no")]


def test_a_yes_without_a_helpful_question_is_no_feedback_and_a_new_session_starts_a_conversation():
    events = [user("hi", "greet"), bot("greet"), user("yes", "affirm"), bot("affirm"),
              {"event": "session_started", "timestamp": T0 + 9}, user("cost?", "ask_cost"), answer("ask_cost")]
    assert fields(outcomes_of("p", events), "outcome", "feedback", "starts_conversation") == [
        ("other", None, 1), ("other", None, 0), ("answered", None, 1)]


def test_only_the_messages_from_the_first_new_event_on_are_read_with_the_turn_before():
    events = [user("cost?", "ask_cost"), answer("ask_cost"), bot("helpful_question"), user("/deny", "deny"),
              bot("deny")]
    assert fields(outcomes_of("p", events, new_from=3), "outcome", "topic", "feedback", "starts_conversation") == [
        ("other", "ask_cost", "no", 0)]


def outcome_rows(db: Path) -> List[tuple]:
    with closing(sqlite3.connect(db)) as connection:
        return connection.execute("SELECT sender_id, outcome, topic, starts_conversation FROM message_outcomes "
                                  "ORDER BY id").fetchall()


def test_the_conversation_store_writes_each_messages_outcome_once_with_its_events(tmp_path):
    db = tmp_path / "conversations.db"
    store = EventsTrackerStore(DOMAIN, db=str(db))
    tracker = new_conversation(store)
    assert outcome_rows(db) == []  # a session start is no message
    turn(tracker, "how much does it cost", "ask_cost")
    tracker.update(BotUttered("...", data={"custom": {"answer": "ask_cost", "sources": SOURCES}}))
    run(store.save(tracker))
    turn(tracker, "and is it safe", "ask_safety")
    run(store.save(tracker))
    assert outcome_rows(db) == [("patient-1", "answered", "ask_cost", 1), ("patient-1", "other", None, 0)]
    tracker.update(SessionStarted())
    turn(tracker, "hello again", "greet")
    run(store.save(tracker))
    assert outcome_rows(db)[-1] == ("patient-1", "other", None, 1)


def test_forget_and_purge_delete_the_outcomes_with_the_conversation(tmp_path):
    db = tmp_path / "conversations.db"
    table = EventsTable.for_server(db)
    for sender, when in (("old", T0), ("new", T0 + 40 * 86400), ("gone", T0 + 40 * 86400)):
        events = [user("cost?", "ask_cost", timestamp=when), answer("ask_cost", timestamp=when)]
        table.append([row_of(sender, event) for event in events], outcomes_of(sender, events))
    table.close()
    assert forget(db, "gone") == 2
    assert purge(db, days=30, now=T0 + 41 * 86400) == 1
    assert [row[0] for row in outcome_rows(db)] == ["new"]


def test_a_store_written_before_the_outcomes_were_kept_gets_its_history_counted_once(tmp_path):
    db = tmp_path / "conversations.db"
    events = [user("cost?", "ask_cost"), answer("ask_cost"), user("hours?", "ask_hours"),
              answer("ask_hours", kind="practical")]
    with closing(sqlite3.connect(db)) as connection:  # the store as it was: the events table only
        connection.execute("CREATE TABLE events (id INTEGER NOT NULL PRIMARY KEY, sender_id VARCHAR(255) NOT NULL, "
                           "type_name VARCHAR(255) NOT NULL, timestamp FLOAT, intent_name VARCHAR(255), "
                           "action_name VARCHAR(255), data TEXT)")
        connection.executemany("INSERT INTO events (sender_id, type_name, timestamp, intent_name, action_name, data) "
                               "VALUES (?, ?, ?, ?, ?, ?)", [row_of("p", event) for event in events])
        connection.commit()
    EventsTable.for_server(db).close()
    EventsTable.for_server(db).close()  # opened again: nothing counted twice
    assert outcome_rows(db) == [("p", "answered", "ask_cost", 1), ("p", "answered", "ask_hours", 0)]
