"""Use cases: each takes an open unit of work and the acting person, checks the rules, changes the
record and writes the audit trail. The caller commits; a raised error leaves nothing half-written."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from domain import permissions
from domain.budget import BudgetFigures, client_figures, project_figures, spent
from domain.capacity import WeekOver, monday, weeks_between, weeks_over_capacity
from domain.errors import AlreadyDecided, Forbidden, InvalidInput, NotFound
from domain.model import (
    Allocation,
    AllocationState,
    AuditEvent,
    Client,
    Person,
    Project,
    Rag,
    Role,
    ScopeChange,
    ScopeState,
    Source,
    StatusUpdate,
    TimeEntry,
)
from domain.ports import ZERO, BurnTotals, ScopeTotals, UnitOfWork
from domain.timeoff import load_availability, week_capacity

MAX_HOURS_PER_DAY = Decimal("24")


def audit(uow: UnitOfWork, actor: Person | None, at: datetime, source: Source, action: str, subject: str,
          detail: str = "") -> None:
    """Record who changed what, when and through which channel."""
    uow.audit.add(AuditEvent(None, at, actor.id if actor else None, source, action, subject, detail))


def _client(uow: UnitOfWork, project: Project) -> Client:
    client = uow.clients.get(project.client_id)
    if client is None:  # foreign keys make this impossible; say so plainly if it ever happens
        raise NotFound(f"Project {project.key} has no client.")
    return client


def _approved_people(uow: UnitOfWork, project: Project) -> set[int]:
    return {
        a.person_id
        for a in uow.allocations.list(project_ids=[project.id or 0], states=[AllocationState.APPROVED])
    }


# --- budget -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProjectBudget:
    project: Project
    client: Client
    figures: BudgetFigures
    manager: Person | None
    director: Person | None


@dataclass(frozen=True)
class ClientBudget:
    client: Client
    director: Person | None
    projects: tuple[ProjectBudget, ...]
    total: BudgetFigures
    hidden: int  # projects of the client the caller may not see


def _figures(uow: UnitOfWork, projects: Sequence[Project], today: date) -> dict[int, BudgetFigures]:
    ids = [p.id for p in projects if p.id is not None]
    burns = uow.entries.totals(ids, today)
    scopes = uow.scope.totals(ids)
    figures = {
        p.id: project_figures(p, burns.get(p.id, BurnTotals()), scopes.get(p.id, ScopeTotals()), today)
        for p in projects
        if p.id is not None
    }
    # "Ran out on": one more statement, only when some project's burn has reached its budget.
    spent_ones = {pid: f.budget for pid, f in figures.items() if spent(f)}
    if spent_ones:
        days = uow.burn_dates.first_day_reaching(spent_ones, today)
        figures = {pid: replace(f, ran_out_on=days.get(pid)) for pid, f in figures.items()}
    return figures


def project_budget(uow: UnitOfWork, actor: Person, project: Project, today: date) -> ProjectBudget:
    """Budget health of one project, if ``actor`` may see it."""
    client = _client(uow, project)
    people = uow.people.many([i for i in (client.director_id, project.manager_id) if i is not None])
    director = people.get(client.director_id) if client.director_id else None
    manager = people.get(project.manager_id) if project.manager_id else None
    permissions.check_budget(actor, client, project, director, manager)
    figures = _figures(uow, [project], today)[project.id or 0]
    return ProjectBudget(project, client, figures, manager, director)


def client_budget(uow: UnitOfWork, actor: Person, client: Client, today: date) -> ClientBudget:
    """Budget health of a client: each project the actor may see, and their total.

    A fixed number of statements whatever the number of projects and entries: the projects, the
    people, one burn aggregate and one scope aggregate.
    """
    projects = uow.projects.list(client.id)
    visible = [p for p in projects if permissions.may_see_budget(actor, client, p)]
    people = uow.people.many(
        {i for i in [client.director_id, *(p.manager_id for p in projects)] if i is not None}
    )
    director = people.get(client.director_id) if client.director_id else None
    if not visible:
        who = director.name if director else "the client's director"
        raise Forbidden(f"Only {who}, the project managers, finance or an admin can see the budget of {client.name}.")
    figures = _figures(uow, visible, today)
    rows = tuple(
        ProjectBudget(p, client, figures[p.id or 0], people.get(p.manager_id or 0), director) for p in visible
    )
    total = client_figures([r.figures for r in rows], [r.project.key for r in rows])
    return ClientBudget(client, director, rows, total, hidden=len(projects) - len(visible))


# --- status -------------------------------------------------------------------------------------


def log_status(uow: UnitOfWork, actor: Person, project: Project, rag: Rag, note: str, at: datetime,
               source: Source) -> StatusUpdate:
    """Log a RAG status with a note on a project."""
    client = _client(uow, project)
    people = uow.people.many([i for i in (client.director_id, project.manager_id) if i is not None])
    permissions.check_log_status(
        actor, client, project, _approved_people(uow, project),
        people.get(client.director_id or 0), people.get(project.manager_id or 0),
    )
    if not note.strip():
        raise InvalidInput(
            "Say what is behind the status in a few words.",
            example=f"status {project.key} {rag.value} waiting on assets from the client",
        )
    update = uow.statuses.add(StatusUpdate(None, project.id or 0, rag, note.strip(), actor.id or 0, at))
    uow.changes.record(actor.id or 0, "status", update.id or 0, at)
    audit(uow, actor, at, source, "status.logged", f"project:{project.key}", f"{rag.value}: {note.strip()}")
    return update


# --- hours --------------------------------------------------------------------------------------


def log_hours(uow: UnitOfWork, actor: Person, person: Person, project: Project, day: date, hours: Decimal,
              note: str, at: datetime, source: Source, today: date) -> TimeEntry:
    """Log time for ``person``, copying their current bill and cost rates onto the entry."""
    manager = uow.people.get(project.manager_id) if project.manager_id else None
    permissions.check_log_hours(actor, person, project, _approved_people(uow, project), manager)
    example = f"hours {project.key} 3.5 yesterday design review"
    shown = f"{hours.normalize():f}"
    if hours <= 0:
        raise InvalidInput("Hours must be more than zero.", example=example)
    if hours > MAX_HOURS_PER_DAY:
        raise InvalidInput(f"{shown} hours is more than a day holds; log each day separately.", example=example)
    # Time is logged once it is spent: a future day is a typo or a plan, never a fact.
    if day > today:
        raise InvalidInput(f"{day:%a %d %b %Y} is in the future; log time once it's spent (today or earlier).",
                           example=example)
    if day < project.start:
        raise InvalidInput(
            f"{day:%a %d %b %Y} is before {project.name} started ({project.start:%a %d %b %Y}).", example=example
        )
    entry = uow.entries.add(
        TimeEntry(None, person.id or 0, project.id or 0, day, hours, person.bill_rate, person.cost_rate,
                  note.strip(), source)
    )
    uow.changes.record(actor.id or 0, "hours", entry.id or 0, at)
    who = "" if person.id == actor.id else f" for {person.email}"
    audit(uow, actor, at, source, "hours.logged", f"project:{project.key}", f"{shown}h on {day.isoformat()}{who}")
    return entry


# --- scope --------------------------------------------------------------------------------------


def flag_scope(uow: UnitOfWork, actor: Person, project: Project, description: str, impact_hours: Decimal | None,
               impact_amount: Decimal | None, at: datetime, source: Source, link: str = "") -> ScopeChange:
    """Flag scope creep on a project with its impact, waiting for the director's decision."""
    client = _client(uow, project)
    permissions.check_flag_scope(
        actor, client, project, _approved_people(uow, project),
        uow.people.get(project.manager_id) if project.manager_id else None,
    )
    if not description.strip():
        raise InvalidInput(
            "Describe the change the client asked for.",
            example=f"scope {project.key} extra landing page for the spring campaign +40h",
        )
    for value in (impact_hours, impact_amount):
        if value is not None and value <= 0:
            raise InvalidInput("The impact must be more than zero.", example=f"scope {project.key} extra page +40h")
    change = uow.scope.add(
        ScopeChange(None, project.id or 0, description.strip(), impact_hours, impact_amount, ScopeState.FLAGGED,
                    actor.id or 0, at, link=link)
    )
    uow.changes.record(actor.id or 0, "scope", change.id or 0, at)
    audit(uow, actor, at, source, "scope.flagged", f"scope:{change.id}", f"{project.key}: {description.strip()}")
    return change


