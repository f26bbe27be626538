"""The audit trail, read: a subject's latest changes (``history``) and the whole trail for export.

Every change is already written as an ``AuditEvent`` (who, when, from where, what; imports and edits
say ``field: old → new``). This module says which events belong to a project, a client or a person,
and reads the trail in pages so an export of a million events holds one page at a time.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from domain.model import AuditEvent, Client, Person, Project
from domain.ports import UnitOfWork, UnitOfWorkFactory

EXPORT_PAGE = 2000  # events per query of an export: a few MB at most in memory, ~500 queries a million


@dataclass(frozen=True)
class AuditEntry:
    """An event with its actor's name and email (None: the organisation file or Steward itself)."""

    event: AuditEvent
    actor_name: str | None = None
    actor_email: str | None = None


class AuditTrailRepository(Protocol):
    def latest(self, subjects: Sequence[str], actor_id: int | None, limit: int) -> builtins.list[AuditEntry]:
        """The newest ``limit`` events about any of ``subjects`` (or done by ``actor_id``), newest first,
        with their actors, in one statement."""
        ...

    def page(self, after_id: int, limit: int, *, since: datetime | None = None, until: datetime | None = None,
             subject: str | None = None) -> builtins.list[AuditEntry]:
        """Up to ``limit`` events with an id above ``after_id``, in id order, at or after ``since`` and
        before ``until``, about ``subject`` (exactly, or anything under ``subject:``) when given."""
        ...


def project_subjects(uow: UnitOfWork, project: Project) -> list[str]:
    """The subjects an event about ``project`` is recorded under: the project, its scope changes and
    its allocation requests (whose decisions are recorded under their own ids)."""
    pid = project.id or 0
    subjects = [f"project:{project.key}"]
    subjects += [f"scope:{c.id}" for c in uow.scope.list([pid])]
    subjects += [f"allocation:{a.id}" for a in uow.allocations.list(project_ids=[pid])]
    return subjects


def client_subjects(uow: UnitOfWork, client: Client, projects: Sequence[Project]) -> list[str]:
    """A client's own subject and those of each of its ``projects``."""
    subjects = [f"client:{client.key}"]
    ids = [p.id or 0 for p in projects]
    subjects += [f"project:{p.key}" for p in projects]
    if ids:
        subjects += [f"scope:{c.id}" for c in uow.scope.list(ids)]
        subjects += [f"allocation:{a.id}" for a in uow.allocations.list(project_ids=ids)]
    return subjects


def person_subjects(person: Person) -> list[str]:
    return [f"person:{person.email}"]


def export(uow_factory: UnitOfWorkFactory, *, since: datetime | None = None, until: datetime | None = None,
           subject: str | None = None, page_size: int = EXPORT_PAGE) -> Iterator[AuditEntry]:
    """Every matching event, oldest first, read ``page_size`` at a time by id (keyset), each page in its
    own short unit of work: memory stays one page whatever the size of the trail, and no transaction is
    held open for the length of the export (SQLite's one writer is never kept waiting behind it)."""
    after = 0
    while True:
        with uow_factory() as uow:
            page = uow.audit_trail.page(after, page_size, since=since, until=until, subject=subject)
        yield from page
        if len(page) < page_size:
            return
        after = page[-1].event.id or after
