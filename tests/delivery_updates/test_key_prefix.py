"""``OutboxRepository.with_key_prefix``: a literal prefix (``%``, ``_`` and case matter), in one statement."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, datetime

from sqlalchemy import Engine

from domain.model import OutboxMessage
from storage.uow import SqlUnitOfWorkFactory
from tests.support.db import StatementCount

T0 = datetime(2026, 11, 16, 14, 0, tzinfo=UTC)
KEYS = ["notify:allocation:1:requested:2", "notify:allocation:1:requested:3", "notify:allocation:12:requested:2",
        "NOTIFY:allocation:1:requested:4", "notify:allocation:1:approved:5", "odd%key_1", "oddXkeyY1",
        "escalation:1:1:2", "escalation:1:resolved:2", "escalation:10:1:2"]


def test_only_keys_that_start_with_the_prefix_literally(
        uow_factory: SqlUnitOfWorkFactory,
        count_statements: Callable[[Engine], AbstractContextManager[StatementCount]]) -> None:
    with uow_factory() as uow:
        for key in KEYS:
            assert uow.outbox.add(OutboxMessage(None, key, "notification", {"title": key}, T0, T0, channel="C1"))
        uow.commit()
    with uow_factory() as uow, count_statements(uow_factory.engine) as counted:
        found = [m.key for m in uow.outbox.with_key_prefix("notify:allocation:1:requested:")]
    assert found == ["notify:allocation:1:requested:2", "notify:allocation:1:requested:3"]
    assert counted.count == 1
    with uow_factory() as uow:
        assert [m.key for m in uow.outbox.with_key_prefix("odd%key_")] == ["odd%key_1"]
        assert [m.key for m in uow.outbox.with_key_prefix("escalation:1:")] == ["escalation:1:1:2",
                                                                                "escalation:1:resolved:2"]
        assert uow.outbox.with_key_prefix("nothing:") == []
