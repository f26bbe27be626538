"""``projects``: my projects at a glance (RAG, % burned vs % elapsed) — also the Slack App Home."""

from __future__ import annotations

from domain import permissions
from domain.model import Rag, Role
from domain.portfolio import load_portfolio
from handlers.base import format_pct, rag_tone, rag_word, turn
from handlers.context import Context
from handlers.reply import Action, Reply, Section

USAGE = "projects"
EXAMPLE = "projects"
MAX_LISTED = 40  # an admin of a big agency sees the worst first; budget <client> has the rest


def handle(ctx: Context, args: str) -> Reply:
    with turn(ctx) as t:
        everything = t.uow.projects.list()
        if t.actor.role in (Role.ADMIN, Role.FINANCE):
            mine, scope = everything, "every project"
        else:
            clients = {c.id: c for c in t.uow.clients.list()}
            mine = [p for p in everything
                    if permissions.is_director_of(t.actor, clients[p.client_id]) or p.manager_id == t.actor.id]
            scope = "projects you direct or manage"
        if not mine:
            return Reply(title="No projects of yours", summary="You don't direct or manage a project yet. "
                         "Try `budget <client>` for one you can see, or `help`.")
        views = load_portfolio(t.uow, mine, t.org, t.today).views
        ordered = sorted(views, key=lambda v: (-v.figures.rag.rank, -(v.figures.pct_burned or 0), v.project.key))
        sections = tuple(
            Section(
                title=f"[{rag_word(v.figures.rag)}] {v.project.key} · {v.project.name}",
                lines=(
                    f"{format_pct(v.figures.pct_burned)} burned vs {format_pct(v.figures.pct_elapsed)} elapsed · "
                    f"{t.money(v.figures.burned)} of {t.money(v.figures.budget)}"
                    + (f" · status {rag_word(v.status.rag).lower()}" if v.status else " · no status yet"),
                ),
                tone=rag_tone(v.figures.rag),
                actions=(Action("Budget", f"budget {v.project.key}"),),
            )
            for v in ordered[:MAX_LISTED]
        )
        counts = {r: sum(1 for v in views if v.figures.rag is r) for r in Rag}
        more = f" Showing the {MAX_LISTED} that need attention most." if len(views) > MAX_LISTED else ""
        return Reply(
            title=f"Your projects ({len(views)})",
            summary=f"{scope.capitalize()}: {counts[Rag.RED]} red · {counts[Rag.AMBER]} amber · "
                    f"{counts[Rag.GREEN]} green.{more}",
            sections=sections,
            footer=f"as of {t.today:%d %b %Y}",
        )
