"""``steward serve`` as the README starts it: a real process answering /healthz and signed Slack requests."""

from __future__ import annotations

import contextlib
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


@contextlib.contextmanager
def serving(tmp_path: Path, fake: FakeSlack, **settings: str) -> Iterator[tuple[int, subprocess.Popen[str]]]:
    """``steward serve`` on an empty SQLite database and the fake Slack, HTTP mode unless ``settings`` say
    otherwise (a value of "" unsets the variable); stopped with SIGTERM afterwards, which must exit 0."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'steward.db'}", "SLACK_BOT_TOKEN": "xoxb-test",
           "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": fake.url, "SLACK_APP_TOKEN": "", **settings}
    env = {k: v for k, v in env.items() if v != ""}
    proc = subprocess.Popen([*steward_command(), "serve", "--host", "127.0.0.1", "--port", str(port),
                             "--no-scheduler"], env=env, cwd=tmp_path, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        yield port, proc
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
    assert proc.returncode == 0


def test_steward_serve_answers_healthz_and_signed_slack_requests(tmp_path: Path, fake: FakeSlack) -> None:
    with serving(tmp_path, fake) as (port, proc):
        answer = wait_healthy(port, proc)
        assert answer.status_code == 200 and answer.json() == {"status": "ok"}
        workers = children(proc.pid)
        assert len(workers) == 1  # STEWARD_WORK_PROCESSES defaults to one worker process

        assert post_budget(port, fake).status_code == 200
        [posted] = fake.wait_for("response_url", timeout=15)
        assert "not registered" in posted.body["text"]  # an empty database: Dana is told how to get in
    assert all(not alive(pid) for pid in workers)  # the server took its workers down with it


def wait_healthy(port: int, proc: subprocess.Popen[str]) -> requests.Response:
    deadline = time.monotonic() + 30
    while True:
        try:
            return requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
        except requests.ConnectionError:
            if proc.poll() is not None or time.monotonic() > deadline:
                output = proc.stdout.read() if proc.stdout else ""
                raise AssertionError(f"steward serve did not start: {output}") from None
            time.sleep(0.2)


def post_budget(port: int, fake: FakeSlack) -> requests.Response:
    """A signed ``/budget acme`` from Dana, as Slack sends it."""
    body = urlencode({"command": "/budget", "text": "acme", "user_id": "UDANA", "channel_id": "C1",
                      "team_id": "T1", "response_url": fake.response_url("serve"), "trigger_id": "t.1"})
    ts = str(int(time.time()))
    sig = SignatureVerifier(SECRET).generate_signature(timestamp=ts, body=body)
    return requests.post(f"http://127.0.0.1:{port}/slack/events", data=body, timeout=5, headers={
        "Content-Type": "application/x-www-form-urlencoded", "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": sig or ""})


def children(pid: int) -> list[int]:
    """Child processes (Linux /proc)."""
    path = Path(f"/proc/{pid}/task/{pid}/children")
    if not path.exists():
        pytest.skip("/proc/<pid>/task/<pid>/children is not available here")
    return [int(c) for c in path.read_text().split()]


def alive(pid: int) -> bool:
    status = Path(f"/proc/{pid}/status")
    return status.exists() and "State:\tZ" not in status.read_text()


def test_serve_runs_the_work_in_threads_when_asked_for_no_worker_processes(tmp_path: Path, fake: FakeSlack) -> None:
    with serving(tmp_path, fake, STEWARD_WORK_PROCESSES="0") as (port, proc):
        wait_healthy(port, proc)
        assert children(proc.pid) == []
        assert post_budget(port, fake).status_code == 200
        [posted] = fake.wait_for("response_url", timeout=15)
        assert "not registered" in posted.body["text"]


def test_a_malformed_setting_stops_start_up_with_one_line_naming_it(tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'steward.db'}", "SLACK_BOT_TOKEN": "not-a-token"}
    done = subprocess.run([*steward_command(), "serve", "--port", str(free_port())], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "SLACK_BOT_TOKEN" in lines[0]


def test_steward_serve_over_socket_mode_acks_an_envelope_and_answers(tmp_path: Path, fake: FakeSlack) -> None:
    """SLACK_APP_TOKEN set: no request URL; Steward opens the WebSocket Slack hands out and answers there."""
    with serving(tmp_path, fake, SLACK_APP_TOKEN="xapp-test", SLACK_SIGNING_SECRET="") as (port, proc):
        wait_healthy(port, proc)
        [opened] = fake.wait_for("apps.connections.open", timeout=15)
        assert opened.headers.get("Authorization") == "Bearer xapp-test"  # the app-level token, not the bot's
        command = {"command": "/budget", "text": "acme", "user_id": "UDANA", "channel_id": "C1", "team_id": "T1",
                   "response_url": fake.response_url("socket"), "trigger_id": "t.socket"}
        fake.socket_send({"envelope_id": "env-1", "type": "slash_commands", "accepts_response_payload": True,
                          "payload": command})
        [ack] = fake.wait_for("socket.ack", timeout=15)
        assert ack.body["envelope_id"] == "env-1"
        [posted] = fake.wait_for("response_url", timeout=15)
        assert posted.body["_key"] == "socket" and "not registered" in posted.body["text"]
        # Slack redelivers an envelope it saw no ack for; the same command is answered once.
        fake.socket_send({"envelope_id": "env-2", "type": "slash_commands", "accepts_response_payload": True,
                          "payload": command, "retry_attempt": 1, "retry_reason": "timeout"})
        fake.wait_for("socket.ack", count=2, timeout=15)
        time.sleep(1.0)
        assert len(fake.of("response_url")) == 1
