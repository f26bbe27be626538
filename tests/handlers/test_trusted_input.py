"""Lines that used to be recorded wrongly without a word: each is now either stored exactly as the
reply echoes it, or refused with an example (issue 12, "Parsing that never guesses silently")."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.model import AllocationState
from handlers.reply import Severity
from tests.handlers.world import World, fact, seed

D = Decimal


@pytest.fixture
def world(uow_factory) -> World:  # type: ignore[no-untyped-def]
    return seed(uow_factory)


def _scope(world: World, sid: str) -> tuple[Decimal | None, Decimal | None]:
    with world.uow_factory() as uow:
        change = uow.scope.get(int(sid))
        assert change is not None
        return change.impact_hours, change.impact_amount


@pytest.mark.parametrize("impact", ["+40h", "+40 h", "+40 hours", "+40 hrs", "40 hours", "+40hrs"])
def test_scope_impact_in_hours_is_stored_as_hours_whatever_the_unit_word(world: World, impact: str) -> None:
    reply = world.say(f"scope acme-web translation {impact}", who="mark@example.com")
    assert reply.ok, reply.summary
    hours, amount = _scope(world, reply.subject.split(":")[1])  # type: ignore[union-attr]
    assert (hours, amount) == (D("40.00"), None)
    # acme-web: 10,000 for 100 budget hours, so 40h is worth 4,000; the reply says what was understood.
    assert fact(reply, "Impact") == "+40h ≈ $4,000"
    assert reply.summary == "translation"


@pytest.mark.parametrize("impact", ["+$4,500", "+$4.5k", "+4500 USD", "+4500", "+4500usd"])
def test_scope_impact_in_money_is_stored_as_money(world: World, impact: str) -> None:
    reply = world.say(f"scope acme-web translation {impact}", who="mark@example.com")
    assert reply.ok, reply.summary
    assert _scope(world, reply.subject.split(":")[1]) == (None, D("4500.00"))  # type: ignore[union-attr]
    assert fact(reply, "Impact") == "+$4,500"


@pytest.mark.parametrize("impact", ["+4500 EUR", "+€4,500", "+40$h", "+1e309", "+inf", "+4,50,0"])
def test_an_impact_in_another_currency_or_unreadable_is_refused_and_nothing_is_written(world: World,
                                                                                    impact: str) -> None:
    reply = world.say(f"scope acme-web translation {impact}", who="mark@example.com")
    assert reply.severity is Severity.ERROR, reply
    assert "Example: `scope acme-web" in reply.summary
    with world.uow_factory() as uow:
        assert uow.scope.list([world.ids["acme-web"]], None) == []


@pytest.mark.parametrize("line, says", [
    ("hours acme-web 2 in two weeks", "which day “in two weeks”"),
    ("hours acme-web 2 next week", "which day “next week”"),
    ("hours acme-web 2 someday", "which day “someday”"),
    ("hours acme-web 2 on someday", "can't read “someday”"),
    ("hours acme-web 2 on next friday", "is in the future"),
    ("hours acme-web 2 on tomorrow", "is in the future"),
    ("hours acme-web 2 tomorrow", "is in the future"),
    ("hours acme-web 2 next friday", "is in the future"),
    ("hours acme-web 2 on 2025-01-01", "before Website Relaunch started (Sun 01 Nov 2026)"),
    ("hours acme-web 1e309", "is not a number of hours"),
    ("hours acme-web nan", "is not a number of hours"),
    ("hours acme-web inf", "is not a number of hours"),
])
def test_hours_on_a_day_that_is_not_understood_or_not_allowed_are_refused(world: World, line: str,
                                                                          says: str) -> None:
    with world.uow_factory() as uow:
        before = len(uow.entries.list(world.ids["acme-web"]))
    reply = world.say(line, who="mark@example.com")
    assert reply.severity is Severity.ERROR, reply
    assert says in reply.summary
    assert "Example: `hours acme-web 3.5 yesterday design review`" in reply.summary
    with world.uow_factory() as uow:
        assert len(uow.entries.list(world.ids["acme-web"])) == before


def test_more_than_a_day_is_said_without_trailing_zeros(world: World) -> None:
    reply = world.say("hours acme-web 40 hours yesterday", who="mark@example.com")
    assert "40 hours is more than a day holds" in reply.summary


def test_hours_with_a_unit_word_are_logged_and_the_note_kept(world: World) -> None:
    reply = world.say("hours acme-web 2 hours yesterday design review", who="mark@example.com")
    assert reply.ok, reply.summary
    assert reply.title == "Logged 2h on Website Relaunch" and reply.summary == "design review"


def test_a_member_logs_hours_only_where_they_are_allocated_and_is_told_who_can(world: World) -> None:
    refused = world.say("hours globex-brand 2 yesterday", who="jane@example.com")
    assert refused.severity is Severity.ERROR
    assert "You are not allocated to Brand Refresh" in refused.summary and "Mia Manager" in refused.summary
    # On acme-web she had an approved allocation (ended 8 Nov): logging there is fine, any time.
    assert world.say("hours acme-web 2 yesterday", who="jane@example.com").ok
    # Her manager may log for her where she isn't allocated.
    assert world.say("hours globex-brand 2 yesterday for jane", who="mia@example.com").ok


def test_an_allocation_above_the_whole_week_is_refused(world: World) -> None:
    for line in ("assign jane acme-web 150%", "assign jane acme-web 40h/week"):
        reply = world.say(line, who="mark@example.com")
        assert reply.severity is Severity.ERROR, line
        assert "100%" in reply.summary
    with world.uow_factory() as uow:
        assert uow.allocations.list(states=[AllocationState.REQUESTED]) == []


def test_a_second_request_overlapping_an_approved_allocation_is_a_change_not_a_stack(world: World) -> None:
    first = world.say("assign jane acme-web 20h/week from 2026-11-16 until 2026-11-29", who="mark@example.com")
    a1 = first.subject.split(":")[1]  # type: ignore[union-attr]
    assert world.say(f"approve A{a1}").ok
    second = world.say("assign jane acme-web 20h/week from 2026-11-16 until 2026-11-29", who="mark@example.com")
    assert second.ok, second.summary
    a2 = second.subject.split(":")[1]  # type: ignore[union-attr]
    assert f"changes A{a1}" in second.summary
    assert fact(second, "Changes").startswith(f"A{a1} (approved): 20h/week → 20h/week")
    # 20 + 20 would be 40 of 32: as a change it is 20 of 32, within capacity.
    assert "Within capacity in every week." in second.sections[0].lines
    decided = world.say(f"approve A{a2}")
    assert decided.ok and "Within capacity in every week." in decided.sections[0].lines
    with world.uow_factory() as uow:
        live = [a for a in uow.allocations.list(person_id=world.ids["jane"], project_ids=[world.ids["acme-web"]],
                                                 states=[AllocationState.APPROVED]) if a.end >= a.start
                and a.start.isoformat() == "2026-11-16"]
        assert [a.id for a in live] == [int(a2)]  # the old one was replaced, not stacked
        load = uow.allocations.weekly_load([world.ids["jane"]], live[0].start, live[0].start)
        assert load[(world.ids["jane"], live[0].start)] == D("20")


def test_a_second_pending_request_replaces_the_first(world: World) -> None:
    a1 = world.say("assign jane acme-web 10h/week", who="mark@example.com").subject.split(":")[1]  # type: ignore[union-attr]
    second = world.say("assign jane acme-web 15h/week", who="mark@example.com")
    assert f"changes A{a1} (requested, 10h/week), which it replaces now" in second.summary
    with world.uow_factory() as uow:
        old = uow.allocations.get(int(a1))
        assert old is not None and old.state is AllocationState.CANCELLED
    waiting = world.say("approvals")
    assert [s.title for s in waiting.sections if f"A{a1}" in s.title] == []


# --- what is stored is what the reply says -------------------------------------------------------


_SEEDED: dict[int, World] = {}


def _seeded(uow_factory) -> World:  # type: ignore[no-untyped-def]
    """One seeded organisation per test database: hypothesis runs many examples on one fixture."""
    if id(uow_factory) not in _SEEDED:
        _SEEDED[id(uow_factory)] = seed(uow_factory)
    return _SEEDED[id(uow_factory)]


_ECHO_HOURS = re.compile(r"^Logged (?P<h>[\d.]+)h on ")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    whole=st.integers(min_value=0, max_value=23),
    fraction=st.sampled_from(["", ".5", ".25", ".75", ".1", ".05", ".125", ":30", ":15", ":45"]),
    unit=st.sampled_from(["", "h", "hrs", " hours", " h"]),
)
def test_every_accepted_hours_line_stores_what_the_reply_echoes(uow_factory, whole: int, fraction: str,  # type: ignore[no-untyped-def]
                                                                 unit: str) -> None:
    world = _seeded(uow_factory)
    amount = f"{whole}{fraction}" + ("" if ":" in fraction else unit)
    reply = world.say(f"hours acme-web {amount} yesterday", who="mark@example.com")
    if not reply.ok:
        assert reply.severity is Severity.ERROR and "Example:" in reply.summary
        return
    m = _ECHO_HOURS.match(reply.title)
    assert m, reply.title
    with world.uow_factory() as uow:
        entry = max(uow.entries.list(world.ids["acme-web"]), key=lambda e: e.id or 0)
    assert entry.hours == D(m.group("h"))
    assert fact(reply, "Value") == f"${entry.hours * entry.bill_rate:,.2f}".replace(".00", "")


_ECHO_IMPACT = re.compile(r"^(?:\+\$(?P<money>[\d,.]+))?(?: and )?(?:\+(?P<h>[\d.]+)h(?: ≈ .*)?)?$")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    number=st.decimals(min_value=D("0.01"), max_value=D("99999"), places=2),
    form=st.sampled_from(["+{n}h", "+{n} h", "+{n} hours", "+{n} hrs", "{n} hours", "+${n}", "+{n}", "+{n} USD",
                          "+${c}", "+{k}k"]),
)
def test_every_accepted_scope_line_stores_what_the_reply_echoes(uow_factory, number: Decimal, form: str) -> None:  # type: ignore[no-untyped-def]
    world = _seeded(uow_factory)
    text = form.format(n=f"{number:f}", c=f"{number:,.2f}", k=f"{(number / 1000).normalize():f}")
    reply = world.say(f"scope acme-web extra work {text}", who="mark@example.com")
    if not reply.ok:
        assert reply.severity is Severity.ERROR and "Example:" in reply.summary
        return
    hours, amount = _scope(world, reply.subject.split(":")[1])  # type: ignore[union-attr]
    m = _ECHO_IMPACT.match(fact(reply, "Impact"))
    assert m, fact(reply, "Impact")
    echoed_money = D(m.group("money").replace(",", "")) if m.group("money") else None
    echoed_hours = D(m.group("h")) if m.group("h") else None
    assert (hours, amount) == (echoed_hours, echoed_money)
    assert reply.summary == "extra work"
