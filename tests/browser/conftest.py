"""The demo clinic site and the real Rasa and action servers (CORS open to the site only); Chromium (the
session's `browser`) comes from tests/conftest.py."""
from dataclasses import dataclass
from typing import Iterator

import pytest

from clinic_bot.launcher.demo_site import serving_site
from clinic_bot.launcher.servers import Servers, running_servers
from clinic_bot.server.rate_limit import NO_RATE_LIMITS
from tests.conftest import browser_context
from tests.e2e.conftest import free_port

STOPS_THE_BOT = "bot_stopped"  # tests using this fixture run last: they stop the Rasa server


@dataclass
class Site:
    url: str  # the demo site's origin, the only one the webhook accepts
    servers: Servers


# Every test talks from 127.0.0.1, so the per-address rate limit is lifted, as in tests/e2e.
@pytest.fixture(scope="session")
def site(model_path, tmp_path_factory) -> Iterator[Site]:
    tmp = tmp_path_factory.mktemp("browser-servers")
    web_port, rasa_port, action_port = free_port(), free_port(), free_port()
    origin = f"http://127.0.0.1:{web_port}"
    with serving_site(web_port, chat_server=f"http://127.0.0.1:{rasa_port}"), \
            running_servers(rasa_port, action_port, tracker_db=tmp / "conversations.db", model=model_path,
                            log_dir=tmp / "logs", cors=origin, channel_settings=NO_RATE_LIMITS) as servers:
        yield Site(origin, servers)


@pytest.fixture
def context(browser):
    """A fresh browser profile per test: its own session storage, so its own conversation."""
    context = browser_context(browser, 1000, 760)
    yield context
    context.close()



@pytest.fixture
def bot_stopped(site) -> None:
    site.servers.stop("rasa")


def pytest_collection_modifyitems(items) -> None:
    items.sort(key=lambda item: STOPS_THE_BOT in getattr(item, "fixturenames", ()))
