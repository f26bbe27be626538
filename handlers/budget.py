"""``budget <client-or-project>``: budget health before a client call."""

from __future__ import annotations

from datetime import date

from domain import services
from domain.budget import BudgetFigures, spent
from handlers.ar_budget import invoicing_facts, receivable_facts
from handlers.base import Turn, format_date, format_hours, format_pct, plural, rag_tone, rag_word, turn
from handlers.context import Context
from handlers.parsing import resolve_named
from handlers.reply import Action, Fact, Reply, Section

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


def _run_out(f: BudgetFigures, today: date) -> Fact:
    """DESIGN's "runs out on" / "ran out on": a date to come, or the day the burn reached the budget.

    A client total shows the earliest of its projects' dates, with that project's key."""
    if f.pct_elapsed is None:  # a client total
        if f.runs_out_on is None:
            return Fact("Earliest run-out", "no project runs out before its end")
        return Fact("Earliest run-out", f"{format_date(f.runs_out_on)} ({f.earliest_key})")
    if spent(f):
        return Fact("Ran out on", format_date(f.ran_out_on, "budget spent"))
    return Fact("Runs out on", format_date(f.runs_out_on, "not before the end"))


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
    facts += [
        Fact("Weekly burn", t.money(f.weekly_rate)),
        Fact("Forecast at completion", t.money(f.forecast)),
        # The RAG (on "Burned") carries the colour: a second colour here could contradict it.
        Fact("Variance", f"{t.money(f.variance, signed=True)} ({'over' if f.variance < 0 else 'under'} budget)"),
        _run_out(f, t.today),
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
        facts.append(Fact("Scope changes", pending))
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
        facts=figure_facts(t, f) + invoicing_facts(t, p, f.burned),
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
        runs_out = (f" · ran out {f.ran_out_on:%d %b}" if f.ran_out_on else
                    f" · runs out {f.runs_out_on:%d %b}" if f.runs_out_on else "")
        lines.append(
            f"[{rag_word(f.rag)}] {row.project.key} · {row.project.name}: {format_pct(f.pct_burned)} burned vs "
            f"{format_pct(f.pct_elapsed)} elapsed · {t.money(f.burned)} of {t.money(f.budget)} · "
            f"forecast {t.money(f.forecast)}{runs_out}"
        )
    note = f"{plural(b.hidden, 'more project')} you can't see." if b.hidden else ""
    director = f"Director {b.director.name} · " if b.director else ""
    return Reply(
        title=f"{b.client.name} — {len(b.projects)} project{'s' if len(b.projects) != 1 else ''}",
        summary=_client_headline(b),
        tone=rag_tone(b.total.rag),
        facts=figure_facts(t, b.total) + receivable_facts(t, b.client),
        sections=(Section(title="Projects", lines=tuple(lines)),),
        footer=f"{director}{note + ' · ' if note else ''}as of {t.today:%d %b %Y}",
        actions=(*(Action(f"Budget {r.project.key}", f"budget {r.project.key}") for r in b.projects[:5]),
                 Action("Chart", f"chart {b.client.key}")),
        subject=f"client:{b.client.key}",
    )


# A project's RAG reason as said of the project ("acme-app is over budget").
_SAID_OF = {
    "budget spent": "is over budget",
    "forecast more than 10% over budget": "is forecast more than 10% over budget",
    "forecast over budget": "is forecast over budget",
    "burning faster than time": "is burning faster than time",
}


def _client_headline(b: services.ClientBudget) -> str:
    """The client's RAG and the project(s) that set it: "Red: acme-app is over budget"."""
    worst = b.total.rag
    setters = [r for r in b.projects if r.figures.rag is worst and r.figures.reasons]
    if not setters:
        return rag_word(worst)
    said = "; ".join(
        f"{r.project.key} " + " and ".join(_SAID_OF.get(why, why) for why in r.figures.reasons) for r in setters
    )
    return f"{rag_word(worst)}: {said}"
