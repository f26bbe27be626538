"""Money and hours are exact; burn totals are summed in SQL, in one statement; bulk imports skip known rows."""

from __future__ import annotations

import random
import time
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy.exc import StatementError

from domain.model import Expense, Source, TimeEntry
from domain.ports import BurnTotals
from storage.orm import from_units, to_units
from storage.uow import SqlUnitOfWorkFactory
from tests.storage.builders import D, basics, project

TODAY = date(2026, 11, 15)


def entry(person: int, project_id: int, day: date, hours: str, bill: str = "100", cost: str = "60",
          external_id: str | None = None) -> TimeEntry:
    return TimeEntry(None, person, project_id, day, D(hours), D(bill), D(cost), "", Source.IMPORT, external_id)


# --- exactness ------------------------------------------------------------------------------


def test_a_tenth_of_an_hour_at_33_33_summed_a_thousand_times_is_exact(uow_factory: SqlUnitOfWorkFactory) -> None:
    ids = basics(uow_factory)
    with uow_factory() as uow:
        uow.entries.add_many([entry(ids.jane, ids.web, TODAY, "0.1", "33.33", "33.33") for _ in range(1000)])
        uow.commit()
    with uow_factory() as uow:
        totals = uow.entries.totals([ids.web], TODAY)[ids.web]
    # 1000 x 0.1 x 33.33 = 3333 exactly; a float sum would be off in the last places.
    assert totals.burned == Decimal("3333.00") and totals.cost == Decimal("3333.00")
    assert totals.hours == Decimal("100.00")
    assert sum([0.1 * 33.33] * 1000) != 3333  # the trap this layout avoids


def test_values_with_more_than_two_decimals_are_rounded_half_up_on_write(uow_factory: SqlUnitOfWorkFactory) -> None:
    ids = basics(uow_factory)
    with uow_factory() as uow:
        e = uow.entries.add(entry(ids.jane, ids.web, TODAY, "1.125", "99.995", "0.004"))
        (got,) = uow.entries.list(ids.web)
    assert (got.hours, got.bill_rate, got.cost_rate) == (D("1.13"), D("100.00"), D("0.00"))
    assert e.id == got.id


def test_exact_columns_convert_between_decimals_and_integer_units() -> None:
    assert to_units(D("12.345"), 2) == 1235 and to_units(D("-12.345"), 2) == -1235
    assert to_units(7, 2) == 700 and to_units("0.1", 2) == 10
    assert from_units(1250, 2) == D("12.5") and str(from_units(4000, 2)) == "40" and str(from_units(5, 2)) == "0.05"
    rnd = random.Random(3)
    for units in [0, 1, -1, 10, -10, 100, 10**18, -(10**18), *(rnd.randint(-10**15, 10**15) for _ in range(2000))]:
        for scale in (2, 4):
            exact = D(units).scaleb(-scale)  # the value, written without trailing zeros, never as 4E+1
            written = exact.quantize(D(1)) if exact == exact.to_integral_value() else exact.normalize()
            assert from_units(units, scale).as_tuple() == written.as_tuple(), (units, scale)
    with pytest.raises(TypeError):
        to_units(0.1, 2)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        to_units(D("NaN"), 2)


def test_floats_never_reach_a_money_column(uow_factory: SqlUnitOfWorkFactory) -> None:
    ids = basics(uow_factory)
    with uow_factory() as uow, pytest.raises(StatementError) as error:
        uow.entries.add_expense(Expense(None, ids.web, TODAY, 9.99, "float"))  # type: ignore[arg-type]
    assert isinstance(error.value.orig, TypeError)


# --- totals ---------------------------------------------------------------------------------


def test_burn_counts_only_entries_up_to_today(uow_factory: SqlUnitOfWorkFactory) -> None:
    ids = basics(uow_factory)
    with uow_factory() as uow:
        uow.entries.add_many([
            entry(ids.jane, ids.web, TODAY, "2"),
            entry(ids.jane, ids.web, TODAY + timedelta(days=1), "5"),  # tomorrow: not burned yet
        ])
        uow.entries.add_expense(Expense(None, ids.web, TODAY + timedelta(days=3), D("1000")))
        uow.commit()
    with uow_factory() as uow:
        totals = uow.entries.totals([ids.web], TODAY)
    assert totals == {ids.web: BurnTotals(D("200"), D("200"), D("120"), D("2"), D("0"))}


def test_burned_28d_counts_the_28_days_ending_today(uow_factory: SqlUnitOfWorkFactory) -> None:
    ids = basics(uow_factory)
    with uow_factory() as uow:
        uow.entries.add_many([
            entry(ids.jane, ids.web, TODAY - timedelta(days=27), "1"),  # first day of the window
            entry(ids.jane, ids.web, TODAY - timedelta(days=28), "10"),  # the day before it
            entry(ids.jane, ids.web, TODAY, "2"),
        ])
        uow.entries.add_expense(Expense(None, ids.web, TODAY - timedelta(days=3), D("50.25")))
        uow.entries.add_expense(Expense(None, ids.web, TODAY - timedelta(days=40), D("7")))
        uow.commit()
    with uow_factory() as uow:
        t = uow.entries.totals([ids.web], TODAY)[ids.web]
    assert t.burned_28d == D("350.25")  # (1 + 2) x 100 + 50.25
    assert t.burned == D("1357.25")  # 13 x 100 + 50.25 + 7


