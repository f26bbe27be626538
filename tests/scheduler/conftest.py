"""Scheduler fixtures: the small organisation, a fake Slack that keeps history, a Slack deliverer."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from bot.delivery import Deliverer
from bot.slack.sender import SlackSender
from domain.model import Platform
from storage.uow import SqlUnitOfWorkFactory
from tests.handlers.world import World, seed
from tests.support.slack_history import HistorySlack

SLACK_IDS = {"ada": "UADA", "dana": "UDANA", "drew": "UDREW", "mark": "UMARK", "mia": "UMIA", "jane": "UJANE",
             "fred": "UFRED"}


def give_slack_ids(world: World) -> None:
    with world.uow_factory() as uow:
        for key, slack_id in SLACK_IDS.items():
            person = uow.people.get(world.ids[key])
            assert person is not None
            uow.people.update(replace(person, slack_id=slack_id, platform=Platform.SLACK))
        uow.commit()


@pytest.fixture
def world(uow_factory: SqlUnitOfWorkFactory) -> World:
    w = seed(uow_factory)
    give_slack_ids(w)
    return w


@pytest.fixture
def slack() -> Iterator[HistorySlack]:
    fake = HistorySlack().start()
    yield fake
    fake.stop()


@pytest.fixture
def deliverer(uow_factory: SqlUnitOfWorkFactory, slack: HistorySlack) -> Deliverer:
    return Deliverer(uow_factory, {Platform.SLACK: SlackSender("xoxb-test", slack.url, timeout=5)},
                     lease_seconds=60)
