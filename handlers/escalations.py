"""``escalations``: the open escalations on the projects I can see (with an Acknowledge button), and
what holds now but the sweep has not opened yet."""

from __future__ import annotations

from domain import permissions
from domain.escalations import sweep
from domain.model import Role
from handlers.base import format_when, plural, turn
from handlers.context import Context
from handlers.escalation_notices import decision_actions, notice_payload, rule_title
from handlers.reply import Action, Reply, Section, Tone
from handlers.tone import worst_tone

USAGE = "escalations"
EXAMPLE = "escalations"


def handle(ctx: Context, args: str) -> Reply:
    with turn(ctx) as t:
        projects = t.uow.projects.list()
        if t.actor.role not in (Role.ADMIN, Role.FINANCE):
            clients = {c.id: c for c in t.uow.clients.list()}
            projects = [p for p in projects
                        if permissions.is_director_of(t.actor, clients[p.client_id]) or p.manager_id == t.actor.id]
        by_id = {p.id: p for p in projects}
        clients = {c.id: c for c in t.uow.clients.list()}
        # What holds now but the sweep has not opened yet is opened here (no re-sends: those are the
        # sweep's), so every escalation listed has an id, an Acknowledge button and one tone everywhere.
        if projects:
            sweep(t.uow, t.now, t.org, payload=notice_payload, projects=projects, resend=False)
        persisted = t.uow.escalations.list_open([p.id for p in projects if p.id is not None])
        persisted.sort(key=lambda e: (-e.severity.rank, e.opened_at))
        sections = []
        for e in persisted:
            project = by_id[e.project_id]
            ack = ((f"Acknowledged by {who.name} · {format_when(t, e.acknowledged_at)}",)
                   if e.acknowledged_at and (who := t.uow.people.get(e.acknowledged_by or 0)) else ())
            sent = f", sent {e.sends} time{'s' if e.sends != 1 else ''}" if e.sends else ""
            sections.append(Section(
                title=f"E{e.id} {rule_title(e.rule)} — {clients[project.client_id].name} · {project.name}",
                lines=(e.message, f"open since {format_when(t, e.opened_at)}{sent}", *ack),
                tone=Tone(e.severity.value),
                actions=((Action("Acknowledge", f"ack E{e.id}", "primary"),) if not e.acknowledged_at else ())
                + decision_actions(e, project.key)))
        total = len(persisted)
        return Reply(
            title=f"{total} escalation{'s' if total != 1 else ''}" if total else "No escalations",
            summary="" if total else (
                f"All {plural(len(projects), 'project')} you direct or manage are within their limits."
                if projects else "You direct or manage no project; escalations go to their directors and managers."),
            sections=tuple(sections),
            tone=worst_tone(Tone(e.severity.value) for e in persisted),
        )
