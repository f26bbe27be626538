"""``escalations``: the open escalations on the projects I can see (with an Acknowledge button), and
what holds now but the sweep has not opened yet."""

from __future__ import annotations

from domain import permissions
from domain.model import Rag, Role
from domain.portfolio import conditions, load_portfolio
from handlers.base import rag_word, turn
from handlers.context import Context
from handlers.escalation_notices import decision_actions
from handlers.reply import Action, Reply, Section, Tone

USAGE = "escalations"
EXAMPLE = "escalations"


def handle(ctx: Context, args: str) -> Reply:
    with turn(ctx) as t:
        projects = t.uow.projects.list()
        if t.actor.role not in (Role.ADMIN, Role.FINANCE):
            clients = {c.id: c for c in t.uow.clients.list()}
            projects = [p for p in projects
                        if permissions.is_director_of(t.actor, clients[p.client_id]) or p.manager_id == t.actor.id]
        portfolio = load_portfolio(t.uow, projects, t.org, t.today)
        found = conditions(t.uow, portfolio, t.org, t.now)
        found.sort(key=lambda c: (-c.severity.rank, c.project.key))
        by_id = {p.id: p for p in projects}
        clients = {c.id: c for c in t.uow.clients.list()}
        # Persisted open escalations first, each with its Acknowledge button; then what holds now but the
        # sweep has not opened yet (no id to acknowledge until it has).
        persisted = t.uow.escalations.list_open([p.id for p in projects if p.id is not None])
        persisted.sort(key=lambda e: (-e.severity.rank, e.opened_at))
        opened = {(e.project_id, e.rule) for e in persisted}
        sections = []
        for e in persisted:
            project = by_id[e.project_id]
            ack = ((f"Acknowledged by {who.name} · {e.acknowledged_at:%d %b %H:%M}",)
                   if e.acknowledged_at and (who := t.uow.people.get(e.acknowledged_by or 0)) else ())
            sections.append(Section(
                title=f"E{e.id} [{rag_word(e.severity)}] {clients[project.client_id].name} · {project.name}",
                lines=(e.message, f"open since {e.opened_at:%d %b %H:%M} UTC, sent {e.sends}×", *ack),
                tone=Tone(e.severity.value),
                actions=((Action("Acknowledge", f"ack E{e.id}", "primary"),) if not e.acknowledged_at else ())
                + decision_actions(e, project.key)))
        fresh = [c for c in found if (c.project.id, c.rule) not in opened]
        for c in fresh:
            actions: list[Action] = []
            if c.subject.startswith("allocation:"):
                rid = c.subject.split(":")[1]
                actions = [Action("Approve", f"approve A{rid}", "primary"),
                           Action("Reject", f"reject A{rid}", "danger")]
            elif c.subject.startswith("scope:"):
                rid = c.subject.split(":")[1]
                actions = [Action("Approve", f"approve S{rid}", "primary"), Action("Absorb", f"absorb S{rid}"),
                           Action("Reject", f"reject S{rid}", "danger")]
            else:
                actions = [Action("Budget", f"budget {c.project.key}")]
            sections.append(Section(
                title=f"[{rag_word(c.severity)}] {c.client.name} · {c.project.name}",
                lines=(c.message,), tone=Tone(c.severity.value), actions=tuple(actions)))
        total = len(persisted) + len(fresh)
        return Reply(
            title=f"{total} escalation{'s' if total != 1 else ''}" if total else "No escalations",
            summary="" if total else f"All {len(projects)} of your projects are within their limits.",
            sections=tuple(sections),
            tone=Tone.RED if any(c.severity is Rag.RED for c in fresh) or
            any(e.severity is Rag.RED for e in persisted) else Tone.NONE,
        )
