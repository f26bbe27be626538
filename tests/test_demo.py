"""``steward demo``: a realistic organisation whose projects sit in telling states relative to today."""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.clock import FixedClock
from domain.capacity import monday
from domain.model import AllocationState, Organisation, Rag, Role, ScopeState
from domain.portfolio import conditions, load_portfolio
from domain.ports import UnitOfWorkFactory
from handlers.demo import _generate_hours, load_demo, organisation_file, working_days_ago

TZ = ZoneInfo("America/New_York")
# A Wednesday, a Saturday, a Monday after New Year, a Sunday at the start of a month.
DATES = ["2026-11-18T09:00", "2026-11-21T16:30", "2027-01-04T08:00", "2026-03-01T12:00"]


def clock_at(text: str) -> FixedClock:
    return FixedClock(datetime.fromisoformat(text).replace(tzinfo=TZ))


def counts(uow_factory: UnitOfWorkFactory) -> tuple[int, ...]:
    with uow_factory() as uow:
        projects = uow.projects.list()
        return (
            len(uow.people.list()), len(uow.clients.list()), len(projects),
            sum(len(uow.entries.list(p.id or 0)) for p in projects),
            len(uow.scope.list([p.id or 0 for p in projects])),
            len(uow.allocations.list()), len(uow.audit.list(limit=10_000)),
        )


def test_the_demo_loads_in_well_under_ten_seconds(uow_factory: UnitOfWorkFactory) -> None:
    started = time.perf_counter()
    reply = load_demo(uow_factory, clock_at(DATES[0]))
    elapsed = time.perf_counter() - started
    assert reply.ok and reply.title == "Demo organisation loaded"
    assert elapsed < 5, f"the demo took {elapsed:.1f}s"
    people, clients, projects, entries, scope, allocations, _ = counts(uow_factory)
    assert (people, clients, projects) == (12, 3, 7)
    assert entries > 500 and scope >= 5 and allocations >= 15


def test_loading_the_demo_twice_changes_nothing(uow_factory: UnitOfWorkFactory) -> None:
    assert load_demo(uow_factory, clock_at(DATES[0])).ok
    before = counts(uow_factory)
    again = load_demo(uow_factory, clock_at(DATES[0]))
    assert again.ok and again.title == "The demo organisation is already loaded"
    assert counts(uow_factory) == before
    later = load_demo(uow_factory, clock_at("2026-12-01T09:00"))  # another day: still already loaded
    assert later.title == "The demo organisation is already loaded"
    assert counts(uow_factory) == before


def test_the_demo_refuses_a_database_holding_another_organisation(uow_factory: UnitOfWorkFactory) -> None:
    from handlers.imports import import_org_file

    org = "people:\n  - {name: Zed, email: zed@corp.test, role: admin}\nclients:\n  - {name: Real, key: real}\n"
    assert import_org_file(uow_factory, clock_at(DATES[0]), org).ok
    reply = load_demo(uow_factory, clock_at(DATES[0]))
    assert not reply.ok and "already holds an organisation" in reply.title
    with uow_factory() as uow:
        assert [c.key for c in uow.clients.list()] == ["real"]
        assert len(uow.people.list()) == 1


def test_the_demo_is_the_same_for_the_same_date() -> None:
    today = date(2026, 11, 18)
    assert organisation_file(today, "America/New_York") == organisation_file(today, "America/New_York")
    assert _generate_hours(today) == _generate_hours(today)


def test_the_demo_people_follow_the_design(uow_factory: UnitOfWorkFactory) -> None:
    load_demo(uow_factory, clock_at(DATES[0]))
    with uow_factory() as uow:
        people = uow.people.list()
        dana = uow.people.by_email("dana@example.com")
        mark = uow.people.by_email("mark@example.com")
        acme = next(c for c in uow.clients.list() if c.key == "acme")
        web = next(p for p in uow.projects.list() if p.key == "acme-web")
        org = uow.organisation.get()
    roles = [p.role for p in people]
    assert roles.count(Role.ADMIN) >= 1 and roles.count(Role.FINANCE) >= 1
    assert 2 <= roles.count(Role.DIRECTOR) <= 3 and roles.count(Role.MANAGER) >= 2 and roles.count(Role.MEMBER) >= 4
    assert all(p.email.endswith("@example.com") for p in people)
    assert dana is not None and dana.role is Role.DIRECTOR
    assert mark is not None and mark.role is Role.MANAGER
    assert acme.name == "Acme Corp" and acme.director_id == dana.id
    assert web.client_id == acme.id and web.manager_id == mark.id and "C0ACMEWEB" in web.channels
    assert org == Organisation(currency="USD", timezone="America/New_York", escalation=org.escalation)


