"""``ack <id>``: acknowledge an escalation, once. Also what an escalation message looks like, and the
hook the other handlers call after a change that can trigger (or clear) an escalation.

A second acknowledgement (a second click, another director, a replayed request) changes nothing and
answers with a warning naming who acknowledged it and when; the Slack button code treats ``ack`` as a
decision and updates the message in place (``subject`` ``escalation:<id>``).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from domain.errors import Forbidden, InvalidInput, NotFound
from domain.escalations import Notice, SweepResult, check_project, role_can_acknowledge
from domain.model import Escalation
from domain.services import audit
from handlers.base import Turn, rag_word, turn
from handlers.context import Context
from handlers.notify import about, decided_card, update_copies
from handlers.reply import Action, Reply, Severity, Tone

USAGE = "ack <escalation id>"
EXAMPLE = "ack E12"
_ID = re.compile(r"^e?(\d+)$", re.IGNORECASE)

RULE_TITLES = {
    "forecast": "Forecast over budget",
    "status_red": "Status red",
    "status_amber_twice": "Amber twice in a row",
    "stale_status": "No recent status",
    "scope": "Big scope change",
    "allocation_over_capacity": "Request over capacity",
    "approval_waiting": "Request waiting",
}


def rule_title(rule: str) -> str:
    if rule.startswith("burn_"):
        return f"Budget {rule.removeprefix('burn_')}% burned"
    return RULE_TITLES.get(rule, rule.replace("_", " ").capitalize())


def decision_actions(esc: Escalation, project_key: str) -> tuple[Action, ...]:
    """The button to act on what the escalation is about (besides Acknowledge)."""
    kind, _, rid = esc.subject.partition(":")
    if kind == "allocation" and rid:
        return (Action("Approve", f"approve A{rid}", "primary"), Action("Reject", f"reject A{rid}", "danger"))
    if kind == "scope" and rid:
        return (Action("Approve", f"approve S{rid}", "primary"), Action("Absorb", f"absorb S{rid}"),
                Action("Reject", f"reject S{rid}", "danger"))
    if esc.rule in ("stale_status", "status_red", "status_amber_twice"):
        return (Action("Status", f"status {project_key}"),)
    return (Action("Budget", f"budget {project_key}"),)


def notice_reply(notice: Notice) -> Reply:
    """An escalation as a message: what holds, an Acknowledge button and the button to act."""
    esc, project = notice.escalation, notice.project
    where = f"{notice.client.name} · {project.name}"
    if notice.resolved:
        return Reply(title=f"Resolved: {rule_title(esc.rule)} — {where}", severity=Severity.SUCCESS,
                     summary=f"E{esc.id} closed itself: the condition cleared. ({esc.message})",
                     subject=f"escalation:{esc.id}", footer=f"escalation E{esc.id} · {project.key}")
    note = ""
    if notice.send > 1:
        note = f"\nNot acknowledged yet: reminder {notice.send - 1}" + (
            " (copied to you as an admin; it went to the director)" if notice.copy else "")
    return Reply(
        title=f"Escalation E{esc.id}: {rule_title(esc.rule)} — {where}",
        summary=f"{esc.message}{note}",
        tone=Tone(esc.severity.value),
        actions=(Action("Acknowledge", f"ack E{esc.id}", "primary"), *decision_actions(esc, project.key)),
        subject=f"escalation:{esc.id}",
        footer=f"escalation E{esc.id} · {project.key} · [{rag_word(esc.severity)}]",
    )


def notice_payload(notice: Notice) -> dict[str, Any]:
    return notice_reply(notice).to_dict()


# The rules each kind of change can trigger or clear; time-driven ones (a status going stale, a request
# waiting too long) and re-sends are the periodic sweep's.
STATUS_RULES = ("status_red", "status_amber_twice", "stale_status")
BUDGET_RULES = ("burn", "forecast")
SCOPE_RULES = ("scope", "burn", "forecast")
ALLOCATION_RULES = ("allocation_over_capacity", "approval_waiting")


def after_change(t: Turn, project_id: int | None, rules: tuple[str, ...]) -> SweepResult:
    """Call right after a change to a project (status, scope, hours, allocation): opens or closes the
    escalations of ``rules`` in the same unit of work, so they commit with the change or not at all."""
    if project_id is None:
        return SweepResult()
    return check_project(t.uow, project_id, t.now, t.org, payload=notice_payload, only=rules)


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
        if not role_can_acknowledge(t.actor, client, project):
            raise Forbidden(f"Only {client.name}'s director, the project's manager or an admin can acknowledge "
                            f"E{number}.")
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
    return f"{at.astimezone(ZoneInfo(t.org.timezone)):%a %d %b %H:%M}"


def _already(t: Turn, esc: Escalation, title: str) -> Reply:
    """Nothing changes twice: say who acknowledged it (or that it closed) and when."""
    if esc.acknowledged_at is not None:
        who = t.uow.people.get(esc.acknowledged_by) if esc.acknowledged_by else None
        summary = f"Already acknowledged by {who.name if who else 'someone'} on {_when(t, esc.acknowledged_at)}."
    else:
        summary = f"Already closed on {_when(t, esc.closed_at)}: the condition cleared."
    return Reply(title=title, summary=summary, severity=Severity.WARNING, subject=f"escalation:{esc.id}")
