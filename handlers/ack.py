"""``ack <id>``: acknowledge an escalation, once.

A second acknowledgement (a second click, another director, a replayed request) changes nothing and
answers with a warning naming who acknowledged it and when; the Slack button code treats ``ack`` as a
decision and updates the message in place (``subject`` ``escalation:<id>``).
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from domain.errors import Forbidden, InvalidInput, NotFound
from domain.escalations import role_can_acknowledge
from domain.model import Escalation
from domain.services import audit
from handlers.base import DATE_TIME_FORMAT, Turn, turn
from handlers.context import Context
from handlers.escalation_notices import rule_title
from handlers.notify import about, decided_card, update_copies
from handlers.reply import Reply, Severity

USAGE = "ack <escalation id>"
EXAMPLE = "ack E12"
_ID = re.compile(r"^e?(\d+)$", re.IGNORECASE)

def handle(ctx: Context, args: str) -> Reply:
    m = _ID.match(args.strip())
    if not m:
        raise InvalidInput("Which escalation? Give its number.", example=EXAMPLE)
    number = int(m.group(1))
    with turn(ctx) as t:
        esc = t.uow.escalations.get(number)
        if esc is None:
            raise NotFound(f"There is no escalation E{number}.", example="escalations")
        project = t.uow.projects.get(esc.project_id)
        client = t.uow.clients.get(project.client_id) if project else None
        if project is None or client is None:
            raise NotFound(f"There is no escalation E{number}.", example="escalations")
        if not role_can_acknowledge(t.actor, client, project, esc.subject):
            director = t.uow.people.get(client.director_id) if client.director_id else None
            named = f"{director.name} ({client.name}'s director)" if director else f"{client.name}'s director"
            if esc.subject.partition(":")[0] in ("allocation", "scope"):
                raise Forbidden(f"E{number} is about a request only {named} or an admin can decide, so only they "
                                "can acknowledge it; the reminders keep going to them until they do.")
            raise Forbidden(f"Only {named}, the project's manager or an admin can acknowledge E{number}.")
        title = f"E{number}: {rule_title(esc.rule)} — {client.name} · {project.name}"
        if t.uow.escalations.acknowledge(number, t.actor.id or 0, t.now):
            audit(t.uow, t.actor, t.now, ctx.source, "escalation.acknowledged", f"escalation:{number}",
                  f"{project.key}: {esc.rule}")
            reply = Reply(title=f"Acknowledged {title}", severity=Severity.SUCCESS,
                          summary=f"{esc.message}\nNo more reminders; it closes itself when the condition clears.",
                          footer=f"Acknowledged by {t.actor.name} · {_when(t, t.now)}",
                          subject=f"escalation:{number}")
            # Every copy sent (the director's, the reminders, the admins' copies) shows it, in place.
            update_copies(t, f"escalation:{number}:", "acknowledged", decided_card(reply, about(f"E{number}")))
            return reply
        return _already(t, t.uow.escalations.get(number) or esc, title)


def _when(t: Turn, at: datetime | None) -> str:
    if at is None:
        return ""
    return at.astimezone(ZoneInfo(t.org.timezone)).strftime(DATE_TIME_FORMAT)


def _already(t: Turn, esc: Escalation, title: str) -> Reply:
    """Nothing changes twice: say who acknowledged it (or that it closed) and when."""
    if esc.acknowledged_at is not None:
        who = t.uow.people.get(esc.acknowledged_by) if esc.acknowledged_by else None
        summary = f"Already acknowledged by {who.name if who else 'someone'} on {_when(t, esc.acknowledged_at)}."
    else:
        summary = f"Already closed on {_when(t, esc.closed_at)}: the condition cleared."
    return Reply(title=title, summary=summary, severity=Severity.WARNING, subject=f"escalation:{esc.id}")
