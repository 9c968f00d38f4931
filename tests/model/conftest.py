import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest


@pytest.fixture(scope="session")
def parse(model_path):
    """parse(text) -> the trained model's NLU result (the whole NLU pipeline, safety net included).

    The agent runs on its own thread and event loop: the browser tests' Playwright (sync API) keeps a
    loop running on the main thread for the whole session, and a second loop cannot run there."""
    from rasa.core.agent import Agent

    worker = ThreadPoolExecutor(max_workers=1)
    loop = asyncio.new_event_loop()
    agent = worker.submit(Agent.load, str(model_path)).result()
    yield lambda text: worker.submit(loop.run_until_complete, agent.parse_message(text)).result()
    worker.submit(loop.close).result()
    worker.shutdown()
