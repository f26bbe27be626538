"""A Teams turn's log lines carry its activity id, the command word and the person, never the line."""

from __future__ import annotations

import io
import json
import logging

from bot import logs
from bot.settings import Settings
from tests.teams.conftest import TeamsServer


def test_a_teams_command_logs_its_activity_id_and_command_word_only(server: TeamsServer) -> None:
    out = io.StringIO()
    handler = logs.configure(Settings(log_format="json", log_level="INFO"), stream=out)
    try:
        activity = server.activity(text="budget acme-web a private remark")
        assert server.post(activity).status_code == 200
    finally:
        logging.getLogger().removeHandler(handler)
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    [answered] = [r for r in records if r["message"].startswith("command budget answered")]
    assert answered["platform"] == "teams" and answered["teams_activity_id"] == activity["id"]
    assert answered["command"] == "budget" and isinstance(answered["person_id"], int)
    assert "private remark" not in out.getvalue()
