"""A SIGTERM of ``steward serve`` lets a Teams turn in flight finish and answer before the process exits."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
from pathlib import Path

import requests

from tests.slack.test_serve import free_port, steward_command
from tests.support.fake_connector import FakeConnector
from tests.teams.conftest import DANA, TENANT, personal


def test_sigterm_lets_a_teams_turn_in_flight_answer(tmp_path: Path, connector: FakeConnector) -> None:
    connector.delays["member"] = 4.0  # the turn is still looking Dana up when the signal comes
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MICROSOFT_", "STEWARD_"))}
    env.update({"DATABASE_URL": f"sqlite:///{tmp_path / 'steward.db'}", "STEWARD_WORK_PROCESSES": "0"})
    proc = subprocess.Popen([*steward_command(), "serve", "--host", "127.0.0.1", "--port", str(port),
                             "--no-scheduler"], env=env, cwd=tmp_path, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                pass
            assert time.monotonic() < deadline, "serve did not come up"
            time.sleep(0.2)
        activity = {"type": "message", "id": "f:1", "serviceUrl": connector.url, "channelId": "msteams",
                    "from": {"id": DANA.id, "name": DANA.name, "aadObjectId": DANA.aad_object_id},
                    "conversation": {"id": personal(DANA), "conversationType": "personal", "tenantId": TENANT},
                    "recipient": {"id": "28:steward-bot", "name": "Steward"}, "text": "help",
                    "channelData": {"tenant": {"id": TENANT}}}
        answers: list[int] = []
        post = threading.Thread(target=lambda: answers.append(requests.post(
            f"http://127.0.0.1:{port}/api/messages", data=json.dumps(activity), timeout=20,
            headers={"Content-Type": "application/json"}).status_code))
        post.start()
        time.sleep(0.8)  # the member look-up is under way
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(12) == 0
        post.join(5)
        assert answers == [200]
        [reply] = connector.messages()
        assert reply.conversation_id == personal(DANA)
    finally:
        if proc.poll() is None:
            proc.kill()
