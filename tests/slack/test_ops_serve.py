"""Operating ``steward serve``: its metrics summed over the worker processes, and its JSON log lines."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

import requests
from prometheus_client.parser import text_string_to_metric_families
from slack_sdk.signature import SignatureVerifier

from tests.handlers.world import World
from tests.slack.test_serve import SECRET, children, serving, wait_healthy
from tests.support.fake_slack import FakeSlack

BOT_TOKEN = "xoxb-1234567890-secret-bot-token-value"


def post_command(port: int, fake: FakeSlack, text: str, n: int, secret: str = SECRET) -> requests.Response:
    body = urlencode({"command": "/budget", "text": text, "user_id": "UDANA", "channel_id": "C1", "team_id": "T1",
                      "response_url": fake.response_url(f"r{n}"), "trigger_id": f"trigger.{n}"})
    ts = str(int(time.time()))
    sig = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    return requests.post(f"http://127.0.0.1:{port}/slack/events", data=body, timeout=5, headers={
        "Content-Type": "application/x-www-form-urlencoded", "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": sig or ""})


def samples(port: int, name: str) -> list[tuple[dict[str, str], float]]:
    text = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
    return [(s.labels, s.value) for family in text_string_to_metric_families(text) for s in family.samples
            if s.name == name]


def test_metrics_count_exactly_the_commands_answered_by_the_worker_processes(tmp_path: Path, fake: FakeSlack,
                                                                             world: World) -> None:
    n = 7
    files = tmp_path / "metrics"
    files.mkdir()
    (files / "counter_1.db").write_bytes(b"left over from an earlier run")  # emptied at start
    with serving(tmp_path, fake, PROMETHEUS_MULTIPROC_DIR=str(files)) as (port, proc):
        wait_healthy(port, proc)
        workers = children(proc.pid)
        assert workers  # the handlers run in a worker process, not in the one serving /metrics
        with ThreadPoolExecutor(4) as pool:  # at once, as a channel full of people would
            answers = list(pool.map(lambda i: post_command(port, fake, "acme" if i % 2 else "nosuchthing", i),
                                    range(n)))
        assert [a.status_code for a in answers] == [200] * n
        fake.wait_for("response_url", count=n, timeout=30)
        counted_in = {int(f.stem.split("_")[1]) for f in files.glob("counter_*.db")}
        assert counted_in & set(workers) and 1 not in counted_in  # counted where the handlers ran
        commands = samples(port, "steward_commands_total")
        assert sum(value for _, value in commands) == n
        by_outcome = {labels["outcome"]: value for labels, value in commands}
        assert by_outcome == {"ok": 3, "user_error": 4}
        assert {labels["command"] for labels, _ in commands} == {"budget"}
        assert {labels["platform"] for labels, _ in commands} == {"slack"}
        handler_time = samples(port, "steward_command_seconds_count")
        assert sum(value for _, value in handler_time) == n
        acks = samples(port, "steward_slack_ack_seconds_count")
        assert sum(value for _, value in acks) == n  # acknowledged in the serving process
        assert samples(port, "steward_database_up") == [({}, 1.0)]
        assert samples(port, "process_resident_memory_bytes")  # the library's process collector


def test_json_logs_parse_line_by_line_and_never_show_the_bot_token_or_signing_secret(
        tmp_path: Path, fake: FakeSlack, world: World) -> None:
    secret = "json-logs-signing-secret-8c1f"
    with serving(tmp_path, fake, STEWARD_LOG_FORMAT="json", STEWARD_LOG_LEVEL="DEBUG", SLACK_BOT_TOKEN=BOT_TOKEN,
                 SLACK_SIGNING_SECRET=secret) as (port, proc):
        wait_healthy(port, proc)
        for i in range(3):
            assert post_command(port, fake, "acme private note for the client", i, secret).status_code == 200
        assert post_command(port, fake, "acme", 9, "a-wrong-secret").status_code == 401  # refused, logged
        fake.wait_for("response_url", count=3, timeout=30)
        # the worker writes its line after the answer went out: wait for it rather than sleeping
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and "command budget answered" not in _peek(proc):
            time.sleep(0.1)
    output = _peek(proc) + (proc.stdout.read() if proc.stdout else "")
    lines = [line for line in output.splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    assert all({"time", "level", "logger", "message"} <= set(r) for r in records)
    answered = [r for r in records if r["message"].startswith("command budget answered")]
    assert len(answered) == 3
    assert {r["platform"] for r in answered} == {"slack"}
    assert all(r["command"] == "budget" and isinstance(r["person_id"], int) for r in answered)
    assert BOT_TOKEN not in output and secret not in output
    assert "private note" not in output  # nothing of a command beyond its first word


_SEEN: dict[int, str] = {}


def _peek(proc) -> str:  # type: ignore[no-untyped-def]
    """What the server printed so far, without blocking (its stdout is a pipe)."""
    import os

    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    os.set_blocking(fd, False)
    try:
        chunk = os.read(fd, 1 << 20)
    except BlockingIOError:
        chunk = b""
    finally:
        os.set_blocking(fd, True)
    _SEEN[proc.pid] = _SEEN.get(proc.pid, "") + chunk.decode(errors="replace")
    return _SEEN[proc.pid]


def test_on_postgresql_two_worker_processes_are_summed_into_one_count(tmp_path: Path, fake: FakeSlack,
                                                                     postgres_url: str) -> None:
    from storage.uow import build_uow_factory
    from tests.handlers.world import seed
    from tests.support.db import truncate_all

    truncate_all(postgres_url)
    factory = build_uow_factory(postgres_url)
    seed(factory)
    factory.dispose()
    n = 12
    files = tmp_path / "metrics"
    with serving(tmp_path, fake, DATABASE_URL=postgres_url, STEWARD_WORK_PROCESSES="2",
                 PROMETHEUS_MULTIPROC_DIR=str(files)) as (port, proc):
        wait_healthy(port, proc)
        workers = children(proc.pid)
        assert len(workers) == 2
        with ThreadPoolExecutor(6) as pool:
            answers = list(pool.map(lambda i: post_command(port, fake, "acme", i), range(n)))
        assert [a.status_code for a in answers] == [200] * n
        fake.wait_for("response_url", count=n, timeout=30)
        commands = samples(port, "steward_commands_total")
        assert sum(value for _, value in commands) == n
        assert {labels["outcome"] for labels, _ in commands} == {"ok"}
    truncate_all(postgres_url)
