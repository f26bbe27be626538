"""The Teams roster (``domain.reach``): members of the teams where the app is installed."""

from __future__ import annotations

import builtins
from datetime import datetime
from typing import Any

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session

from domain.model import DeliveryState, Person
from domain.reach import RosterMember
from storage.orm import OutboxRow, PersonRow, TeamsRosterRow
from storage.repositories import _PERSON_COLUMNS, _aware, _person, _t
from storage.sqltools import dialect_insert

SUPERSEDED_PREFIX = "superseded"  # handlers.notify.SUPERSEDED: a card decided before it went out, not a failure


def _member(row: Row[Any]) -> RosterMember:
    return RosterMember(tenant_id=row.tenant_id, aad_object_id=row.aad_object_id, user_id=row.user_id,
                        name=row.name, email=row.email_key, service_url=row.service_url, team_id=row.team_id,
                        updated_at=row.updated_at)


class SqlRosterRepository:
    def __init__(self, session: Session) -> None:
        self.s = session

    def save_many(self, members: builtins.list[RosterMember]) -> int:
        if not members:
            return 0
        table = _t(TeamsRosterRow)
        ins = dialect_insert(self.s)
        assert ins is not None, "the roster needs SQLite or PostgreSQL"
        written = 0
        for m in members:  # a team is tens to a few thousand people, read once per install or join
            values = {"user_id": m.user_id, "name": m.name[:200], "email_key": (m.email or "").strip().lower() or None,
                      "service_url": m.service_url, "team_id": m.team_id,
                      "updated_at": _aware(m.updated_at, "RosterMember.updated_at")}
            self.s.execute(ins(table).values(tenant_id=m.tenant_id, aad_object_id=m.aad_object_id, **values)
                           .on_conflict_do_update(index_elements=["tenant_id", "aad_object_id"], set_=values))
            written += 1
        return written

    def for_person(self, person: Person, tenants: frozenset[str] | None = None) -> RosterMember | None:
        table = _t(TeamsRosterRow)
        email = person.email.strip().lower()
        if person.teams_id:
            # A linked account is the one to reach; its email may since belong to nobody else.
            match = table.c.aad_object_id == person.teams_id
            if person.teams_tenant:
                match = match & (table.c.tenant_id == person.teams_tenant)
        else:
            match = table.c.email_key == email
        stmt = select(table).where(match)
        if tenants is not None:
            stmt = stmt.where(table.c.tenant_id.in_(sorted(tenants)))
        row = self.s.execute(stmt.order_by(table.c.updated_at.desc(), table.c.id.desc()).limit(1)).first()
        return _member(row) if row else None

    def unreachable(self, since: datetime, limit: int = 20) -> builtins.list[tuple[Person, str]]:
        outbox = _t(OutboxRow)
        latest = (select(outbox.c.person_id, func.max(outbox.c.id).label("last_id"))
                  .where(outbox.c.state == DeliveryState.FAILED.value, outbox.c.person_id.is_not(None),
                         outbox.c.created_at >= _aware(since, "since"), outbox.c.kind != "update",
                         ~outbox.c.last_error.like(f"{SUPERSEDED_PREFIX}%"))
                  .group_by(outbox.c.person_id).subquery())
        stmt = (select(*_PERSON_COLUMNS, outbox.c.last_error)
                .join(latest, latest.c.person_id == PersonRow.id)
                .join(outbox, outbox.c.id == latest.c.last_id)
                .where(PersonRow.active.is_(True))
                .order_by(PersonRow.name).limit(limit))
        return [(_person(row[:-1]), str(row[-1] or "")) for row in self.s.execute(stmt)]
