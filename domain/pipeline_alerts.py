"""Time-driven pipeline and renewal messages, from the escalation sweep, each queued once (outbox key).

- A Commit deal past its close date and still open escalates to its owner and the client's director, once
  per close date (pushed to a new date and missed again: again).
- A deal whose close date was pushed later a second time escalates once, to the same people.
- Renewals: the client's director is reminded 60, 30, 14 and 7 days before each notice deadline (once
  each; not after a decision), and with 14 days left, no decision and no follow-on in the pipeline it
  escalates once, to the director and the admins.

These go through the outbox like every scheduled message (kind ``escalation``): an opportunity belongs
to no project, so they are not rows of the project escalations table. Which keys were already queued is
one statement (``sent_keys``), so a sweep costs the same however many deals are overdue.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from domain.identity import reachable_platform
from domain.model import Organisation, OutboxMessage, Person
from domain.pipeline import Opportunity
from domain.pipeline_service import RenewalLine, renewal_lines_by_deadline
from domain.ports import UnitOfWork
from domain.renewals import REMINDER_DAYS, reminder_due, should_escalate


@dataclass(frozen=True)
class Alert:
    """One message to queue: about a deal (``opportunity``) or a renewal (``renewal``)."""

    key: str
    kind: str  # commit_overdue | pushed_twice | renewal_reminder | renewal_escalation
    recipient: Person
    opportunity: Opportunity | None = None
    client_name: str = ""
    director: Person | None = None
    owner: Person | None = None
    renewal: RenewalLine | None = None
    days: int | None = None  # the reminder's threshold (60, 30, 14, 7) or days left
    copy: bool = False  # an admin's copy
    currency: str = "USD"


AlertPayload = Callable[[Alert], dict[str, Any]]


def _active(people: Sequence[Person | None]) -> list[Person]:
    out: dict[int, Person] = {}
    for p in people:
        if p is not None and p.active and p.id is not None:
            out.setdefault(p.id, p)
    return list(out.values())


def pipeline_alerts(uow: UnitOfWork, now: datetime, org: Organisation,
                    admin_emails: Sequence[str] = ()) -> list[Alert]:
    """Every alert that is due now (queued or not)."""
    from domain.escalations import admins

    today = now.astimezone(ZoneInfo(org.timezone)).date()
    people = {p.id: p for p in uow.people.list() if p.id is not None}
    clients = {c.id: c for c in uow.clients.list()}
    copied = admins(people.values(), admin_emails)
    alerts: list[Alert] = []

    def deal(o: Opportunity, kind: str, key: str) -> None:
        client = clients.get(o.client_id)
        director = people.get(client.director_id) if client and client.director_id else None
        owner = people.get(o.owner_id) if o.owner_id else None
        for person in _active([owner, director]) or copied:
            alerts.append(Alert(f"{key}:{person.id}", kind, person, o, client.name if client else "", director,
                                owner))

    for o in uow.pipeline.overdue_commits(today):
        deal(o, "commit_overdue", f"pipeline:commit-overdue:{o.id}:{o.close_date.isoformat()}")
    for o in uow.pipeline.pushed_twice():
        deal(o, "pushed_twice", f"pipeline:pushed-twice:{o.id}")

    for line in renewal_lines_by_deadline(uow, uow.projects.list(), today, max(REMINDER_DAYS)):
        decided = line.renewal is not None and line.renewal.decision is not None
        director = people.get(line.client.director_id) if line.client.director_id else None
        targets = _active([director]) or copied
        base = f"renewal:{line.project.id}:{line.deadline.isoformat()}"
        due = reminder_due(line.days_left)
        if due is not None and not decided:
            for person in targets:
                alerts.append(Alert(f"{base}:{due}:{person.id}", "renewal_reminder", person,
                                    client_name=line.client.name, director=director, renewal=line, days=due))
        if should_escalate(line.days_left, line.renewal, line.follow_on):
            for person in targets:
                alerts.append(Alert(f"{base}:escalation:{person.id}", "renewal_escalation", person,
                                    client_name=line.client.name, director=director, renewal=line,
                                    days=line.days_left))
            for admin in copied:
                if admin.id not in {p.id for p in targets}:
                    alerts.append(Alert(f"{base}:escalation:{admin.id}", "renewal_escalation", admin,
                                        client_name=line.client.name, director=director, renewal=line,
                                        days=line.days_left, copy=True))
    return [replace(a, currency=org.currency) for a in alerts]


def sweep_pipeline(uow: UnitOfWork, now: datetime, org: Organisation, *, payload: AlertPayload,
                   admin_emails: Sequence[str] = ()) -> list[str]:
    """Queue every due alert not queued before; the outbox keys written (the caller commits)."""
    alerts = pipeline_alerts(uow, now, org, admin_emails)
    done = uow.pipeline.sent_keys([a.key for a in alerts])
    queued = []
    for a in alerts:
        if a.key in done:
            continue
        if uow.outbox.add(OutboxMessage(
            id=None, key=a.key, kind="escalation", payload=payload(a), created_at=now, due_at=now,
            person_id=a.recipient.id, platform=reachable_platform(uow, a.recipient),
        )):
            queued.append(a.key)
            done.add(a.key)
    return queued

