"""Budget health: the numbers of DESIGN's "The numbers", one definition everywhere.

Everything here is a pure function of aggregates that storage computes in SQL (``BurnTotals``,
``ScopeTotals``), the project and ``today``; nothing here touches a database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from domain.model import Project, Rag
from domain.ports import ZERO, BurnTotals, ScopeTotals

CENT = Decimal("0.01")
TENTH = Decimal("0.1")
ONE = Decimal(1)
HUNDRED = Decimal("100")
RED_FORECAST_FACTOR = Decimal("1.10")  # forecast above 110% of budget is red
AMBER_AHEAD_POINTS = Decimal("10")  # % burned ahead of % elapsed by more than this is amber


def money(value: Decimal) -> Decimal:
    """Round to cents, half up (how an invoice rounds)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def pct(part: Decimal, whole: Decimal) -> Decimal | None:
    """``part`` as a percentage of ``whole`` to one decimal, or None when whole is zero."""
    if whole == 0:
        return None
    return (part * HUNDRED / whole).quantize(TENTH, rounding=ROUND_HALF_UP)


def elapsed_fraction(start: date, end: date, today: date) -> Decimal:
    """Days from start to today inclusive over days from start to end inclusive, clamped to 0..1."""
    total = (end - start).days + 1
    if total <= 0:
        return ONE
    done = (today - start).days + 1
    if done <= 0:  # not started (the clamps below, without dividing)
        return ZERO
    if done >= total:  # over
        return ONE
    return Decimal(done) / Decimal(total)


def scope_hours_value(hours: Decimal, project: Project) -> Decimal:
    """What scope hours are worth on this project: its budget's own hourly rate, if it has an hours budget."""
    if project.budget_hours:
        return hours * project.budget / project.budget_hours
    return ZERO


@dataclass(frozen=True)
class BudgetFigures:
    """One project's budget health on ``today`` (or the sum of a client's projects)."""

    budget: Decimal  # fee budget plus approved scope changes
    original_budget: Decimal
    burned: Decimal
    cost: Decimal
    margin: Decimal
    margin_pct: Decimal | None
    pct_burned: Decimal | None
    pct_elapsed: Decimal | None  # None for a client total
    weekly_rate: Decimal
    forecast: Decimal
    variance: Decimal  # budget - forecast: negative means over budget at completion
    runs_out_on: date | None
    hours: Decimal
    budget_hours: Decimal | None
    approved_scope: Decimal
    pending_scope_count: int
    pending_scope_amount: Decimal
    pending_scope_hours: Decimal
    rag: Rag
    reasons: tuple[str, ...]  # why the RAG is what it is, in words
    # For a project whose burn reached its budget: the first day the cumulative burn reached it.
    # (A client total: the earliest run-out of its projects, ran out or not, with ``earliest_key``.)
    ran_out_on: date | None = None
    earliest_key: str | None = None


def budget_rag(
    budget: Decimal, burned: Decimal, forecast: Decimal, pct_burned: Decimal | None, pct_elapsed: Decimal | None
) -> tuple[Rag, tuple[str, ...]]:
    """DESIGN's budget RAG: red when burned >= budget or forecast > 110% of budget; amber when
    forecast > budget or % burned exceeds % elapsed by more than 10 points; green otherwise."""
    reasons: list[str] = []
    if burned >= budget:
        reasons.append("budget spent")
    if forecast > budget * RED_FORECAST_FACTOR:
        reasons.append("forecast more than 10% over budget")
    if reasons:
        return Rag.RED, tuple(reasons)
    if forecast > budget:
        reasons.append("forecast over budget")
    if pct_burned is not None and pct_elapsed is not None and pct_burned - pct_elapsed > AMBER_AHEAD_POINTS:
        reasons.append("burning faster than time")
    if reasons:
        return Rag.AMBER, tuple(reasons)
    return Rag.GREEN, ()


