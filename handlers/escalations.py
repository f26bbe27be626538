"""``escalations``: what needs a decision now on the projects I can see."""

from __future__ import annotations

from domain import permissions
from domain.model import Rag, Role
from domain.portfolio import conditions, load_portfolio
from handlers.base import rag_word, turn
from handlers.context import Context
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
        sections = []
        for c in found:
            actions = []
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
        return Reply(
            title=f"{len(found)} escalation{'s' if len(found) != 1 else ''}" if found else "No escalations",
            summary="" if found else f"All {len(projects)} of your projects are within their limits.",
            sections=tuple(sections),
            tone=Tone.RED if any(c.severity is Rag.RED for c in found) else Tone.NONE,
        )
