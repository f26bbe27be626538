"""Calendars, time off and public holidays (``domain.timeoff.CalendarRepository``).

Public holidays come from the ``holidays`` package (``holidays.country_holidays``), cached per country and
year in the process: they are fixed data, and a sweep over every person must not rebuild them each time.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from sqlalchemy import Row, delete, select, update
from sqlalchemy.orm import Session

from domain.timeoff import OrgCalendar, PersonCalendar, TimeOff, split_country
from storage.orm import OrgCalendarRow, PersonCalendarRow, TimeOffRow
from storage.repositories import _aware, _new_id, _run, _t
from storage.sqltools import dialect_insert

log = logging.getLogger(__name__)


@functools.lru_cache(maxsize=256)
def _holidays_of(country: str, year: int) -> tuple[tuple[date, str], ...]:
    import holidays

    code, sub = split_country(country)
    try:
        found = holidays.country_holidays(code, subdiv=sub, years=year)
    except (NotImplementedError, KeyError, ValueError) as exc:
        log.warning("no public holidays for %r: %s", country, exc)
        return ()
    return tuple(sorted((day, str(name)) for day, name in found.items()))


def known_country(country: str) -> bool:
    """Whether the ``holidays`` package knows this ``CC`` or ``CC-SUB`` code (for the import's checks)."""
    import holidays

    code, sub = split_country(country)
    try:
        holidays.country_holidays(code, subdiv=sub, years=2026)
    except (NotImplementedError, KeyError, ValueError):
        return False
    return True


def _off(row: Row[Any]) -> TimeOff:
    return TimeOff(row.id, row.person_id, row.first_day, row.last_day, row.note, row.created_by, row.created_at)


class SqlCalendarRepository:
    def __init__(self, session: Session) -> None:
        self.s = session

    def org(self) -> OrgCalendar:
        row = self.s.execute(select(_t(OrgCalendarRow)).where(OrgCalendarRow.id == 1)).first()
        if row is None:
            return OrgCalendar()
        return OrgCalendar(row.holiday_country, tuple(sorted(date.fromisoformat(d) for d in row.holidays or ())))

    def save_org(self, cal: OrgCalendar) -> None:
        values = {"holiday_country": cal.holiday_country, "holidays": [d.isoformat() for d in cal.holidays]}
        ins = dialect_insert(self.s)
        assert ins is not None, "calendars need SQLite or PostgreSQL"
        self.s.execute(ins(_t(OrgCalendarRow)).values(id=1, **values)
                       .on_conflict_do_update(index_elements=["id"], set_=values))

    def people(self, person_ids: Iterable[int]) -> dict[int, PersonCalendar]:
        ids = sorted(set(person_ids))
        if not ids:
            return {}
        rows = self.s.execute(select(_t(PersonCalendarRow)).where(PersonCalendarRow.person_id.in_(ids)))
        return {r.person_id: PersonCalendar(r.person_id, r.timezone, r.slack_timezone, r.holiday_country)
                for r in rows}

    def save_person(self, cal: PersonCalendar) -> None:
        values = {"timezone": cal.timezone, "holiday_country": cal.holiday_country}
        ins = dialect_insert(self.s)
        assert ins is not None, "calendars need SQLite or PostgreSQL"
        self.s.execute(ins(_t(PersonCalendarRow)).values(person_id=cal.person_id, slack_timezone=None, **values)
                       .on_conflict_do_update(index_elements=["person_id"], set_=values))

    def set_slack_timezone(self, person_id: int, zone: str | None) -> None:
        ins = dialect_insert(self.s)
        assert ins is not None, "calendars need SQLite or PostgreSQL"
        self.s.execute(ins(_t(PersonCalendarRow)).values(person_id=person_id, slack_timezone=zone, timezone=None,
                                                          holiday_country=None)
                       .on_conflict_do_update(index_elements=["person_id"], set_={"slack_timezone": zone}))

    def time_off(self, person_ids: Iterable[int], first: date, last: date) -> dict[int, list[TimeOff]]:
        ids = sorted(set(person_ids))
        if not ids:
            return {}
        rows = self.s.execute(select(_t(TimeOffRow)).where(
            TimeOffRow.person_id.in_(ids), TimeOffRow.last_day >= first, TimeOffRow.first_day <= last,
        ).order_by(TimeOffRow.first_day, TimeOffRow.id))
        out: dict[int, list[TimeOff]] = {}
        for r in rows:
            out.setdefault(r.person_id, []).append(_off(r))
        return out

    def add_time_off(self, off: TimeOff) -> TimeOff:
        from dataclasses import replace

        result = _run(self.s, _t(TimeOffRow).insert().values(
            person_id=off.person_id, first_day=off.first_day, last_day=off.last_day, note=off.note,
            created_by=off.created_by, created_at=_aware(off.created_at, "TimeOff.created_at")))
        return replace(off, id=_new_id(result))

    def cancel_time_off(self, person_id: int, from_day: date) -> int:
        from datetime import timedelta

        gone = _run(self.s, delete(_t(TimeOffRow)).where(TimeOffRow.person_id == person_id,
                                                         TimeOffRow.first_day >= from_day))
        cut = _run(self.s, update(_t(TimeOffRow)).where(
            TimeOffRow.person_id == person_id, TimeOffRow.first_day < from_day, TimeOffRow.last_day >= from_day,
        ).values(last_day=from_day - timedelta(days=1)))
        return int(gone.rowcount or 0) + int(cut.rowcount or 0)

    def public_holidays(self, country: str, years: Iterable[int]) -> Mapping[date, str]:
        out: dict[date, str] = {}
        for year in years:
            out.update(_holidays_of(country.upper(), year))
        return out
