"""``account <client>``: the account on one screen for its director, finance and admins, with its chart.

Panels that need records other work brings (receivables, the quarter's pipeline, the next renewal) plug
in through ``PANELS`` (``handlers/account_panels.py``): each is a function of the turn and the account that
returns a Section, or None when the caller may not see it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal

from domain.accounts import AccountView, account_view
from domain.charts import client_bars
from domain.errors import InvalidInput
from handlers import account_panels
from handlers.base import Turn, format_date, format_hours, format_pct, rag_tone, rag_word, turn
from handlers.chart import chart_reply, describe_client
from handlers.context import Context
from handlers.parsing import resolve_named
from handlers.reply import Action, Fact, Reply, Section, Tone

USAGE = "account <client>"
EXAMPLE = "account acme"
MAX_LINES = 20  # per section; the platforms cut further to their own limits

Panel = Callable[[Turn, AccountView], Section | None]
# Receivables (outstanding, over 60 days), this quarter's pipeline and the next renewal.
PANELS: list[Panel] = [*account_panels.PANELS]
NOT_YET = "Receivables, pipeline and renewals are not in Steward yet; they join this screen when they are."


def handle(ctx: Context, args: str) -> Reply:
    if not args.strip():
        raise InvalidInput("Name a client.", example=EXAMPLE)
    with turn(ctx) as t:
        named = resolve_named(t.uow, args, example=EXAMPLE)
        if named.client is None:
            assert named.project is not None
            client = t.uow.clients.get(named.project.client_id)
            assert client is not None
            raise InvalidInput(f"{named.project.key} is a project; the account is its client's.",
                               example=f"account {client.key}")
        view = account_view(t.uow, t.actor, named.client, t.today)
        reply = account_reply(t, view)
        bars = client_bars(view.budget, t.today)
        chart = replace(bars, description=describe_client(bars))
    return replace(reply, attachment=chart_reply(ctx, chart).attachment)


def account_reply(t: Turn, view: AccountView) -> Reply:
    b, total = view.budget, view.budget.total
    rows = sorted(b.projects, key=lambda r: (-r.figures.rag.rank, r.project.key))
    projects = []
    for r in rows:
        f = r.figures
        runs = f" · runs out {f.runs_out_on:%d %b}" if f.runs_out_on else ""
        projects.append(f"[{rag_word(f.rag)}] {r.project.key}: {format_pct(f.pct_burned)} burned vs "
                        f"{format_pct(f.pct_elapsed)} elapsed · {t.money(f.burned)} of {t.money(f.budget)}{runs}")
    statuses = []
    for r in rows:
        s = view.latest.get(r.project.id or 0)
        if s is None:
            statuses.append(f"{r.project.key}: no status yet")
            continue
        who = view.people.get(s.author_id)
        statuses.append(f"[{rag_word(s.rag)}] {r.project.key} ({s.at:%d %b}{', ' + who.name if who else ''}): {s.note}")
    waiting = [f"S{c.id} {p.key}: {c.description}" + _impact(t, c.impact_hours, c.impact_amount)
               for c, p in view.scope_waiting]
    waiting += [f"A{a.id} {who.name if who else 'someone'} on {p.key}: {format_hours(a.hours_per_week)}/week "
                f"{a.start:%d %b} → {a.end:%d %b}" for a, p, who in view.requests_waiting]
    sections = [Section(title="Projects", lines=tuple(projects[:MAX_LINES]), tone=rag_tone(total.rag)),
                Section(title="Latest status", lines=tuple(statuses[:MAX_LINES]))]
    if waiting:
        sections.append(Section(title=f"Waiting for a decision ({len(waiting)})", lines=tuple(waiting[:MAX_LINES]),
                                tone=Tone.AMBER, actions=(Action("Approvals", "approvals"),)))
    for panel in PANELS:
        section = panel(t, view)
        if section is not None:
            sections.append(section)
    facts = (
        Fact("Budget", t.money(total.budget)),
        Fact("Burned", f"{t.money(total.burned)} ({format_pct(total.pct_burned)})", rag_tone(total.rag)),
        Fact("Forecast at completion", t.money(total.forecast)),
        Fact("Margin", f"{t.money(total.margin)} ({format_pct(total.margin_pct)})"),
        Fact("First run-out", format_date(total.runs_out_on, "none before the ends")),
        Fact("Waiting decisions", str(len(waiting)), Tone.AMBER if waiting else Tone.NONE),
    )
    director = f"Director {b.director.name} · " if b.director else ""
    hidden = f"{b.hidden} project(s) you can't see · " if b.hidden else ""
    return Reply(
        title=f"{b.client.name} — the account",
        summary=f"{rag_word(total.rag)}" + (f" — {', '.join(total.reasons)}" if total.reasons else ""),
        tone=rag_tone(total.rag), facts=facts, sections=tuple(sections),
        footer=f"{director}{hidden}{'' if PANELS else NOT_YET + ' · '}as of {t.today:%d %b %Y}",
        actions=(Action("Budget", f"budget {b.client.key}"), Action("Report", f"report {b.client.key}"),
                 Action("Chart", f"chart {b.client.key}")),
        subject=f"client:{b.client.key}",
    )


def _impact(t: Turn, hours: Decimal | None, amount: Decimal | None) -> str:
    parts = []
    if hours:
        parts.append(f"+{format_hours(hours)}")
    if amount:
        parts.append(t.money(amount, signed=True))
    return f" ({', '.join(parts)})" if parts else ""
