"""What a chart shows, as data: the burn-up of a project and a client's projects side by side.

The figures come from the same aggregates and rules as ``budget`` (``domain.budget``), so the last point
of a burn-up is the project's burned, its budget line ends at the budget and its run-rate line at the
forecast at completion. Drawing is someone else's job (``bot/charts``, behind ``ChartDrawer``): nothing
here knows pixels, colours or files.

A chart kind is a small value with a ``kind`` name and a one-line ``description`` (its alt text); the
drawer keeps one drawing function per kind, so a new kind (receivables aging, the quarter's pipeline)
is a new dataclass here and a new function there.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Protocol
from zoneinfo import ZoneInfo

from domain import services
from domain.budget import scope_hours_value
from domain.model import Allocation, AllocationState, Person, Project, Rag, ScopeChange, ScopeState
from domain.ports import ZERO as _ZERO
from domain.ports import DayBurn, UnitOfWork
from domain.services import ClientBudget, ProjectBudget

WORKING_DAYS_PER_WEEK = 5


@dataclass(frozen=True)
class Point:
    day: date
    amount: Decimal


@dataclass(frozen=True)
class BurnUp:
    """A project's burn-up: cumulative burn to today against a budget that steps up with approved scope."""

    project_key: str
    project_name: str
    client_name: str
    currency: str
    rag: Rag
    start: date
    end: date
    today: date
    actual: tuple[Point, ...]  # cumulative burn at the start, each week's end and today
    budget: tuple[Point, ...]  # a step line: the original budget, then each approved scope change
    run_rate: tuple[Point, ...]  # today's burn to the forecast at completion (empty once the project ended)
    scheduled: tuple[Point, ...]  # today's burn plus what approved allocations will burn, week by week
    burned: Decimal
    budget_now: Decimal
    forecast: Decimal
    pct_burned: Decimal | None
    pct_elapsed: Decimal | None
    runs_out_on: date | None
    description: str = ""
    kind: str = "burn"

    @property
    def filename(self) -> str:
        return f"{self.project_key}-burn.png"


@dataclass(frozen=True)
class Bar:
    key: str
    name: str
    rag: Rag
    pct_burned: Decimal | None
    pct_elapsed: Decimal | None


@dataclass(frozen=True)
class ClientBars:
    """A client's projects: one pair of bars each, % burned (coloured by RAG) beside % of time elapsed."""

    client_key: str
    client_name: str
    rag: Rag
    today: date
    bars: tuple[Bar, ...]
    description: str = ""
    kind: str = "burn"

    @property
    def filename(self) -> str:
        return f"{self.client_key}-burn.png"


@dataclass(frozen=True)
class AgingRow:
    """One client's receivables in the organisation's currency, bucket by bucket (``BUCKETS`` order)."""

    key: str
    name: str
    buckets: tuple[Decimal, ...]  # Current, 1–30, 31–60, 61–90, 90+ (a credit note can make one negative)
    outstanding: Decimal
    over_60_share: Decimal | None


@dataclass(frozen=True)
class AgingBars:
    """Receivables aging: one stacked bar per client (worst first), a segment per bucket (``ar``'s figures)."""

    subject: str  # a client's key, or "mine" / "all"
    label: str  # "Acme Corp", "your clients", "all clients"
    currency: str
    today: date
    bucket_names: tuple[str, ...]
    rows: tuple[AgingRow, ...]
    other_currencies: tuple[str, ...] = ()  # owed in other currencies too: not drawn, never converted
    hidden: int = 0  # clients the caller may not see, left out (a director asking for all)
    description: str = ""
    kind: str = "ar"

    @property
    def filename(self) -> str:
        return f"{self.subject}-ar.png"


@dataclass(frozen=True)
class PipelineBar:
    """The quarter's pipeline of one scope (``pipeline``'s figures): the forecast categories stacked, worst
    certainty last, against the quota."""

    subject: str  # the words naming the scope: a client's key, a person, "me" or "all"
    label: str  # "Acme Corp", "you", "everyone"
    period_label: str  # "2026-Q4"
    period_text: str  # "2026-Q4 (Oct 2026 – Dec 2026)"
    currency: str
    today: date
    closed_won: Decimal
    commit: Decimal
    best_case: Decimal
    pipeline: Decimal
    quota: Decimal | None
    gap: Decimal | None
    coverage: Decimal | None
    description: str = ""
    kind: str = "pipeline"

    @property
    def segments(self) -> tuple[tuple[str, Decimal], ...]:
        return (("Closed won", self.closed_won), ("Commit", self.commit), ("Best case", self.best_case),
                ("Pipeline", self.pipeline))

    @property
    def filename(self) -> str:
        slug = "".join(ch if ch.isalnum() else "-" for ch in self.subject.lower()).strip("-") or "me"
        return f"{slug}-pipeline-{self.period_label}.png"


# What a ChartDrawer can draw. A new kind joins this union and the drawer's table.
Chart = BurnUp | ClientBars | AgingBars | PipelineBar


class ChartDrawer(Protocol):
    """Turns chart data into files; implemented in ``bot/charts`` (matplotlib, loaded on first use)."""

    def png(self, chart: Chart) -> bytes:
        """The chart as a PNG at twice the usual density (readable on a phone)."""
        ...

    def pdf(self, title: str, text: str, chart: Chart | None) -> bytes:
        """A one- or two-page PDF: the title, the text as written, and the chart under it."""
        ...


# --- building the burn-up --------------------------------------------------------------------------


