"""Telling people about what happened, on the platform where they are reachable.

A notification is an outbox row written in the same unit of work as the change it reports, so it
is sent if and only if the change commits; its key makes it once-only (issue "delivered exactly
once"). The deliverer in bot/ renders the Reply for the person's platform.
"""

from __future__ import annotations

from domain.model import OutboxMessage, Person
from handlers.base import Turn
from handlers.reply import Reply


def notify(t: Turn, person: Person | None, key: str, reply: Reply) -> bool:
    """Queue ``reply`` for ``person`` unless they caused it themselves or can't be reached by chat
    (someone only ever seen in the shell). True when queued."""
    if person is None or person.id is None or person.id == t.actor.id:
        return False
    platform = person.reachable_on
    if platform is None:
        return False
    return t.uow.outbox.add(OutboxMessage(
        id=None, key=key, kind="notification", payload=reply.to_dict(), created_at=t.now, due_at=t.now,
        person_id=person.id, platform=platform,
    ))
