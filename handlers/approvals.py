"""``approvals``: what waits for my decision."""

from __future__ import annotations

from domain import services
from handlers.base import format_hours, turn
from handlers.context import Context
from handlers.reply import Action, Reply, Section, Tone
from handlers.scope import decision_actions, impact_text
from handlers.tone import request_tone

USAGE = "approvals"
EXAMPLE = "approvals"


def handle(ctx: Context, args: str) -> Reply:
    with turn(ctx) as t:
        pending = services.pending_approvals(t.uow, t.actor)
        sections = []
        for r in pending.allocations:
            a = r.allocation
            age = (t.now - a.requested_at).days
            lines = [f"{format_hours(a.hours_per_week)}/week · {a.start:%d %b} → {a.end:%d %b %Y} · waiting {age}d"]
            lines += [f"Over capacity {w.describe()}" for w in r.over]
            sections.append(Section(
                title=f"A{a.id} · {r.person.name} on {r.project.name}",
                lines=tuple(lines),
                tone=request_tone(bool(r.over)),
                actions=(
                    Action("Approve", f"approve A{a.id}", "primary"),
                    Action("Reject", f"reject A{a.id}", "danger", confirm="Reject this allocation request?"),
                ),
            ))
        for change, project in pending.scope_changes:
            age = (t.now - change.flagged_at).days
            sections.append(Section(
                title=f"S{change.id} · {project.name}: {change.description}",
                lines=(f"Impact {impact_text(t, change, project)} · waiting {age}d",),
                tone=Tone.AMBER,
                actions=decision_actions(change),
            ))
        count = len(sections)
        return Reply(
            title=f"{count} waiting for your decision" if count else "Nothing waits for your decision",
            summary="" if count else "Allocation requests and scope changes for your clients will show up here.",
            sections=tuple(sections),
        )