def decide_scope(uow: UnitOfWork, actor: Person, change_id: int, decision: ScopeState, note: str, at: datetime,
                 source: Source) -> ScopeChange:
    """Approve as a change order, absorb or reject a flagged scope change, once."""
    change = uow.scope.get(change_id)
    if change is None:
        raise NotFound(f"There is no scope change S{change_id}.", example="approvals")
    project = uow.projects.get(change.project_id)
    assert project is not None
    client = _client(uow, project)
    permissions.check_decide(
        actor, client, uow.people.get(client.director_id) if client.director_id else None,
        f"scope changes on {project.name}",
    )
    if change.state is not ScopeState.FLAGGED:
        raise AlreadyDecided(_already(change.state.value, change.decided_by, change.decided_at, uow), change)
    decided = replace(change, state=decision, decided_by=actor.id, decided_at=at, decision_note=note.strip())
    if not uow.scope.decide(decided):
        fresh = uow.scope.get(change_id) or decided
        raise AlreadyDecided(_already(fresh.state.value, fresh.decided_by, fresh.decided_at, uow), fresh)
    audit(uow, actor, at, source, f"scope.{decision.value}", f"scope:{change_id}", note.strip())
    return decided


def _already(state: str, by: int | None, at: datetime | None, uow: UnitOfWork) -> str:
    who = uow.people.get(by) if by else None
    # Shown in the organisation's timezone: "09:14 EST" means something to the people reading it.
    zone = ZoneInfo(uow.organisation.get().timezone)
    when = f" on {at.astimezone(zone):%a %d %b %Y %H:%M %Z}" if at else ""  # handlers.base.DATE_TIME_FORMAT
    return f"Already {state}" + (f" by {who.name}" if who else "") + f"{when}. Nothing changed."


