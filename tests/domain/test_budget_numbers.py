"""Every figure of ``budget`` on a worked example a reader can check by hand.

Project: fee budget 10,000, 1–30 Nov 2026 (30 days), today 15 Nov 2026.
Entries at bill 100 / cost 60: 15 Oct 5h (outside the 28-day window), 2 Nov 10h, 10 Nov 20h,
14 Nov 10h, 20 Nov 8h (after today: ignored). Expense 500 on 5 Nov.

burned       = 45h x 100 + 500 = 5,000         (50.0% of budget)
burned 28d   = 40h x 100 + 500 = 4,500         -> weekly rate 1,125
elapsed      = 15 / 30 days = 50.0%
forecast     = 5,000 + 1,125 x 15 days / 7 = 7,410.71
variance     = 10,000 - 7,410.71 = 2,589.29
runs out     = 5,000 / (1,125 / 7) = 31.1 days -> 17 Dec, after the end -> none
cost         = 45h x 60 + 500 = 3,200; margin 1,800 (36.0%)
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from domain.budget import budget_rag, client_figures, elapsed_fraction, project_figures, runs_out_on
from domain.model import Project, Rag
from domain.ports import BurnTotals, ScopeTotals

D = Decimal
PROJECT = Project(1, "acme-web", "Website", 1, D("10000"), date(2026, 11, 1), date(2026, 11, 30),
                  budget_hours=D("100"))
BURN = BurnTotals(burned=D("5000"), burned_28d=D("4500"), cost=D("3200"), hours=D("45"), expenses=D("500"))
TODAY = date(2026, 11, 15)


def test_every_figure_of_a_project_matches_the_worked_example() -> None:
    f = project_figures(PROJECT, BURN, ScopeTotals(), TODAY)
    assert f.budget == D("10000.00")
    assert f.burned == D("5000.00")
    assert f.pct_burned == D("50.0")
    assert f.pct_elapsed == D("50.0")
    assert f.weekly_rate == D("1125.00")
    assert f.forecast == D("7410.71")
    assert f.variance == D("2589.29")
    assert f.runs_out_on is None
    assert f.cost == D("3200.00")
    assert f.margin == D("1800.00")
    assert f.margin_pct == D("36.0")
    assert f.rag is Rag.GREEN


def test_runs_out_on_is_the_day_the_remaining_budget_hits_zero() -> None:
    # 1,000 left at 700 a week = 100 a day: gone after 10 days.
    assert runs_out_on(D("1000"), D("700"), date(2026, 11, 15), date(2027, 1, 31)) == date(2026, 11, 25)
    # A part day still runs out that day: 1,050 at 100 a day -> 10.5 days -> the 11th day.
    assert runs_out_on(D("1050"), D("700"), date(2026, 11, 15), date(2027, 1, 31)) == date(2026, 11, 26)


def test_runs_out_on_is_none_when_nothing_burns_or_money_outlasts_the_project() -> None:
    assert runs_out_on(D("1000"), D("0"), date(2026, 11, 15), date(2027, 1, 31)) is None
    assert runs_out_on(D("100000"), D("700"), date(2026, 11, 15), date(2026, 12, 1)) is None


def test_runs_out_on_is_none_when_the_budget_is_already_spent() -> None:
    # A spent budget "ran out on" the day its cumulative burn reached it (storage finds that day);
    # "runs out on" is only ever a day to come.
    assert runs_out_on(D("-5"), D("700"), date(2026, 11, 15), date(2027, 1, 31)) is None


def test_elapsed_counts_both_ends_and_clamps() -> None:
    assert elapsed_fraction(date(2026, 11, 1), date(2026, 11, 30), date(2026, 11, 1)) == D(1) / D(30)
    assert elapsed_fraction(date(2026, 11, 1), date(2026, 11, 30), date(2026, 10, 1)) == 0
    assert elapsed_fraction(date(2026, 11, 1), date(2026, 11, 30), date(2027, 1, 1)) == 1


def test_forecast_adds_nothing_after_the_end_date() -> None:
    f = project_figures(PROJECT, BURN, ScopeTotals(), date(2026, 12, 10))
    assert f.forecast == f.burned


def test_approved_scope_adds_to_the_budget_and_pending_is_only_shown() -> None:
    scope = ScopeTotals(approved_amount=D("2000"), approved_hours=D("10"), pending_count=1, pending_amount=D("700"))
    f = project_figures(PROJECT, BURN, scope, TODAY)
    # 10 approved hours are worth the budget's own rate: 10,000 / 100h = 100 an hour.
    assert f.budget == D("13000.00")
    assert f.approved_scope == D("3000.00")
    assert f.budget_hours == D("110")
    assert f.pending_scope_count == 1
    assert f.pending_scope_amount == D("700.00")
    assert f.pct_burned == D("38.5")


def test_rag_is_red_when_budget_spent_or_forecast_over_110_percent() -> None:
    assert budget_rag(D("100"), D("100"), D("100"), D("100"), D("100"))[0] is Rag.RED
    assert budget_rag(D("100"), D("50"), D("110.01"), D("50"), D("50"))[0] is Rag.RED
    assert budget_rag(D("100"), D("50"), D("110"), D("50"), D("50"))[0] is Rag.AMBER


def test_rag_is_amber_when_forecast_over_budget_or_burn_runs_ahead_of_time() -> None:
    assert budget_rag(D("100"), D("50"), D("100.01"), D("50"), D("50"))[0] is Rag.AMBER
    rag, reasons = budget_rag(D("100"), D("61"), D("90"), D("60.1"), D("50"))
    assert rag is Rag.AMBER and reasons == ("burning faster than time",)
    assert budget_rag(D("100"), D("60"), D("90"), D("60"), D("50"))[0] is Rag.GREEN


def test_client_total_sums_projects_and_takes_the_worst_rag() -> None:
    healthy = project_figures(PROJECT, BURN, ScopeTotals(), TODAY)
    spent = project_figures(
        Project(2, "acme-app", "App", 1, D("4000"), date(2026, 10, 1), date(2026, 12, 31)),
        BurnTotals(burned=D("4200"), burned_28d=D("2800"), cost=D("2000")), ScopeTotals(), TODAY,
    )
    total = client_figures([healthy, replace(spent, ran_out_on=date(2026, 11, 6))], ["acme-web", "acme-app"])
    assert total.budget == D("14000.00")
    assert total.burned == D("9200.00")
    assert total.pct_burned == D("65.7")
    assert total.weekly_rate == D("1825.00")
    assert total.forecast == healthy.forecast + spent.forecast
    assert total.margin == D("4000.00")
    assert total.rag is Rag.RED
    # The earliest run-out of the projects, with its key: the spent project ran out on 6 Nov.
    assert (total.runs_out_on, total.earliest_key) == (date(2026, 11, 6), "acme-app")
