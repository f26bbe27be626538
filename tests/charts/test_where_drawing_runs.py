"""matplotlib costs memory and start-up time, so it is loaded on the first chart only, and only where the
handlers run: in ``steward serve``'s worker process, never in the server's own process."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
import requests
from slack_sdk.signature import SignatureVerifier

from storage.uow import build_uow_factory, ensure_schema
from tests.charts.worked import worked
from tests.slack.test_serve import SECRET, children, serving, wait_healthy
from tests.support.fake_slack import FakeSlack


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    slack = FakeSlack(emails={"UDANA": "dana@example.com"}).start()
    yield slack
    slack.stop()


def loaded_matplotlib(pid: int) -> bool:
    """Whether the process has matplotlib's compiled modules mapped (Linux /proc)."""
    maps = Path(f"/proc/{pid}/maps")
    if not maps.exists():
        pytest.skip("/proc/<pid>/maps is not available here")
    return "/matplotlib/" in maps.read_text()


def test_importing_steward_loads_no_matplotlib() -> None:
    code = ("import sys, bot.cli, bot.app, bot.server, bot.slack.app, bot.teams.server, bot.charts, "
            "handlers.dispatch; print('matplotlib' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.strip() == "False"


def test_a_chart_under_serve_is_drawn_in_the_worker_process_not_the_server(tmp_path: Path, fake: FakeSlack) -> None:
    url = f"sqlite:///{tmp_path / 'steward.db'}"
    ensure_schema(url)
    factory = build_uow_factory(url)
    worked(factory)
    factory.dispose()
    with serving(tmp_path, fake) as (port, proc):
        wait_healthy(port, proc)
        [worker] = children(proc.pid)
        assert not loaded_matplotlib(proc.pid) and not loaded_matplotlib(worker)
        body = urlencode({"command": "/chart", "text": "acme-web", "user_id": "UDANA", "channel_id": "C1",
                          "team_id": "T1", "response_url": fake.response_url("chart"), "trigger_id": "t.chart"})
        ts = str(int(time.time()))
        signature = SignatureVerifier(SECRET).generate_signature(timestamp=ts, body=body) or ""
        answer = requests.post(f"http://127.0.0.1:{port}/slack/events", data=body, timeout=5, headers={
            "Content-Type": "application/x-www-form-urlencoded", "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": signature})
        assert answer.status_code == 200
        fake.wait_for("files.completeUploadExternal", timeout=60)
        assert fake.of("upload")[0].body["content"].startswith(b"\x89PNG")
        assert loaded_matplotlib(worker)
        assert not loaded_matplotlib(proc.pid)
