"""When a project's cumulative burn reached its budget ("Ran out on"), in one SQL statement."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, case, func, select, type_coerce, union_all
from sqlalchemy.orm import Session

from storage.orm import ExpenseRow, TimeEntryRow
from storage.sqltools import among


def _raw(column: Any) -> Any:
    """The integer behind a Cents/Centihours column (no CAST, no TypeDecorator conversion)."""
    return type_coerce(column, BigInteger)


class SqlBurnDates:
    """Implements ``domain.ports.BurnDateReader``."""

    def __init__(self, session: Session) -> None:
        self.s = session

    def first_day_reaching(self, budgets: Mapping[int, Decimal], today: date) -> Mapping[int, date]:
        """Per project, the first day whose cumulative burn (entries x bill rate, plus expenses, each
        dated up to that day) reached ``budgets[project]``; projects that never reached it are absent.

        Amounts are in 1/10000 of the currency (centihours x cents; expense cents x 100), as in
        ``SqlTimeEntryRepository.totals``: a running SUM over the days (a window function that SQLite
        and PostgreSQL both have), compared with each project's target, MIN(day) per project."""
        ids = sorted(budgets)
        if not ids:
            return {}
        e, x = TimeEntryRow, ExpenseRow
        entries = (
            select(e.project_id.label("project_id"), e.day.label("day"),
                   func.sum(_raw(e.hours) * _raw(e.bill_rate)).label("units"))
            .where(among(e.project_id, ids), e.day <= today)
            .group_by(e.project_id, e.day)
        )
        expenses = (
            select(x.project_id.label("project_id"), x.day.label("day"), func.sum(_raw(x.amount) * 100).label("units"))
            .where(among(x.project_id, ids), x.day <= today)
            .group_by(x.project_id, x.day)
        )
        both = union_all(entries, expenses).subquery("burn_days")
        daily = (
            select(both.c.project_id, both.c.day, func.sum(both.c.units).label("units"))
            .group_by(both.c.project_id, both.c.day)
            .subquery("daily")
        )
        running = select(
            daily.c.project_id,
            daily.c.day,
            func.sum(daily.c.units).over(partition_by=daily.c.project_id, order_by=daily.c.day).label("total"),
        ).subquery("running")
        target = case(
            *((running.c.project_id == pid, int((budgets[pid] * 10000).to_integral_value())) for pid in ids),
            else_=None,
        )
        stmt = (
            select(running.c.project_id, func.min(running.c.day))
            .where(running.c.total >= target)
            .group_by(running.c.project_id)
        )
        return {pid: day for pid, day in self.s.execute(stmt) if day is not None}
