"""The money panels of ``account <client>``: receivables, the client's pipeline this quarter, the next renewal.

Each reads the numbers of its own command (``ar``, ``pipeline``, ``renewals``) through the same domain
service, and is hidden (None) from a caller that command would refuse, so the account never shows more
than its parts would.
"""

from __future__ import annotations

from domain.accounts import AccountView
from domain.pipeline import Scope, period_of
from domain.pipeline_service import period_figures, renewal_lines, sees_everything
from domain.receivables_service import debts, may_see_receivables
from handlers.ar import headline, money_in
from handlers.base import Turn, format_pct
from handlers.renewals import line_text
from handlers.reply import Action, Section, Tone

RENEWAL_HORIZON_DAYS = 3650  # "the next renewal": the soonest notice deadline of a contract still running


def receivables_panel(t: Turn, view: AccountView) -> Section | None:
    """Outstanding and the share over 60 days (``ar <client>``'s aggregate), for the director, finance, admins."""
    client = view.budget.client
    if not may_see_receivables(t.actor, client):
        return None
    actions = (Action("Receivables", f"ar {client.key}"), Action("Aging chart", f"chart {client.key} ar"))
    found = debts(t.uow, [client], t.today, t.org.currency)
    if not found:
        return Section(title="Receivables", lines=(f"{client.name} owes nothing: no open invoices.",), tone=Tone.GREEN,
                       actions=actions)
    a = found[0].aging
    tone = Tone.RED if a.over_60 > 0 else Tone.AMBER if a.overdue > 0 else Tone.NONE
    first = (f"Outstanding {money_in(t, a.outstanding, a.currency)} · over 60 days {format_pct(a.over_60_share)}"
             f" ({money_in(t, a.over_60, a.currency)})")
    more = (headline(t, found[0]),) if a.overdue > 0 or found[0].others else ()  # overdue, oldest, currencies
    return Section(title="Receivables", tone=tone, actions=actions, lines=(first, *more))


def pipeline_panel(t: Turn, view: AccountView) -> Section | None:
    """The client's deals closing this quarter (``pipeline <client>``'s figures), for whoever may see them."""
    client = view.budget.client
    if not (sees_everything(t.actor) or client.director_id == t.actor.id):
        return None
    period = period_of(t.today, t.uow.pipeline.settings().fiscal_year_start_month)
    f = period_figures(t.uow, Scope(client_ids=(client.id or 0,), label=client.name), period)
    actions = (Action("Pipeline", f"pipeline {client.key}"), Action("Pipeline chart", f"chart {client.key} pipeline"))
    if not (f.open_count or f.won_count or f.lost_count or f.omitted_count):
        return Section(title=f"Pipeline · {period.label}", lines=(f"No deal of {client.name} closes in "
                                                                   f"{period.describe()}.",), actions=actions)
    return Section(title=f"Pipeline · {period.label}", actions=actions, lines=(
        f"Closed won {t.money(f.closed_won)} · Commit {t.money(f.commit)} · Best case {t.money(f.best_case)} · "
        f"Pipeline {t.money(f.pipeline)}",
        f"Open {t.money(f.open_pipeline)} ({f.open_count} open) · weighted {t.money(f.weighted)} · "
        f"{f.won_count} won, {f.lost_count} lost in {period.describe()}",
    ))


def renewal_panel(t: Turn, view: AccountView) -> Section | None:
    """The client's next renewal: the running contract with the soonest notice deadline (``renewals``)."""
    client = view.budget.client
    if not (sees_everything(t.actor) or client.director_id == t.actor.id):
        return None  # a manager sees renewals of their own projects only: not the account's
    projects = [r.project for r in view.budget.projects]
    lines = renewal_lines(t.uow, projects, t.today, RENEWAL_HORIZON_DAYS) if projects else []
    if not lines:
        return Section(title="Next renewal", lines=("No contract of this client is still running.",))
    line = lines[0]
    undecided = line.renewal is None or line.renewal.decision is None
    tone = Tone.RED if undecided and line.follow_on is None and line.days_left <= 14 else \
        Tone.AMBER if undecided else Tone.GREEN
    return Section(title="Next renewal", tone=tone, actions=(Action("Renewals", "renewals"),), lines=(
        f"{line.project.name} ({line.project.key}): {line_text(t, line)}",))


PANELS = [receivables_panel, pipeline_panel, renewal_panel]
