"""Revenue by calendar month: recognised + scheduled + weighted pipeline, against target.

DESIGN's forecast(month), for the current month and the next N−1:
- recognised(M) = burn dated in M up to today (entries × the rate on the entry, plus expenses);
- scheduled(M) = for the working days of M after today, Σ over approved allocations of hours per week ÷ 5
  × the person's bill rate for each working day the allocation covers; per project, capped so that
  burned + everything scheduled (month after month, in order) never exceeds its budget incl. approved scope;
- weighted pipeline(M) = for each open, not omitted opportunity, amount × probability / 100 spread evenly
  over ``delivery_months`` months starting the month after its close date;
- total = the three; target(M) = the quarter's quota ÷ 3 when a quota exists.

Pure functions over aggregates storage computes in SQL; working days are Monday to Friday.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from domain.model import Allocation, AllocationState
from domain.pipeline import ZERO, Period, add_months, money, month_of, period_of

DEFAULT_MONTHS = 3
MAX_MONTHS = 24


@dataclass(frozen=True)
class MonthForecast:
    month: date  # the first day of the month
    recognised: Decimal
    scheduled: Decimal
    weighted: Decimal
    target: Decimal | None
    capped: bool = False  # a project's budget cap cut this month's scheduled revenue

    @property
    def total(self) -> Decimal:
        return self.recognised + self.scheduled + self.weighted


def forecast_months(today: date, count: int) -> list[date]:
    """The current month and the next ``count − 1``, as first days."""
    first = month_of(today)
    return [add_months(first, i) for i in range(count)]


def working_days_after(month: date, today: date) -> list[date]:
    """The weekdays of ``month`` after ``today``."""
    last = add_months(month, 1) - timedelta(days=1)
    day = max(month, today + timedelta(days=1))
    out = []
    while day <= last:
        if day.weekday() < 5:
            out.append(day)
        day += timedelta(days=1)
    return out


def scheduled_by_project(months: Sequence[date], today: date, allocations: Sequence[Allocation],
                         bill_rates: Mapping[int, Decimal],
                         remaining: Mapping[int, Decimal]) -> tuple[dict[date, Decimal], set[date]]:
    """Scheduled revenue per month (summed over projects) and the months where a budget cap bit.

    ``remaining`` is each project's budget (incl. approved scope) minus what it has burned; a project
    absent from it is not capped."""
    # Each month's working days once, as sorted ordinals: an allocation's days in a month are then two
    # bisections, not a walk over the month (thousands of allocations x months).
    ordinals = {m: [d.toordinal() for d in working_days_after(m, today)] for m in months}
    raw: dict[int, dict[date, Decimal]] = {}
    for a in allocations:
        if a.state is not AllocationState.APPROVED:
            continue
        daily = a.hours_per_week / 5 * bill_rates.get(a.person_id, ZERO)
        if daily <= 0:
            continue
        first, last = a.start.toordinal(), a.end.toordinal()
        per_month = raw.setdefault(a.project_id, {})
        for m in months:
            days = ordinals[m]
            n = bisect_right(days, last) - bisect_left(days, first)
            if n > 0:
                per_month[m] = per_month.get(m, ZERO) + daily * n
    total = {m: ZERO for m in months}
    capped: set[date] = set()
    for project_id, per_month in raw.items():
        left = remaining.get(project_id)
        for m in months:
            amount = per_month.get(m, ZERO)
            if left is not None:
                if amount > left:
                    capped.add(m)
                    amount = max(ZERO, left)
                left -= amount
            total[m] += amount
    return total, capped


def spread_pipeline(months: Sequence[date], weighted_by_close_month: Mapping[date, Decimal],
                    delivery_months: int) -> dict[date, Decimal]:
    """Each close month's weighted amount spread evenly over the ``delivery_months`` months after it."""
    out = {m: ZERO for m in months}
    share = Decimal(max(1, delivery_months))
    for close_month, weighted in weighted_by_close_month.items():
        for i in range(1, max(1, delivery_months) + 1):
            m = add_months(close_month, i)
            if m in out:
                out[m] += weighted / share
    return out


def build_forecast(months: Sequence[date], today: date, recognised: Decimal, scheduled: Mapping[date, Decimal],
                   capped: set[date], pipeline: Mapping[date, Decimal],
                   quota_of: Callable[[Period], Decimal | None], start_month: int) -> list[MonthForecast]:
    """One row per month. Recognised revenue can only be in the current month (burn dated up to today)."""
    current = month_of(today)
    rows = []
    for m in months:
        quota = quota_of(period_of(m, start_month))
        rows.append(MonthForecast(
            m, money(recognised) if m == current else ZERO, money(scheduled.get(m, ZERO)),
            money(pipeline.get(m, ZERO)), None if quota is None else money(quota / 3), m in capped,
        ))
    return rows
