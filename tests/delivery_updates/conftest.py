"""Card updates end to end: the small organisation on SQLite and PostgreSQL (when ``TEST_DATABASE_URL`` is
set), everyone with a Slack id, a fake Slack Web API that keeps history, the fake Bot Framework connector,
and the real ``steward serve`` Teams endpoint for clicks in Teams."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.settings import Settings
from storage.uow import SqlUnitOfWorkFactory
from tests.handlers.world import World, seed
from tests.scheduler.conftest import give_slack_ids
from tests.support.fake_connector import FakeConnector
from tests.support.slack_history import HistorySlack
from tests.teams.conftest import MEMBERS, TeamsServer, make_server


@pytest.fixture
def world(uow_factory: SqlUnitOfWorkFactory, database_url: str) -> World:
    w = seed(uow_factory)
    give_slack_ids(w)
    w.database_url = database_url  # type: ignore[attr-defined]
    return w


@pytest.fixture
def slack() -> Iterator[HistorySlack]:
    fake = HistorySlack().start()
    yield fake
    fake.stop()


@pytest.fixture
def connector() -> Iterator[FakeConnector]:
    fake = FakeConnector().start()
    for m in MEMBERS:
        fake.add(m)
    yield fake
    fake.stop()


@pytest.fixture
def server(connector: FakeConnector, world: World) -> Iterator[TeamsServer]:
    srv, thread = make_server(world, connector, Settings(database_url=world.database_url))  # type: ignore[attr-defined]
    yield srv
    srv.loop.call_soon_threadsafe(srv.loop.stop)
    thread.join(10)
