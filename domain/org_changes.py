"""What an organisation import changes, said the same way before (``--dry-run``) and after applying it,
and ``--deactivate-missing``.

A dry run is the real import in a unit of work that is rolled back instead of committed: the summary
is then exactly what applying the file does, computed by the same code, and nothing is written. The
summary is built from the audit events the import wrote (one per changed row), so whatever an
import records shows up here without this module knowing every kind of record.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from domain.importing import ImportSummary, OrgSpec, apply_org, fold
from domain.model import AuditEvent, Source
from domain.ports import UnitOfWork

SWITCHED_OFF = "active: yes → no"
NOT_IN_FILE = "not in the file"


@dataclass(frozen=True)
class OrgChanges:
    """Lines for the three lists of an import's summary: ``person jane@example.com: …``."""

    added: tuple[str, ...]
    updated: tuple[str, ...]  # one line per field: ``project acme-web: budget: 120000 → 130000``
    switched_off: tuple[str, ...]

    @property
    def any(self) -> bool:
        return bool(self.added or self.updated or self.switched_off)


def apply_org_file(uow: UnitOfWork, spec: OrgSpec, actor_id: int | None, at: datetime, *,
                   deactivate_missing: bool = False) -> ImportSummary:
    """``apply_org`` and, with ``deactivate_missing``, switch off the active people of the database who
    are not in the file (as ``active: false`` would: their history stays). The caller commits, or rolls
    back for a dry run."""
    summary = apply_org(uow, spec, actor_id, at)
    if deactivate_missing:
        switch_off_missing(uow, spec, actor_id, at, summary)
    return summary


def switch_off_missing(uow: UnitOfWork, spec: OrgSpec, actor_id: int | None, at: datetime,
                       summary: ImportSummary) -> list[str]:
    """Switch off every active person whose email is not in ``spec``; one audit event each. Their emails."""
    in_file = {fold(p.email) for p in spec.people}
    gone = []
    for person in uow.people.list():
        if not person.active or fold(person.email) in in_file:
            continue
        uow.people.update(replace(person, active=False))
        subject, detail = f"person:{person.email}", f"{SWITCHED_OFF} ({NOT_IN_FILE})"
        uow.audit.add(AuditEvent(None, at, actor_id, Source.IMPORT, "person.updated", subject, detail))
        summary.updated["people"] += 1
        summary.changes.append(f"person {person.email}: {detail}")
        summary.entries.append(("person.updated", subject, detail))
        gone.append(person.email)
    return gone


def changes_of(summary: ImportSummary) -> OrgChanges:
    """The summary's audit entries sorted into added, updated field by field, and switched off."""
    added: list[str] = []
    updated: list[str] = []
    off: list[str] = []
    for action, subject, detail in summary.entries:
        what = subject.replace(":", " ", 1)
        if action.endswith(".created"):
            added.append(f"{what}: {detail}")
            continue
        for part in detail.split("; "):
            if part.startswith(SWITCHED_OFF):
                off.append(what + (f" ({NOT_IN_FILE})" if NOT_IN_FILE in part else ""))
            else:
                updated.append(f"{what}: {part}")
    return OrgChanges(tuple(added), tuple(updated), tuple(off))
