"""Burn per project and day (``domain.ports.DailyBurnRepository``): the points of a burn-up and a report's week.

One statement whatever the number of entries: entries and expenses are each grouped by (project, day)
on their (project_id, day) index, then the two small results are summed again. Amounts are summed as
integers in 1/10000 of the currency as in ``SqlTimeEntryRepository.totals``, so each day is exact and
the days add up to the project's burned.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import BigInteger, func, literal_column, select, union_all
from sqlalchemy import cast as sql_cast
from sqlalchemy.orm import Session

from domain.ports import DayBurn
from storage.orm import ExpenseRow, TimeEntryRow
from storage.repositories import _cents
from storage.sqltools import among, units_to_decimal


class SqlDailyBurnRepository:
    def __init__(self, session: Session) -> None:
        self.s = session

    def daily(self, project_ids: Sequence[int], last: date) -> Mapping[int, Sequence[DayBurn]]:
        ids = sorted(set(project_ids))
        if not ids:
            return {}
        e, x = TimeEntryRow, ExpenseRow
        zero = literal_column("0", BigInteger)
        entries = (
            select(e.project_id.label("project_id"), e.day.label("day"),
                   func.sum(_cents(e.hours) * _cents(e.bill_rate)).label("burned"),
                   func.sum(_cents(e.hours)).label("hours"))
            .where(among(e.project_id, ids), e.day <= last)
            .group_by(e.project_id, e.day)
        )
        expenses = (
            select(x.project_id.label("project_id"), x.day.label("day"),
                   func.sum(_cents(x.amount) * 100).label("burned"), zero.label("hours"))
            .where(among(x.project_id, ids), x.day <= last)
            .group_by(x.project_id, x.day)
        )
        u = union_all(entries, expenses).subquery("burn")
        # CAST: PostgreSQL sums BIGINTs as NUMERIC (Decimals only to be turned back into integers here).
        stmt = (
            select(u.c.project_id, u.c.day, sql_cast(func.sum(u.c.burned), BigInteger),
                   sql_cast(func.sum(u.c.hours), BigInteger))
            .group_by(u.c.project_id, u.c.day)
            .order_by(u.c.project_id, u.c.day)
        )
        out: dict[int, list[DayBurn]] = {}
        for project_id, day, burned, hours in self.s.execute(stmt):
            out.setdefault(project_id, []).append(
                DayBurn(_day(day), units_to_decimal(burned, 4), units_to_decimal(hours, 2)))
        return out


def _day(value: Any) -> date:
    """The grouped day: SQLite returns a UNION's date column as ISO text, PostgreSQL as a date."""
    return value if isinstance(value, date) else date.fromisoformat(str(value))
