"""Latest status, scope sums, weekly load: one statement each; a decision is taken once."""

from __future__ import annotations

import random
import threading
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest

from domain.model import Allocation, AllocationState, Rag, ScopeChange, ScopeState, StatusUpdate
from domain.ports import ScopeTotals
from storage.uow import SqlUnitOfWorkFactory
from tests.storage.builders import AT, D, basics, person

# --- status ---------------------------------------------------------------------------------


def test_latest_status_is_the_newest_of_each_project_in_one_statement(
    uow_factory: SqlUnitOfWorkFactory, count_statements  # type: ignore[no-untyped-def]
) -> None:
    ids = basics(uow_factory)
    with uow_factory() as uow:
        def log(project: int, rag: Rag, hours_ago: int) -> StatusUpdate:
            return uow.statuses.add(StatusUpdate(None, project, rag, f"{rag} {hours_ago}", ids.dana,
                                                 AT - timedelta(hours=hours_ago)))

        log(ids.web, Rag.GREEN, 48)
        newest_web = log(ids.web, Rag.RED, 1)
        middle_web = log(ids.web, Rag.AMBER, 5)  # logged later, but about an earlier time
        only_app = log(ids.app, Rag.AMBER, 3)
        uow.commit()
    with uow_factory() as uow:
        uow.people.get(ids.dana)
        with count_statements(uow_factory.engine) as counted:
            latest = uow.statuses.latest([ids.web, ids.app, 999])
        previous = uow.statuses.previous([ids.web, ids.app])
        history = uow.statuses.history(ids.web, limit=2)
        assert uow.statuses.latest([]) == {}
    assert counted.count == 1
    assert latest == {ids.web: newest_web, ids.app: only_app}
    assert previous == {ids.web: middle_web}
    assert history == [newest_web, middle_web]


def test_statuses_logged_at_the_same_instant_rank_by_insertion(uow_factory: SqlUnitOfWorkFactory) -> None:
    ids = basics(uow_factory)
    with uow_factory() as uow:
        first = uow.statuses.add(StatusUpdate(None, ids.web, Rag.GREEN, "a", ids.dana, AT))
        second = uow.statuses.add(StatusUpdate(None, ids.web, Rag.RED, "b", ids.dana, AT))
        assert uow.statuses.latest([ids.web]) == {ids.web: second}
        assert uow.statuses.previous([ids.web]) == {ids.web: first}


# --- scope ----------------------------------------------------------------------------------


def _change(project: int, flagged_by: int, hours: str | None = None, amount: str | None = None,
            state: ScopeState = ScopeState.FLAGGED) -> ScopeChange:
    return ScopeChange(None, project, "more", D(hours) if hours else None, D(amount) if amount else None, state,
                       flagged_by, AT)


def test_scope_totals_sum_approved_and_pending_changes_per_project_in_one_statement(
    uow_factory: SqlUnitOfWorkFactory, count_statements  # type: ignore[no-untyped-def]
) -> None:
    ids = basics(uow_factory)
    with uow_factory() as uow:
        for c in [
            _change(ids.web, ids.jane, hours="40"),
            _change(ids.web, ids.jane, amount="4500.50"),
            _change(ids.web, ids.jane, hours="10.5", amount="1000", state=ScopeState.APPROVED),
            _change(ids.web, ids.jane, amount="200.25", state=ScopeState.APPROVED),
            _change(ids.web, ids.jane, amount="99999", state=ScopeState.ABSORBED),
            _change(ids.web, ids.jane, amount="99999", state=ScopeState.REJECTED),
            _change(ids.app, ids.jane, state=ScopeState.ABSORBED),
        ]:
            uow.scope.add(c)
        uow.commit()
    with uow_factory() as uow:
        uow.people.get(ids.dana)
        with count_statements(uow_factory.engine) as counted:
            totals = uow.scope.totals([ids.web, ids.app, 999])
        assert uow.scope.totals([]) == {}
    assert counted.count == 1
    assert totals[ids.web] == ScopeTotals(D("1200.25"), D("10.5"), 2, D("4500.50"), D("40"))
    assert totals[ids.app] == ScopeTotals()


def test_a_scope_change_is_decided_once(uow_factory: SqlUnitOfWorkFactory) -> None:
    ids = basics(uow_factory)
    with uow_factory() as uow:
        change = uow.scope.add(_change(ids.web, ids.jane, hours="8"))
        uow.commit()
    approved = replace(change, state=ScopeState.APPROVED, decided_by=ids.dana, decided_at=AT, decision_note="ok")
    with uow_factory() as uow:
        assert uow.scope.decide(approved) is True
        uow.commit()
    rejected = replace(change, state=ScopeState.REJECTED, decided_by=ids.jane, decided_at=AT + timedelta(1))
    with uow_factory() as uow:
        assert uow.scope.decide(rejected) is False
        uow.commit()
    with uow_factory() as uow:
        assert uow.scope.get(change.id or 0) == approved


