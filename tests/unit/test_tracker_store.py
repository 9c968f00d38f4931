"""The conversation store (clinic_bot/server/tracker_store.py): what it writes is what Rasa's SQL store would
write and read, its memory never hides a change to the file, it stores every event exactly once, and it tells the
channel when it failed for the message being handled."""
import asyncio
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from pathlib import Path
from typing import List

from rasa.core.agent import Agent
from rasa.core.tracker_store import FailSafeTrackerStore, InMemoryTrackerStore, SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from clinic_bot.paths import REPO_ROOT
from clinic_bot.server.tracker_store import EventsTrackerStore, events_store_of
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


# --- A failing store, as the channel learns of it (clinic_bot/server/channel.py) ---

def broken(store: EventsTrackerStore, monkeypatch) -> None:
    """The database gone mid-run: every query of the store fails as a lost connection does."""
    def fail(*_: object) -> None:
        raise store.table.errors[0]("the database went away")
    monkeypatch.setattr(store.table, "last_row", fail)


def test_a_store_failure_is_reported_to_the_message_being_handled_and_nowhere_else(tmp_path, monkeypatch):
    db, store, tracker = answered_once(tmp_path, "what is rfa?", "ask_procedure_info")
    wrapped = FailSafeTrackerStore(store)  # as Rasa wraps every store: it swallows the store's errors
    with store.watching("patient-1") as failing, store.watching("patient-2") as other:
        with monkeypatch.context() as patch:
            broken(store, patch)
            assert run(wrapped.retrieve("patient-1")) is None  # Rasa would answer from an empty conversation
            run(wrapped.save(tracker))
    assert failing.store_failed and not other.store_failed
    with store.watching("patient-1") as next_message:  # a new message starts clean
        assert run(wrapped.retrieve("patient-1")) is tracker  # and the conversation is all there
    assert not next_message.store_failed


def test_a_failure_while_no_message_is_handled_leaves_nothing_behind(tmp_path, monkeypatch):
    _, store, _ = answered_once(tmp_path, "what is rfa?", "ask_procedure_info")
    with monkeypatch.context() as patch:
        broken(store, patch)
        assert run(FailSafeTrackerStore(store).retrieve("patient-1")) is None  # the HTTP API reading, say
    with store.watching("patient-1") as outcome:
        run(store.retrieve("patient-1"))
    assert not outcome.store_failed and store._watched == {}


def test_the_channel_finds_the_store_inside_rasas_wrapper(tmp_path):
    store = EventsTrackerStore(DOMAIN, db=str(tmp_path / "conversations.db"))
    assert events_store_of(Agent(domain=DOMAIN, tracker_store=store)) is store
    assert events_store_of(Agent(domain=DOMAIN, tracker_store=InMemoryTrackerStore(DOMAIN))) is None
    assert events_store_of(None) is None  # before the model has loaded
