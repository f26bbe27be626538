"""Real worker processes against one PostgreSQL and the fake Slack Web API.

1. Three ``steward worker`` processes run the same simulated day and a half (pinned clocks stepped
   every 5 minutes) with several subscriptions and escalations: Slack receives each digest and each
   escalation message exactly once.
2. A worker is SIGKILLed in the middle of a ``chat.postMessage`` (the fake records the post and never
   answers); another worker takes over once the lease has run out, finds the message in the channel's
   history, and marks it sent without posting it again.

Both need PostgreSQL (``TEST_DATABASE_URL``); CI always sets it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from domain.model import DeliveryState, OutboxMessage
from handlers.reply import Reply
from storage.uow import SqlUnitOfWorkFactory, build_uow_factory
from tests.conftest import POSTGRES_URL
from tests.handlers.world import World, seed
from tests.scheduler.conftest import give_slack_ids
from tests.support.db import truncate_all
from tests.support.slack_history import HistorySlack

pytestmark = pytest.mark.skipif(not POSTGRES_URL, reason="TEST_DATABASE_URL is not set")

ROOT = Path(__file__).resolve().parents[2]
NY = ZoneInfo("America/New_York")


@pytest.fixture
def pg(postgres_url: str) -> Iterator[SqlUnitOfWorkFactory]:
    truncate_all(postgres_url)
    factory = build_uow_factory(postgres_url)
    factory.url = postgres_url  # type: ignore[attr-defined]
    yield factory
    factory.dispose()


def worker(url: str, slack: HistorySlack, *args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DATABASE_URL": url, "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": "s",
           "SLACK_API_URL": slack.url, "STEWARD_ADMINS": "", "PYTHONPATH": str(ROOT)}
    env.pop("SLACK_APP_TOKEN", None)
    return subprocess.Popen([sys.executable, "-m", "bot.cli", "worker", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def stop(proc: subprocess.Popen[bytes]) -> str:
    if proc.poll() is None:
        proc.kill()
    out, _ = proc.communicate(timeout=10)
    return out.decode(errors="replace")


def outbox(factory: SqlUnitOfWorkFactory) -> list[OutboxMessage]:
    with factory() as uow:
        return uow.outbox.list(limit=10_000)


def test_three_workers_through_a_simulated_day_deliver_everything_exactly_once(
        pg: SqlUnitOfWorkFactory) -> None:
    world: World = seed(pg)
    give_slack_ids(world)
    monday = datetime(2026, 11, 16, 7, 0, tzinfo=NY)
    before = monday - timedelta(days=1)
    assert world.say("digest at 9:00 America/New_York weekdays", who="mark@example.com", channel="C0ACMEWEB",
                     now=before).ok
    assert world.say("digest at 8:30 daily", who="dana@example.com", now=before).ok
    assert world.say("digest at 14:15 Europe/London weekdays", who="mia@example.com", channel="C0GLOBEX",
                     now=before).ok
    assert world.say("status acme-web red client unhappy", who="mark@example.com", now=before).ok
    slack = HistorySlack().start()
    procs = []
    try:
        until = monday + timedelta(hours=26)
        procs = [worker(pg.url, slack, "--now", monday.isoformat(), "--until", until.isoformat(),  # type: ignore[attr-defined]
                        "--step", "300") for _ in range(3)]
        for p in procs:
            p.wait(timeout=100)
        logs = [stop(p) for p in procs]
        assert all(p.returncode == 0 for p in procs), "\n".join(logs)
    finally:
        for p in procs:
            stop(p)
        slack.stop()

    rows = outbox(pg)
    assert rows and all(m.state is DeliveryState.SENT for m in rows), [(m.key, m.state, m.last_error) for m in rows]
    posted = Counter(slack.posted_keys())
    assert all(n == 1 for n in posted.values()), [k for k, n in posted.items() if n > 1]
    assert set(posted) == {m.key for m in rows}
    with pg() as uow:
        subs = {s.channel: s.id for s in uow.subscriptions.list_active()}
    web, dana, globex = subs["C0ACMEWEB"], subs["dm:dana@example.com"], subs["C0GLOBEX"]
    assert sorted(k for k in posted if k.startswith("digest:")) == sorted([
        f"digest:{web}:2026-11-16", f"digest:{web}:2026-11-17",
        f"digest:{dana}:2026-11-16", f"digest:{dana}:2026-11-17",
        f"digest:{globex}:2026-11-16",  # 14:15 London is 09:15 New York; Tuesday's is after the window
    ])
    escalations = [k for k in posted if k.startswith("escalation:")]
    assert escalations, "the sweep opened escalations (acme-web red, acme-app over budget, stale statuses)"
    # Unacknowledged, each is re-sent every 24 h, copied to the admin (Ada): acme-web's red status was
    # escalated on Sunday 07:00 (when it was logged), so it went out Sunday, Monday and Tuesday; the
    # sweep's own escalations opened on Monday 07:00 went out Monday and again Tuesday.
    with pg() as uow:
        red = next(e for e in uow.escalations.list_open() if e.rule == "status_red")
        others = [e for e in uow.escalations.list_open() if e.rule != "status_red"]
    sends = Counter(int(k.split(":")[2]) for k in escalations if k.startswith(f"escalation:{red.id}:"))
    assert red.sends == 3 and sends == {1: 1, 2: 2, 3: 2}  # the director, then the director and the admin
    assert others and all(e.sends == 2 for e in others)
    assert all(f"escalation:{e.id}:2:{world.ids['ada']}" in posted for e in others)


def test_a_worker_killed_mid_send_and_the_next_one_delivers_exactly_once(pg: SqlUnitOfWorkFactory) -> None:
    world = seed(pg)
    give_slack_ids(world)
    now = datetime.now(UTC)
    key = "notify:sigkill:1"
    with pg() as uow:
        assert uow.outbox.add(OutboxMessage(None, key, "notification", Reply(title="Kill me").to_dict(), now, now,
                                            channel="C0ACMEWEB"))
        uow.commit()
    slack = HistorySlack(hang_posts=1, hang_key=key).start()
    a = b = None
    try:
        a = worker(pg.url, slack, "--lease", "3", "--poll", "0.2")  # type: ignore[attr-defined]
        deadline = time.monotonic() + 30
        while key not in slack.posted_keys():
            assert time.monotonic() < deadline and a.poll() is None, stop(a)
            time.sleep(0.05)
        a.send_signal(signal.SIGKILL)  # in the middle of chat.postMessage: Slack has it, the worker never knew
        a.wait(10)
        with pg() as uow:
            mid = uow.outbox.by_key(key)
        assert mid is not None and mid.state is DeliveryState.PENDING and mid.attempts == 1
        b = worker(pg.url, slack, "--lease", "3", "--poll", "0.2")  # type: ignore[attr-defined]
        deadline = time.monotonic() + 30
        while True:
            with pg() as uow:
                done = uow.outbox.by_key(key)
            if done is not None and done.state is DeliveryState.SENT:
                break
            assert time.monotonic() < deadline and b.poll() is None, stop(b)
            time.sleep(0.1)
    finally:
        for p in (a, b):
            if p is not None:
                stop(p)
        slack.stop()
    assert slack.posted_keys().count(key) == 1
    assert done.attempts == 2 and done.platform_ref.startswith("C0ACMEWEB:")
    assert any(c.body.get("channel") == "C0ACMEWEB" for c in slack.of("conversations.history"))
