"""``history <client>`` takes the same statements however long the trail and however many projects."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert

from benchmarks.generate import Dataset
from handlers.dispatch import handle
from storage.orm import AuditEventRow
from storage.uow import SqlUnitOfWorkFactory
from tests.benchmarks.test_query_counts import SMALL, Counter, context, ok, per_scale

EVENTS_PER_PROJECT = 30


def with_trail(factory: SqlUnitOfWorkFactory) -> None:
    """Thirty audit events on each project (the generator writes none), so the trail grows with the data."""
    with factory() as uow:
        keys = [p.key for p in uow.projects.list()]
        t0 = datetime(2026, 11, 1, tzinfo=UTC)
        uow.session.execute(insert(AuditEventRow), [
            {"at": t0 + timedelta(hours=i), "actor_id": None, "source": "import", "action": "project.updated",
             "subject": f"project:{key}", "detail": f"budget: {i} → {i + 1}"}
            for key in keys for i in range(EVENTS_PER_PROJECT)])
        uow.commit()


def test_history_of_a_client_takes_the_same_statements_at_ten_times_the_data(
    uow_factory: SqlUnitOfWorkFactory, count_statements: Counter
) -> None:
    def operation(data: Dataset) -> Callable[[], object]:
        with_trail(uow_factory)
        ctx = context(uow_factory, slack_id=data.big_director_slack_id)
        return lambda: ok(handle(ctx, f"history {data.big_client_key} 50"))

    counts = per_scale(uow_factory, count_statements, operation)
    assert counts[SMALL] == min(counts.values()) == max(counts.values()), counts
    assert counts[SMALL] <= 12, counts
