"""``chart``, ``account`` and ``report`` read set-based: the same statements at ten times the data (projects,
entries, statuses, allocations; the client asked about grows from 2 to 20 projects) — except ``report``
of a client, which reads each project's status history once (one statement per project, said here)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from benchmarks.generate import Dataset
from bot.charts import DRAWER
from handlers.context import Context
from handlers.dispatch import handle
from storage.uow import SqlUnitOfWorkFactory
from tests.benchmarks.test_query_counts import BIG_CLIENT, LARGE, SMALL, Counter, context, ok, per_scale


def with_drawer(factory: SqlUnitOfWorkFactory, data: Dataset) -> Context:
    return replace(context(factory, slack_id=data.big_director_slack_id), drawer=DRAWER)


def first_project(factory: SqlUnitOfWorkFactory, data: Dataset) -> str:
    with factory() as uow:
        big = next(c for c in uow.clients.list() if c.key == data.big_client_key)
        return uow.projects.list(big.id)[0].key


def test_chart_of_a_project_and_of_a_client_take_the_same_statements_at_ten_times_the_data(
    uow_factory: SqlUnitOfWorkFactory, count_statements: Counter
) -> None:
    for target in ("project", "client"):
        def operation(data: Dataset, target: str = target) -> Callable[[], object]:
            ctx = with_drawer(uow_factory, data)
            name = first_project(uow_factory, data) if target == "project" else data.big_client_key
            return lambda: ok(handle(ctx, f"chart {name}"))

        counts = per_scale(uow_factory, count_statements, operation)
        assert counts[SMALL] == counts[LARGE], (target, counts)
        assert counts[SMALL] <= 14, (target, counts)


def test_account_of_a_client_takes_the_same_statements_at_ten_times_the_data(
    uow_factory: SqlUnitOfWorkFactory, count_statements: Counter
) -> None:
    def operation(data: Dataset) -> Callable[[], object]:
        ctx = with_drawer(uow_factory, data)
        return lambda: ok(handle(ctx, f"account {data.big_client_key}"))

    counts = per_scale(uow_factory, count_statements, operation)
    assert counts[SMALL] == counts[LARGE], counts
    # 16, + 7 for the receivables, pipeline and renewal panels (test_money_chart_query_counts.py).
    assert counts[SMALL] <= 16 + 7, counts


def test_report_reads_a_fixed_number_of_statements_plus_one_status_history_per_project(
    uow_factory: SqlUnitOfWorkFactory, count_statements: Counter
) -> None:
    def project(data: Dataset) -> Callable[[], object]:
        ctx = context(uow_factory, slack_id=data.big_director_slack_id)
        key = first_project(uow_factory, data)
        return lambda: ok(handle(ctx, f"report {key} last week"))

    counts = per_scale(uow_factory, count_statements, project)
    assert counts[SMALL] == counts[LARGE], counts

    def client(data: Dataset) -> Callable[[], object]:
        ctx = context(uow_factory, slack_id=data.big_director_slack_id)
        return lambda: ok(handle(ctx, f"report {data.big_client_key}"))

    counts = per_scale(uow_factory, count_statements, client)
    assert counts[LARGE] - counts[SMALL] == BIG_CLIENT[LARGE] - BIG_CLIENT[SMALL], counts
