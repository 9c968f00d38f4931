import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest


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
