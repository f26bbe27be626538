"""Nobody is pinged on a day off: an escalation re-send waits until the director is back, a personal digest
is not sent on their holiday, and next week's over-capacity check counts the days they are away."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from bot.scheduler import Duties
from domain.model import Allocation, AllocationState
from domain.portfolio import load_portfolio
from tests.handlers.world import World
from tests.standups.conftest import NY, SUNDAY

MONDAY_7 = datetime(2026, 11, 16, 7, 0, tzinfo=NY)


def keys(world: World, prefix: str) -> list[str]:
    with world.uow_factory() as uow:
        return [m.key for m in uow.outbox.with_key_prefix(prefix)]


def test_an_escalation_resend_waits_while_the_director_is_away_and_goes_once_they_are_back(world: World) -> None:
    assert world.say("status acme-web red client unhappy", who="mark@example.com", now=MONDAY_7).ok
    with world.uow_factory() as uow:
        (red,) = [e for e in uow.escalations.list_open() if e.rule == "status_red"]
    assert world.say("ooo 2026-11-17 Tuesday off", who="dana@example.com", now=MONDAY_7).ok
    duties = Duties(world.uow_factory)
    duties.sweep_escalations(MONDAY_7 + timedelta(days=1, hours=1))  # Tuesday, 25 h later: Dana is off
    assert not [k for k in keys(world, f"escalation:{red.id}:2:")]
    duties.sweep_escalations(MONDAY_7 + timedelta(days=2, hours=1))  # Wednesday: back
    assert f"escalation:{red.id}:2:{world.ids['dana']}" in keys(world, f"escalation:{red.id}:2:")


def test_a_personal_digest_is_not_sent_on_the_subscribers_holiday(world: World) -> None:
    assert world.say("digest at 8:30 daily", who="mia@example.com", now=SUNDAY).ok
    duties = Duties(world.uow_factory)
    thanksgiving = datetime(2026, 11, 26, 8, 0, tzinfo=NY)  # Mia's calendar is the US one
    for day in (thanksgiving - timedelta(days=1), thanksgiving, thanksgiving + timedelta(days=1)):
        duties.queue_digests(day)
        duties.queue_digests(day + timedelta(minutes=35))
    sent = sorted(k.rsplit(":", 1)[1] for k in keys(world, "digest:"))
    assert sent == ["2026-11-25", "2026-11-27"]


def test_next_weeks_over_capacity_counts_only_available_days(world: World) -> None:
    # Mia: 20h on acme-web, plus 15h on acme-app for Thanksgiving week: 35h of 32h (4 working days). Fred's
    # 20h this week meet 2 working days (time off Monday to Wednesday): 16h.
    with world.uow_factory() as uow:
        uow.allocations.add(Allocation(None, world.ids["mia"], world.ids["acme-app"], Decimal("15"),
                                       datetime(2026, 11, 23).date(), datetime(2026, 11, 27).date(),
                                       AllocationState.APPROVED, world.ids["mark"], SUNDAY))
        org = uow.organisation.get()
        portfolio = load_portfolio(uow, uow.projects.list(), org, SUNDAY.date() + timedelta(days=1))
    over = sorted((o.person.name, o.week.describe()) for o in portfolio.overloads)
    assert over == [("Fred Finance", "2026-W47 (week of 16 Nov): 20h of 16h, over by 4h"),  # 3 days off: 2 left
                    ("Mia Manager", "2026-W48 (week of 23 Nov): 35h of 32h, over by 3h")]