def project_figures(project: Project, burn: BurnTotals, scope: ScopeTotals, today: date) -> BudgetFigures:
    """Every figure of ``budget <project>`` exactly as DESIGN defines it."""
    approved_scope = scope.approved_amount + scope_hours_value(scope.approved_hours, project)
    budget = project.budget + approved_scope
    weekly_rate = burn.burned_28d / 4
    days_left = max(0, (project.end - today).days)
    forecast = burn.burned + weekly_rate * days_left / 7
    elapsed = elapsed_fraction(project.start, project.end, today) * HUNDRED
    pct_elapsed = elapsed.quantize(TENTH, rounding=ROUND_HALF_UP)
    pct_burned = pct(burn.burned, budget)
    rag, reasons = budget_rag(budget, burn.burned, forecast, pct_burned, pct_elapsed)
    margin = burn.burned - burn.cost
    budget_hours = project.budget_hours
    if budget_hours is not None and project.budget_hours:
        budget_hours = budget_hours + scope.approved_hours
    return BudgetFigures(
        budget=money(budget),
        original_budget=money(project.budget),
        burned=money(burn.burned),
        cost=money(burn.cost),
        margin=money(margin),
        margin_pct=pct(margin, burn.burned),
        pct_burned=pct_burned,
        pct_elapsed=pct_elapsed,
        weekly_rate=money(weekly_rate),
        forecast=money(forecast),
        variance=money(budget - forecast),
        runs_out_on=runs_out_on(budget - burn.burned, weekly_rate, today, project.end),
        hours=burn.hours,
        budget_hours=budget_hours,
        approved_scope=money(approved_scope),
        pending_scope_count=scope.pending_count,
        pending_scope_amount=money(scope.pending_amount + scope_hours_value(scope.pending_hours, project)),
        pending_scope_hours=scope.pending_hours,
        rag=rag,
        reasons=reasons,
    )


def runs_out_on(remaining: Decimal, weekly_rate: Decimal, today: date, end: date) -> date | None:
    """The date the remaining budget hits zero at the weekly rate; None if the rate is zero, the
    money lasts past the end, or it is already spent (then "ran out on" says when: ``ran_out``)."""
    if weekly_rate <= 0 or remaining <= 0:
        return None
    days = (remaining * 7 / weekly_rate).to_integral_value(rounding=ROUND_CEILING)
    when = today + timedelta(days=int(days))
    return when if when <= end else None


def spent(figures: BudgetFigures) -> bool:
    """Has the burn reached the budget (the project "ran out")?"""
    return figures.budget > 0 and figures.burned >= figures.budget


def client_figures(figures: Sequence[BudgetFigures], keys: Sequence[str] = ()) -> BudgetFigures:
    """The total of a client's projects: sums, with the worst project's RAG (a client is only as
    healthy as its sickest project) and the earliest run-out date."""
    def total(attr: str) -> Decimal:
        return sum((getattr(f, attr) for f in figures), ZERO)

    budget, burned, margin = total("budget"), total("burned"), total("margin")
    worst = max((f.rag for f in figures), key=lambda r: r.rank, default=Rag.GREEN)
    # The earliest run-out of any project, past (ran out on) or coming (runs out on), with its key.
    run_outs = sorted(
        (day, key) for f, key in zip(figures, [*keys, *[""] * len(figures)], strict=False)
        if (day := f.ran_out_on or f.runs_out_on) is not None
    )
    hours_budgets = [f.budget_hours for f in figures if f.budget_hours is not None]
    reasons = tuple(dict.fromkeys(r for f in figures if f.rag is worst for r in f.reasons))
    return BudgetFigures(
        budget=budget,
        original_budget=total("original_budget"),
        burned=burned,
        cost=total("cost"),
        margin=margin,
        margin_pct=pct(margin, burned),
        pct_burned=pct(burned, budget),
        pct_elapsed=None,
        weekly_rate=total("weekly_rate"),
        forecast=total("forecast"),
        variance=total("variance"),
        runs_out_on=run_outs[0][0] if run_outs else None,
        hours=total("hours"),
        budget_hours=sum(hours_budgets, ZERO) if hours_budgets else None,
        approved_scope=total("approved_scope"),
        pending_scope_count=sum(f.pending_scope_count for f in figures),
        pending_scope_amount=total("pending_scope_amount"),
        pending_scope_hours=total("pending_scope_hours"),
        rag=worst,
        reasons=reasons,
        earliest_key=(run_outs[0][1] or None) if run_outs else None,
    )
