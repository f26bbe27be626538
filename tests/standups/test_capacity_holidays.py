"""A week's capacity counts only available working days: capacity × available days ÷ 5."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from domain.timeoff import Availability, OrgCalendar, PersonCalendar, TimeOff, week_capacity
from tests.handlers.world import World
from tests.standups.conftest import SUNDAY


def test_thanksgiving_week_gives_a_40h_person_32h_and_the_request_shows_over_capacity(world: World) -> None:
    # Mia (US holidays) has 20h/week on acme-web; 15h more fits a normal week (35 of 40) but not
    # Thanksgiving week (35 of 32).
    over = world.say("assign mia acme-app 15h/week from 2026-11-23 until 2026-11-27", who="mark@example.com",
                     now=SUNDAY)
    assert over.ok, over.summary
    text = over.summary + " ".join(line for s in over.sections for line in s.lines)
    assert "35h of 32h" in text, text
    fine = world.say("assign mia acme-app 15h/week from 2026-11-30 until 2026-12-04", who="mark@example.com",
                     now=SUNDAY)
    assert fine.ok, fine.summary
    text = fine.summary + " ".join(line for s in fine.sections for line in s.lines)
    assert "over" not in text.lower(), text


def test_available_days_count_holidays_company_days_and_time_off() -> None:
    avail = Availability(
        OrgCalendar("GB", (date(2026, 12, 24),)),
        {1: PersonCalendar(1, "Europe/London")},
        {1: [TimeOff(None, 1, date(2026, 12, 21), date(2026, 12, 21), "", None, SUNDAY)]},
        {"GB": {date(2026, 12, 25): "Christmas Day"}},
    )
    assert avail.available_days(1, date(2026, 12, 21)) == 2  # Mon off, Thu company holiday, Fri Christmas
    assert week_capacity(Decimal("40"), 2) == Decimal("16")
    assert avail.away_reason(1, date(2026, 12, 25)) == "holiday: Christmas Day"
