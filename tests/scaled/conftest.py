"""The scaled profile through real servers on loopback: Redis, PostgreSQL, the action server, two Rasa servers
and nginx, started once for these tests (clinic_bot/launcher/scaled.py), supervised from a thread so a killed
server comes back as under `make run-scaled`. Debian's packages come from `make services` (make test runs it).
"""
import shutil
import tempfile
from pathlib import Path

import pytest

from clinic_bot.launcher.scaled import running_scaled
from clinic_bot.launcher.supervisor import watching
from clinic_bot.server.rate_limit import ADDRESS_LIMIT, SENDER_LIMIT
from tests.e2e.conftest import free_port

# Every test talks from 127.0.0.1, so the address limit is lifted; the sender limit stays low enough for
# test_rate_limits_hold_across_servers to reach it, and above what any other test's patient sends.
SENDER_MESSAGES_PER_MINUTE = 8
CHANNEL_SETTINGS = {SENDER_LIMIT: SENDER_MESSAGES_PER_MINUTE, ADDRESS_LIMIT: 1_000_000}


@pytest.fixture(scope="session")
def scaled(model_path):
    # Not pytest's tmp_path: its folders are private to root, and PostgreSQL runs as its own user.
    work_dir = Path(tempfile.mkdtemp(prefix="clinic-scaled-"))
    try:
        with running_scaled(model=model_path, work_dir=work_dir, rasa_ports=[free_port(), free_port()],
                            action_port=free_port(), proxy_port=free_port(), redis_port=free_port(),
                            postgres_port=free_port(), channel_settings=CHANNEL_SETTINGS) as profile:
            with watching(profile.supervisor, poll_s=0.2):
                yield profile
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)
