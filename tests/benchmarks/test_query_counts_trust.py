"""``timesheet team`` and ``escalations`` (which opens what holds before listing it) take the same
statements at ten times the data (issue 12's new reads; the style of ``test_query_counts.py``)."""

from __future__ import annotations

from collections.abc import Callable

from handlers.dispatch import handle
from storage.uow import SqlUnitOfWorkFactory
from tests.benchmarks.test_query_counts import SMALL, Counter, Dataset, context, ok, per_scale


def test_timesheet_of_every_person_takes_the_same_statements(
    uow_factory: SqlUnitOfWorkFactory, count_statements: Counter
) -> None:
    def operation(data: Dataset) -> Callable[[], object]:
        ctx = context(uow_factory, email=data.admin_email)
        return lambda: ok(handle(ctx, "timesheet team"))

    counts = per_scale(uow_factory, count_statements, operation)
    assert counts[SMALL] == counts[max(counts)], counts
    assert counts[SMALL] <= 8, counts


def test_my_timesheet_takes_the_same_statements(uow_factory: SqlUnitOfWorkFactory, count_statements: Counter) -> None:
    def operation(data: Dataset) -> Callable[[], object]:
        ctx = context(uow_factory, email=data.admin_email)
        return lambda: ok(handle(ctx, "timesheet me last week"))

    counts = per_scale(uow_factory, count_statements, operation)
    assert counts[SMALL] == counts[max(counts)], counts


def test_escalations_take_the_same_statements(uow_factory: SqlUnitOfWorkFactory, count_statements: Counter) -> None:
    def operation(data: Dataset) -> Callable[[], object]:
        ctx = context(uow_factory, email=data.admin_email)
        return lambda: ok(handle(ctx, "escalations"))

    counts = per_scale(uow_factory, count_statements, operation)
    assert counts[SMALL] == counts[max(counts)], counts
