"""What an escalation looks like as a message, and the hook the other handlers call after a change that
can trigger (or clear) an escalation: the escalations' side of every write, in the writer's unit of work."""

from __future__ import annotations

from typing import Any

from domain.escalations import Notice, SweepResult, check_project
from domain.model import Escalation
from handlers.base import Turn
from handlers.reply import Action, Reply, Severity, Tone

RULE_TITLES = {
    "forecast": "Forecast over budget",
    "status_red": "Status red",
    "status_amber_twice": "Amber twice in a row",
    "stale_status": "No recent status",
    "scope": "Big scope change",
    "allocation_over_capacity": "Request over capacity",
    "person_over_capacity": "Someone over capacity",
    "approval_waiting": "Request waiting",
    "standup_blocker": "Blocker nobody handled",
}


def rule_title(rule: str) -> str:
    if rule.startswith("burn_"):
        return f"Budget {rule.removeprefix('burn_')}% burned"
    if rule.startswith("invoice_"):  # money owed (handlers/ar_notices.py)
        from handlers.ar_notices import rule_title as invoice_rule_title

        return invoice_rule_title(rule)
    return RULE_TITLES.get(rule, rule.replace("_", " ").capitalize())


def decision_actions(esc: Escalation, project_key: str) -> tuple[Action, ...]:
    """The button to act on what the escalation is about (besides Acknowledge)."""
    kind, _, rid = esc.subject.partition(":")
    if kind == "allocation" and rid:
        return (Action("Approve", f"approve A{rid}", "primary"), Action("Reject", f"reject A{rid}", "danger"))
    if kind == "scope" and rid:
        return (Action("Approve", f"approve S{rid}", "primary"), Action("Absorb", f"absorb S{rid}"),
                Action("Reject", f"reject S{rid}", "danger"))
    if kind == "blocker" and rid:
        return (Action("I'll handle it", f"standup handle B{rid}", "primary"),)
    if kind == "invoice" and rid:
        return (Action("Chase", f"chase {rid}"), Action("Promise", f"promise {rid}"))
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
        footer=f"escalation E{esc.id} · {project.key}",  # the RAG word is the header's, said once
    )


def notice_payload(notice: Notice) -> dict[str, Any]:
    return notice_reply(notice).to_dict()


# The rules each kind of change can trigger or clear; time-driven ones (a status going stale, a request
# waiting too long) and re-sends are the periodic sweep's.
STATUS_RULES = ("status_red", "status_amber_twice", "stale_status")
BUDGET_RULES = ("burn", "forecast")
SCOPE_RULES = ("scope", "burn", "forecast")
ALLOCATION_RULES = ("allocation_over_capacity", "approval_waiting", "person_over_capacity")


def after_change(t: Turn, project_id: int | None, rules: tuple[str, ...]) -> SweepResult:
    """Call right after a change to a project (status, scope, hours, allocation): opens or closes the
    escalations of ``rules`` in the same unit of work, so they commit with the change or not at all."""
    if project_id is None:
        return SweepResult()
    return check_project(t.uow, project_id, t.now, t.org, payload=notice_payload, only=rules)
