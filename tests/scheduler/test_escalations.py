"""Escalation rules: each one triggers, is not repeated, and closes when its condition clears; an
unacknowledged escalation is re-sent after 24 hours with the admins copied; ``ack`` acknowledges once.

A test project of its own (``esc``: Acme, budget 10,000, Sep 2026 to Mar 2027, managed by Mark, green
status just logged) keeps each rule apart from the others. Today is Sunday 15 Nov 2026, New York.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from bot.scheduler import Duties
from domain.model import Expense, Project, Rag, StatusUpdate
from handlers.reply import Reply, Severity
from storage.uow import SqlUnitOfWorkFactory
from tests.handlers.world import NOW, World

D = Decimal


@pytest.fixture
def esc(world: World) -> World:
    with world.uow_factory() as uow:
        p = uow.projects.add(Project(None, "esc", "Escalation Test", world.ids["acme"], D("10000"), date(2026, 9, 1),
                                     date(2027, 3, 31), world.ids["mark"]))
        world.ids["esc"] = p.id or 0
        uow.statuses.add(StatusUpdate(None, p.id or 0, Rag.GREEN, "fine", world.ids["mark"], NOW - timedelta(hours=1)))
        uow.commit()
    return world


def expense(world: World, amount: str, day: date = date(2026, 9, 5)) -> None:
    with world.uow_factory() as uow:
        uow.entries.add_expense(Expense(None, world.ids["esc"], day, D(amount), "test"))
        uow.commit()


def open_rules(world: World) -> dict[str, int]:
    with world.uow_factory() as uow:
        return {e.rule: e.id or 0 for e in uow.escalations.list_open([world.ids["esc"]])}


def escalation_keys(world: World) -> list[str]:
    with world.uow_factory() as uow:
        return sorted(m.key for m in uow.outbox.list(limit=1000) if m.kind == "escalation")


def sweep(world: World, at: datetime = NOW) -> None:
    Duties(world.uow_factory).sweep_escalations(at)


def approve_budget(world: World, amount: str) -> None:
    sid = world.say(f"scope esc change order +${amount}", who="mark@example.com").subject.split(":")[1]  # type: ignore[union-attr]
    assert world.say(f"approve S{sid}").ok


@dataclass(frozen=True)
class Case:
    rule: str
    trigger: Callable[[World], None]
    clear: Callable[[World], None]
    at: datetime = NOW  # when the repeat sweep runs


def _id(reply: Reply) -> str:
    assert reply.ok and reply.subject is not None, reply
    return reply.subject.split(":")[1]


def _waiting(world: World) -> None:
    world.ids["request"] = int(_id(world.say("assign jane esc 4h/week", who="mark@example.com",
                                             now=NOW - timedelta(days=6))))


def _booked(world: World) -> None:
    """Jane (32h a week) approved for 20h a week on acme-app this week and next (no allocation is ever
    above one person's whole week: two are)."""
    aid = _id(world.say("assign jane acme-app 20h/week until 2026-11-20", who="mia@example.com"))
    assert world.say(f"approve A{aid}").ok


def _over_request(world: World) -> None:
    _booked(world)
    world.ids["request"] = int(_id(world.say("assign jane esc 20h/week", who="mark@example.com")))


def _overbooked(world: World) -> None:
    """On top of that, 20h a week approved on ``esc``: 40h of 32h."""
    _booked(world)
    aid = _id(world.say("assign jane esc 20h/week until 2026-11-20", who="mark@example.com"))
    assert world.say(f"approve A{aid}").ok


def _stale(world: World) -> None:
    with world.uow_factory() as uow:
        uow.statuses.add(StatusUpdate(None, world.ids["esc"], Rag.GREEN, "old", world.ids["mark"],
                                      NOW + timedelta(days=20)))
        uow.commit()


CASES = [
    Case("burn_75", lambda w: (expense(w, "7600"), sweep(w)), lambda w: approve_budget(w, "5000")),
    Case("burn_90", lambda w: (expense(w, "9100"), sweep(w)), lambda w: approve_budget(w, "8000")),
    Case("burn_100", lambda w: (expense(w, "10100"), sweep(w)), lambda w: approve_budget(w, "9000")),
    Case("forecast", lambda w: (expense(w, "3000", date(2026, 11, 14)), sweep(w)),
         lambda w: approve_budget(w, "20000")),
    Case("status_red", lambda w: w.say("status esc red client angry", who="mark@example.com"),
         lambda w: w.say("status esc green calmer", who="mark@example.com")),
    Case("status_amber_twice", lambda w: (w.say("status esc amber late", who="mark@example.com"),
                                          w.say("status esc amber still late", who="mark@example.com")),
         lambda w: w.say("status esc green back on track", who="mark@example.com")),
    Case("scope", lambda w: w.say("scope esc new section +$600", who="mark@example.com"),
         lambda w: w.say("reject S1 out of scope")),
    Case("allocation_over_capacity", _over_request, lambda w: w.say(f"reject A{w.ids['request']} too much")),
    Case("approval_waiting", lambda w: (_waiting(w), sweep(w)), lambda w: w.say(f"approve A{w.ids['request']}")),
    Case("person_over_capacity", _overbooked, lambda w: sweep(w, NOW + timedelta(days=14))),
    Case("stale_status", lambda w: sweep(w, NOW + timedelta(days=10)),
         lambda w: (_stale(w), sweep(w, NOW + timedelta(days=21))), at=NOW + timedelta(days=10, hours=1)),
]


@pytest.mark.parametrize("case", CASES, ids=[c.rule for c in CASES])
def test_each_rule_triggers_is_not_repeated_and_closes_when_it_clears(esc: World, case: Case) -> None:
    case.trigger(esc)
    opened = open_rules(esc)
    assert case.rule in opened, opened
    first = escalation_keys(esc)
    # not repeated: the sweep again, and the same trigger again, open nothing new and send nothing new
    sweep(esc, case.at)
    if case.rule.startswith("status_"):  # said again: still the one escalation
        case.trigger(esc)
    assert open_rules(esc)[case.rule] == opened[case.rule]
    assert [k for k in escalation_keys(esc) if k.startswith(f"escalation:{opened[case.rule]}:")] == \
        [k for k in first if k.startswith(f"escalation:{opened[case.rule]}:")]
    case.clear(esc)
    assert case.rule not in open_rules(esc)
    with esc.uow_factory() as uow:
        closed = uow.escalations.get(opened[case.rule])
    assert closed is not None and closed.closed_at is not None


def test_the_director_gets_it_with_an_acknowledge_button(esc: World) -> None:
    esc.say("status esc red client angry", who="mark@example.com")
    eid = open_rules(esc)["status_red"]
    with esc.uow_factory() as uow:
        sent = uow.outbox.by_key(f"escalation:{eid}:1:{esc.ids['dana']}")
    assert sent is not None and sent.person_id == esc.ids["dana"]
    buttons = [a["command"] for a in sent.payload["actions"]]
    assert buttons[0] == f"ack E{eid}" and "status esc" in buttons


def test_burn_crossings_happen_once_per_project_and_a_higher_one_supersedes(esc: World) -> None:
    expense(esc, "7600")
    sweep(esc)
    assert set(open_rules(esc)) == {"burn_75"}
    expense(esc, "1600")  # 92%
    sweep(esc)
    assert set(open_rules(esc)) == {"burn_90"}  # burn_75 superseded
    approve_budget(esc, "5000")  # 61%: burn_90 clears
    assert open_rules(esc) == {}
    expense(esc, "3000")  # 81% again: 75 was crossed already, so no second escalation
    sweep(esc)
    assert open_rules(esc) == {}


def test_unacknowledged_it_is_resent_after_24_hours_to_the_director_and_the_admins(esc: World) -> None:
    esc.say("status esc red client angry", who="mark@example.com")
    eid = open_rules(esc)["status_red"]
    dana, ada = esc.ids["dana"], esc.ids["ada"]
    sweep(esc, NOW + timedelta(hours=23, minutes=59))
    assert [k for k in escalation_keys(esc) if k.startswith(f"escalation:{eid}:")] == [f"escalation:{eid}:1:{dana}"]
    sweep(esc, NOW + timedelta(hours=24))
    sweep(esc, NOW + timedelta(hours=24, minutes=5))  # a second replica's sweep: nothing more
    keys = [k for k in escalation_keys(esc) if k.startswith(f"escalation:{eid}:")]
    assert keys == sorted([f"escalation:{eid}:1:{dana}", f"escalation:{eid}:2:{dana}", f"escalation:{eid}:2:{ada}"])
    with esc.uow_factory() as uow:
        copy = uow.outbox.by_key(f"escalation:{eid}:2:{ada}")
        e = uow.escalations.get(eid)
    assert copy is not None and "copied to you as an admin" in copy.payload["summary"]
    assert e is not None and e.sends == 2
    # acknowledged: no more reminders
    ack = esc.say(f"ack E{eid}", now=NOW + timedelta(hours=25))
    assert ack.severity is Severity.SUCCESS and ack.subject == f"escalation:{eid}"
    sweep(esc, NOW + timedelta(hours=60))
    assert len([k for k in escalation_keys(esc) if k.startswith(f"escalation:{eid}:")]) == 3


def test_ack_once_then_a_warning_naming_who_and_when(esc: World) -> None:
    esc.say("status esc red client angry", who="mark@example.com")
    eid = open_rules(esc)["status_red"]
    assert esc.say(f"ack E{eid}", who="jane@example.com").severity is Severity.ERROR  # not hers to acknowledge
    assert esc.say(f"ack E{eid}").severity is Severity.SUCCESS
    again = esc.say(f"ack {eid}", who="ada@example.com")
    assert again.severity is Severity.WARNING and "Already acknowledged by Dana Director" in again.summary
    assert esc.say("ack E999").severity is Severity.ERROR
    listed = esc.say("escalations")
    section = next(s for s in listed.sections if s.title.startswith(f"E{eid} "))
    assert "Acknowledged by Dana Director" in " ".join(section.lines)
    assert not any(a.command.startswith("ack") for a in section.actions)


def test_escalations_lists_the_open_ones_with_an_acknowledge_button(esc: World) -> None:
    esc.say("status esc red client angry", who="mark@example.com")
    eid = open_rules(esc)["status_red"]
    listed = esc.say("escalations")
    section = next(s for s in listed.sections if s.title.startswith(f"E{eid} "))
    assert section.actions[0].command == f"ack E{eid}"


def test_the_sweep_costs_the_same_statements_for_3_or_23_projects(
        uow_factory: SqlUnitOfWorkFactory, count_statements) -> None:  # type: ignore[no-untyped-def]
    from tests.handlers.world import seed

    w = seed(uow_factory)
    sweep(w)  # open what holds
    with count_statements(uow_factory.engine) as few:
        sweep(w)
    with uow_factory() as uow:
        for n in range(20):
            uow.projects.add(Project(None, f"more-{n}", f"More {n}", w.ids["globex"], D("1000"), date(2026, 11, 1),
                                     date(2026, 12, 31), w.ids["mia"]))
        uow.commit()
    sweep(w)
    with count_statements(uow_factory.engine) as many:
        sweep(w)
    assert many.count == few.count, many.statements
