"""``steward serve`` as the README starts it, with no Slack configured: Teams answers on /api/messages
(Emulator mode, warned about) in the same process that serves /healthz."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.slack.test_serve import free_port, steward_command
from tests.support.fake_connector import FakeConnector
from tests.teams.conftest import DANA


@pytest.fixture
def fake() -> Iterator[FakeConnector]:
    connector = FakeConnector().start()
    connector.add(DANA)
    yield connector
    connector.stop()


def test_steward_serve_answers_teams_activities(tmp_path: Path, fake: FakeConnector) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MICROSOFT_"))}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'steward.db'}"
    proc = subprocess.Popen([*steward_command(), "serve", "--host", "127.0.0.1", "--port", str(port),
                             "--no-scheduler"], env=env, cwd=tmp_path, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except requests.ConnectionError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    output = proc.stdout.read() if proc.stdout else ""
                    raise AssertionError(f"steward serve did not start: {output}") from None
                time.sleep(0.2)
        activity = {"type": "message", "id": "m1", "serviceUrl": fake.url, "channelId": "msteams",
                    "from": {"id": DANA.id, "name": DANA.name, "aadObjectId": DANA.aad_object_id},
                    "conversation": {"id": "a:serve", "conversationType": "personal"},
                    "recipient": {"id": "28:bot", "name": "Steward"}, "text": "budget acme"}
        answer = requests.post(f"http://127.0.0.1:{port}/api/messages", json=activity, timeout=15)
        assert answer.status_code == 200
        [reply] = fake.wait_for("reply", timeout=15)
        assert "not registered" in reply.card_text  # an empty database: Dana is told how to get in
    finally:
        proc.terminate()
        try:
            output, _ = proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            output, _ = proc.communicate(timeout=5)
    assert proc.returncode == 0
    assert "Emulator mode" in output
