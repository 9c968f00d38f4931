"""The settings every command runs with: the Makefile exports them for the commands it runs itself, the launcher
(clinic_bot/launcher/servers.py PROJECT_ENV, server_env) gives them to what starts without make. Two lists, one
content: a setting added to one and not the other would be missing from half the commands (telemetry above all)."""
import os

import pytest

from clinic_bot.launcher import servers
from clinic_bot.paths import REPO_ROOT
from tests.unit.test_deploy import make_exports


def test_the_makefile_exports_what_the_launcher_sets():
    assert make_exports() == {**servers.PROJECT_ENV, "PYTHONPATH": str(REPO_ROOT)}


def test_telemetry_is_off_in_both():
    assert make_exports()["RASA_TELEMETRY_ENABLED"] == servers.PROJECT_ENV["RASA_TELEMETRY_ENABLED"] == "false"


def test_the_launchers_children_get_them_over_the_callers_environment(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("RASA_TELEMETRY_ENABLED", "true")
    monkeypatch.setenv("PYTHONPATH", "/elsewhere")
    monkeypatch.setenv(servers.API_TOKEN_ENV, "x" * 32)
    env = servers.server_env()
    assert {key: env[key] for key in servers.PROJECT_ENV} == servers.PROJECT_ENV
    assert env["PYTHONPATH"].split(os.pathsep) == [str(REPO_ROOT), "/elsewhere"]
    assert servers.API_TOKEN_ENV not in env