# --- allocations --------------------------------------------------------------------------------


@dataclass(frozen=True)
class AllocationRequest:
    allocation: Allocation
    person: Person
    project: Project
    over: tuple[WeekOver, ...]
    # Allocations of the same person on the same project whose dates overlap: this request changes them
    # (old -> new), it never stacks on top of them.
    replaces: tuple[Allocation, ...] = ()


def capacity_conflicts(uow: UnitOfWork, person: Person, allocation: Allocation,
                       replacing: Sequence[Allocation] = ()) -> list[WeekOver]:
    """Weeks where approved allocations plus this one exceed the person's capacity.

    The approved allocations ``allocation`` replaces don't count: after the change they are gone."""
    weeks = weeks_between(allocation.start, allocation.end)
    load = uow.allocations.weekly_load([person.id or 0], weeks[0], weeks[-1])
    mine = {week: hours for (pid, week), hours in load.items() if pid == person.id}
    for old in replacing:
        if old.state is AllocationState.APPROVED and old.id != allocation.id:
            for week in weeks_between(old.start, old.end):
                if week in mine:
                    mine[week] -= old.hours_per_week
    extra = ZERO if allocation.state is AllocationState.APPROVED else allocation.hours_per_week
    # Holidays and time off shrink a week: capacity x available working days / 5.
    avail = load_availability(uow, [person.id or 0], weeks[0], weeks[-1] + timedelta(days=6))
    capacities = {w: week_capacity(person.capacity_hours, avail.available_days(person.id or 0, w)) for w in weeks}
    return weeks_over_capacity(person, mine, weeks, extra, capacities)