def test_an_allocation_is_decided_once(uow_factory: SqlUnitOfWorkFactory) -> None:
    ids = basics(uow_factory)
    with uow_factory() as uow:
        request = uow.allocations.add(Allocation(None, ids.jane, ids.web, D("20"), date(2026, 11, 16),
                                                 date(2026, 11, 29), AllocationState.REQUESTED, ids.dana, AT))
        uow.commit()
    approved = replace(request, state=AllocationState.APPROVED, decided_by=ids.dana, decided_at=AT)
    with uow_factory() as uow:
        before = uow.allocations.get(request.id or 0)  # read first, as a service does
        assert uow.allocations.decide(approved) is True
        assert uow.allocations.decide(replace(approved, state=AllocationState.REJECTED)) is False
        uow.commit()
    assert before == request
    with uow_factory() as uow:
        assert uow.allocations.get(request.id or 0) == approved
        assert uow.allocations.decide(replace(approved, state=AllocationState.CANCELLED)) is False


def test_a_decision_rolled_back_leaves_the_request_open(uow_factory: SqlUnitOfWorkFactory) -> None:
    ids = basics(uow_factory)
    with uow_factory() as uow:
        change = uow.scope.add(_change(ids.web, ids.jane))
        uow.commit()
    decided = replace(change, state=ScopeState.ABSORBED, decided_by=ids.dana, decided_at=AT)
    with uow_factory() as uow:
        assert uow.scope.decide(decided)  # no commit
    with uow_factory() as uow:
        assert uow.scope.get(change.id or 0) == change
        assert uow.scope.decide(decided)


