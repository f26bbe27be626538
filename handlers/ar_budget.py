"""What ``budget`` adds about money: invoiced to date and WIP for a project, what a client owes."""

from __future__ import annotations

from decimal import Decimal

from domain.model import Client, Project
from domain.receivables_service import debts, may_see_receivables, wip_rows
from handlers.base import Turn, format_money, format_pct
from handlers.reply import Fact


def invoicing_facts(t: Turn, project: Project, burned: Decimal) -> tuple[Fact, ...]:
    """Invoiced to date and work not yet invoiced (budget readers may see both: they are the project's);
    ``burned`` is the budget's own burn to date."""
    row = wip_rows(t.uow, [project], t.today, t.org.currency, burned={project.id or 0: burned})[0]
    invoiced = t.money(row.invoiced)
    if row.others:
        invoiced += " (also " + ", ".join(format_money(v, c) for c, v in row.others) + ", not converted)"
    return (Fact("Invoiced to date", invoiced),
            Fact("Not yet invoiced (WIP)", t.money(row.wip)))


def receivable_facts(t: Turn, client: Client) -> tuple[Fact, ...]:
    """The client's outstanding receivables, for those who may see them (director, finance, admins)."""
    if not may_see_receivables(t.actor, client):
        return ()
    found = debts(t.uow, [client], t.today, t.org.currency)
    if not found:
        return (Fact("Outstanding receivables", t.money(Decimal(0))),)
    a = found[0].aging
    text = t.money(a.outstanding)
    if a.overdue > 0:
        text += f" ({t.money(a.overdue)} overdue, {format_pct(a.over_60_share)} over 60 days)"
    for other in found[0].others:
        text += f"; also {format_money(other.outstanding, other.currency)}"
    # Neutral here: a budget answer's colour is its budget RAG (the header takes the worst tone listed);
    # overdue debt has its own colour in `ar`, the approval cards and the escalations.
    return (Fact("Outstanding receivables", text),)
