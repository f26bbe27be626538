"""STEWARD_LOG_FORMAT, STEWARD_LOG_LEVEL and STEWARD_METRICS_TOKEN: parsed once, refused loudly when wrong."""

from __future__ import annotations

import io
import json
import logging

import pytest

from bot import logs
from bot.settings import ConfigError, Settings


def test_log_settings_default_to_text_and_the_commands_own_level() -> None:
    s = Settings.from_env({})
    assert (s.log_format, s.log_level, s.metrics_token) == ("text", None, None)
    s = Settings.from_env({"STEWARD_LOG_FORMAT": "JSON", "STEWARD_LOG_LEVEL": "debug", "STEWARD_METRICS_TOKEN": "t0k"})
    assert (s.log_format, s.log_level, s.metrics_token) == ("json", "DEBUG", "t0k")


@pytest.mark.parametrize(("name", "value"), [("STEWARD_LOG_FORMAT", "xml"), ("STEWARD_LOG_LEVEL", "loud")])
def test_a_malformed_log_setting_is_refused_naming_it_with_an_example(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=f"{name} .*example"):
        Settings.from_env({name: value})


def test_a_secret_in_a_log_message_or_traceback_is_redacted() -> None:
    settings = Settings(slack_bot_token="xoxb-77-abc", slack_signing_secret="signing-secret-123", log_format="json",
                        log_level="INFO")
    out = io.StringIO()
    handler = logs.configure(settings, stream=out)
    log = logging.getLogger("bot.test")
    try:
        with logs.request(platform="slack", slack_event_id="Ev1", text="not a known field"):
            log.info("token %s and secret %s", "xoxb-77-abc", "signing-secret-123")
            try:
                raise RuntimeError("failed with xoxp-999-user-token")
            except RuntimeError:
                log.exception("boom")
    finally:
        logging.getLogger().removeHandler(handler)
    text = out.getvalue()
    records = [json.loads(line) for line in text.splitlines()]
    assert records[0]["message"] == "token [redacted] and secret [redacted]"
    assert records[0]["slack_event_id"] == "Ev1" and "text" not in records[0]
    assert "xoxb-77" not in text and "signing-secret-123" not in text and "xoxp-999" not in text
    assert "RuntimeError" in records[1]["exc_info"]
