"""``pipeline``, ``forecast``, ``renewals`` and the pipeline alerts of the sweep take the same number of SQL
statements at ten times the data (projects, entries, allocations, opportunities), as the other commands do
(see test_query_counts.py for the method)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, select

from benchmarks.generate import Dataset
from domain.pipeline_alerts import sweep_pipeline
from handlers.dispatch import handle
from handlers.pipeline_notices import alert_payload
from storage.orm import OpportunityRow
from storage.uow import SqlUnitOfWorkFactory
from tests.benchmarks.test_query_counts import LARGE, NOW, SMALL, Counter, context, ok, per_scale


def _opportunities(factory: SqlUnitOfWorkFactory) -> int:
    with factory.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(OpportunityRow)).scalar_one())


def test_the_generated_pipeline_grows_tenfold(uow_factory: SqlUnitOfWorkFactory, count_statements: Counter) -> None:
    sizes = {}

    def operation(data: Dataset) -> Callable[[], object]:
        sizes[data.scale] = _opportunities(uow_factory)
        return lambda: None

    per_scale(uow_factory, count_statements, operation)
    assert sizes == {SMALL: 20, LARGE: 200}


def test_pipeline_all_takes_the_same_statements_at_ten_times_the_data(
        uow_factory: SqlUnitOfWorkFactory, count_statements: Counter) -> None:
    def operation(data: Dataset) -> Callable[[], object]:
        ctx = context(uow_factory, email=data.admin_email)
        return lambda: ok(handle(ctx, "pipeline all"))

    counts = per_scale(uow_factory, count_statements, operation)
    assert counts[SMALL] == counts[LARGE], counts
    assert counts[SMALL] <= 12, counts


def test_a_directors_pipeline_takes_the_same_statements(uow_factory: SqlUnitOfWorkFactory,
                                                        count_statements: Counter) -> None:
    def operation(data: Dataset) -> Callable[[], object]:
        ctx = context(uow_factory, slack_id=data.big_director_slack_id)
        return lambda: ok(handle(ctx, "pipeline me next quarter"))

    counts = per_scale(uow_factory, count_statements, operation)
    assert counts[SMALL] == counts[LARGE], counts


def test_forecast_all_6_months_takes_the_same_statements(uow_factory: SqlUnitOfWorkFactory,
                                                         count_statements: Counter) -> None:
    def operation(data: Dataset) -> Callable[[], object]:
        ctx = context(uow_factory, email=data.admin_email)
        return lambda: ok(handle(ctx, "forecast all 6 months"))

    counts = per_scale(uow_factory, count_statements, operation)
    assert counts[SMALL] == counts[LARGE], counts
    assert counts[SMALL] <= 15, counts


def test_renewals_all_takes_the_same_statements(uow_factory: SqlUnitOfWorkFactory,
                                                count_statements: Counter) -> None:
    def operation(data: Dataset) -> Callable[[], object]:
        ctx = context(uow_factory, email=data.admin_email)
        return lambda: ok(handle(ctx, "renewals all within 365 days"))

    counts = per_scale(uow_factory, count_statements, operation)
    assert counts[SMALL] == counts[LARGE], counts


def test_the_pipeline_alerts_of_a_quiet_sweep_take_the_same_statements(
        uow_factory: SqlUnitOfWorkFactory, count_statements: Counter) -> None:
    """Once everything due was queued (the uncounted first run), a sweep only reads: a fixed number of
    statements however many deals are overdue."""
    queued: dict[float, list[int]] = {}

    def operation(data: Dataset) -> Callable[[], object]:
        runs = queued.setdefault(data.scale, [])

        def sweep() -> None:
            with uow_factory() as uow:
                runs.append(len(sweep_pipeline(uow, NOW, uow.organisation.get(), payload=alert_payload)))
                uow.commit()

        return sweep

    counts = per_scale(uow_factory, count_statements, operation)
    assert counts[SMALL] == counts[LARGE], counts
    assert queued[LARGE][0] > queued[SMALL][0] > 0 and queued[LARGE][1] == queued[SMALL][1] == 0, queued
