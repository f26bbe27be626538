"""Timesheets: what a person (or a manager's team) logged per day and project in one week."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from domain import permissions
from domain.capacity import monday
from domain.errors import Forbidden
from domain.model import AllocationState, Person, Role
from domain.ports import UnitOfWork


@dataclass(frozen=True)
class Week:
    """One person's week: hours per (project id, day), and their capacity."""

    person: Person
    first: date  # Monday
    hours: Mapping[tuple[int, date], Decimal]

    @property
    def total(self) -> Decimal:
        return sum(self.hours.values(), Decimal(0))

    def days_without_hours(self, today: date) -> list[date]:
        """Working days of the week before today on which nothing was logged (today isn't over yet)."""
        logged = {day for _, day in self.hours}
        return [d for d in (self.first + timedelta(days=i) for i in range(5)) if d < today and d not in logged]


def may_see_others(actor: Person) -> bool:
    return actor.role in (Role.MANAGER, Role.DIRECTOR, Role.ADMIN, Role.FINANCE)


def check_see(actor: Person, person: Person) -> None:
    """Anyone sees their own timesheet; managers, directors, finance and admins see others'."""
    if actor.id == person.id or may_see_others(actor):
        return
    raise Forbidden(f"You can see your own timesheet (`timesheet`); only managers, directors, finance or an "
                    f"admin can see {person.name}'s.")


def team_of(uow: UnitOfWork, actor: Person) -> list[Person]:
    """A manager's or director's people: everyone with an approved allocation on a project they manage
    or direct (an admin's or finance's: everyone active). A fixed number of statements."""
    if actor.role not in (Role.MANAGER, Role.DIRECTOR, Role.ADMIN, Role.FINANCE):
        raise Forbidden("Only managers, directors, finance or an admin can see a team's timesheets; "
                        "yours is `timesheet`.")
    people = [p for p in uow.people.list() if p.active]
    if actor.role in (Role.ADMIN, Role.FINANCE):
        return sorted(people, key=lambda p: p.name)
    clients = {c.id: c for c in uow.clients.list()}
    mine = [p.id for p in uow.projects.list() if p.id is not None
            and (p.manager_id == actor.id or permissions.is_director_of(actor, clients[p.client_id]))]
    approved = uow.allocations.list(project_ids=mine, states=[AllocationState.APPROVED]) if mine else []
    ids = {a.person_id for a in approved}
    return sorted((p for p in people if p.id in ids and p.id != actor.id), key=lambda p: p.name)


def weeks(uow: UnitOfWork, people: list[Person], day: date) -> list[Week]:
    """The week holding ``day`` for each person, from one grouped statement."""
    first = monday(day)
    rows = uow.timesheets.hours_by_day([p.id for p in people if p.id is not None], first, first + timedelta(days=6))
    per: dict[int, dict[tuple[int, date], Decimal]] = {}
    for (pid, project, d), hours in rows.items():
        per.setdefault(pid, {})[(project, d)] = hours
    return [Week(p, first, per.get(p.id or 0, {})) for p in people]