def week_ends(start: date, today: date) -> list[date]:
    """The days the actual line has a point: the start, the end of each week since, and today."""
    days = [start]
    day = start + timedelta(days=6)
    while day < today:
        days.append(day)
        day += timedelta(days=7)
    if today > start:
        days.append(today)
    return days


def cumulative(days: Sequence[date], burn: Iterable[DayBurn]) -> tuple[Point, ...]:
    """The running total of ``burn`` at each of ``days`` (ascending); burn before the first day counts in it."""
    ordered = sorted(burn, key=lambda b: b.day)
    points, total, i = [], _ZERO, 0
    for day in days:
        while i < len(ordered) and ordered[i].day <= day:
            total += ordered[i].burned
            i += 1
        points.append(Point(day, total))
    return tuple(points)


def budget_steps(project: Project, approved: Iterable[tuple[date, Decimal]], last: date) -> tuple[Point, ...]:
    """The budget line: the original budget from the start, stepping up on the day each approved scope
    change was decided (one decided before the start steps at the start), flat to ``last``."""
    points = [Point(project.start, project.budget)]
    level = project.budget
    for day, value in sorted(approved):
        day = max(day, project.start)
        if day > points[-1].day:
            points.append(Point(day, level))  # the flat run up to the step
        level += value
        points.append(Point(day, level))
    if last > points[-1].day:
        points.append(Point(last, level))
    return tuple(points)


def scope_value(change: ScopeChange, project: Project) -> Decimal:
    """What an approved change adds to the budget (amount, plus its hours at the budget's own rate)."""
    return (change.impact_amount or _ZERO) + scope_hours_value(change.impact_hours or _ZERO, project)


def scheduled_line(today: date, end: date, burned: Decimal, allocations: Sequence[Allocation],
                   people: Mapping[int, Person]) -> tuple[Point, ...]:
    """Today's burn plus what the approved allocations burn from tomorrow to the end: hours per week / 5
    x the person's bill rate on each working day (Monday to Friday) an allocation covers, with a point at
    the end of each week. Not capped at the budget: the line shows where the plan takes the burn. Empty
    when no approved allocation covers a day after today."""
    if today >= end or not allocations:
        return ()
    daily = [(a, a.hours_per_week / WORKING_DAYS_PER_WEEK * people[a.person_id].bill_rate)
             for a in allocations if a.person_id in people and a.end > today]
    if not daily:
        return ()
    points, total, day = [Point(today, burned)], burned, today
    while day < end:
        day += timedelta(days=1)
        if day.weekday() < WORKING_DAYS_PER_WEEK:
            total += sum((rate for a, rate in daily if a.start <= day <= a.end), _ZERO)
        if day.weekday() == 6 or day == end:
            points.append(Point(day, total))
    return tuple(points)


# --- the use cases: the same reads and permission checks as ``budget`` ------------------------------


def burn_up(budget: ProjectBudget, burn: Sequence[DayBurn], approved: Iterable[ScopeChange],
            allocations: Sequence[Allocation], people: Mapping[int, Person], today: date, currency: str,
            timezone: str) -> BurnUp:
    """A project's burn-up from its budget figures, its daily burn, its approved scope changes and its
    approved allocations (each change steps the budget on the day, in ``timezone``, it was decided)."""
    p, f = budget.project, budget.figures
    zone = ZoneInfo(timezone)
    steps = [((c.decided_at.astimezone(zone).date() if c.decided_at else p.start), scope_value(c, p))
             for c in approved]
    last = max(p.end, today)
    actual = cumulative(week_ends(p.start, today), burn) if today >= p.start else ()
    run_rate = (Point(today, f.burned), Point(p.end, f.forecast)) if p.start <= today < p.end else ()
    scheduled = scheduled_line(today, p.end, f.burned, allocations, people) if today >= p.start else ()
    return BurnUp(
        project_key=p.key, project_name=p.name, client_name=budget.client.name, currency=currency, rag=f.rag,
        start=p.start, end=p.end, today=today, actual=actual, budget=budget_steps(p, steps, last),
        run_rate=run_rate, scheduled=scheduled, burned=f.burned, budget_now=f.budget, forecast=f.forecast,
        pct_burned=f.pct_burned, pct_elapsed=f.pct_elapsed, runs_out_on=f.runs_out_on,
    )


def project_burn_up(uow: UnitOfWork, actor: Person, project: Project, today: date) -> BurnUp:
    """The burn-up of ``project``, if ``actor`` may see its budget: ``budget``'s reads plus one grouped
    read of the daily burn, the approved scope changes, the approved allocations and their people."""
    budget = services.project_budget(uow, actor, project, today)
    pid = project.id or 0
    org = uow.organisation.get()
    burn = uow.daily_burn.daily([pid], today).get(pid, ())
    approved = uow.scope.list([pid], [ScopeState.APPROVED])
    allocations = [a for a in uow.allocations.list(project_ids=[pid], states=[AllocationState.APPROVED])
                   if a.end > today]
    people = uow.people.many({a.person_id for a in allocations}) if allocations else {}
    return burn_up(budget, burn, approved, allocations, people, today, org.currency, org.timezone)


def client_bars(budget: ClientBudget, today: date) -> ClientBars:
    """One pair of bars per project of a client's budget, worst RAG first, then by key."""
    rows = sorted(budget.projects, key=lambda r: (-r.figures.rag.rank, r.project.key))
    bars = tuple(Bar(r.project.key, r.project.name, r.figures.rag, r.figures.pct_burned, r.figures.pct_elapsed)
                 for r in rows)
    return ClientBars(budget.client.key, budget.client.name, budget.total.rag, today, bars)
