"""The capacity check kept with each allocation decision, and the changes ``undo`` may revert.

Implements ``domain.ports.ChangeLogRepository`` on ``allocation_decisions`` and ``undoable_changes``
(migration 0007), and the deletes ``undo`` needs on the base tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import cast

from sqlalchemy import Table, delete, insert, select, update
from sqlalchemy.orm import Session

from domain.capacity import WeekOver
from domain.model import ScopeChange, ScopeState, StatusUpdate, TimeEntry
from domain.ports import UndoableChange
from storage.orm import (
    AllocationDecisionRow,
    Base,
    ScopeChangeRow,
    StatusUpdateRow,
    TimeEntryRow,
    UndoableChangeRow,
)
from storage.repositories import (
    _SCOPE_COLUMNS,
    _STATUS_COLUMNS,
    SqlTimeEntryRepository,
    _entry,
    _scope,
    _status,
)


def _t(model: type[Base]) -> Table:
    return cast(Table, model.__table__)


class SqlChangeLog:
    """Implements ``domain.ports.ChangeLogRepository``."""

    def __init__(self, session: Session) -> None:
        self.s = session

    # --- the capacity check kept with a decision ------------------------------------------------

    def save_decision(self, allocation_id: int, at: datetime, over: Sequence[WeekOver]) -> None:
        weeks = [{"week": w.week.isoformat(), "allocated": str(w.allocated), "capacity": str(w.capacity)}
                 for w in over]
        self.s.execute(insert(_t(AllocationDecisionRow)).values(allocation_id=allocation_id, decided_at=at,
                                                                weeks_over=weeks))

    def decision(self, allocation_id: int) -> tuple[WeekOver, ...] | None:
        weeks = self.s.scalar(select(AllocationDecisionRow.weeks_over)
                              .where(AllocationDecisionRow.allocation_id == allocation_id))
        if weeks is None:
            return None
        return tuple(WeekOver(date.fromisoformat(w["week"]), Decimal(w["allocated"]), Decimal(w["capacity"]))
                     for w in weeks)

    # --- what undo may revert -------------------------------------------------------------------

    def record(self, person_id: int, kind: str, record_id: int, at: datetime) -> None:
        self.s.execute(insert(_t(UndoableChangeRow)).values(person_id=person_id, kind=kind, record_id=record_id,
                                                            at=at, undone_at=None))

    def latest(self, person_id: int, since: datetime) -> UndoableChange | None:
        c = UndoableChangeRow
        row = self.s.execute(
            select(c.id, c.person_id, c.kind, c.record_id, c.at, c.undone_at)
            .where(c.person_id == person_id, c.at >= since, c.undone_at.is_(None))
            .order_by(c.at.desc(), c.id.desc())
            .limit(1)
        ).first()
        return UndoableChange(*row) if row else None

    def mark_undone(self, change_id: int, at: datetime) -> bool:
        c = UndoableChangeRow
        result = self.s.execute(update(_t(c)).where(c.id == change_id, c.undone_at.is_(None)).values(undone_at=at))
        return bool(getattr(result, "rowcount", 0) == 1)

    def remove_entry(self, entry_id: int) -> TimeEntry | None:
        row = self.s.execute(select(_t(TimeEntryRow)).where(TimeEntryRow.id == entry_id)).first()
        if row is None:
            return None
        entry = _entry(row)
        self.s.execute(delete(_t(TimeEntryRow)).where(TimeEntryRow.id == entry_id))
        # The burn rollup is recomputed from the base table for that project and month, as every write does.
        SqlTimeEntryRepository(self.s)._refresh_rollup([entry.project_id], [entry.day])
        return entry

    def remove_status(self, status_id: int) -> StatusUpdate | None:
        row = self.s.execute(select(*_STATUS_COLUMNS).where(StatusUpdateRow.id == status_id)).first()
        if row is None:
            return None
        self.s.execute(delete(_t(StatusUpdateRow)).where(StatusUpdateRow.id == status_id))
        return _status(row)

    def remove_flagged_scope(self, change_id: int) -> ScopeChange | None:
        row = self.s.execute(select(*_SCOPE_COLUMNS).where(ScopeChangeRow.id == change_id)).first()
        if row is None:
            return None
        change = _scope(row)
        result = self.s.execute(delete(_t(ScopeChangeRow)).where(ScopeChangeRow.id == change_id,
                                                                 ScopeChangeRow.state == ScopeState.FLAGGED.value))
        return change if getattr(result, "rowcount", 0) == 1 else None
