"""Capacity: hours allocated to a person per ISO week against their weekly capacity."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from domain.model import Person


def monday(day: date) -> date:
    """The Monday of ``day``'s ISO week."""
    return day - timedelta(days=day.weekday())


def weeks_between(start: date, end: date) -> list[date]:
    """The Mondays of every ISO week that [start, end] touches."""
    weeks, week = [], monday(start)
    while week <= end:
        weeks.append(week)
        week += timedelta(days=7)
    return weeks


@dataclass(frozen=True)
class WeekOver:
    """One ISO week in which a person is allocated above capacity."""

    week: date  # Monday
    allocated: Decimal
    capacity: Decimal

    @property
    def over_by(self) -> Decimal:
        return self.allocated - self.capacity

    @property
    def label(self) -> str:
        year, number, _ = self.week.isocalendar()
        return f"{year}-W{number:02d}"

    def describe(self) -> str:
        return (
            f"{self.label} (week of {self.week:%d %b}): {_h(self.allocated)}h of {_h(self.capacity)}h, "
            f"over by {_h(self.over_by)}h"
        )


def weeks_over_capacity(
    person: Person,
    load: Mapping[date, Decimal],
    weeks: list[date],
    extra_hours: Decimal = Decimal(0),
    capacities: Mapping[date, Decimal] | None = None,
) -> list[WeekOver]:
    """The weeks in which approved ``load`` plus ``extra_hours`` (a request being weighed) exceed the
    person's capacity, each with how much. ``load`` maps a Monday to approved hours that week;
    ``capacities`` (optional) a Monday to that week's capacity when holidays or time off reduce it
    (``domain.timeoff.week_capacity``)."""
    over = []
    for week in weeks:
        allocated = load.get(week, Decimal(0)) + extra_hours
        capacity = capacities.get(week, person.capacity_hours) if capacities else person.capacity_hours
        if allocated > capacity:
            over.append(WeekOver(week, allocated, capacity))
    return over


def _h(hours: Decimal) -> str:
    """``36`` not ``36.00``; ``7.5`` stays ``7.5``."""
    return f"{hours.normalize():f}"
