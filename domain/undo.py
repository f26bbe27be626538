"""``undo``: revert the caller's own last change made through the bot in the last 24 hours.

What can be undone: an hours entry (deleted), a status update (deleted: the previous one shows again),
a scope flag still waiting for a decision (deleted) and an allocation request not yet decided
(cancelled). A decided scope change or allocation is not undone: the decision stands and the answer
says who took it. Each undo is audited and is taken once (a repeated ``undo`` moves to the change before).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from domain.errors import InvalidInput
from domain.model import AllocationState, Person, Project, Source
from domain.ports import UnitOfWork
from domain.services import audit

WINDOW = timedelta(hours=24)


@dataclass(frozen=True)
class Undone:
    """What ``undo`` reverted, in words, and the project it was on."""

    kind: str  # hours | status | scope | allocation
    what: str
    project: Project | None


def undo_last(uow: UnitOfWork, actor: Person, now: datetime, source: Source) -> Undone | None:
    """Revert ``actor``'s latest change of the last 24 hours; None when there is nothing to undo."""
    change = uow.changes.latest(actor.id or 0, now - WINDOW)
    if change is None:
        return None
    project: Project | None = None
    if change.kind == "allocation":
        allocation = uow.allocations.get(change.record_id)
        if allocation is not None and allocation.state is not AllocationState.REQUESTED:
            raise InvalidInput(
                f"Your last change, allocation request A{allocation.id}, was already {allocation.state.value}; "
                "a decision isn't undone from chat. Ask the approver, or request a change with `assign`.",
                example="approvals",
            )
    if change.kind == "scope":
        flagged = uow.scope.get(change.record_id)
        if flagged is not None and flagged.decided_at is not None:
            raise InvalidInput(
                f"Your last change, scope change S{flagged.id}, was already {flagged.state.value}; a decision "
                "isn't undone from chat.", example=f"scope {_key(uow, flagged.project_id)}")
    if not uow.changes.mark_undone(change.id or 0, now):
        return None  # a concurrent undo took it
    what = ""
    if change.kind == "hours":
        entry = uow.changes.remove_entry(change.record_id)
        if entry is not None:
            project = uow.projects.get(entry.project_id)
            who = uow.people.get(entry.person_id)
            for_whom = "" if entry.person_id == actor.id or who is None else f" for {who.name}"
            what = f"{entry.hours.normalize():f}h on {project.name if project else '?'}{for_whom}, {entry.day:%a %d %b}"
    elif change.kind == "status":
        status = uow.changes.remove_status(change.record_id)
        if status is not None:
            project = uow.projects.get(status.project_id)
            what = f"status {status.rag.value} on {project.name if project else '?'}: “{status.note}”"
    elif change.kind == "scope":
        removed = uow.changes.remove_flagged_scope(change.record_id)
        if removed is not None:
            project = uow.projects.get(removed.project_id)
            what = f"scope change S{removed.id} on {project.name if project else '?'}: “{removed.description}”"
    elif change.kind == "allocation":
        allocation = uow.allocations.get(change.record_id)
        if allocation is not None and uow.allocations.decide(replace(
                allocation, state=AllocationState.CANCELLED, decided_by=actor.id, decided_at=now,
                decision_note="undone by the requester")):
            project = uow.projects.get(allocation.project_id)
            person = uow.people.get(allocation.person_id)
            what = (f"allocation request A{allocation.id}: {person.name if person else '?'} on "
                    f"{project.name if project else '?'}, {allocation.hours_per_week.normalize():f}h/week")
    if not what:
        return None
    audit(uow, actor, now, source, f"{change.kind}.undone", f"{change.kind}:{change.record_id}", what)
    return Undone(change.kind, what, project)


def _key(uow: UnitOfWork, project_id: int) -> str:
    project = uow.projects.get(project_id)
    return project.key if project else "<project>"
