"""The money charts (``chart … ar``, ``chart … pipeline``) and ``account`` with its receivables, pipeline
and renewal panels read set-based: the same statements at ten times the data (projects, entries, invoices,
opportunities), as the other commands do (see test_query_counts.py for the method)."""

from __future__ import annotations

from collections.abc import Callable

from benchmarks.generate import Dataset
from handlers.dispatch import handle
from storage.uow import SqlUnitOfWorkFactory
from tests.benchmarks.test_chart_query_counts import with_drawer
from tests.benchmarks.test_query_counts import LARGE, SMALL, Counter, ok, per_scale


def test_account_with_its_money_panels_takes_the_same_statements_at_ten_times_the_data(
        uow_factory: SqlUnitOfWorkFactory, count_statements: Counter) -> None:
    def operation(data: Dataset) -> Callable[[], object]:
        ctx = with_drawer(uow_factory, data)
        return lambda: ok(handle(ctx, f"account {data.big_client_key}"))

    counts = per_scale(uow_factory, count_statements, operation)
    assert counts[SMALL] == counts[LARGE], counts
    # account's 16, + 1 aging, + 3 pipeline (settings, quota, totals), + 3 renewal (terms, clients, deals).
    assert counts[SMALL] <= 16 + 7, counts


def test_the_money_charts_take_the_same_statements_at_ten_times_the_data(
        uow_factory: SqlUnitOfWorkFactory, count_statements: Counter) -> None:
    for line in ("chart {client} ar", "chart mine ar", "chart me pipeline", "chart {client} pipeline"):
        def operation(data: Dataset, line: str = line) -> Callable[[], object]:
            ctx = with_drawer(uow_factory, data)
            return lambda: ok(handle(ctx, line.format(client=data.big_client_key)))

        counts = per_scale(uow_factory, count_statements, operation)
        assert counts[SMALL] == counts[LARGE], (line, counts)
        assert counts[SMALL] <= 10, (line, counts)
