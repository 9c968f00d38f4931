import asyncio

import pytest


@pytest.fixture(scope="session")
def parse(model_path):
    """parse(text) -> the trained model's NLU result (the whole NLU pipeline, safety net included)."""
    from rasa.core.agent import Agent

    loop = asyncio.new_event_loop()
    agent = Agent.load(str(model_path))
    yield lambda text: loop.run_until_complete(agent.parse_message(text))
    loop.close()
