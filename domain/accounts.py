"""The account at a glance (``account <client>``) and the weekly status for a client (``report``).

Both read what ``budget`` reads (``services.client_budget`` / ``project_budget``) plus a few grouped
reads: the latest statuses, the waiting decisions, the daily burn. The report keeps to what a client may
read: progress, hours and fees against the budget, scope changes, what's next, risks; never a cost
rate, a cost or a margin (those are not even in ``WeeklyReport``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from domain import services
from domain.errors import Forbidden, InvalidInput
from domain.model import (
    Allocation,
    AllocationState,
    Client,
    Person,
    Project,
    Rag,
    Role,
    ScopeChange,
    ScopeState,
    StatusUpdate,
)
from domain.permissions import is_director_of
from domain.ports import ZERO, UnitOfWork

# --- account --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AccountView:
    budget: services.ClientBudget
    latest: dict[int, StatusUpdate]  # project id -> newest status
    scope_waiting: tuple[tuple[ScopeChange, Project], ...]
    requests_waiting: tuple[tuple[Allocation, Project, Person | None], ...]
    people: dict[int, Person]  # authors of the statuses and people of the requests


def check_account(actor: Person, client: Client, director: Person | None) -> None:
    """The account screen is for the client's director, finance and admins (it shows the margin)."""
    if actor.role in (Role.ADMIN, Role.FINANCE) or is_director_of(actor, client):
        return
    who = f"{director.name}, " if director else ""
    raise Forbidden(f"Only {who}finance or an admin can see the account of {client.name}. "
                    f"Try `budget {client.key}` for its projects' budgets.")


def account_view(uow: UnitOfWork, actor: Person, client: Client, today: date) -> AccountView:
    """Everything ``account <client>`` shows, in a fixed number of statements whatever the data."""
    director = uow.people.get(client.director_id) if client.director_id else None
    check_account(actor, client, director)
    budget = services.client_budget(uow, actor, client, today)
    projects = {r.project.id: r.project for r in budget.projects if r.project.id is not None}
    ids = sorted(projects)
    latest = dict(uow.statuses.latest(ids))
    scope = tuple((s, projects[s.project_id]) for s in uow.scope.list(ids, [ScopeState.FLAGGED]))
    requested = uow.allocations.list(project_ids=ids, states=[AllocationState.REQUESTED]) if ids else []
    people = uow.people.many({*(s.author_id for s in latest.values()), *(a.person_id for a in requested)})
    requests = tuple((a, projects[a.project_id], people.get(a.person_id)) for a in requested)
    return AccountView(budget, latest, scope, requests, people)


# --- the weekly report ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Week:
    first: date  # Monday
    last: date  # Sunday, or today for this week

    @property
    def label(self) -> str:
        return f"week of {self.first:%d %b %Y}"


def report_week(words: str, today: date) -> Week:
    """``this week`` (Monday to today, the default) or ``last week`` (Monday to Sunday)."""
    monday = today - timedelta(days=today.weekday())
    text = " ".join(words.lower().split())
    if text in ("", "this week"):
        return Week(monday, today)
    if text == "last week":
        return Week(monday - timedelta(days=7), monday - timedelta(days=1))
    raise InvalidInput(f"I can report on this week or last week, not “{words}”.", example="report acme-web last week")


@dataclass(frozen=True)
class ProjectWeek:
    """One project's week in client terms: fees at bill rates, hours, scope, statuses, risks."""

    project: Project
    rag: Rag  # budget RAG
    budget: Decimal
    burned: Decimal  # fees to date (bill rates)
    pct_burned: Decimal | None
    pct_elapsed: Decimal | None
    hours: Decimal  # to date
    budget_hours: Decimal | None
    week_spend: Decimal
    week_hours: Decimal
    runs_out_on: date | None
    statuses: tuple[StatusUpdate, ...]  # this week's, oldest first
    latest: StatusUpdate | None
    approved_this_week: tuple[ScopeChange, ...]
    awaiting: tuple[ScopeChange, ...]
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class WeeklyReport:
    client: Client
    week: Week
    projects: tuple[ProjectWeek, ...]
    project_budgets: tuple[services.ProjectBudget, ...]


def weekly_report(uow: UnitOfWork, actor: Person, client: Client, projects: Sequence[Project] | None,
                  week: Week, today: date) -> WeeklyReport:
    """The week of one project (``projects`` given) or of every project of the client the actor may see.

    Reads: ``budget``'s, one daily-burn aggregate and one scope read for all the projects, and one status
    history per project (a client has a handful).
    """
    if projects is None:
        rows = services.client_budget(uow, actor, client, today).projects
    else:
        rows = tuple(services.project_budget(uow, actor, p, today) for p in projects)
    ids = [r.project.id for r in rows if r.project.id is not None]
    zone = ZoneInfo(uow.organisation.get().timezone)
    burn = uow.daily_burn.daily(ids, week.last)
    changes = uow.scope.list(ids, [ScopeState.APPROVED, ScopeState.FLAGGED])
    out = []
    for r in rows:
        pid = r.project.id or 0
        days = [b for b in burn.get(pid, ()) if week.first <= b.day <= week.last]
        history = uow.statuses.history(pid, limit=20)
        statuses = tuple(sorted((s for s in history if week.first <= s.at.astimezone(zone).date() <= week.last),
                                key=lambda s: s.at))
        mine = [c for c in changes if c.project_id == pid]
        approved = tuple(c for c in mine if c.state is ScopeState.APPROVED and c.decided_at is not None
                         and week.first <= c.decided_at.astimezone(zone).date() <= week.last)
        f = r.figures
        out.append(ProjectWeek(
            project=r.project, rag=f.rag, budget=f.budget, burned=f.burned, pct_burned=f.pct_burned,
            pct_elapsed=f.pct_elapsed, hours=f.hours, budget_hours=f.budget_hours,
            week_spend=sum((b.burned for b in days), ZERO), week_hours=sum((b.hours for b in days), ZERO),
            runs_out_on=f.runs_out_on, statuses=statuses, latest=history[0] if history else None,
            approved_this_week=approved,
            awaiting=tuple(c for c in mine if c.state is ScopeState.FLAGGED), reasons=f.reasons,
        ))
    return WeeklyReport(client, week, tuple(out), tuple(rows))
