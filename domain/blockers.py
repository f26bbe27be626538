"""The ``standup_blocker`` escalation rule (one more of ``domain.portfolio.conditions``).

A stand-up blocker nobody handled by the end of the manager's next working day, or one the manager sent
up with "Escalate", goes to the client's director through the ordinary escalation path (Acknowledge,
re-sends, admins copied); the escalation closes itself once the blocker is handled.
"""

from __future__ import annotations

from datetime import datetime

from domain.model import Rag
from domain.portfolio import Condition, Portfolio
from domain.ports import UnitOfWork

RULE = "standup_blocker"


def blocker_conditions(uow: UnitOfWork, portfolio: Portfolio, now: datetime) -> list[Condition]:
    """At most one condition per project (its oldest overdue blocker), in two statements at most."""
    views = {v.project.id: v for v in portfolio.views if v.project.id is not None}
    if not views:
        return []
    overdue = [b for b in uow.standups.open_blockers(list(views)) if b.overdue(now)]
    if not overdue:
        return []
    people = uow.people.many({b.person_id for b in overdue})
    found: list[Condition] = []
    seen: set[int] = set()
    for b in overdue:
        if b.project_id in seen or b.project_id not in views:
            continue
        seen.add(b.project_id)
        v = views[b.project_id]
        who = people[b.person_id].name if b.person_id in people else f"person {b.person_id}"
        why = "escalated by the manager" if b.escalated_at else "nobody handled it"
        found.append(Condition(v.project, v.client, RULE,
                               f"B{b.id}: {who} blocked since {b.local_date:%a %d %b} ({why}): {b.text}", Rag.AMBER,
                               f"blocker:{b.id}"))
    return found
