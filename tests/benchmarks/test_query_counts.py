"""Set-based at the core: the statements behind ``budget <client>``, the digest and the escalation sweep
do not grow with the data.

Each test loads the benchmark organisation at a small scale and at ten times that scale (projects,
entries, statuses, allocations; the client asked about grows from 2 to 20 projects) and counts the
SQL statements of the same operation on both: they must be equal. Nothing here is timed.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine

from benchmarks.generate import Dataset, generate
from bot.clock import FixedClock
from domain.portfolio import conditions, load_portfolio
from handlers.context import Caller, Context
from handlers.dispatch import handle
from handlers.reply import Reply
from storage.orm import Base
from storage.uow import SqlUnitOfWorkFactory
from tests.support.db import StatementCount

TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=ZoneInfo("America/New_York"))
SMALL, LARGE = 0.002, 0.02  # 3 and 21 projects, 2,000 and 20,000 entries
BIG_CLIENT = {SMALL: 2, LARGE: 20}

Counter = Callable[[Engine], AbstractContextManager[StatementCount]]


def load(factory: SqlUnitOfWorkFactory, scale: float) -> Dataset:
    """Empty the database, then generate the organisation at ``scale`` into it."""
    with factory.engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())
    return generate(factory.engine.url.render_as_string(hide_password=False), seed=7, scale=scale, today=TODAY,
                    big_client_projects=BIG_CLIENT[scale], uow_factory=factory)


def context(factory: SqlUnitOfWorkFactory, *, slack_id: str | None = None, email: str | None = None,
            channel: str | None = None) -> Context:
    return Context(uow_factory=factory, clock=FixedClock(NOW), caller=Caller(email=email, slack_id=slack_id),
                   channel=channel, is_direct=channel is None)


def counted(factory: SqlUnitOfWorkFactory, count_statements: Counter, run: Callable[[], object]) -> int:
    run()  # once untimed and uncounted: links identities, warms caches
    with count_statements(factory.engine) as c:
        run()
    return c.count


def ok(reply: Reply) -> Reply:
    assert reply.ok, f"{reply.title}: {reply.summary}"
    return reply


def per_scale(factory: SqlUnitOfWorkFactory, count_statements: Counter,
              operation: Callable[[Dataset], Callable[[], object]]) -> dict[float, int]:
    counts = {}
    for scale in (SMALL, LARGE):
        data = load(factory, scale)
        counts[scale] = counted(factory, count_statements, operation(data))
    return counts


def test_budget_of_a_client_takes_the_same_statements_at_ten_times_the_data(
    uow_factory: SqlUnitOfWorkFactory, count_statements: Counter
) -> None:
    def operation(data: Dataset) -> Callable[[], object]:
        ctx = context(uow_factory, slack_id=data.big_director_slack_id)
        return lambda: ok(handle(ctx, f"budget {data.big_client_key}"))

    counts = per_scale(uow_factory, count_statements, operation)
    assert counts[SMALL] == counts[LARGE], counts
    assert counts[SMALL] <= 12, counts


def test_digest_of_a_channel_bound_to_every_project_takes_the_same_statements(
    uow_factory: SqlUnitOfWorkFactory, count_statements: Counter
) -> None:
    def operation(data: Dataset) -> Callable[[], object]:
        ctx = context(uow_factory, email=data.admin_email, channel=data.digest_channel)
        return lambda: ok(handle(ctx, "digest now"))

    counts = per_scale(uow_factory, count_statements, operation)
    assert counts[SMALL] == counts[LARGE], counts
    # +3 for the capacity of this week and next knowing holidays and time off (issue 16): the organisation's
    # calendar, the people's calendars, their time off.
    assert counts[SMALL] <= 15 + 3, counts


def test_escalation_sweep_over_every_project_takes_the_same_statements(
    uow_factory: SqlUnitOfWorkFactory, count_statements: Counter
) -> None:
    def operation(data: Dataset) -> Callable[[], object]:
        def sweep() -> int:
            with uow_factory() as uow:
                org = uow.organisation.get()
                portfolio = load_portfolio(uow, uow.projects.list(), org, TODAY)
                assert len(portfolio.views) == data.counts.projects
                return len(conditions(uow, portfolio, org, NOW))

        return sweep

    counts = per_scale(uow_factory, count_statements, operation)
    assert counts[SMALL] == counts[LARGE], counts
    # +3 calendars and time off (capacity knows holidays), +1 the open stand-up blockers (issue 16).
    assert counts[SMALL] <= 15 + 4, counts


def test_ar_all_takes_the_same_statements_as_invoices_grow_tenfold(
    uow_factory: SqlUnitOfWorkFactory, count_statements: Counter
) -> None:
    def operation(data: Dataset) -> Callable[[], object]:
        ctx = context(uow_factory, email=data.finance_email)
        return lambda: ok(handle(ctx, "ar all"))

    counts = per_scale(uow_factory, count_statements, operation)
    assert counts[SMALL] == counts[LARGE], counts
    assert counts[SMALL] <= 6, counts


def test_wip_all_takes_the_same_statements_as_invoices_grow_tenfold(
    uow_factory: SqlUnitOfWorkFactory, count_statements: Counter
) -> None:
    def operation(data: Dataset) -> Callable[[], object]:
        ctx = context(uow_factory, email=data.finance_email)
        return lambda: ok(handle(ctx, "wip all"))

    counts = per_scale(uow_factory, count_statements, operation)
    assert counts[SMALL] == counts[LARGE], counts
    assert counts[SMALL] <= 8, counts


def test_the_receivables_sweep_takes_the_same_statements_when_nothing_changes(
    uow_factory: SqlUnitOfWorkFactory, count_statements: Counter
) -> None:
    from domain.receivables_escalations import sweep_receivables
    from handlers.ar_notices import invoice_notice_payload

    def operation(data: Dataset) -> Callable[[], object]:
        def sweep() -> int:
            with uow_factory() as uow:
                result = sweep_receivables(uow, NOW, uow.organisation.get(), payload=invoice_notice_payload)
                uow.commit()
                return len(result.opened)

        return sweep  # the first (uncounted) run opens what holds; the counted one finds it all open

    counts = per_scale(uow_factory, count_statements, operation)
    assert counts[SMALL] == counts[LARGE], counts
    assert counts[SMALL] <= 8, counts


def test_a_finance_persons_own_digest_with_money_owed_takes_the_same_statements(
    uow_factory: SqlUnitOfWorkFactory, count_statements: Counter
) -> None:
    def operation(data: Dataset) -> Callable[[], object]:
        ctx = context(uow_factory, email=data.finance_email)  # a DM: every project, and money owed
        return lambda: ok(handle(ctx, "digest now"))

    counts = per_scale(uow_factory, count_statements, operation)
    assert counts[SMALL] == counts[LARGE], counts


def test_the_burn_wip_reads_is_the_budgets_burn_on_two_years_of_generated_hours(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    load(uow_factory, SMALL)
    with uow_factory() as uow:
        ids = [p.id or 0 for p in uow.projects.list()]
        for today in (TODAY, date(2026, 11, 1), date(2026, 10, 31), date(2025, 6, 15)):
            totals = {k: v.burned for k, v in uow.entries.totals(ids, today).items() if v.burned}
            assert uow.invoices.burned(ids, today) == totals, today


@pytest.mark.parametrize("scale", [SMALL])
def test_generator_is_reproducible_from_its_seed(uow_factory: SqlUnitOfWorkFactory, scale: float) -> None:
    def snapshot() -> tuple[object, ...]:
        with uow_factory() as uow:
            projects = uow.projects.list()
            totals = uow.entries.totals([p.id or 0 for p in projects], TODAY)
            return tuple(projects), tuple(sorted(totals.items())), tuple(uow.people.list())

    load(uow_factory, scale)
    first = snapshot()
    load(uow_factory, scale)
    assert snapshot() == first
