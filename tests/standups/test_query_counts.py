"""``standup`` reads a channel's participants, their calendars, time off and answers in a fixed number of
statements: ten times the people, the same count."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import date
from decimal import Decimal

from sqlalchemy import Engine

from domain.model import Allocation, AllocationState, Person, Role
from domain.standups import Answer
from domain.timeoff import PersonCalendar, TimeOff
from storage.uow import SqlUnitOfWorkFactory
from tests.standups.conftest import SUNDAY, standup_world
from tests.support.db import StatementCount

Counter = Callable[[Engine], AbstractContextManager[StatementCount]]
MONDAY = SUNDAY.replace(day=16)


def grow(factory: SqlUnitOfWorkFactory, project_id: int, n: int) -> None:
    """``n`` more participants, each with a calendar, some time off and an answer."""
    with factory() as uow:
        for i in range(n):
            p = uow.people.add(Person(None, f"Extra {n}-{i}", f"extra{n}-{i}@example.com", Role.MEMBER))
            uow.allocations.add(Allocation(None, p.id or 0, project_id, Decimal("10"), date(2026, 11, 1),
                                           date(2026, 11, 30), AllocationState.APPROVED, p.id or 0, SUNDAY))
            uow.calendars.save_person(PersonCalendar(p.id or 0, "Europe/Paris", None, "FR"))
            if i % 3 == 0:
                uow.calendars.add_time_off(TimeOff(None, p.id or 0, date(2026, 11, 16), date(2026, 11, 16), "",
                                                   None, SUNDAY))
            uow.standups.answer(Answer(None, p.id or 0, date(2026, 11, 16), "a", "b", "", SUNDAY))
        uow.commit()


def test_standup_statements_do_not_grow_with_participants(uow_factory: SqlUnitOfWorkFactory,
                                                          count_statements: Counter) -> None:
    world = standup_world(uow_factory)
    counts = []
    for n in (3, 27):  # 6 participants, then 33
        grow(uow_factory, world.ids["acme-web"], n if not counts else n - 3)
        reply = world.say("standup", who="mark@example.com", channel="C0ACMEWEB", now=MONDAY)
        assert reply.ok
        with count_statements(uow_factory.engine) as c:
            world.say("standup", who="mark@example.com", channel="C0ACMEWEB", now=MONDAY)
        counts.append(c.count)
    assert counts[0] == counts[1], counts
