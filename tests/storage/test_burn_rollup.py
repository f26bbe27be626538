"""The ``burn_months`` rollup: totals read through it equal a brute-force sum of the entries and expenses;
every write path keeps it equal to a rebuild from scratch; the migration's backfill builds the same rows."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import create_engine, insert, select, text

from domain.model import Expense, Source, TimeEntry
from domain.ports import BurnTotals
from storage.migrate import upgrade
from storage.orm import BurnMonthRow, ClientRow, ExpenseRow, PersonRow, ProjectRow, TimeEntryRow, to_units
from storage.sqltools import units_to_decimal
from storage.uow import SqlUnitOfWorkFactory, build_uow_factory
from tests.conftest import POSTGRES_URL
from tests.storage.builders import D, basics, project
from tests.support.db import create_database_if_missing, sqlite_url, with_search_path

FIRST, LAST = date(2025, 10, 1), date(2027, 2, 28)  # about 17 months of entries and expenses

# 28-day windows across a month boundary, inside one month, starting on a month's first day, across
# the year boundary, on the last and first day of a month and of the data.
EDGE_DAYS = [
    date(2026, 11, 15), date(2026, 11, 28), date(2026, 11, 27), date(2026, 3, 1), date(2026, 3, 28),
    date(2026, 3, 27), date(2027, 1, 10), date(2027, 1, 1), date(2026, 12, 31), date(2026, 1, 27),
    date(2026, 1, 28), date(2025, 10, 1), date(2025, 9, 30), date(2027, 2, 28), date(2027, 3, 31),
]


def brute_force(entries: list[TimeEntry], expenses: list[Expense], today: date) -> dict[int, BurnTotals]:
    """The DESIGN definition, summed in Python over every row (integer units, one rounding at the end)."""
    sums: dict[int, list[int]] = {}
    since = today - timedelta(days=27)
    for e in entries:
        if e.day > today:
            continue
        s = sums.setdefault(e.project_id, [0, 0, 0, 0, 0])
        hours = to_units(e.hours, 2)
        bill = hours * to_units(e.bill_rate, 2)
        s[0] += bill
        s[1] += bill if e.day >= since else 0
        s[2] += hours * to_units(e.cost_rate, 2)
        s[3] += hours
    for x in expenses:
        if x.day > today:
            continue
        s = sums.setdefault(x.project_id, [0, 0, 0, 0, 0])
        amount = to_units(x.amount, 2) * 100
        s[0] += amount
        s[1] += amount if x.day >= since else 0
        s[2] += amount
        s[4] += amount
    return {
        p: BurnTotals(units_to_decimal(s[0], 4), units_to_decimal(s[1], 4), units_to_decimal(s[2], 4),
                      units_to_decimal(s[3], 2), units_to_decimal(s[4], 4))
        for p, s in sums.items()
    }


def rollup_rows(factory: SqlUnitOfWorkFactory) -> list[tuple[object, ...]]:
    with factory.engine.connect() as conn:
        t = BurnMonthRow.__table__
        return [tuple(r) for r in conn.execute(select(t).order_by(t.c.project_id, t.c.month))]


def random_day(rnd: random.Random) -> date:
    return FIRST + timedelta(days=rnd.randrange((LAST - FIRST).days + 1))


def money(rnd: random.Random, high: int) -> Decimal:
    return Decimal(rnd.randrange(0, high)) / 100


@pytest.mark.parametrize("seed", [1, 2])
def test_totals_through_the_rollup_equal_a_brute_force_sum(uow_factory: SqlUnitOfWorkFactory, seed: int) -> None:
    rnd = random.Random(seed)
    ids = basics(uow_factory)
    with uow_factory() as uow:
        projects = [ids.web, ids.app] + [project(uow, ids.acme, f"r{n}").id or 0 for n in range(3)]
        uow.commit()
    idle = projects[-1]  # never gets a row
    busy = projects[:-1]
    entries: list[TimeEntry] = []
    expenses: list[Expense] = []

    def new_entry(day: date | None = None, external_id: str | None = None) -> TimeEntry:
        return TimeEntry(None, rnd.choice((ids.jane, ids.dana)), rnd.choice(busy), day or random_day(rnd),
                         money(rnd, 1200), money(rnd, 30000), money(rnd, 20000), "", Source.IMPORT, external_id)

    # Written through every path, in several transactions: add, add_many (with known and repeated
    # external ids, and without), add_expense; including today+1..+7 of every edge day.
    for batch in range(4):
        with uow_factory() as uow:
            for _ in range(40):
                entries.append(uow.entries.add(new_entry()))
            for edge in EDGE_DAYS if batch == 0 else ():
                for ahead in range(0, 8):
                    entries.append(uow.entries.add(new_entry(edge + timedelta(days=ahead))))
            fresh = [new_entry(external_id=f"b{batch}-{n}") for n in range(150)]
            plain = [new_entry() for _ in range(50)]
            known = fresh[:20] if batch == 0 else [e for e in entries if e.external_id][:30]
            repeated = fresh[:5]
            assert uow.entries.add_many([*fresh, *plain, *repeated, *(known if batch else ())]) == 200
            entries.extend(fresh + plain)
            for _ in range(15):
                x = Expense(None, rnd.choice(busy), random_day(rnd), money(rnd, 500000), "x")
                expenses.append(uow.entries.add_expense(x))
            uow.commit()
    with uow_factory() as uow:
        assert uow.entries.add_many([e for e in entries if e.external_id]) == 0  # a re-import adds nothing

    todays = EDGE_DAYS + [random_day(rnd) for _ in range(25)]
    with uow_factory() as uow:
        for today in todays:
            got = uow.entries.totals(projects, today)
            assert got == brute_force(entries, expenses, today), today
            assert idle not in got


def test_every_write_path_keeps_the_rollup_equal_to_a_rebuild(uow_factory: SqlUnitOfWorkFactory) -> None:
    rnd = random.Random(3)
    ids = basics(uow_factory)
    with uow_factory() as uow:
        for n in range(60):
            day = random_day(rnd)
            uow.entries.add(TimeEntry(None, ids.jane, ids.web, day, money(rnd, 900), D("99.99"), D("1.01"), ""))
            uow.entries.add_expense(Expense(None, ids.app if n % 2 else ids.web, day, money(rnd, 90000), ""))
        uow.entries.add_many([
            TimeEntry(None, ids.dana, rnd.choice((ids.web, ids.app)), random_day(rnd), money(rnd, 900),
                      money(rnd, 30000), money(rnd, 20000), "", Source.IMPORT, f"x{n}" if n % 3 else None)
            for n in range(500)
        ])
        uow.commit()
    maintained = rollup_rows(uow_factory)
    assert len(maintained) > 20
    with uow_factory() as uow:
        assert uow.entries.rebuild_rollup() == len(maintained)
        uow.commit()
    assert rollup_rows(uow_factory) == maintained


def test_re_importing_the_same_rows_leaves_the_rollup_unchanged(uow_factory: SqlUnitOfWorkFactory) -> None:
    ids = basics(uow_factory)
    rows = [TimeEntry(None, ids.jane, ids.web, date(2026, 9, 1) + timedelta(days=n % 90), D("1.25"), D("140"),
                      D("60"), "", Source.IMPORT, f"row-{n}") for n in range(300)]
    with uow_factory() as uow:
        assert uow.entries.add_many(rows) == 300
        uow.commit()
    before = rollup_rows(uow_factory)
    assert [r[1] for r in before] == [date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 1)]
    with uow_factory() as uow:
        assert uow.entries.add_many(rows) == 0
        assert uow.entries.add_many([*rows[:50], *rows[:50]]) == 0
        uow.commit()
    assert rollup_rows(uow_factory) == before
    with uow_factory() as uow:
        total = uow.entries.totals([ids.web], date(2026, 12, 31))[ids.web]
    assert total.hours == D("375") and total.burned == D("52500")


# --- the migration's backfill ---------------------------------------------------------------------


def _urls() -> list[object]:
    params: list[object] = [pytest.param("sqlite", id="sqlite")]
    if POSTGRES_URL:
        params.append(pytest.param("postgresql", id="postgresql"))
    return params


@pytest.fixture(params=_urls())
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with no migration applied yet: a SQLite file, or a private PostgreSQL schema."""
    if request.param == "sqlite":
        yield sqlite_url(tmp_path / "backfill.db")
        return
    schema = f"steward_backfill_{uuid.uuid4().hex[:12]}"
    create_database_if_missing(POSTGRES_URL)
    admin = create_engine(POSTGRES_URL)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        yield with_search_path(POSTGRES_URL, schema)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def test_the_migration_backfills_the_rollup_from_existing_entries(empty_database: str) -> None:
    url = empty_database
    upgrade(url, "0003")
    rnd = random.Random(4)
    entries: list[TimeEntry] = []
    expenses: list[Expense] = []
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(insert(PersonRow.__table__).values(
                id=1, name="Jane", email="jane@example.com", email_key="jane@example.com", role="member",
                capacity_hours=D("40"), cost_rate=D("60"), bill_rate=D("150"), active=True))
            conn.execute(insert(ClientRow.__table__).values(id=1, key="acme", name="Acme", aliases=[]))
            for pid in (1, 2, 3):
                conn.execute(insert(ProjectRow.__table__).values(
                    id=pid, key=f"p{pid}", name=f"P{pid}", client_id=1, budget=D("1000"),
                    start_day=date(2025, 1, 1), end_day=date(2027, 12, 31), aliases=[]))
            for _ in range(400):
                entries.append(TimeEntry(None, 1, rnd.choice((1, 2)), random_day(rnd), money(rnd, 1200),
                                         money(rnd, 30000), money(rnd, 20000), ""))
            conn.execute(insert(TimeEntryRow.__table__), [
                {"person_id": e.person_id, "project_id": e.project_id, "day": e.day, "hours": e.hours,
                 "bill_rate": e.bill_rate, "cost_rate": e.cost_rate, "note": "", "source": "import"}
                for e in entries])
            for _ in range(40):
                expenses.append(Expense(None, rnd.choice((1, 3)), random_day(rnd), money(rnd, 500000), ""))
            conn.execute(insert(ExpenseRow.__table__), [
                {"project_id": x.project_id, "day": x.day, "amount": x.amount, "description": ""} for x in expenses])
    finally:
        engine.dispose()
    upgrade(url)
    factory = build_uow_factory(url)
    try:
        backfilled = rollup_rows(factory)
        assert {r[0] for r in backfilled} == {1, 2, 3}
        with factory() as uow:
            for today in EDGE_DAYS:
                assert uow.entries.totals([1, 2, 3], today) == brute_force(entries, expenses, today), today
            uow.entries.rebuild_rollup()
            uow.commit()
        assert rollup_rows(factory) == backfilled
    finally:
        factory.dispose()