@pytest.mark.parametrize("now", DATES)
def test_the_demo_projects_are_in_their_telling_states(uow_factory: UnitOfWorkFactory, now: str) -> None:
    clock = clock_at(now)
    assert load_demo(uow_factory, clock).ok
    today = clock.now().date()
    with uow_factory() as uow:
        org = uow.organisation.get()
        projects = uow.projects.list()
        portfolio = load_portfolio(uow, projects, org, today)
        found = conditions(uow, portfolio, org, clock.now())
        pending_scope = uow.scope.list([p.id or 0 for p in projects], [ScopeState.FLAGGED])
        decided_scope = uow.scope.list([p.id or 0 for p in projects],
                                       [ScopeState.APPROVED, ScopeState.ABSORBED])
        people = {p.id: p for p in uow.people.list()}
        entries = [e for p in projects for e in uow.entries.list(p.id or 0)]
        requested = uow.allocations.list(states=[AllocationState.REQUESTED])
    views = {v.project.key: v for v in portfolio.views}
    rules = {(c.project.key, c.rule) for c in found}

    healthy = views["acme-web"].figures
    assert healthy.rag is Rag.GREEN and healthy.approved_scope > 0

    burning = views["acme-app"].figures
    assert burning.rag is Rag.AMBER and "burning faster than time" in burning.reasons
    assert burning.pct_burned is not None and burning.pct_elapsed is not None
    assert burning.pct_burned - burning.pct_elapsed > 10 and burning.burned < burning.budget

    over = views["globex-brand"].figures
    assert over.burned > over.budget and over.rag is Rag.RED
    assert views["globex-brand"].status is not None and views["globex-brand"].status.rag is Rag.RED

    assert "acme-content" in {p.key for p in projects if p.id in {s.project_id for s in pending_scope}}
    assert ("acme-content", "scope") in rules
    assert {s.state for s in decided_scope} == {ScopeState.APPROVED, ScopeState.ABSORBED}

    stale = views["globex-portal"]
    assert stale.status_age_working_days is not None and stale.status_age_working_days > 5
    assert ("globex-portal", "stale_status") in rules
    assert all(v.status_age_working_days is not None and v.status_age_working_days <= 5
               for key, v in views.items() if key != "globex-portal")

    next_week = monday(today) + timedelta(days=7)
    overloaded = {(o.person.email, o.week.week) for o in portfolio.overloads}
    assert ("leo@example.com", next_week) in overloaded
    assert len(requested) == 1 and people[requested[0].person_id].email == "jane@example.com"
    waiting = [w for w in portfolio.waiting_allocations if w[0].id == requested[0].id]
    assert waiting and waiting[0][3], "the pending request should be over capacity"

    assert all(e.day < today and e.day.weekday() < 5 for e in entries)
    assert min(e.day for e in entries) <= today - timedelta(days=85)
    assert all(e.bill_rate == people[e.person_id].bill_rate for e in entries)


def test_statuses_are_dated_in_working_days() -> None:
    wednesday = date(2026, 11, 18)
    assert working_days_ago(wednesday, 1) == date(2026, 11, 17)
    assert working_days_ago(wednesday, 3) == date(2026, 11, 13)  # back over the weekend
    saturday = date(2026, 11, 21)
    assert working_days_ago(saturday, 1) == date(2026, 11, 19)  # Friday counts as one working day after Thursday


def test_a_director_sees_the_demo_through_the_commands(uow_factory: UnitOfWorkFactory) -> None:
    from tests.handlers.world import World

    clock = clock_at(DATES[0])
    load_demo(uow_factory, clock)
    world = World(uow_factory, {}, clock.now())
    budget = world.say("budget acme", "dana@example.com")
    assert budget.ok and "Acme Corp" in budget.title
    approvals = world.say("approvals", "dana@example.com")
    assert approvals.ok and "waiting" in approvals.title
    assert world.say("budget globex-brand", "drew@example.com").tone.value == "red"

