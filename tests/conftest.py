"""Shared fixtures: trackers for action tests, the loaded spaCy pipeline, the trained model."""
import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Coroutine, Dict, List, Optional, TypeVar

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from clinic_bot.content.knowledge import Knowledge, default_knowledge
from clinic_bot.paths import REPO_ROOT

MODEL_PATH = REPO_ROOT / "models" / "clinic.tar.gz"
# Debian's Chromium (scripts/install_browser.sh, run by `make browser`): Playwright's own browser download does not
# work here. One browser for the whole session: the widget's tests and the staff console's share it (Playwright's
# sync API allows one running instance per thread).
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def make_tracker(
    intent: str,
    text: str = "",
    entities: Optional[List[Dict[str, Any]]] = None,
    slots: Optional[Dict[str, Any]] = None,
    ranking: Optional[List[Dict[str, Any]]] = None,
    triage: Optional[Dict[str, Any]] = None,
) -> Tracker:
    """A tracker as the action server receives it right after the patient's message."""
    return Tracker(
        sender_id="test-patient",
        slots={"procedure": None, "condition": None, **(slots or {})},
        latest_message={
            "text": text,
            "intent": {"name": intent, "confidence": 0.9},
            "entities": entities or [],
            "intent_ranking": ranking or [{"name": intent, "confidence": 0.9}],
            **({"triage": triage} if triage is not None else {}),
        },
        events=[],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


def entity(kind: str, value: str) -> Dict[str, Any]:
    return {"entity": kind, "value": value, "start": 0, "end": 1, "extractor": "CanonicalEntityExtractor"}


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


@pytest.fixture(scope="session")
def knowledge() -> Knowledge:
    return default_knowledge()


@pytest.fixture(scope="session")
def nlp():
    import spacy

    return spacy.load("en_clinic_pipeline")


@pytest.fixture(scope="session")
def model_path() -> Path:
    if not MODEL_PATH.exists():
        pytest.fail(f"no trained model at {MODEL_PATH}: run `make train` (make test does)")
    return MODEL_PATH


# Figures that tests measured, printed at the end of every run (pytest hides prints of passing tests).
@pytest.fixture(scope="session")
def nlu(model_path):
    """nlu(text, tracker=None) -> the trained model's NLU result (the whole NLU pipeline, safety net included),
    for a message alone or, with a tracker, as the next message of that conversation (as the Rasa server parses).

    The agent runs on its own thread and event loop: the browser tests' Playwright (sync API) keeps a
    loop running on the main thread for the whole session, and a second loop cannot run there."""
    from rasa.core.agent import Agent
    from rasa.core.channels.channel import UserMessage

    worker = ThreadPoolExecutor(max_workers=1)
    loop = asyncio.new_event_loop()
    agent = worker.submit(Agent.load, str(model_path)).result()

    def parse(text, tracker=None):
        job = agent.processor.parse_message(UserMessage(text), tracker)
        return worker.submit(loop.run_until_complete, job).result()
    yield parse
    worker.submit(loop.close).result()
    worker.shutdown()


@pytest.fixture(scope="session")
def parse(nlu):
    """parse(text) -> the NLU result of a message alone."""
    return lambda text: nlu(text)


FIGURES: Dict[str, str] = {}


def pytest_terminal_summary(terminalreporter) -> None:
    if FIGURES:
        terminalreporter.section("measured figures")
        for name, value in FIGURES.items():
            terminalreporter.write_line(f"{name}: {value}")


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"no {CHROMIUM}: run `make browser` (make test does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def browser_context(browser, width: int, height: int):
    """A fresh browser profile (its own cookies and session storage) at this viewport."""
    context = browser.new_context(viewport={"width": width, "height": height})
    context.set_default_timeout(30_000)
    return context


@pytest.fixture
def page(context):
    """A page of the nearest `context` fixture (tests/browser: desktop; tests/staff: tablet width)."""
    return context.new_page()


T = TypeVar("T")


class LoopThread:
    """An event loop of its own in a thread: the console's coroutines run there whatever loop the test process
    already runs (Playwright's sync API keeps one running in the main thread when the browser tests went first)."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coroutine: Coroutine[Any, Any, T], timeout_s: float = 60) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout_s)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


def run_apart(coroutine: Coroutine[Any, Any, T], timeout_s: float = 60) -> T:
    """Runs ``coroutine`` to the end on a LoopThread of its own."""
    loop = LoopThread()
    try:
        return loop.run(coroutine, timeout_s)
    finally:
        loop.close()
