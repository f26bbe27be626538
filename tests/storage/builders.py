"""Small builders for storage tests: a person, a client and a project in a few lines."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from domain.model import Client, Person, Project, Role
from storage.uow import SqlUnitOfWork, SqlUnitOfWorkFactory

D = Decimal
AT = datetime(2026, 11, 15, 12, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Basics:
    """Ids of a director, a member, a client and two projects."""

    dana: int
    jane: int
    acme: int
    web: int
    app: int


def person(uow: SqlUnitOfWork, key: str, role: Role = Role.MEMBER, **fields: object) -> Person:
    """Add a person called ``key`` with email ``key@example.com``."""
    values: dict[str, object] = {"capacity_hours": D("40"), "cost_rate": D("60"), "bill_rate": D("150")}
    values.update(fields)
    return uow.people.add(Person(None, key.title(), f"{key}@example.com", role, **values))  # type: ignore[arg-type]


def project(uow: SqlUnitOfWork, client_id: int, key: str, **fields: object) -> Project:
    """Add a project ``key`` for the client, running Sep 2026 - Jan 2027 with a 10,000 budget."""
    values: dict[str, object] = {"budget": D("10000"), "start": date(2026, 9, 1), "end": date(2027, 1, 31)}
    values.update(fields)
    return uow.projects.add(Project(None, key, key.title(), client_id, **values))  # type: ignore[arg-type]


def basics(factory: SqlUnitOfWorkFactory) -> Basics:
    """Commit a director, a member, a client and two projects; return their ids."""
    with factory() as uow:
        dana = person(uow, "dana", Role.DIRECTOR)
        jane = person(uow, "jane", capacity_hours=D("32"))
        acme = uow.clients.add(Client(None, "acme", "Acme Corp", dana.id))
        web = project(uow, acme.id or 0, "acme-web", manager_id=dana.id)
        app = project(uow, acme.id or 0, "acme-app")
        uow.commit()
    assert dana.id and jane.id and acme.id and web.id and app.id
    return Basics(dana.id, jane.id, acme.id, web.id, app.id)