def overlapping(uow: UnitOfWork, person_id: int, project_id: int, start: date, end: date,
                states: Sequence[AllocationState] = (AllocationState.REQUESTED, AllocationState.APPROVED),
                except_id: int | None = None) -> list[Allocation]:
    """The person's allocations on this project, in ``states``, whose dates overlap [start, end]."""
    return [
        a for a in uow.allocations.list(person_id=person_id, project_ids=[project_id], states=list(states))
        if a.start <= end and start <= a.end and a.id != except_id
    ]


def request_allocation(uow: UnitOfWork, actor: Person, person: Person, project: Project, hours_per_week: Decimal,
                       start: date, end: date, at: datetime, source: Source) -> AllocationRequest:
    """Request ``person`` on ``project``; over-capacity weeks are listed for the approver, not refused.

    One allocation above the person's whole capacity is refused. A request overlapping an approved or
    pending allocation of the same person on the same project is a change of it: a pending one is
    replaced (cancelled) now, an approved one when the change is approved."""
    permissions.check_request_allocation(actor)
    example = f"assign {person.email} {project.key} 20h/week from next monday until {project.end.isoformat()}"
    if hours_per_week <= 0:
        raise InvalidInput("Hours per week must be more than zero.", example=example)
    if hours_per_week > person.capacity_hours:
        raise InvalidInput(
            f"{hours_per_week.normalize():f}h/week is more than {person.name}'s whole week "
            f"({person.capacity_hours.normalize():f}h); one allocation can take 100% at most.", example=example)
    if end < start:
        raise InvalidInput(f"The allocation ends ({end:%d %b %Y}) before it starts ({start:%d %b %Y}).",
                           example=example)
    if (end - start).days > 366 * 2:
        raise InvalidInput("An allocation can cover two years at most.", example=example)
    allocation = Allocation(None, person.id or 0, project.id or 0, hours_per_week, start, end,
                            AllocationState.REQUESTED, actor.id or 0, at)
    replaces = overlapping(uow, person.id or 0, project.id or 0, start, end)
    over = capacity_conflicts(uow, person, allocation, replaces)
    allocation = uow.allocations.add(allocation)
    detail = f"{person.email} {hours_per_week:g}h/week {start.isoformat()}..{end.isoformat()}"
    if over:
        detail += f"; over capacity in {len(over)} week{'s' if len(over) != 1 else ''}"
    for old in replaces:
        detail += f"; changes A{old.id} ({old.hours_per_week:g}h/week, {old.state.value})"
        if old.state is AllocationState.REQUESTED:
            # A pending request is superseded at once: the approver decides the new figure only.
            uow.allocations.decide(replace(old, state=AllocationState.CANCELLED, decided_by=actor.id, decided_at=at,
                                           decision_note=f"replaced by A{allocation.id}"))
            audit(uow, actor, at, source, "allocation.cancelled", f"allocation:{old.id}",
                  f"replaced by A{allocation.id}")
    uow.changes.record(actor.id or 0, "allocation", allocation.id or 0, at)
    audit(uow, actor, at, source, "allocation.requested", f"allocation:{allocation.id}", detail)
    return AllocationRequest(allocation, person, project, tuple(over), tuple(replaces))


