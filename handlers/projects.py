"""``projects``: my projects at a glance (RAG, % burned vs % elapsed), and my own allocations with this
week's load and hours logged — also the Slack App Home."""

from __future__ import annotations

from decimal import Decimal

from domain import permissions
from domain.capacity import monday
from domain.model import AllocationState, Rag, Role
from domain.portfolio import load_portfolio
from handlers.base import Turn, format_hours, format_pct, rag_tone, rag_word, turn
from handlers.context import Context
from handlers.reply import Action, Reply, Section, Tone

USAGE = "projects"
EXAMPLE = "projects"
MAX_LISTED = 40  # an admin of a big agency sees the worst first; budget <client> has the rest
MAX_ALLOCATIONS = 10  # current and upcoming allocations shown (a person rarely has more)


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
        mine_section, week = _my_allocations(t)
        if not mine:
            if mine_section is None:
                return Reply(title="No projects of yours",
                             summary="You don't direct or manage a project and have no current allocations. "
                                     "Try `budget <client>` for one you can see, or `help`.")
            return Reply(title=f"Your allocations ({len(mine_section.lines)})", summary=week,
                         sections=(mine_section,), footer=f"as of {t.today:%d %b %Y}")
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
                    f"{counts[Rag.GREEN]} green.{more}" + (f"\n{week}" if mine_section else ""),
            sections=((mine_section,) if mine_section else ()) + sections,
            footer=f"as of {t.today:%d %b %Y}",
        )


def _my_allocations(t: Turn) -> tuple[Section | None, str]:
    """The caller's current and upcoming allocations (approved and requested), one line each with the
    hours they logged on that project this week, and a line on this week: allocated vs capacity."""
    me = t.actor
    week_start = monday(t.today)
    current = sorted(
        (a for a in t.uow.allocations.list(person_id=me.id, states=[AllocationState.APPROVED,
                                                                     AllocationState.REQUESTED])
         if a.end >= t.today),
        key=lambda a: (a.start, a.project_id))[:MAX_ALLOCATIONS]
    if not current:
        return None, ""
    projects = {pid: t.uow.projects.get(pid) for pid in {a.project_id for a in current}}  # at most 10 look-ups
    logged = t.uow.entries.hours_by_project(me.id or 0, week_start, t.today)
    lines, told = [], set()
    for a in current:
        project = projects[a.project_id]
        assert project is not None  # an allocation's project is never deleted
        state = "approved" if a.state is AllocationState.APPROVED else f"requested A{a.id}, waiting for a decision"
        this_week = ""
        if a.start <= t.today and a.project_id not in told:  # a project's hours once, on its first line
            told.add(a.project_id)
            this_week = f" · {format_hours(logged.get(a.project_id, Decimal(0)))} logged this week"
        lines.append(f"{project.key} · {project.name}: {format_hours(a.hours_per_week)}/week, "
                     f"{a.start:%d %b} → {a.end:%d %b %Y} ({state}){this_week}")
    load = t.uow.allocations.weekly_load([me.id or 0], week_start, week_start).get((me.id or 0, week_start),
                                                                                   Decimal(0))
    over = load > me.capacity_hours
    week = (f"This week (from {week_start:%a %d %b}): {format_hours(load)} allocated of your "
            f"{format_hours(me.capacity_hours)}{' — over capacity' if over else ''}; "
            f"{format_hours(sum(logged.values(), Decimal(0)))} logged so far.")
    # Every hour logged counts in the week's total, also on projects without a current allocation.
    elsewhere = sum((h for pid, h in logged.items() if pid not in projects), Decimal(0))
    if elsewhere:
        week += f" ({format_hours(elsewhere)} of it on projects you're not allocated to now.)"
    section = Section(title="Your allocations", lines=tuple(lines), tone=Tone.RED if over else Tone.NONE)
    return section, week
