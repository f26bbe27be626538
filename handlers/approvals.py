"""``approvals``: what waits for my decision."""

from __future__ import annotations

from domain import permissions, services
from domain.model import AllocationState
from handlers.ar import debt_warning
from handlers.base import Turn, format_hours, plural, turn, waiting_for
from handlers.context import Context
from handlers.reply import Action, Reply, Section, Tone
from handlers.scope import decision_actions, impact_text
from handlers.tone import request_tone, worst_tone

USAGE = "approvals"
EXAMPLE = "approvals"


def handle(ctx: Context, args: str) -> Reply:
    with turn(ctx) as t:
        pending = services.pending_approvals(t.uow, t.actor)
        sections = []
        debt: dict[int, str | None] = {}  # per client: its 60+-day debt, shown before Approve
        for r in pending.allocations:
            a = r.allocation
            age = (t.now - a.requested_at).days
            lines = [f"{format_hours(a.hours_per_week)}/week · {a.start:%d %b} → {a.end:%d %b %Y} · "
                     f"waiting {waiting_for(age)}"]
            if r.project.client_id not in debt:
                debt[r.project.client_id] = debt_warning(t, r.project.client_id)
            lines += [f"⚠ {debt[r.project.client_id]}"] if debt[r.project.client_id] else []
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
            if project.client_id not in debt:
                debt[project.client_id] = debt_warning(t, project.client_id)
            owed = (f"⚠ {debt[project.client_id]}",) if debt[project.client_id] else ()
            sections.append(Section(
                title=f"S{change.id} · {project.name}: {change.description}",
                lines=(f"Impact {impact_text(t, change, project)} · waiting {waiting_for(age)}", *owed),
                tone=Tone.AMBER,
                actions=decision_actions(change),
            ))
        count = len(sections)
        mine = _my_requests(t)
        if not count and mine:
            return Reply(title=f"{plural(len(mine), 'request')} of yours waiting",
                         summary="Nothing waits for your decision; these wait for someone else's.",
                         sections=tuple(mine), tone=worst_tone(s.tone for s in mine))
        return Reply(
            title=f"{count} waiting for your decision" if count else "Nothing waits for your decision",
            summary="" if count else "Allocation requests and scope changes for your clients will show up here.",
            sections=tuple(sections) + tuple(mine),
        )


def _my_requests(t: Turn) -> list[Section]:
    """The allocation requests the caller made that still wait for someone else's decision, with how long."""
    waiting = [a for a in t.uow.allocations.list(states=[AllocationState.REQUESTED]) if a.requested_by == t.actor.id]
    if not waiting:
        return []
    people = t.uow.people.many({a.person_id for a in waiting})
    projects = {p.id: p for p in t.uow.projects.list()}
    clients = {c.id: c for c in t.uow.clients.list()}
    sections = []
    for a in waiting[:10]:  # the oldest ten: each one's capacity check is a statement of its own
        project = projects.get(a.project_id)
        client = clients.get(project.client_id) if project else None
        if project is None or client is None or permissions.is_director_of(t.actor, client) or t.actor.is_admin:
            continue  # already listed above as waiting for the caller's own decision
        approvers = services.approvers_for(t.uow, client)
        person = people.get(a.person_id)
        over = services.capacity_conflicts(t.uow, person, a) if person else []
        sections.append(Section(
            title=f"A{a.id} · {person.name if person else '?'} on {project.name} (your request)",
            lines=(f"{format_hours(a.hours_per_week)}/week · {a.start:%d %b} → {a.end:%d %b %Y} · waiting "
                   f"{waiting_for((t.now - a.requested_at).days)} for "
                   f"{', '.join(p.name for p in approvers) or 'an admin'}",
                   *(f"Over capacity {w.describe()}" for w in over)),
            tone=request_tone(bool(over)),
        ))
    return sections
