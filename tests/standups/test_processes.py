"""Three ``steward worker`` processes run the same simulated Monday against one PostgreSQL: Slack receives
each stand-up question, reminder and report exactly once."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest

from domain.model import DeliveryState
from storage.uow import SqlUnitOfWorkFactory, build_uow_factory
from tests.conftest import POSTGRES_URL
from tests.scheduler.test_processes import outbox, stop, worker
from tests.standups.conftest import NY, standup_world
from tests.support.db import truncate_all
from tests.support.slack_history import HistorySlack

pytestmark = pytest.mark.skipif(not POSTGRES_URL, reason="TEST_DATABASE_URL is not set")


@pytest.fixture
def pg(postgres_url: str) -> Iterator[SqlUnitOfWorkFactory]:
    truncate_all(postgres_url)
    factory = build_uow_factory(postgres_url)
    factory.url = postgres_url  # type: ignore[attr-defined]
    yield factory
    factory.dispose()


def test_three_workers_send_each_standup_question_exactly_once(pg: SqlUnitOfWorkFactory) -> None:
    world = standup_world(pg)
    start = datetime(2026, 11, 16, 4, 0, tzinfo=NY)
    until = start + timedelta(hours=9)
    slack = HistorySlack().start()
    procs = []
    try:
        procs = [worker(pg.url, slack, "--now", start.isoformat(), "--until", until.isoformat(),  # type: ignore[attr-defined]
                        "--step", "300") for _ in range(3)]
        for p in procs:
            p.wait(timeout=120)
        logs = [stop(p) for p in procs]
        assert all(p.returncode == 0 for p in procs), "\n".join(logs)
    finally:
        for p in procs:
            stop(p)
        slack.stop()
    rows = [m for m in outbox(pg) if m.key.startswith("standup:")]
    assert rows and all(m.state is DeliveryState.SENT for m in rows), [(m.key, m.state, m.last_error) for m in rows]
    posted = Counter(k for k in slack.posted_keys() if k.startswith("standup:"))
    jane, mia = world.ids["jane"], world.ids["mia"]
    assert posted == Counter({f"standup:ask:{jane}:2026-11-16": 1, f"standup:ask:{mia}:2026-11-16": 1,
                              f"standup:remind:{jane}:2026-11-16": 1, f"standup:remind:{mia}:2026-11-16": 1,
                              f"standup:report:{_setting_id(pg)}:2026-11-16": 1})


def _setting_id(pg: SqlUnitOfWorkFactory) -> int:
    with pg() as uow:
        setting = uow.standups.for_channel("C0ACMEWEB")
    assert setting is not None and setting.id is not None
    return setting.id
