"""The burn-up's data come out of the same numbers as ``budget``: points checked by hand on the worked
project (tests/charts/worked.py), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from domain.charts import Point, budget_steps, cumulative, project_burn_up, week_ends
from domain.model import Project
from domain.ports import DayBurn
from storage.uow import SqlUnitOfWorkFactory
from tests.charts.worked import worked
from tests.handlers.world import TODAY, fact

D = Decimal


def test_the_burn_up_of_the_worked_project_has_the_figures_a_reader_works_out(
        uow_factory: SqlUnitOfWorkFactory) -> None:
    world = worked(uow_factory)
    with uow_factory() as uow:
        dana = uow.people.by_email("dana@example.com")
        project = uow.projects.by_key("acme-web")
        assert dana is not None and project is not None
        chart = project_burn_up(uow, dana, project, TODAY)
    nov = lambda d: date(2026, 11, d)  # noqa: E731
    assert chart.actual == (Point(nov(1), D("500")), Point(nov(7), D("2000")), Point(nov(14), D("5000")),
                            Point(nov(15), D("5000")))
    assert chart.budget == (Point(nov(1), D("10000")), Point(nov(8), D("10000")), Point(nov(8), D("12000")),
                            Point(nov(30), D("12000")))
    assert chart.run_rate == (Point(nov(15), D("5000")), Point(nov(30), D("7410.71")))
    assert chart.scheduled == (Point(nov(15), D("5000")), Point(nov(22), D("7000")), Point(nov(29), D("9000")),
                               Point(nov(30), D("9400")))
    assert chart.runs_out_on is None
    # The same figures as `budget acme-web` says.
    budget = world.say("budget acme-web")
    assert fact(budget, "Burned").startswith("$5,000")
    assert fact(budget, "Budget").startswith("$12,000")
    assert fact(budget, "Forecast at completion") == "$7,410.71"


def test_the_daily_burn_adds_up_to_the_burned_total(uow_factory: SqlUnitOfWorkFactory) -> None:
    world = worked(uow_factory)
    web = world.ids["acme-web"]
    with uow_factory() as uow:
        days = uow.daily_burn.daily([web, world.ids["acme-app"]], TODAY)
        totals = uow.entries.totals([web], TODAY)
    assert [(d.day, d.burned, d.hours) for d in days[web]] == [
        (date(2026, 10, 15), D("500.00"), D("5.00")), (date(2026, 11, 2), D("1000.00"), D("10.00")),
        (date(2026, 11, 5), D("500.00"), D("0.00")), (date(2026, 11, 10), D("2000.00"), D("20.00")),
        (date(2026, 11, 14), D("1000.00"), D("10.00"))]
    assert sum(d.burned for d in days[web]) == totals[web].burned
    assert sum(d.burned for d in days[world.ids["acme-app"]]) == D("4200")


def test_a_scope_change_decided_before_the_start_steps_the_budget_at_the_start() -> None:
    project = Project(1, "p", "P", 1, D("100"), date(2026, 3, 1), date(2026, 3, 31))
    assert budget_steps(project, [(date(2026, 2, 1), D("50")), (date(2026, 3, 10), D("25"))], date(2026, 3, 31)) == (
        Point(date(2026, 3, 1), D("100")), Point(date(2026, 3, 1), D("150")), Point(date(2026, 3, 10), D("150")),
        Point(date(2026, 3, 10), D("175")), Point(date(2026, 3, 31), D("175")))


def test_the_actual_line_has_a_point_each_week_and_today() -> None:
    start, today = date(2026, 3, 2), date(2026, 3, 18)
    days = week_ends(start, today)
    assert days == [start, date(2026, 3, 8), date(2026, 3, 15), today]
    burn = [DayBurn(date(2026, 3, 1), D("1")), DayBurn(date(2026, 3, 9), D("2")), DayBurn(date(2026, 3, 18), D("4"))]
    assert [p.amount for p in cumulative(days, burn)] == [D("1"), D("1"), D("3"), D("7")]
