"""Digest runs and cursors (``domain.ports.DigestRunRepository``)."""

from __future__ import annotations

import builtins
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, select, update
from sqlalchemy.orm import Session

from domain.digests import DigestRun, RunState
from storage.orm import DigestCursorRow, DigestRunRow
from storage.repositories import _aware, _replace_id, _run, _t
from storage.sqltools import dialect_insert


def _digest_run(row: Row[Any]) -> DigestRun:
    return DigestRun(row.id, row.subscription_id, row.local_date, RunState(row.state), row.due_at,
                     row.recorded_at, dict(row.snapshot or {}))


class SqlDigestRunRepository:
    """One row per (subscription, local date): the insert that wins decides what happens to it."""

    def __init__(self, session: Session) -> None:
        self.s = session

    def record(self, run: DigestRun) -> bool:
        table = _t(DigestRunRow)
        ins = dialect_insert(self.s)
        assert ins is not None, "digest runs need SQLite or PostgreSQL"
        stmt = (
            ins(table)
            .values(subscription_id=run.subscription_id, local_date=run.local_date, state=RunState(run.state).value,
                    due_at=_aware(run.due_at, "DigestRun.due_at"),
                    recorded_at=_aware(run.recorded_at, "DigestRun.recorded_at"), snapshot=run.snapshot)
            .on_conflict_do_nothing(index_elements=["subscription_id", "local_date"])
            .returning(table.c.id)
        )
        row = self.s.execute(stmt).first()
        if row is not None:
            _replace_id(run, row[0])
        return row is not None

    def previous(self, subscription_id: int, before: date) -> DigestRun | None:
        row = self.s.execute(
            select(_t(DigestRunRow))
            .where(DigestRunRow.subscription_id == subscription_id, DigestRunRow.local_date < before,
                   DigestRunRow.state == RunState.QUEUED.value)
            .order_by(DigestRunRow.local_date.desc())
            .limit(1)
        ).first()
        return _digest_run(row) if row else None

    def skipped(self, subscription_id: int, after: date | None, before: date) -> builtins.list[DigestRun]:
        stmt = select(_t(DigestRunRow)).where(
            DigestRunRow.subscription_id == subscription_id, DigestRunRow.local_date < before,
            DigestRunRow.state == RunState.SKIPPED.value)
        if after is not None:
            stmt = stmt.where(DigestRunRow.local_date > after)
        return [_digest_run(r) for r in self.s.execute(stmt.order_by(DigestRunRow.local_date))]

    def cursor(self, subscription_id: int) -> tuple[datetime, str] | None:
        row = self.s.execute(
            select(DigestCursorRow.checked_until, DigestCursorRow.signature)
            .where(DigestCursorRow.subscription_id == subscription_id)
        ).first()
        return (row[0], row[1]) if row else None

    def advance(self, subscription_id: int, checked_until: datetime, signature: str) -> None:
        table = _t(DigestCursorRow)
        _aware(checked_until, "checked_until")
        ins = dialect_insert(self.s)
        assert ins is not None, "digest cursors need SQLite or PostgreSQL"
        inserted = self.s.execute(
            ins(table).values(subscription_id=subscription_id, checked_until=checked_until, signature=signature)
            .on_conflict_do_nothing(index_elements=["subscription_id"]).returning(table.c.subscription_id)
        ).first()
        if inserted is not None:
            return
        # Same schedule: only forward (replicas' clocks and ticks interleave). New schedule: restart.
        _run(self.s, update(table).where(
            table.c.subscription_id == subscription_id,
            (table.c.signature != signature) | (table.c.checked_until < checked_until),
        ).values(checked_until=checked_until, signature=signature))
