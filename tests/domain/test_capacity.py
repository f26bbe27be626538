from __future__ import annotations

from datetime import date
from decimal import Decimal

from domain.capacity import monday, weeks_between, weeks_over_capacity
from domain.model import Person, Role

JANE = Person(3, "Jane Designer", "jane@example.com", Role.MEMBER, capacity_hours=Decimal("32"))


def test_weeks_between_lists_every_iso_week_the_dates_touch() -> None:
    # Wed 25 Nov to Tue 8 Dec 2026 touches the weeks of 23 Nov, 30 Nov and 7 Dec.
    assert weeks_between(date(2026, 11, 25), date(2026, 12, 8)) == [
        date(2026, 11, 23), date(2026, 11, 30), date(2026, 12, 7)]
    assert monday(date(2026, 11, 29)) == date(2026, 11, 23)


def test_weeks_over_capacity_adds_the_request_to_approved_load() -> None:
    load = {date(2026, 11, 23): Decimal("20"), date(2026, 11, 30): Decimal("30")}
    weeks = weeks_between(date(2026, 11, 23), date(2026, 12, 13))
    over = weeks_over_capacity(JANE, load, weeks, Decimal("10"))
    assert [(w.week, w.allocated, w.over_by) for w in over] == [(date(2026, 11, 30), Decimal("40"), Decimal("8"))]
    assert over[0].label == "2026-W49"


def test_a_week_exactly_at_capacity_is_not_over() -> None:
    load = {date(2026, 11, 23): Decimal("22")}
    assert weeks_over_capacity(JANE, load, [date(2026, 11, 23)], Decimal("10")) == []
