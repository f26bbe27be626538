"""``wip [<client>|mine|all]``: work burned but not yet invoiced, per project, largest first.

WIP = max(0, burned − invoiced to date), invoiced = Σ amounts of the project's non-void invoices in the
organisation's currency (invoices in another currency are listed, never converted)."""

from __future__ import annotations

from decimal import Decimal

from domain import permissions
from domain.model import Project, Role
from domain.receivables_service import WipRow, wip_rows
from handlers.base import Turn, format_money, plural, turn
from handlers.context import Context
from handlers.parsing import resolve_named
from handlers.reply import Action, Fact, Reply, Section, Tone

USAGE = "wip [<client>|mine|all]"
EXAMPLE = "wip acme"
MAX_LINES = 40


def handle(ctx: Context, args: str) -> Reply:
    with turn(ctx) as t:
        word = args.strip().lower()
        clients = {c.id: c for c in t.uow.clients.list()}
        if word in ("", "mine", "me", "all"):
            scope = word if word in ("mine", "all") else (
                "all" if t.actor.role in (Role.ADMIN, Role.FINANCE) else "mine")
            projects = t.uow.projects.list()
            if scope == "mine":
                projects = [p for p in projects if permissions.is_director_of(t.actor, clients[p.client_id])
                            or permissions.is_manager_of(t.actor, p)]
            label = "your projects" if scope == "mine" else "all projects"
        else:
            named = resolve_named(t.uow, args, example=EXAMPLE)
            if named.project is not None:
                projects = [named.project]
                label = named.project.name
            else:
                assert named.client is not None
                projects = t.uow.projects.list(named.client.id)
                label = named.client.name
        visible = [p for p in projects if permissions.may_see_budget(t.actor, clients[p.client_id], p)]
        hidden = len(projects) - len(visible)
        if not visible and projects:
            permissions.check_budget(t.actor, clients[projects[0].client_id], projects[0], None, None)
        rows = [r for r in wip_rows(t.uow, visible, t.today, t.org.currency) if r.wip > 0 or r.others]
        rows.sort(key=lambda r: (-r.wip, r.project.key))
        return _reply(t, rows, label, hidden, {cid: c.name for cid, c in clients.items()})


def _line(t: Turn, r: WipRow, client_name: str) -> str:
    text = (f"{r.project.key} · {client_name} · {r.project.name}: {t.money(r.wip)} not invoiced "
            f"(burned {t.money(r.burned)}, invoiced {t.money(r.invoiced)})")
    if r.others:
        text += " · also invoiced " + ", ".join(format_money(v, cur) for cur, v in r.others) + " (not subtracted)"
    return text


def _reply(t: Turn, rows: list[WipRow], label: str, hidden: int, names: dict[int | None, str]) -> Reply:
    total = sum((r.wip for r in rows), Decimal(0))
    lines = [_line(t, r, names.get(r.project.client_id, "")) for r in rows[:MAX_LINES]]
    if len(rows) > MAX_LINES:
        lines.append(f"… and {len(rows) - MAX_LINES} more projects.")
    note = f" · {plural(hidden, 'project')} you can't see" if hidden else ""
    return Reply(
        title=f"Work not yet invoiced — {label}",
        summary=(f"{t.money(total)} burned but not invoiced on {plural(len(rows), 'project')}." if rows
                 else "Nothing burned is waiting to be invoiced."),
        facts=(Fact("Not invoiced (WIP)", t.money(total), Tone.AMBER if total > 0 else Tone.NONE),
               Fact("Projects", str(len(rows)))),
        sections=(Section(title="Largest first", lines=tuple(lines)),) if lines else (),
        actions=tuple(Action(f"Budget {r.project.key}", f"budget {r.project.key}") for r in rows[:3]),
        footer=f"WIP = max(0, burned − invoiced to date) · as of {t.today:%d %b %Y}{note}",
    )


def project_wip(t: Turn, project: Project) -> WipRow:
    return wip_rows(t.uow, [project], t.today, t.org.currency)[0]
