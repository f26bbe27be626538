"""Stand-up fixtures: the small organisation with a stand-up in acme-web's channel.

Participants (approved allocations on acme-web): Jane in London (her own timezone), Mia in New York (the
organisation's), Fred on time off from Monday 16 Nov to Wednesday. Mark manages acme-web; Dana is Acme's
director. The stand-up was set on Sunday 15 Nov: 09:30 on each participant's clock, report at 11:30 New York.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from bot.delivery import Deliverer
from bot.slack.sender import SlackSender
from domain.model import Allocation, AllocationState, Platform
from domain.ports import UnitOfWorkFactory
from domain.timeoff import PersonCalendar
from storage.uow import SqlUnitOfWorkFactory
from tests.handlers.world import World, seed
from tests.scheduler.conftest import give_slack_ids
from tests.support.slack_history import HistorySlack

NY = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")
SUNDAY = datetime(2026, 11, 15, 12, 0, tzinfo=NY)


def allocate(uow_factory: UnitOfWorkFactory, world: World, who: str, project: str = "acme-web",
             start: date = date(2026, 10, 1), end: date = date(2026, 12, 31)) -> None:
    with uow_factory() as uow:
        uow.allocations.add(Allocation(None, world.ids[who], world.ids[project], Decimal("20"), start, end,
                                       AllocationState.APPROVED, world.ids["mark"], SUNDAY))
        uow.commit()


def standup_world(uow_factory: UnitOfWorkFactory, line: str = "standup at 9:30 weekdays",
                  set_at: datetime = SUNDAY) -> World:
    world = seed(uow_factory)
    give_slack_ids(world)
    for who in ("jane", "mia", "fred"):
        allocate(uow_factory, world, who)
    with uow_factory() as uow:
        uow.calendars.save_person(PersonCalendar(world.ids["jane"], "Europe/London", None, "GB"))
        uow.calendars.save_person(PersonCalendar(world.ids["mia"], None, None, "US"))
        uow.commit()
    assert world.say("ooo 2026-11-16 until 2026-11-18 dentist and a long weekend", who="fred@example.com",
                     now=set_at).ok
    reply = world.say(line, who="mark@example.com", channel="C0ACMEWEB", now=set_at)
    assert reply.ok, reply
    return world


@pytest.fixture
def world(uow_factory: SqlUnitOfWorkFactory) -> World:
    return standup_world(uow_factory)


@pytest.fixture
def slack() -> Iterator[HistorySlack]:
    fake = HistorySlack().start()
    yield fake
    fake.stop()


@pytest.fixture
def deliverer(uow_factory: SqlUnitOfWorkFactory, slack: HistorySlack) -> Deliverer:
    return Deliverer(uow_factory, {Platform.SLACK: SlackSender("xoxb-test", slack.url, timeout=5)},
                     lease_seconds=60)


def steps(start: datetime, end: datetime, minutes: int = 5) -> Iterator[datetime]:
    t = start
    while t <= end:
        yield t
        t += timedelta(minutes=minutes)
