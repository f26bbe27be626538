"""Time off and holidays: who is away on which day, in *their* calendar, and what a week's capacity is.

A day is a working day for a person when it is a weekday (Monday to Friday), not a public holiday of
their holiday country (the person's ``holiday_country``, else the organisation's; ``GB-SCT`` or
``US-NY`` name a subdivision), not one of the organisation's explicit ``holidays`` and not inside one
of their ``ooo`` periods. Public holidays come from a ``HolidayLookup`` port (``storage`` answers it
with the ``holidays`` package), so this module stays standard-library only.

Capacity: a week's capacity is ``capacity_hours × available working days ÷ 5`` (a 40 h person with
Christmas and Boxing Day off has 24 h that week).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Protocol

WORKING_WEEK = 5


@dataclass(frozen=True)
class TimeOff:
    """``ooo`` days of one person, both ends inclusive."""

    id: int | None
    person_id: int
    first_day: date
    last_day: date
    note: str
    created_by: int | None
    created_at: datetime

    def covers(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day


@dataclass(frozen=True)
class PersonCalendar:
    """What the organisation file (and Slack) say about one person's calendar."""

    person_id: int
    timezone: str | None = None  # the organisation file's ``timezone`` of the person
    slack_timezone: str | None = None  # the ``tz`` of Slack's users.info, refreshed by the scheduler
    holiday_country: str | None = None  # "GB", "GB-SCT", "US-NY"

    def zone(self, default: str) -> str:
        """Slack's tz first (it is what the person's own clock shows), else the file's, else ``default``."""
        return self.slack_timezone or self.timezone or default


@dataclass(frozen=True)
class OrgCalendar:
    holiday_country: str | None = None
    holidays: tuple[date, ...] = ()


class HolidayLookup(Protocol):
    def __call__(self, country: str, years: Iterable[int]) -> Mapping[date, str]:
        """Public holidays of ``country`` (``CC`` or ``CC-SUB``) in ``years``: date -> name."""
        ...


def split_country(code: str) -> tuple[str, str | None]:
    """``"GB-SCT"`` -> ``("GB", "SCT")``; ``"us"`` -> ``("US", None)``."""
    country, _, sub = code.strip().upper().partition("-")
    return country, sub or None


@dataclass
class Availability:
    """Who is away when, for a set of people over a span of days (built by ``load_availability``)."""

    org: OrgCalendar
    calendars: Mapping[int, PersonCalendar]
    time_off: Mapping[int, list[TimeOff]]
    public: Mapping[str, Mapping[date, str]] = field(default_factory=dict)  # by country code

    def country_of(self, person_id: int) -> str | None:
        cal = self.calendars.get(person_id)
        return (cal.holiday_country if cal and cal.holiday_country else None) or self.org.holiday_country

    def zone_of(self, person_id: int, default: str) -> str:
        cal = self.calendars.get(person_id)
        return cal.zone(default) if cal else default

    def holiday(self, person_id: int, day: date) -> str | None:
        """The name of the holiday ``day`` is for this person, if it is one."""
        if day in self.org.holidays:
            return "company holiday"
        country = self.country_of(person_id)
        if country:
            return self.public.get(country, {}).get(day)
        return None

    def away_reason(self, person_id: int, day: date) -> str | None:
        """Why ``person_id`` is not working on ``day`` ("holiday: Christmas Day", "time off: Lisbon"),
        or None when it is one of their working days (weekends are not "away", just not working)."""
        for off in self.time_off.get(person_id, ()):
            if off.covers(day):
                return "time off" + (f": {off.note}" if off.note else "")
        name = self.holiday(person_id, day)
        return f"holiday: {name}" if name else None

    def is_working_day(self, person_id: int, day: date) -> bool:
        return day.weekday() < WORKING_WEEK and self.away_reason(person_id, day) is None

    def available_days(self, person_id: int, week_monday: date) -> int:
        """Working days this person has in the ISO week starting ``week_monday``."""
        return sum(self.is_working_day(person_id, week_monday + timedelta(days=d)) for d in range(WORKING_WEEK))

    def next_working_day(self, person_id: int, after: date) -> date:
        """The first working day strictly after ``after`` (bounded: at most 60 days ahead)."""
        day = after + timedelta(days=1)
        for _ in range(60):
            if self.is_working_day(person_id, day):
                return day
            day += timedelta(days=1)
        return day


def week_capacity(capacity_hours: Decimal, available_days: int) -> Decimal:
    """``capacity × available days ÷ 5``: what a person can be booked for in a week with days off."""
    return capacity_hours * Decimal(available_days) / Decimal(WORKING_WEEK)


class CalendarRepository(Protocol):
    """Calendars, time off and public holidays (``uow.calendars``)."""

    def org(self) -> OrgCalendar:
        """The organisation's holiday country and explicit holidays (empty when never set)."""
        ...

    def save_org(self, cal: OrgCalendar) -> None: ...
    def people(self, person_ids: Iterable[int]) -> dict[int, PersonCalendar]:
        """The calendars of these people that have one, in one statement."""
        ...

    def save_person(self, cal: PersonCalendar) -> None:
        """Insert or replace the file's side (timezone, holiday country); the Slack tz is kept."""
        ...

    def set_slack_timezone(self, person_id: int, zone: str | None) -> None: ...
    def time_off(self, person_ids: Iterable[int], first: date, last: date) -> dict[int, list[TimeOff]]:
        """Time off overlapping [first, last] of these people, in one statement."""
        ...

    def add_time_off(self, off: TimeOff) -> TimeOff: ...
    def cancel_time_off(self, person_id: int, from_day: date) -> int:
        """Remove this person's time off that has not ended before ``from_day`` (one that started earlier
        ends the day before). Returns how many periods changed."""
        ...

    def public_holidays(self, country: str, years: Iterable[int]) -> Mapping[date, str]:
        """Public holidays of ``country`` (``CC`` or ``CC-SUB``) in ``years``; empty for an unknown code."""
        ...


class _HasCalendars(Protocol):
    @property
    def calendars(self) -> CalendarRepository: ...


def load_availability(uow: _HasCalendars, person_ids: Iterable[int], first: date, last: date) -> Availability:
    """Everything needed to say who is away in [first, last]: a fixed number of statements whatever the
    number of people (the organisation's calendar, the people's calendars, their time off)."""
    ids = sorted(set(person_ids))
    org = uow.calendars.org()
    calendars = uow.calendars.people(ids) if ids else {}
    off = uow.calendars.time_off(ids, first, last) if ids else {}
    countries = {c.holiday_country for c in calendars.values() if c.holiday_country}
    if org.holiday_country:
        countries.add(org.holiday_country)
    years = range(first.year, last.year + 1)
    public = {c: uow.calendars.public_holidays(c, years) for c in sorted(countries)}
    return Availability(org, calendars, off, public)
