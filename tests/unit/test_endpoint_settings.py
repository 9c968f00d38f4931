"""How the launcher configures the public endpoint: channel settings per run, the API switch, and the
channel's text clean-up (clinic_bot/launcher/servers.py, clinic_bot/server/channel.py)."""
import pytest
import yaml

from clinic_bot.launcher.servers import CHANNEL, api_args, write_credentials
from clinic_bot.paths import CREDENTIALS_FILE
from clinic_bot.server.channel import ClinicRestInput, without_control_characters
from clinic_bot.server.rate_limit import NO_RATE_LIMITS, SENDER_LIMIT


def test_control_characters_go_and_writing_marks_stay():
    assert without_control_characters("a\x00b\x07c\x1b[0m\x7fd\x85e") == "abc[0mde"
    kept = "line one\nline\ttwo \u200fמה\u200f 👩🏽\u200d⚕️ ¿qué?"
    assert without_control_characters(kept) == kept


def test_channel_settings_override_credentials_for_one_run(tmp_path):
    path = write_credentials(NO_RATE_LIMITS, tmp_path)
    settings = yaml.safe_load(path.read_text())[CHANNEL]
    assert settings[SENDER_LIMIT] == NO_RATE_LIMITS[SENDER_LIMIT]
    assert settings["max_message_chars"] == 1000  # the rest comes from credentials.yml
    channel = ClinicRestInput.from_credentials(settings)
    assert channel.rate_limits.by_sender.per_minute == NO_RATE_LIMITS[SENDER_LIMIT]


def test_default_channel_limits_come_from_credentials_yml():
    channel = ClinicRestInput.from_credentials(yaml.safe_load(CREDENTIALS_FILE.read_text())[CHANNEL])
    assert (channel.max_message_chars, channel.rate_limits.by_sender.per_minute,
            channel.rate_limits.by_address.per_minute, channel.trusted_proxies) == (1000, 20, 20, [])


def test_api_is_off_by_default_and_on_only_with_a_token():
    assert api_args(False, None) == []
    assert api_args(True, "t" * 32) == ["--enable-api", "--auth-token", "t" * 32]
    for token in (None, "", "short"):
        with pytest.raises(ValueError, match="RASA_AUTH_TOKEN"):
            api_args(True, token)
