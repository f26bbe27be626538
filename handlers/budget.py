"""``budget <client-or-project>``: budget health before a client call."""

from __future__ import annotations

from domain import services
from domain.budget import BudgetFigures
from handlers.base import Turn, format_date, format_hours, format_pct, rag_tone, rag_word, turn
from handlers.context import Context
from handlers.parsing import resolve_named
from handlers.reply import Action, Fact, Reply, Section, Tone

USAGE = "budget <client-or-project>"
EXAMPLE = "budget acme"


def handle(ctx: Context, args: str) -> Reply:
    with turn(ctx) as t:
        named = resolve_named(t.uow, args, example=EXAMPLE)
        if named.project is not None:
            return project_reply(t, services.project_budget(t.uow, t.actor, named.project, t.today))
        assert named.client is not None
        return client_reply(t, services.client_budget(t.uow, t.actor, named.client, t.today))


def _headline(f: BudgetFigures) -> str:
    why = f" — {', '.join(f.reasons)}" if f.reasons else ""
    return f"{rag_word(f.rag)}{why}"


def figure_facts(t: Turn, f: BudgetFigures) -> tuple[Fact, ...]:
    budget = t.money(f.budget)
    if f.approved_scope:
        budget += f" (incl. {t.money(f.approved_scope, signed=True)} approved scope)"
    facts = [
        Fact("Budget", budget),
        Fact("Burned", f"{t.money(f.burned)} ({format_pct(f.pct_burned)})", rag_tone(f.rag)),
    ]
    if f.pct_elapsed is not None:
        facts.append(Fact("Time elapsed", format_pct(f.pct_elapsed)))
    variance_tone = Tone.RED if f.variance < 0 else Tone.NONE
    facts += [
        Fact("Weekly burn", t.money(f.weekly_rate)),
        Fact("Forecast at completion", t.money(f.forecast)),
        Fact("Variance", f"{t.money(f.variance, signed=True)} ({'over' if f.variance < 0 else 'under'} budget)",
             variance_tone),
        Fact("Runs out on", format_date(f.runs_out_on, "not before the end")),
        Fact("Margin", f"{t.money(f.margin)} ({format_pct(f.margin_pct)})"),
    ]
    hours = format_hours(f.hours)
    if f.budget_hours:
        hours += f" of {format_hours(f.budget_hours)}"
    facts.append(Fact("Hours", hours))
    if f.pending_scope_count:
        pending = f"{f.pending_scope_count} waiting"
        if f.pending_scope_amount:
            pending += f" ({t.money(f.pending_scope_amount, signed=True)})"
        facts.append(Fact("Scope changes", pending, Tone.AMBER))
    return tuple(facts)


def project_reply(t: Turn, b: services.ProjectBudget) -> Reply:
    p, f = b.project, b.figures
    people = []
    if b.manager:
        people.append(f"Manager {b.manager.name}")
    if b.director:
        people.append(f"Director {b.director.name}")
    period = f"{p.start:%d %b %Y} → {p.end:%d %b %Y}"
    return Reply(
        title=f"{b.client.name} · {p.name} ({p.key})",
        summary=_headline(f),
        tone=rag_tone(f.rag),
        facts=figure_facts(t, f),
        footer=" · ".join([period, *people, f"as of {t.today:%d %b %Y}"]),
        actions=(
            Action("Status", f"status {p.key}"),
            Action("Scope changes", f"scope {p.key}"),
            Action("Chart", f"chart {p.key}"),
        ),
        subject=f"project:{p.key}",
    )


def client_reply(t: Turn, b: services.ClientBudget) -> Reply:
    lines = []
    for row in sorted(b.projects, key=lambda r: (-r.figures.rag.rank, r.project.key)):
        f = row.figures
        runs_out = f" · runs out {f.runs_out_on:%d %b}" if f.runs_out_on else ""
        lines.append(
            f"[{rag_word(f.rag)}] {row.project.key} · {row.project.name}: {format_pct(f.pct_burned)} burned vs "
            f"{format_pct(f.pct_elapsed)} elapsed · {t.money(f.burned)} of {t.money(f.budget)} · "
            f"forecast {t.money(f.forecast)}{runs_out}"
        )
    note = f"{b.hidden} more project(s) you can't see." if b.hidden else ""
    director = f"Director {b.director.name} · " if b.director else ""
    return Reply(
        title=f"{b.client.name} — {len(b.projects)} project{'s' if len(b.projects) != 1 else ''}",
        summary=_headline(b.total),
        tone=rag_tone(b.total.rag),
        facts=figure_facts(t, b.total),
        sections=(Section(title="Projects", lines=tuple(lines)),),
        footer=f"{director}{note + ' · ' if note else ''}as of {t.today:%d %b %Y}",
        actions=(*(Action(f"Budget {r.project.key}", f"budget {r.project.key}") for r in b.projects[:5]),
                 Action("Chart", f"chart {b.client.key}")),
        subject=f"client:{b.client.key}",
    )
