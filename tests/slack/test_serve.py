"""``steward serve`` as the README starts it: a real process answering /healthz and signed Slack requests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
import requests
from slack_sdk.signature import SignatureVerifier

from tests.support.fake_slack import FakeSlack

SECRET = "serve-test-secret"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def steward_command() -> list[str]:
    script = Path(sys.executable).parent / "steward"
    return [str(script)] if script.exists() else [sys.executable, "-m", "bot.cli"]


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    slack = FakeSlack(emails={"UDANA": "dana@example.com"}).start()
    yield slack
    slack.stop()


def test_steward_serve_answers_healthz_and_signed_slack_requests(tmp_path: Path, fake: FakeSlack) -> None:
    port = free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'steward.db'}", "SLACK_BOT_TOKEN": "xoxb-test",
           "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": fake.url}
    env.pop("SLACK_APP_TOKEN", None)
    proc = subprocess.Popen([*steward_command(), "serve", "--host", "127.0.0.1", "--port", str(port),
                             "--no-scheduler"], env=env, cwd=tmp_path, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                answer = requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except requests.ConnectionError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    output = proc.stdout.read() if proc.stdout else ""
                    raise AssertionError(f"steward serve did not start: {output}") from None
                time.sleep(0.2)
        assert answer.status_code == 200 and answer.json() == {"status": "ok"}

        body = urlencode({"command": "/budget", "text": "acme", "user_id": "UDANA", "channel_id": "C1",
                          "team_id": "T1", "response_url": fake.response_url("serve"), "trigger_id": "t.1"})
        ts = str(int(time.time()))
        sig = SignatureVerifier(SECRET).generate_signature(timestamp=ts, body=body)
        answer = requests.post(f"http://127.0.0.1:{port}/slack/events", data=body, timeout=5, headers={
            "Content-Type": "application/x-www-form-urlencoded", "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": sig})
        assert answer.status_code == 200
        [posted] = fake.wait_for("response_url", timeout=15)
        assert "not registered" in posted.body["text"]  # an empty database: Dana is told how to get in
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
    assert proc.returncode == 0


def test_a_malformed_setting_stops_start_up_with_one_line_naming_it(tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'steward.db'}", "SLACK_BOT_TOKEN": "not-a-token"}
    done = subprocess.run([*steward_command(), "serve", "--port", str(free_port())], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "SLACK_BOT_TOKEN" in lines[0]