def test_two_approvers_racing_on_postgresql_decide_once(uow_factory: SqlUnitOfWorkFactory, database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite takes the write lock at BEGIN: two writers can't overlap there")
    ids = basics(uow_factory)
    with uow_factory() as uow:
        change = uow.scope.add(_change(ids.web, ids.jane))
        uow.commit()
    results: dict[str, bool] = {}
    first_decided = threading.Event()

    def second() -> None:
        with uow_factory() as uow:
            first_decided.wait(5)
            # Blocks on the first approver's row lock, then re-checks the WHERE: no longer flagged.
            results["second"] = uow.scope.decide(replace(change, state=ScopeState.REJECTED, decided_by=ids.jane,
                                                         decided_at=AT))
            uow.commit()

    with uow_factory() as uow:
        results["first"] = uow.scope.decide(replace(change, state=ScopeState.APPROVED, decided_by=ids.dana,
                                                    decided_at=AT))
        racer = threading.Thread(target=second)
        racer.start()
        first_decided.set()
        racer.join(0.3)
        assert racer.is_alive(), "the second approver should wait for the first one's transaction"
        uow.commit()
    racer.join(5)
    assert results == {"first": True, "second": False}
    with uow_factory() as uow:
        got = uow.scope.get(change.id or 0)
    assert got is not None and got.state is ScopeState.APPROVED and got.decided_by == ids.dana


# --- weekly load ----------------------------------------------------------------------------

MON = date(2026, 11, 16)  # a Monday (ISO week 47)


def _allocate(uow, ids, hours: str, start: date, end: date,  # type: ignore[no-untyped-def]
              state: AllocationState = AllocationState.APPROVED, who: int | None = None) -> Allocation:
    return uow.allocations.add(Allocation(None, who or ids.jane, ids.web, D(hours), start, end, state, ids.dana, AT))


def test_weekly_load_counts_an_allocation_in_full_in_every_iso_week_it_touches(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    ids = basics(uow_factory)
    with uow_factory() as uow:
        # Sunday of week 47 to Monday of week 49: touches weeks 47, 48 and 49.
        _allocate(uow, ids, "10", MON + timedelta(days=6), MON + timedelta(days=14))
        uow.commit()
    with uow_factory() as uow:
        load = uow.allocations.weekly_load([ids.jane], MON - timedelta(days=7), MON + timedelta(days=21))
    assert load == {
        (ids.jane, MON): D("10"),
        (ids.jane, MON + timedelta(days=7)): D("10"),
        (ids.jane, MON + timedelta(days=14)): D("10"),
    }


def test_weekly_load_adds_overlapping_allocations_and_ignores_unapproved_ones(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    ids = basics(uow_factory)
    with uow_factory() as uow:
        _allocate(uow, ids, "20", MON, MON + timedelta(days=13))  # weeks 47, 48
        _allocate(uow, ids, "12.5", MON + timedelta(days=10), MON + timedelta(days=17))  # weeks 48, 49
        _allocate(uow, ids, "40", MON, MON + timedelta(days=30), AllocationState.REQUESTED)
        _allocate(uow, ids, "40", MON, MON + timedelta(days=30), AllocationState.REJECTED)
        _allocate(uow, ids, "40", MON, MON + timedelta(days=30), AllocationState.CANCELLED)
        _allocate(uow, ids, "8", MON, MON, who=ids.dana)  # one day: counts for the week
        uow.commit()
    with uow_factory() as uow:
        load = uow.allocations.weekly_load([ids.jane, ids.dana], MON, MON + timedelta(days=14))
        only_jane = uow.allocations.weekly_load([ids.jane], MON + timedelta(days=7), MON + timedelta(days=7))
        assert uow.allocations.weekly_load([], MON, MON) == {}
    assert load == {
        (ids.jane, MON): D("20"),
        (ids.jane, MON + timedelta(days=7)): D("32.5"),
        (ids.jane, MON + timedelta(days=14)): D("12.5"),
        (ids.dana, MON): D("8"),
    }
    assert only_jane == {(ids.jane, MON + timedelta(days=7)): D("32.5")}


def test_weekly_load_crosses_a_year_boundary_by_iso_weeks(uow_factory: SqlUnitOfWorkFactory) -> None:
    ids = basics(uow_factory)
    with uow_factory() as uow:
        other = person(uow, "omar")
        # 2026-12-31 is a Thursday in ISO week 2026-W53; 2027-01-04 is the Monday of 2027-W01.
        _allocate(uow, ids, "16", date(2026, 12, 31), date(2027, 1, 4), who=other.id)
        uow.commit()
    with uow_factory() as uow:
        load = uow.allocations.weekly_load([other.id or 0], date(2026, 12, 21), date(2027, 1, 11))
    assert load == {(other.id, date(2026, 12, 28)): D("16"), (other.id, date(2027, 1, 4)): D("16")}


def test_weekly_load_is_one_statement_for_many_people_and_weeks(
    uow_factory: SqlUnitOfWorkFactory, count_statements  # type: ignore[no-untyped-def]
) -> None:
    ids = basics(uow_factory)
    with uow_factory() as uow:
        people = [person(uow, f"p{n}").id or 0 for n in range(20)]
        for n, pid in enumerate(people):
            _allocate(uow, ids, "4", MON + timedelta(days=n), MON + timedelta(days=n + 60), who=pid)
        uow.commit()
    with uow_factory() as uow:
        uow.people.get(ids.jane)
        with count_statements(uow_factory.engine) as counted:
            load = uow.allocations.weekly_load(people, MON, MON + timedelta(weeks=52))
    assert counted.count == 1
    assert sum(load.values()) == sum(
        D("4") * len({(MON + timedelta(days=d)).isocalendar()[:2] for d in range(n, n + 61)}) for n in range(20)
    )


@pytest.mark.parametrize("seed", [1, 2])
def test_weekly_load_equals_a_brute_force_sum_over_random_allocations(uow_factory: SqlUnitOfWorkFactory,
                                                                      seed: int) -> None:
    rnd = random.Random(seed)
    ids = basics(uow_factory)
    states = [AllocationState.APPROVED] * 3 + [AllocationState.REQUESTED, AllocationState.REJECTED]
    with uow_factory() as uow:
        people = [person(uow, f"p{n}").id or 0 for n in range(6)]
        allocations = []
        for _ in range(60):
            start = MON + timedelta(days=rnd.randint(-60, 90))
            end = start + timedelta(days=rnd.randint(0, 80))
            hours = D(rnd.randint(1, 2000)) / 100
            allocations.append(uow.allocations.add(Allocation(None, rnd.choice(people), ids.web, hours, start, end,
                                                              rnd.choice(states), ids.dana, AT)))
        uow.commit()
    first, last = MON - timedelta(days=21), MON + timedelta(days=70)
    with uow_factory() as uow:
        load = uow.allocations.weekly_load(people[:5], first, last)
    expected: dict[tuple[int, date], Decimal] = {}
    for week in (first + timedelta(weeks=n) for n in range(14)):
        for a in allocations:
            if a.state is AllocationState.APPROVED and a.person_id in people[:5] \
                    and a.start <= week + timedelta(days=6) and a.end >= week:
                expected[(a.person_id, week)] = expected.get((a.person_id, week), D(0)) + a.hours_per_week
    assert load == expected


# --- a person's hours per project -----------------------------------------------------------


def test_a_persons_hours_per_project_in_a_date_range_match_a_brute_force_sum_in_one_statement(
    uow_factory: SqlUnitOfWorkFactory, count_statements  # type: ignore[no-untyped-def]
) -> None:
    from domain.model import Source, TimeEntry

    ids = basics(uow_factory)
    rng = random.Random(7)
    start = date(2026, 11, 1)
    entries = [TimeEntry(None, rng.choice([ids.dana, ids.jane]), rng.choice([ids.web, ids.app]),
                         start + timedelta(days=rng.randrange(30)), D(rng.randrange(25, 800)) / 100, D("100"),
                         D("60"), "", Source.IMPORT) for _ in range(200)]
    with uow_factory() as uow:
        uow.entries.add_many(entries)
        uow.commit()
    first, last = date(2026, 11, 9), date(2026, 11, 15)
    expected: dict[int, Decimal] = {}
    for e in entries:
        if e.person_id == ids.jane and first <= e.day <= last:
            expected[e.project_id] = expected.get(e.project_id, D(0)) + e.hours
    with uow_factory() as uow, count_statements(uow_factory.engine) as counted:
        found = uow.entries.hours_by_project(ids.jane, first, last)
    assert dict(found) == expected and expected
    assert counted.count == 1
