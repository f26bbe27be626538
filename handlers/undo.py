"""``undo``: revert my last change (an hours entry, a status, a scope flag, a request) of the last 24 h."""

from __future__ import annotations

from domain.undo import undo_last
from handlers.base import turn
from handlers.context import Context
from handlers.escalation_notices import ALLOCATION_RULES, BUDGET_RULES, SCOPE_RULES, STATUS_RULES, after_change
from handlers.reply import Action, Reply, Severity

USAGE = "undo"
EXAMPLE = "undo"

_RULES = {"hours": BUDGET_RULES, "status": STATUS_RULES, "scope": SCOPE_RULES, "allocation": ALLOCATION_RULES}


def handle(ctx: Context, args: str) -> Reply:
    with turn(ctx) as t:
        undone = undo_last(t.uow, t.actor, t.now, ctx.source)
        if undone is None:
            return Reply(title="Nothing to undo",
                         summary="You made no change through Steward in the last 24 hours that can be undone.")
        if undone.project is not None:
            # What the change had escalated (or cleared) is brought back in line now.
            after_change(t, undone.project.id, _RULES[undone.kind])
        return Reply(
            title="Undone",
            summary=f"Reverted your {undone.what}.",
            severity=Severity.SUCCESS,
            actions=(Action("Timesheet", "timesheet"),) if undone.kind == "hours" else (),
            subject=f"project:{undone.project.key}" if undone.project else None,
        )