def test_cost_uses_the_cost_rate_on_each_entry_plus_expenses(uow_factory: SqlUnitOfWorkFactory) -> None:
    ids = basics(uow_factory)
    with uow_factory() as uow:
        uow.entries.add_many([
            entry(ids.jane, ids.web, TODAY, "1.5", bill="140", cost="60"),
            entry(ids.dana, ids.web, TODAY, "2.25", bill="180.50", cost="95.10"),
        ])
        uow.entries.add_expense(Expense(None, ids.web, TODAY, D("19.99")))
        uow.commit()
    with uow_factory() as uow:
        t = uow.entries.totals([ids.web], TODAY)[ids.web]
    # 1.5 x 140 + 2.25 x 180.50 + 19.99 = 636.115, rounded half up once, at the end
    assert t.burned == D("636.12")
    # 1.5 x 60 + 2.25 x 95.10 + 19.99 = 323.965
    assert t.cost == D("323.97")
    assert t.hours == D("3.75") and t.expenses == D("19.99")


def test_a_project_with_only_expenses_has_totals_and_an_idle_one_is_absent(uow_factory: SqlUnitOfWorkFactory) -> None:
    ids = basics(uow_factory)
    with uow_factory() as uow:
        uow.entries.add_expense(Expense(None, ids.app, TODAY, D("100")))
        uow.entries.add(entry(ids.jane, ids.web, TODAY, "1"))
        uow.commit()
    with uow_factory() as uow:
        totals = uow.entries.totals([ids.app, 999], TODAY)
        assert uow.entries.totals([], TODAY) == {}
    assert totals == {ids.app: BurnTotals(D("100"), D("100"), D("100"), D("0"), D("100"))}


def test_totals_is_one_statement_whatever_the_number_of_projects(
    uow_factory: SqlUnitOfWorkFactory, count_statements  # type: ignore[no-untyped-def]
) -> None:
    ids = basics(uow_factory)
    with uow_factory() as uow:
        projects = [project(uow, ids.acme, f"p{n}").id or 0 for n in range(40)]
        uow.entries.add_many([entry(ids.jane, p, TODAY - timedelta(days=n % 40), "1") for n, p in enumerate(projects)])
        for p in projects[:10]:
            uow.entries.add_expense(Expense(None, p, TODAY, D("1")))
        uow.commit()
    with uow_factory() as uow:
        uow.people.get(ids.jane)  # the transaction is open: only the aggregate is counted below
        with count_statements(uow_factory.engine) as one:
            few = uow.entries.totals(projects[:2], TODAY)
        with count_statements(uow_factory.engine) as many:
            every = uow.entries.totals(projects, TODAY)
    assert one.count == many.count == 1
    assert len(few) == 2 and len(every) == 40
    assert every[projects[0]].burned == D("101") and every[projects[39]].burned == D("100")


# --- add_many -------------------------------------------------------------------------------


def test_add_many_skips_entries_whose_external_id_is_already_known(uow_factory: SqlUnitOfWorkFactory) -> None:
    ids = basics(uow_factory)
    first = [entry(ids.jane, ids.web, TODAY, "1", external_id=f"row-{n}") for n in range(5)]
    with uow_factory() as uow:
        assert uow.entries.add_many(first) == 5
        uow.commit()
    again = [
        *first[3:],  # known
        entry(ids.jane, ids.web, TODAY, "2", external_id="row-9"),
        entry(ids.jane, ids.web, TODAY, "2", external_id="row-9"),  # twice in one batch: once
        entry(ids.jane, ids.web, TODAY, "3"),  # no external id: always added
        entry(ids.jane, ids.web, TODAY, "3"),
    ]
    with uow_factory() as uow:
        assert uow.entries.add_many(again) == 3
        assert uow.entries.add_many([]) == 0
        uow.commit()
    with uow_factory() as uow:
        assert uow.entries.totals([ids.web], TODAY)[ids.web].hours == D("13")
        assert len(uow.entries.list(ids.web)) == 8


def test_add_many_inserts_a_hundred_thousand_rows_quickly(uow_factory: SqlUnitOfWorkFactory) -> None:
    ids = basics(uow_factory)
    rows = [
        entry(ids.jane, ids.web if n % 2 else ids.app, TODAY - timedelta(days=n % 200), "0.25",
              external_id=f"bulk-{n}")
        for n in range(100_000)
    ]
    started = time.perf_counter()
    with uow_factory() as uow:
        assert uow.entries.add_many(rows) == 100_000
        uow.commit()
    elapsed = time.perf_counter() - started
    with uow_factory() as uow:
        assert uow.entries.add_many(rows[:3000]) == 0  # re-importing the same file adds nothing
        totals = uow.entries.totals([ids.web, ids.app], TODAY)
    assert totals[ids.web].hours + totals[ids.app].hours == D("25000")
    assert elapsed < 30, f"100k entries took {elapsed:.1f}s"
