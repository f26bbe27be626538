"""Reads over a set of projects or people bind the ids as one value, however many there are."""

from __future__ import annotations

from datetime import date, timedelta

from domain.model import Allocation, AllocationState, Expense, Rag, ScopeChange, ScopeState, StatusUpdate
from storage.uow import SqlUnitOfWorkFactory
from tests.storage.builders import AT, D, basics
from tests.storage.test_burn import entry

TODAY = date(2026, 11, 23)
MON = date(2026, 11, 16)
# More ids than either database takes bound parameters in one statement (SQLite 32,766, PostgreSQL 65,535).
MANY = 70_000


def test_reads_over_more_ids_than_a_statement_can_bind_answer_as_over_the_real_ids(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    ids = basics(uow_factory)
    with uow_factory() as uow:
        uow.entries.add(entry(ids.jane, ids.web, TODAY, "2.5"))
        uow.entries.add(entry(ids.jane, ids.web, date(2026, 6, 1), "4"))  # an earlier month: through the rollup
        uow.entries.add_expense(Expense(None, ids.app, TODAY, D("12.34")))
        uow.statuses.add(StatusUpdate(None, ids.web, Rag.AMBER, "first", ids.dana, AT - timedelta(days=1)))
        uow.statuses.add(StatusUpdate(None, ids.web, Rag.RED, "then", ids.dana, AT))
        uow.scope.add(ScopeChange(None, ids.app, "more", D("3"), D("100"), ScopeState.FLAGGED, ids.jane, AT))
        uow.allocations.add(Allocation(None, ids.jane, ids.web, D("12"), MON, MON + timedelta(days=20),
                                       AllocationState.APPROVED, ids.dana, AT))
        uow.commit()
    real = [ids.web, ids.app]
    padded = [*real, *range(1_000_000, 1_000_000 + MANY)]  # ids no row has
    people = [ids.jane, ids.dana, *range(1_000_000, 1_000_000 + MANY)]

    def reads(projects: list[int], persons: list[int]) -> tuple[object, ...]:
        with uow_factory() as uow:
            return (
                uow.entries.totals(projects, TODAY),
                uow.scope.totals(projects),
                uow.scope.list(projects, [ScopeState.FLAGGED]),
                uow.statuses.latest(projects),
                uow.statuses.previous(projects),
                uow.allocations.list(project_ids=projects, states=[AllocationState.APPROVED]),
                uow.people.many(persons),
                uow.allocations.weekly_load(persons, MON, MON + timedelta(days=28)),
            )

    expected = reads(real, [ids.jane, ids.dana])
    assert all(expected), expected  # every read found something
    assert reads(padded, people) == expected


def test_reads_over_no_ids_find_nothing(uow_factory: SqlUnitOfWorkFactory) -> None:
    basics(uow_factory)
    with uow_factory() as uow:
        assert uow.entries.totals([], TODAY) == {}
        assert uow.statuses.latest([]) == {}
        assert uow.allocations.list(project_ids=[]) == []
        assert uow.people.many([]) == {}
