"""Read-side views over many projects: the stand-up digest and the escalation conditions.

Both are built in a fixed number of statements whatever the number of projects: one aggregate per
kind of fact (burn, scope, latest statuses, allocations, weekly load), never one query per project.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from domain.budget import BudgetFigures, project_figures
from domain.capacity import WeekOver, monday, weeks_between, weeks_over_capacity
from domain.model import (
    Allocation,
    AllocationState,
    Client,
    Organisation,
    Person,
    Project,
    Rag,
    ScopeChange,
    ScopeState,
    StatusUpdate,
)
from domain.ports import BurnTotals, ScopeTotals, UnitOfWork
from domain.timeoff import load_availability, week_capacity


def working_days_between(earlier: date, later: date) -> int:
    """Weekdays after ``earlier`` up to and including ``later`` (0 when later <= earlier)."""
    if later <= earlier:
        return 0
    days = (later - earlier).days
    full, extra = divmod(days, 7)
    count = full * 5
    for i in range(1, extra + 1):
        if (earlier + timedelta(days=full * 7 + i)).weekday() < 5:
            count += 1
    return count


@dataclass(frozen=True)
class ProjectView:
    project: Project
    client: Client
    figures: BudgetFigures
    status: StatusUpdate | None
    manager: Person | None
    status_age_working_days: int | None  # None: never had a status


@dataclass(frozen=True)
class Overload:
    person: Person
    week: WeekOver
    project_ids: tuple[int, ...] = ()  # the projects of this portfolio with an approved allocation that week


@dataclass(frozen=True)
class Portfolio:
    """Everything the digest and the escalation rules look at, for a set of projects."""

    today: date
    views: tuple[ProjectView, ...]
    open_scope: tuple[tuple[ScopeChange, Project], ...]
    waiting_allocations: tuple[tuple[Allocation, Person, Project, tuple[WeekOver, ...]], ...]
    overloads: tuple[Overload, ...]  # people on these projects over capacity this week or next

    def rag_counts(self, attr: str = "budget") -> Counter[Rag]:
        if attr == "budget":
            return Counter(v.figures.rag for v in self.views)
        return Counter(v.status.rag for v in self.views if v.status is not None)


def load_portfolio(uow: UnitOfWork, projects: list[Project], org: Organisation, today: date) -> Portfolio:
    """Gather a portfolio in a fixed number of statements."""
    ids = [p.id for p in projects if p.id is not None]
    by_id = {p.id: p for p in projects}
    clients = {c.id: c for c in uow.clients.list()}
    burns = uow.entries.totals(ids, today)
    scopes = uow.scope.totals(ids)
    latest = uow.statuses.latest(ids)
    allocations = uow.allocations.list(project_ids=ids, states=[AllocationState.APPROVED, AllocationState.REQUESTED])
    person_ids = {a.person_id for a in allocations} | {p.manager_id for p in projects if p.manager_id}
    people = uow.people.many(person_ids)
    views = []
    for p in projects:
        status = latest.get(p.id or 0)
        age = working_days_between(status.at.date(), today) if status else None
        views.append(ProjectView(
            p, clients[p.client_id], project_figures(p, burns.get(p.id or 0, BurnTotals()),
                                                     scopes.get(p.id or 0, ScopeTotals()), today),
            status, people.get(p.manager_id or 0), age,
        ))
    flagged = uow.scope.list(ids, [ScopeState.FLAGGED])
    this_week = monday(today)
    requested = [a for a in allocations if a.state is AllocationState.REQUESTED]
    weeks_needed = [this_week, this_week + timedelta(days=7)]
    first = min([this_week, *(monday(a.start) for a in requested)])
    last = max([this_week + timedelta(days=7), *(monday(a.end) for a in requested)])
    load = uow.allocations.weekly_load(sorted({a.person_id for a in allocations}), first, last)
    per_person: dict[int, dict[date, Decimal]] = {}
    for (pid, week), hours in load.items():
        per_person.setdefault(pid, {})[week] = hours
    approved: dict[int, list[Allocation]] = {}  # by person: an overload looks at that person's only
    for a in allocations:
        if a.state is AllocationState.APPROVED:
            approved.setdefault(a.person_id, []).append(a)

    def booked_on(pid: int, week: date) -> tuple[int, ...]:
        return tuple(sorted({a.project_id for a in approved.get(pid, ())
                             if a.start <= week + timedelta(days=6) and a.end >= week}))

    # Holidays and time off shrink this week's and next week's capacity (capacity x available days / 5).
    avail = load_availability(uow, list(per_person), this_week, this_week + timedelta(days=13))
    capacities = {pid: {w: week_capacity(people[pid].capacity_hours, avail.available_days(pid, w))
                        for w in weeks_needed} for pid in per_person if pid in people}
    overloads = tuple(
        Overload(people[pid], w, booked_on(pid, w.week))
        for pid in sorted(per_person)
        if pid in people
        for w in weeks_over_capacity(people[pid], per_person[pid], weeks_needed, capacities=capacities[pid])
    )
    waiting = []
    for a in requested:
        person = people[a.person_id]
        weeks = weeks_between(a.start, a.end)
        over = weeks_over_capacity(person, per_person.get(a.person_id, {}), weeks, a.hours_per_week)
        waiting.append((a, person, by_id[a.project_id], tuple(over)))
    return Portfolio(
        today, tuple(views), tuple((s, by_id[s.project_id]) for s in flagged), tuple(waiting), overloads,
    )


# --- escalation conditions ------------------------------------------------------------------------


@dataclass(frozen=True)
class Condition:
    """A rule that holds for a project now: what a director should decide on."""

    project: Project
    client: Client
    rule: str  # burn_75 | burn_90 | burn_100 | forecast | status_red | status_amber_twice | scope | ...
    message: str
    severity: Rag
    subject: str = ""  # the record to act on, e.g. "allocation:12"


def conditions(uow: UnitOfWork, portfolio: Portfolio, org: Organisation, now: datetime) -> list[Condition]:
    """Every escalation rule that currently holds, at most one per project and rule."""
    policy = org.escalation
    found: list[Condition] = []
    ids = [v.project.id for v in portfolio.views if v.project.id is not None]
    previous = uow.statuses.previous(ids)
    for v in portfolio.views:
        p, f = v.project, v.figures
        if f.pct_burned is not None:
            crossed = [t for t in sorted(policy.burn_thresholds) if f.pct_burned >= t]
            if crossed:
                top = crossed[-1]
                found.append(Condition(p, v.client, f"burn_{top}", f"{f.pct_burned}% of the budget burned (≥ {top}%)",
                                       Rag.RED if top >= 100 else Rag.AMBER))
        limit = f.budget * (1 + Decimal(policy.forecast_over_budget) / 100)
        if f.forecast > limit:
            excess = (f.forecast / f.budget * 100 - 100).quantize(Decimal("0.1")) if f.budget else Decimal(0)
            found.append(Condition(p, v.client, "forecast", f"forecast at completion {excess}% over budget", Rag.RED))
        if v.status is not None and v.status.rag is Rag.RED:
            found.append(Condition(p, v.client, "status_red", f"status red: {v.status.note}", Rag.RED))
        prev = previous.get(p.id or 0)
        if v.status is not None and v.status.rag is Rag.AMBER and prev is not None and prev.rag is Rag.AMBER:
            found.append(Condition(p, v.client, "status_amber_twice", f"amber twice in a row: {v.status.note}",
                                   Rag.AMBER))
        if v.status_age_working_days is None or v.status_age_working_days > policy.stale_status_days:
            age_days = v.status_age_working_days or 0
            age = ("never" if v.status is None else "today" if age_days == 0 else
                   f"{age_days} working day{'s' if age_days != 1 else ''} ago")
            who = f" ({v.manager.name})" if v.manager else ""
            found.append(Condition(p, v.client, "stale_status", f"no status update{who}: last {age}", Rag.AMBER))
    views = {v.project.id: v for v in portfolio.views}
    for change, project in portfolio.open_scope:
        v = views[project.id]
        impact = change.impact_amount or Decimal(0)
        if project.budget_hours and change.impact_hours:
            impact += change.impact_hours * project.budget / project.budget_hours
        if v.figures.budget and impact * 100 / v.figures.budget > policy.scope_impact:
            found.append(Condition(project, v.client, "scope", f"scope change S{change.id} is "
                                   f"{(impact * 100 / v.figures.budget).quantize(Decimal('0.1'))}% of the budget",
                                   Rag.AMBER, f"scope:{change.id}"))
    over_here: dict[int, list[Overload]] = {}
    for o in portfolio.overloads:
        for pid in o.project_ids:
            if not any(x.person.id == o.person.id for x in over_here.get(pid, [])):  # a person's first week
                over_here.setdefault(pid, []).append(o)
    for pid, overloads in over_here.items():
        v = views[pid]
        who = "; ".join(f"{o.person.name} {o.week.describe()}" for o in overloads[:3])
        more = f" and {len(overloads) - 3} more" if len(overloads) > 3 else ""
        found.append(Condition(v.project, v.client, "person_over_capacity",
                               f"over capacity with approved allocations: {who}{more}", Rag.AMBER))
    for a, person, project, over in portfolio.waiting_allocations:
        v = views[project.id]
        waited = working_days_between(a.requested_at.date(), portfolio.today)
        if over:
            weeks = f"{len(over)} week{'s' if len(over) != 1 else ''}"
            found.append(Condition(project, v.client, "allocation_over_capacity",
                                   f"A{a.id}: {person.name} would be over capacity in {weeks}", Rag.AMBER,
                                   f"allocation:{a.id}"))
        elif waited > policy.approval_wait_days:
            waited_words = f"{waited} working day{'s' if waited != 1 else ''}"
            found.append(Condition(project, v.client, "approval_waiting",
                                   f"A{a.id}: {person.name} waiting {waited_words} for a decision", Rag.AMBER,
                                   f"allocation:{a.id}"))
    from domain.blockers import blocker_conditions  # here: domain.blockers builds on this module

    found.extend(blocker_conditions(uow, portfolio, now))
    return found
