"""Use cases of ``pipeline``, ``forecast``, ``renewals`` and ``renewal``: who sees what, and the reports.

Who sees what: finance and admins everyone's; a director their own deals and their clients' (their
clients' projects for the forecast and renewals); a manager the renewals of the projects they manage.
Each report reads a fixed number of aggregates, whatever the number of opportunities or projects.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal

from domain.budget import scope_hours_value
from domain.errors import AlreadyDecided, Forbidden
from domain.forecast import (
    MonthForecast,
    build_forecast,
    forecast_months,
    scheduled_by_project,
    spread_pipeline,
)
from domain.model import AllocationState, AuditEvent, Client, Person, Project, Role, Source
from domain.pipeline import (
    ZERO,
    Opportunity,
    Period,
    PipelineFigures,
    Quota,
    Scope,
    add_months,
    month_of,
    pipeline_figures,
    quota_for,
    risk_reasons,
)
from domain.ports import BurnTotals, ScopeTotals, UnitOfWork
from domain.renewals import FOLLOW_ON_DAYS, Decision, Renewal, follow_on, notice_deadline

AT_RISK_SHOWN = 10
LARGEST_SHOWN = 5


def sees_everything(person: Person) -> bool:
    return person.role in (Role.ADMIN, Role.FINANCE)


def scope_for_person(uow: UnitOfWork, person: Person, label: str = "") -> Scope:
    """A person's deals: those they own, and those of the clients they direct."""
    clients = tuple(c.id for c in uow.clients.list() if c.id is not None and c.director_id == person.id)
    return Scope(owner_id=person.id, client_ids=clients, label=label or person.name)


def check_may_see_person(actor: Person, person: Person) -> None:
    if actor.id != person.id and not sees_everything(actor):
        raise Forbidden(f"Only finance or an admin can see {person.name}'s pipeline; try `pipeline me`.")


def check_may_see_client(uow: UnitOfWork, actor: Person, client: Client) -> None:
    if sees_everything(actor) or client.director_id == actor.id:
        return
    director = uow.people.get(client.director_id) if client.director_id else None
    who = f"{director.name}, finance or an admin" if director else "finance or an admin"
    raise Forbidden(f"Only {who} can see {client.name}'s pipeline.")


def check_may_see_all(actor: Person) -> None:
    if not sees_everything(actor):
        raise Forbidden("Only finance or an admin can see everyone's pipeline; try `pipeline me`.")


# --- pipeline ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PipelineReport:
    scope: Scope
    figures: PipelineFigures
    at_risk: tuple[tuple[Opportunity, tuple[str, ...]], ...]
    at_risk_count: int
    largest: tuple[Opportunity, ...]
    omitted: tuple[Opportunity, ...]
    owners: dict[int, Person]
    clients: dict[int, Client]


def period_figures(uow: UnitOfWork, scope: Scope, period: Period) -> PipelineFigures:
    """The figures of ``pipeline`` for one scope and period (closed won, commit, …, quota, gap, coverage):
    the quota and one aggregate of the period's deals. ``pipeline``, its chart and ``account`` share it."""
    quota = quota_for(uow.pipeline.quotas([period.label]), scope)
    return pipeline_figures(period, uow.pipeline.totals(scope, period.first, period.last), quota)


def pipeline_report(uow: UnitOfWork, scope: Scope, period: Period, today: date) -> PipelineReport:
    """Every figure and list of ``pipeline`` for one scope and period."""
    figures = period_figures(uow, scope, period)
    risky, count = uow.pipeline.at_risk(scope, period.first, period.last, today, AT_RISK_SHOWN)
    largest = uow.pipeline.largest_open(scope, period.first, period.last, LARGEST_SHOWN)
    omitted = uow.pipeline.omitted(scope, period.first, period.last, LARGEST_SHOWN)
    owner_ids = {o.owner_id for o in (*risky, *largest, *omitted) if o.owner_id}
    return PipelineReport(scope, figures, tuple((o, risk_reasons(o, today)) for o in risky), count, tuple(largest),
                          tuple(omitted), dict(uow.people.many(owner_ids)),
                          {c.id: c for c in uow.clients.list() if c.id is not None})


# --- forecast -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ForecastReport:
    scope: Scope
    months: tuple[MonthForecast, ...]
    projects: int
    delivery_months: int


def scope_projects(uow: UnitOfWork, scope: Scope) -> list[Project]:
    projects = uow.projects.list()
    if scope.everyone:
        return projects
    clients = set(scope.client_ids)
    return [p for p in projects if p.client_id in clients]


