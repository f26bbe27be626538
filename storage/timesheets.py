"""Hours per person, project and day over a week, for ``timesheet``: one grouped statement."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal

from sqlalchemy import BigInteger, func, select, type_coerce
from sqlalchemy import cast as sql_cast
from sqlalchemy.orm import Session

from storage.orm import TimeEntryRow
from storage.sqltools import among, units_to_decimal


class SqlTimesheets:
    """Implements ``domain.ports.TimesheetReader``."""

    def __init__(self, session: Session) -> None:
        self.s = session

    def hours_by_day(self, person_ids: Sequence[int], first: date,
                     last: date) -> Mapping[tuple[int, int, date], Decimal]:
        """Hours per (person, project, day) for days in [first, last]; absent when nothing was logged."""
        ids = sorted(set(person_ids))
        if not ids or last < first:
            return {}
        t = TimeEntryRow
        # CAST: PostgreSQL sums a BIGINT as NUMERIC, which psycopg would turn into a Decimal per row.
        stmt = (select(t.person_id, t.project_id, t.day, sql_cast(func.sum(type_coerce(t.hours, BigInteger)),
                                                                  BigInteger))
                .where(among(t.person_id, ids), t.day >= first, t.day <= last)
                .group_by(t.person_id, t.project_id, t.day))
        return {(pid, project, day): units_to_decimal(units, 2) for pid, project, day, units in self.s.execute(stmt)}