def decide_allocation(uow: UnitOfWork, actor: Person, allocation_id: int, approve: bool, note: str, at: datetime,
                      source: Source) -> AllocationRequest:
    """Approve or reject an allocation request, once, by the client's director or an admin.

    Approving a change of an approved allocation ends the old one the day before the new one starts
    (or cancels it when the new one covers it from its first day)."""
    allocation = uow.allocations.get(allocation_id)
    if allocation is None:
        raise NotFound(f"There is no allocation request A{allocation_id}.", example="approvals")
    project = uow.projects.get(allocation.project_id)
    person = uow.people.get(allocation.person_id)
    assert project is not None and person is not None
    client = _client(uow, project)
    permissions.check_decide(
        actor, client, uow.people.get(client.director_id) if client.director_id else None,
        f"allocations on {project.name}",
    )
    if allocation.state is not AllocationState.REQUESTED:
        raise AlreadyDecided(
            _already(allocation.state.value, allocation.decided_by, allocation.decided_at, uow), allocation
        )
    replaces = overlapping(uow, person.id or 0, project.id or 0, allocation.start, allocation.end,
                           (AllocationState.APPROVED,), except_id=allocation.id)
    over = capacity_conflicts(uow, person, allocation, replaces)
    state = AllocationState.APPROVED if approve else AllocationState.REJECTED
    decided = replace(allocation, state=state, decided_by=actor.id, decided_at=at, decision_note=note.strip())
    if not uow.allocations.decide(decided):
        fresh = uow.allocations.get(allocation_id) or decided
        raise AlreadyDecided(_already(fresh.state.value, fresh.decided_by, fresh.decided_at, uow), fresh)
    audit(uow, actor, at, source, f"allocation.{state.value}", f"allocation:{allocation_id}", note.strip())
    # Kept with the decision: a repeated decision answers with this check, not one made later.
    uow.changes.save_decision(allocation_id, at, over)
    if approve:
        for old in replaces:
            new_end = allocation.start - timedelta(days=1) if old.start < allocation.start else None
            uow.allocations.supersede(old.id or 0, new_end)
            audit(uow, actor, at, source, "allocation.changed", f"allocation:{old.id}",
                  f"replaced by A{allocation_id}" + (f"; ends {new_end.isoformat()}" if new_end else "; cancelled"))
    return AllocationRequest(decided, person, project, tuple(over), tuple(replaces))


# --- approvals ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Approvals:
    allocations: tuple[AllocationRequest, ...]
    scope_changes: tuple[tuple[ScopeChange, Project], ...]


def pending_approvals(uow: UnitOfWork, actor: Person) -> Approvals:
    """What waits for ``actor``'s decision: requests on the clients they direct (all, for an admin)."""
    clients = uow.clients.list()
    mine = {c.id for c in clients if actor.is_admin or permissions.is_director_of(actor, c)}
    projects = {p.id: p for p in uow.projects.list() if p.client_id in mine}
    ids = [i for i in projects if i is not None]
    if not ids:
        return Approvals((), ())
    requested = uow.allocations.list(project_ids=ids, states=[AllocationState.REQUESTED])
    people = uow.people.many({a.person_id for a in requested})
    first = min((a.start for a in requested), default=None)
    last = max((a.end for a in requested), default=None)
    load = (
        uow.allocations.weekly_load(list(people), monday(first), monday(last)) if first and last else {}
    )
    requests = []
    for a in requested:
        person = people[a.person_id]
        weeks = weeks_between(a.start, a.end)
        own = {w: h for (pid, w), h in load.items() if pid == a.person_id}
        over = weeks_over_capacity(person, own, weeks, a.hours_per_week)
        requests.append(AllocationRequest(a, person, projects[a.project_id], tuple(over)))
    flagged = uow.scope.list(ids, [ScopeState.FLAGGED])
    return Approvals(tuple(requests), tuple((s, projects[s.project_id]) for s in flagged))


def approvers_for(uow: UnitOfWork, client: Client) -> list[Person]:
    """Who decides for this client: its director, else the admins."""
    if client.director_id:
        director = uow.people.get(client.director_id)
        if director is not None and director.active:
            return [director]
    return [p for p in uow.people.list() if p.role is Role.ADMIN and p.active]