def forecast_report(uow: UnitOfWork, scope: Scope, count: int, today: date) -> ForecastReport:
    """DESIGN's forecast(month) for the current month and the next ``count − 1``."""
    settings = uow.pipeline.settings()
    months = forecast_months(today, count)
    projects = scope_projects(uow, scope)
    ids = [p.id for p in projects if p.id is not None]
    recognised = uow.pipeline.recognised(ids, month_of(today), today)
    allocations = uow.allocations.list(project_ids=ids, states=[AllocationState.APPROVED]) if ids else []
    # Only projects with an allocation running after today can have scheduled revenue, hence a cap to
    # apply: their burn and scope alone are summed (a fraction of the portfolio, and the costliest read).
    allocations = [a for a in allocations if a.end > today]
    booked = sorted({a.project_id for a in allocations})
    burns = uow.entries.totals(booked, today)
    scopes = uow.scope.totals(booked)
    by_id = {p.id: p for p in projects}
    remaining = {}
    for pid in booked:
        p = by_id[pid]
        s = scopes.get(pid, ScopeTotals())
        budget = p.budget + s.approved_amount + scope_hours_value(s.approved_hours, p)
        remaining[pid] = max(ZERO, budget - burns.get(pid, BurnTotals()).burned)
    rates = {pid: person.bill_rate for pid, person in uow.people.many({a.person_id for a in allocations}).items()}
    scheduled, capped = scheduled_by_project(months, today, allocations, rates, remaining)
    # Deals closing up to delivery_months before the first month still land in the window.
    first_close = add_months(months[0], -settings.delivery_months)
    last_close = add_months(months[-1], 1) - timedelta(days=1)
    weighted = uow.pipeline.weighted_by_close_month(scope, first_close, last_close)
    spread = spread_pipeline(months, weighted, settings.delivery_months)
    by_period: dict[str, list[Quota]] = {}
    for q in uow.pipeline.quotas():
        by_period.setdefault(q.period, []).append(q)

    def quota_of(period: Period) -> Decimal | None:
        return quota_for(by_period.get(period.label, []), scope)

    rows = build_forecast(months, today, recognised, scheduled, capped, spread, quota_of,
                          settings.fiscal_year_start_month)
    return ForecastReport(scope, tuple(rows), len(projects), settings.delivery_months)


# --- renewals -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RenewalLine:
    project: Project
    client: Client
    deadline: date
    days_left: int
    renewal: Renewal | None
    follow_on: Opportunity | None


def renewal_lines(uow: UnitOfWork, projects: Sequence[Project], today: date, within_days: int) -> list[RenewalLine]:
    """Projects ending within ``within_days`` of today (not ended yet), soonest notice deadline first."""
    ending = [p for p in projects if p.id is not None and today <= p.end <= today + timedelta(days=within_days)]
    if not ending:
        return []
    return _lines(uow, ending, uow.pipeline.renewals([p.id or 0 for p in ending]), today)


def renewal_lines_by_deadline(uow: UnitOfWork, projects: Sequence[Project], today: date,
                              days: int) -> list[RenewalLine]:
    """Projects whose notice deadline is today or within ``days`` (the reminders' window)."""
    running = [p for p in projects if p.id is not None and p.end >= today]
    renewals = uow.pipeline.renewals([p.id or 0 for p in running]) if running else {}
    due = []
    for p in running:
        r = renewals.get(p.id or 0)
        if 0 <= (notice_deadline(p.end, r.notice_days if r else None) - today).days <= days:
            due.append(p)
    return _lines(uow, due, renewals, today)


def _lines(uow: UnitOfWork, projects: Sequence[Project], renewals: Mapping[int, Renewal],
           today: date) -> list[RenewalLine]:
    if not projects:
        return []
    clients = {c.id: c for c in uow.clients.list()}
    latest_end = max(p.end for p in projects)
    deals: dict[int, list[Opportunity]] = {}
    for o in uow.pipeline.open_for_clients(sorted({p.client_id for p in projects}),
                                           latest_end + timedelta(days=FOLLOW_ON_DAYS)):
        deals.setdefault(o.client_id, []).append(o)
    lines = []
    for p in projects:
        r = renewals.get(p.id or 0)
        deadline = notice_deadline(p.end, r.notice_days if r else None)
        lines.append(RenewalLine(p, clients[p.client_id], deadline, (deadline - today).days, r,
                                 follow_on(p.end, deals.get(p.client_id, ()))))
    return sorted(lines, key=lambda line: (line.deadline, line.project.key))


def renewal_projects(uow: UnitOfWork, actor: Person, everyone: bool) -> list[Project]:
    projects = uow.projects.list()
    if everyone:
        check_may_see_all(actor)
        return projects
    mine = {c.id for c in uow.clients.list() if c.director_id == actor.id}
    return [p for p in projects if p.client_id in mine or p.manager_id == actor.id]


def record_decision(uow: UnitOfWork, actor: Person, project: Project, decision: Decision, note: str,
                    at: datetime, source: Source) -> Renewal:
    """Record the renewal decision once (the client's director or an admin); audited."""
    client = uow.clients.get(project.client_id)
    if client is None:
        raise Forbidden(f"{project.key} has no client.")
    if actor.role is not Role.ADMIN and client.director_id != actor.id:
        director = uow.people.get(client.director_id) if client.director_id else None
        who = f"{director.name} or an admin" if director else "an admin"
        raise Forbidden(f"Only {who} can decide the renewal of {project.name}.")
    stored = uow.pipeline.renewals([project.id or 0]).get(project.id or 0)
    if stored is not None and stored.decision is not None:
        raise AlreadyDecided(f"The renewal of {project.name} was already decided: {stored.decision.value}"
                             + (f" ({stored.note})" if stored.note else "") + ".")
    renewal = replace(stored, decision=decision, note=note, decided_by=actor.id, decided_at=at) if stored else \
        Renewal(project.id or 0, None, decision, note, actor.id, at)
    uow.pipeline.save_renewal(renewal)
    uow.audit.add(AuditEvent(None, at, actor.id, source, "renewal.decided", f"project:{project.key}",
                             f"{decision.value}" + (f": {note}" if note else "")))
    return renewal
