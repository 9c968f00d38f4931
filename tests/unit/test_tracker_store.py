"""The conversation store (clinic_bot/server/tracker_store.py): what it writes is what Rasa's SQL store would
write and read, its memory never hides a change to the file, and it stores every event exactly once."""
import asyncio
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from pathlib import Path
from typing import List

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from clinic_bot.paths import REPO_ROOT
from clinic_bot.server.tracker_store import EventsTrackerStore
from clinic_bot.store.privacy import forget

DOMAIN = Domain.load(str(REPO_ROOT / "domain.yml"))


def run(coroutine):
    """On a thread of its own: in a whole run, Playwright's loop already occupies the main thread."""
    with ThreadPoolExecutor(1) as worker:
        return worker.submit(asyncio.run, coroutine).result()


def turn(tracker: DialogueStateTracker, text: str, intent: str) -> None:
    tracker.update(UserUttered(text, {"name": intent, "confidence": 0.9}))
    tracker.update(ActionExecuted("action_answer_faq"))
    tracker.update(BotUttered(f"answer to {text}"))
    tracker.update(ActionExecuted("action_listen"))


def stored_rows(db: Path) -> List[tuple]:
    with closing(sqlite3.connect(db)) as connection:
        return connection.execute("SELECT sender_id, type_name, intent_name, action_name "
                                  "FROM events ORDER BY id").fetchall()


def new_conversation(store: EventsTrackerStore, sender: str = "patient-1") -> DialogueStateTracker:
    tracker = run(store.create_tracker(sender))
    tracker.update(SessionStarted())
    tracker.update(ActionExecuted("action_listen"))
    run(store.save(tracker))
    return run(store.retrieve(sender))


def answered_once(tmp_path: Path, text: str, intent: str):
    """A store in a new file, holding one conversation with one answered question."""
    db = tmp_path / "conversations.db"
    store = EventsTrackerStore(DOMAIN, db=str(db))
    tracker = new_conversation(store)
    turn(tracker, text, intent)
    run(store.save(tracker))
    return db, store, tracker


def test_each_event_is_stored_once_with_rasas_columns(tmp_path):
    db, store, tracker = answered_once(tmp_path, "is it covered?", "ask_insurance")
    run(store.save(tracker))  # Rasa saves twice per message: the second adds nothing
    tracker = run(store.retrieve("patient-1"))
    turn(tracker, "does it hurt?", "ask_procedure_pain")
    run(store.save(tracker))

    rows = stored_rows(db)
    # the conversation's first action_listen, then the session: session_started, action_listen, 2 turns of 4
    assert len(rows) == len(run(store.retrieve_full_tracker("patient-1")).events) == 1 + 2 + 2 * 4
    assert len(tracker.events) == 2 + 2 * 4
    assert ("patient-1", "user", "ask_insurance", None) in rows
    assert ("patient-1", "action", None, "action_answer_faq") in rows


def test_rasas_own_sql_store_reads_the_same_conversation(tmp_path):
    db = tmp_path / "conversations.db"
    store = EventsTrackerStore(DOMAIN, db=str(db))
    tracker = new_conversation(store)
    turn(tracker, "what is rfa?", "ask_procedure_info")
    tracker.update(SlotSet("procedure", "radiofrequency_ablation"))
    run(store.save(tracker))

    rasa_store = SQLTrackerStore(DOMAIN, dialect="sqlite", db=str(db))
    read_by_rasa = run(rasa_store.retrieve("patient-1"))
    read_again = run(EventsTrackerStore(DOMAIN, db=str(db)).retrieve("patient-1"))  # as after a restart
    assert read_by_rasa.current_state() == read_again.current_state() == tracker.current_state()
    assert read_again.get_slot("procedure") == "radiofrequency_ablation"


def test_forgetting_a_sender_takes_effect_at_the_next_message(tmp_path):
    db, store, tracker = answered_once(tmp_path, "my secret question", "ask_safety")
    assert run(store.retrieve("patient-1")) is tracker  # held in memory while the file is unchanged

    assert forget(db, "patient-1") == 1 + len(tracker.events)  # with the action_listen before the session
    assert run(store.retrieve("patient-1")) is None
    fresh = new_conversation(store)
    assert [e.text for e in fresh.events if isinstance(e, UserUttered)] == []
    assert len(stored_rows(db)) == len(run(store.retrieve_full_tracker("patient-1")).events) == 3


def test_a_turn_that_failed_before_saving_leaves_nothing_behind(tmp_path):
    db, store, tracker = answered_once(tmp_path, "first question", "ask_cost")
    tracker.update(UserUttered("never answered", {"name": "ask_safety", "confidence": 0.9}))  # then a crash

    again = run(store.retrieve("patient-1"))
    assert [e.text for e in again.events if isinstance(e, UserUttered)] == ["first question"]
    assert len(stored_rows(db)) == 1 + len(again.events)


def test_a_new_session_hides_the_old_one_but_the_full_tracker_keeps_it(tmp_path):
    db, store, tracker = answered_once(tmp_path, "old session", "ask_cost")
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(SessionStarted())
    tracker.update(ActionExecuted("action_listen"))
    run(store.save(tracker))
    tracker = run(store.retrieve("patient-1"))
    turn(tracker, "new session", "ask_safety")
    run(store.save(tracker))

    def texts(t: DialogueStateTracker) -> List[str]:
        return [e.text for e in t.events if isinstance(e, UserUttered)]
    assert texts(run(store.retrieve("patient-1"))) == ["new session"]
    assert texts(run(EventsTrackerStore(DOMAIN, db=str(db)).retrieve("patient-1"))) == ["new session"]
    assert texts(run(store.retrieve_full_tracker("patient-1"))) == ["old session", "new session"]
    assert len(stored_rows(db)) == len(run(store.retrieve_full_tracker("patient-1")).events)


def test_memory_holds_at_most_the_configured_number_of_conversations(tmp_path):
    db = tmp_path / "conversations.db"
    store = EventsTrackerStore(DOMAIN, db=str(db), max_cached_conversations=2)
    for sender in ("a", "b", "c"):
        new_conversation(store, sender)
    assert list(store._cache) == ["b", "c"]
    assert run(store.retrieve("a")) is not None  # read back from the file
    assert sorted(run(store.keys())) == ["a", "b", "c"]
