"""Reading the audit trail: a subject's latest events, and keyset pages for the export.

Both join the actor in the same statement. Served by ``ix_audit_events_subject_id`` (history of a
subject), ``ix_audit_events_actor_id_id`` (what a person did) and the primary key (export pages).
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Row, or_, select
from sqlalchemy.orm import Session

from domain.audit_trail import AuditEntry
from domain.model import AuditEvent, Source
from storage.orm import AuditEventRow, PersonRow
from storage.repositories import _aware


def _columns() -> Any:  # a Select of the event's columns and the actor's name and email
    a = AuditEventRow
    return select(a.id, a.at, a.actor_id, a.source, a.action, a.subject, a.detail, PersonRow.name,
                  PersonRow.email).outerjoin(PersonRow, PersonRow.id == a.actor_id)


def _entry(row: Row[Any]) -> AuditEntry:
    return AuditEntry(AuditEvent(row.id, row.at, row.actor_id, Source(row.source), row.action, row.subject,
                                 row.detail), row.name, row.email)


class SqlAuditTrailRepository:
    """Implements ``domain.audit_trail.AuditTrailRepository``."""

    def __init__(self, session: Session) -> None:
        self.s = session

    def latest(self, subjects: Sequence[str], actor_id: int | None, limit: int) -> builtins.list[AuditEntry]:
        conditions: list[ColumnElement[bool]] = [AuditEventRow.subject.in_(list(subjects))] if subjects else []
        if actor_id is not None:
            conditions.append(AuditEventRow.actor_id == actor_id)
        if not conditions:
            return []
        stmt = _columns().where(or_(*conditions)).order_by(AuditEventRow.at.desc(), AuditEventRow.id.desc())
        return [_entry(r) for r in self.s.execute(stmt.limit(limit))]

    def page(self, after_id: int, limit: int, *, since: datetime | None = None, until: datetime | None = None,
             subject: str | None = None) -> builtins.list[AuditEntry]:
        stmt = _columns().where(AuditEventRow.id > after_id)
        if since is not None:
            stmt = stmt.where(AuditEventRow.at >= _aware(since, "since"))
        if until is not None:
            stmt = stmt.where(AuditEventRow.at < _aware(until, "until"))
        if subject:
            stmt = stmt.where(or_(AuditEventRow.subject == subject, AuditEventRow.subject.startswith(f"{subject}:")))
        return [_entry(r) for r in self.s.execute(stmt.order_by(AuditEventRow.id).limit(limit))]