def test_concurrent_writers_of_the_same_month_both_count(uow_factory: SqlUnitOfWorkFactory) -> None:
    """Two transactions adding to the same project and month (a new rollup row, then an existing one):
    the second waits for the first and recomputes after it, so neither's rows are lost."""
    import threading

    ids = basics(uow_factory)
    # a new rollup row (add_many, then add), an existing one (add, then add_many)
    for day in (date(2026, 5, 4), date(2026, 5, 5), date(2026, 6, 1), date(2026, 6, 2)):
        errors: list[BaseException] = []
        started = threading.Event()

        def second(day: date, started: threading.Event, errors: list[BaseException]) -> None:
            try:
                with uow_factory() as uow:
                    started.set()
                    if day.day % 2:
                        uow.entries.add(TimeEntry(None, ids.dana, ids.web, day, D("3"), D("100"), D("50"), ""))
                    else:
                        uow.entries.add_many([TimeEntry(None, ids.dana, ids.web, day, D("3"), D("100"), D("50"), "")])
                    uow.commit()
            except BaseException as error:  # reported below
                errors.append(error)

        with uow_factory() as uow:
            uow.entries.add(TimeEntry(None, ids.jane, ids.web, day, D("3"), D("100"), D("50"), ""))
            uow.entries.add_expense(Expense(None, ids.web, day, D("10"), ""))
            thread = threading.Thread(target=second, args=(day, started, errors))
            thread.start()
            started.wait(5)
            thread.join(0.5)  # the second writer is blocked on our rows (or at SQLite's gate)
            uow.commit()
        thread.join(10)
        assert not thread.is_alive() and not errors, errors
    maintained = rollup_rows(uow_factory)
    with uow_factory() as uow:
        uow.entries.rebuild_rollup()
        uow.commit()
        totals = uow.entries.totals([ids.web], date(2026, 12, 31))[ids.web]
    assert rollup_rows(uow_factory) == maintained
    assert totals.hours == D("24") and totals.burned == D("2440")
