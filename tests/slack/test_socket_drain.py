"""Socket Mode drains too: a SIGTERM right after an envelope is acknowledged still sends its answer."""

from __future__ import annotations

import signal
import time
from pathlib import Path

from tests.slack.test_serve import serving, wait_healthy
from tests.support.fake_slack import FakeSlack


def test_sigterm_after_a_socket_mode_ack_still_answers(tmp_path: Path, fake: FakeSlack) -> None:
    fake.delays["users.info"] = 3.0  # the work after the ack is still looking Dana up when the signal comes
    with serving(tmp_path, fake, SLACK_APP_TOKEN="xapp-test", SLACK_SIGNING_SECRET="",
                 STEWARD_WORK_PROCESSES="0") as (port, proc):
        wait_healthy(port, proc)
        fake.wait_for("apps.connections.open", timeout=15)
        command = {"command": "/budget", "text": "acme", "user_id": "UDANA", "channel_id": "C1", "team_id": "T1",
                   "response_url": fake.response_url("socket"), "trigger_id": "t.socket"}
        fake.socket_send({"envelope_id": "env-1", "type": "slash_commands", "accepts_response_payload": True,
                          "payload": command})
        fake.wait_for("socket.ack", timeout=15)
        time.sleep(0.5)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(12) == 0
        [posted] = fake.of("response_url")
        assert posted.body["_key"] == "socket" and "not registered" in posted.body["text"]
