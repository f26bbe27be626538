"""Who may do what. Each check raises ``Forbidden`` naming who can, or returns quietly.

The rules (issue "Steward's core"):
- budget: the client's director, the project's manager, finance, admin;
- status logging: the project's manager or director, anyone with an approved allocation on it, admin;
  anyone known may read;
- hours: for oneself, or for others if manager/director/admin;
- scope: anyone on the project may flag; the client's director or an admin decides;
- assign: manager/director/admin request; the client's director or an admin decides.
"""

from __future__ import annotations

from collections.abc import Collection

from domain.errors import Forbidden
from domain.model import Client, Person, Project, Role


def _names(*people: Person | None) -> str:
    named = [p.name for p in people if p is not None]
    return " or ".join(dict.fromkeys(named))


def _with(who: str, rest: str) -> str:
    return f"{who}, {rest}" if who else rest


def is_director_of(person: Person, client: Client) -> bool:
    return client.director_id is not None and client.director_id == person.id


def is_manager_of(person: Person, project: Project) -> bool:
    return project.manager_id is not None and project.manager_id == person.id


def may_see_budget(person: Person, client: Client, project: Project) -> bool:
    return (
        person.role in (Role.ADMIN, Role.FINANCE)
        or is_director_of(person, client)
        or is_manager_of(person, project)
    )


def check_budget(
    person: Person, client: Client, project: Project, director: Person | None, manager: Person | None
) -> None:
    """May ``person`` see this project's budget?"""
    if not may_see_budget(person, client, project):
        who = _names(director, manager)
        raise Forbidden(
            f"Only {_with(who, 'finance or an admin')} can see the budget of {project.name}."
        )


def check_log_status(
    person: Person, client: Client, project: Project, allocated_ids: Collection[int], director: Person | None,
    manager: Person | None,
) -> None:
    """May ``person`` log a status on this project?"""
    if (
        person.is_admin
        or is_director_of(person, client)
        or is_manager_of(person, project)
        or person.id in allocated_ids
    ):
        return
    who = _names(manager, director)
    raise Forbidden(
        f"Only {_with(who, 'people allocated to the project or an admin')} can log the status of {project.name}. "
        "Anyone can read it: `status " + project.key + "`."
    )


def check_log_hours(person: Person, for_person: Person, project: Project | None = None,
                    allocated_ids: Collection[int] = (), manager: Person | None = None) -> None:
    """Anyone logs their own hours; managers, directors and admins may log for others.

    A member (or finance) logs their own hours only on a project they are allocated to (approved, at
    any time) or manage: otherwise hours pile up where nobody plans or sees them. Someone who may log
    for others (the project's manager, say) logs for them."""
    if person.id != for_person.id and person.role not in (Role.MANAGER, Role.DIRECTOR, Role.ADMIN):
        raise Forbidden(
            f"You can log your own hours, but only managers, directors or admins can log hours for {for_person.name}."
        )
    if project is None or person.id != for_person.id or person.role not in (Role.MEMBER, Role.FINANCE):
        return
    if for_person.id in allocated_ids or is_manager_of(for_person, project):
        return
    who = f"{manager.name} (its manager)" if manager else "a manager or an admin"
    raise Forbidden(
        f"You are not allocated to {project.name}, so you can't log hours on it. {who[0].upper() + who[1:]} can "
        f"log them for you (`hours {project.key} 3 for {for_person.email}`) or request an allocation for you."
    )


def is_on_project(person: Person, client: Client, project: Project, allocated_ids: Collection[int]) -> bool:
    return (
        person.is_admin
        or is_director_of(person, client)
        or is_manager_of(person, project)
        or person.id in allocated_ids
    )


def check_flag_scope(
    person: Person, client: Client, project: Project, allocated_ids: Collection[int], manager: Person | None
) -> None:
    """Anyone on the project (manager, director, allocated people, admin) may flag scope creep."""
    if is_on_project(person, client, project, allocated_ids):
        return
    who = _names(manager)
    raise Forbidden(
        f"Only people on {project.name} can flag scope changes on it"
        + (f"; ask {who} to flag it." if who else ".")
    )


def check_decide(person: Person, client: Client, director: Person | None, what: str) -> None:
    """The client's director or an admin decides scope changes and allocation requests."""
    if person.is_admin or is_director_of(person, client):
        return
    who = _names(director)
    raise Forbidden(f"Only {who + ' or ' if who else ''}an admin can decide {what}.")


def check_request_allocation(person: Person) -> None:
    """Managers, directors and admins request allocations."""
    if person.role in (Role.MANAGER, Role.DIRECTOR, Role.ADMIN):
        return
    raise Forbidden("Only managers, directors or admins can request allocations; ask your manager.")
