"""``ar [<client>|mine|all]``: receivables by aging bucket, and the money-owed lines other replies show
(approval cards, the digest, ``budget``)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from domain.model import Client, Role
from domain.receivables import (
    BUCKETS,
    DEBT_ON_APPROVALS_DAYS,
    DIGEST_OVERDUE_DAYS,
    MAX_OVERDUE_SHOWN,
    Aging,
    Invoice,
)
from domain.receivables_service import ClientDebt, check_receivables, debts, overdue_more_than, visible_clients
from handlers.base import Turn, format_date, format_money, format_pct, plural, turn
from handlers.context import Context
from handlers.parsing import resolve_named
from handlers.reply import Action, Fact, Reply, Section, Tone

USAGE = "ar [<client>|mine|all]"
EXAMPLE = "ar acme"


def handle(ctx: Context, args: str) -> Reply:
    with turn(ctx) as t:
        word = args.strip().lower()
        if word in ("", "mine", "all", "me"):
            scope = word if word in ("mine", "all") else (
                "all" if t.actor.role in (Role.ADMIN, Role.FINANCE) else "mine")
            return list_reply(t, scope)
        named = resolve_named(t.uow, args, example=EXAMPLE)
        client = named.client
        if client is None:
            assert named.project is not None
            client = t.uow.clients.get(named.project.client_id)
            assert client is not None
        return client_reply(t, client)


def money_in(t: Turn, amount: Decimal, currency: str) -> str:
    return t.money(amount) if currency == t.org.currency else format_money(amount, currency)


def _tone(a: Aging) -> Tone:
    if a.over_60 > 0:
        return Tone.RED
    return Tone.AMBER if a.overdue > 0 else Tone.NONE


def bucket_facts(t: Turn, a: Aging) -> tuple[Fact, ...]:
    tones = (Tone.NONE, Tone.NONE, Tone.AMBER, Tone.RED, Tone.RED)
    facts = [Fact("Outstanding", money_in(t, a.outstanding, a.currency), _tone(a))]
    facts += [Fact(name, money_in(t, value, a.currency), tones[i] if value > 0 else Tone.NONE)
              for i, (name, value) in enumerate(zip(BUCKETS, a.buckets, strict=True))]
    facts.append(Fact("Over 60 days", format_pct(a.over_60_share), Tone.RED if a.over_60 > 0 else Tone.NONE))
    return tuple(facts)


def invoice_line(t: Turn, inv: Invoice) -> str:
    days = inv.days_past_due(t.today)
    parts = [f"{money_in(t, inv.outstanding, inv.currency)} owed of {money_in(t, inv.amount, inv.currency)}",
             f"due {format_date(inv.due)}" + (f", {days} days overdue" if days > 0 else "")]
    if inv.promised_on:
        parts.append(f"promised {format_date(inv.promised_on)}" + (" (passed)" if inv.promised_on < t.today else ""))
    if inv.last_chased_at:
        parts.append(f"chased {inv.last_chased_at:%d %b}")
    return " · ".join(parts)


def invoice_actions(inv: Invoice) -> tuple[Action, ...]:
    return (Action("Chase", f"chase {inv.number}", "primary"), Action("Promise", f"promise {inv.number}"),
            Action("Dispute", f"dispute {inv.number}", "danger"))


def client_reply(t: Turn, client: Client) -> Reply:
    director = t.uow.people.get(client.director_id) if client.director_id else None
    check_receivables(t.actor, client, director)
    found = debts(t.uow, [client], t.today, t.org.currency)
    if not found:
        return Reply(title=f"{client.name} — receivables", summary=f"{client.name} owes nothing: no open invoices.",
                     tone=Tone.GREEN, footer=f"as of {t.today:%d %b %Y}", subject=f"client:{client.key}",
                     actions=(Action("Work not invoiced", f"wip {client.key}"),))
    debt = found[0]
    a = debt.aging
    overdue = t.uow.invoices.overdue(t.today, [client.id or 0], limit=MAX_OVERDUE_SHOWN)
    disputed = t.uow.invoices.disputed([client.id or 0])
    summary = [headline(t, debt)]
    sections = []
    for inv in overdue:
        days = inv.days_past_due(t.today)
        flag = " · disputed" if inv.disputed else ""
        sections.append(Section(title=f"{inv.number} · {days} days overdue{flag}", lines=(invoice_line(t, inv),),
                                tone=Tone.RED if days > 60 else Tone.AMBER, actions=invoice_actions(inv)))
    total_overdue = a.overdue_count + sum(o.overdue_count for o in debt.others)
    if total_overdue > len(overdue):
        sections.append(Section(lines=(f"… and {plural(total_overdue - len(overdue), 'more overdue invoice')}.",)))
    if disputed:
        sections.append(Section(title="Disputed (counted in the buckets too)", tone=Tone.AMBER, lines=tuple(
            f"{inv.number}: {money_in(t, inv.outstanding, inv.currency)} — {inv.dispute_reason}"
            for inv in disputed[:MAX_OVERDUE_SHOWN])))
    for other in debt.others:
        sections.append(Section(title=f"Also owed in {other.currency} (not converted)", lines=(
            " · ".join(f"{name} {format_money(v, other.currency)}" for name, v in zip(BUCKETS, other.buckets,
                                                                                      strict=True)),
            f"Outstanding {format_money(other.outstanding, other.currency)}",
        )))
    oldest = (Fact("Oldest overdue", f"{overdue[0].number}, {overdue[0].days_past_due(t.today)} days",
                   Tone.RED if overdue[0].days_past_due(t.today) > 60 else Tone.AMBER),) if overdue else ()
    return Reply(
        title=f"{client.name} — receivables",
        summary="\n".join(summary),
        facts=bucket_facts(t, a) + oldest,
        sections=tuple(sections),
        tone=_tone(a),
        footer=(f"Director {director.name} · " if director else "") + f"as of {t.today:%d %b %Y} · "
        "days past due = today − due date",
        actions=(Action("Work not invoiced", f"wip {client.key}"), Action("Budget", f"budget {client.key}")),
        subject=f"client:{client.key}",
    )


def headline(t: Turn, debt: ClientDebt) -> str:
    a = debt.aging
    text = f"Owes {money_in(t, a.outstanding, a.currency)}"
    if a.overdue > 0:
        text += f", {money_in(t, a.overdue, a.currency)} overdue"
    if a.over_60 > 0:
        text += f" ({format_pct(a.over_60_share)} over 60 days)"
    days = a.oldest_days(t.today)
    if days is not None:
        text += f"; oldest overdue {days} days"
    if debt.others:
        text += "; also " + ", ".join(format_money(o.outstanding, o.currency) for o in debt.others)
    return text


def list_reply(t: Turn, scope: str) -> Reply:
    clients, hidden = visible_clients(t.uow, t.actor, scope)
    found = debts(t.uow, clients, t.today, t.org.currency)
    found.sort(key=lambda d: (d.aging.worst_key(t.today), d.client.key))
    total = sum((d.aging.outstanding for d in found), Decimal(0))
    over_60 = sum((d.aging.over_60 for d in found), Decimal(0))
    overdue = sum((d.aging.overdue for d in found), Decimal(0))
    lines = []
    for d in found[:40]:
        a = d.aging
        oldest = a.oldest_days(t.today)
        lines.append(f"{d.client.key} · {d.client.name}: {money_in(t, a.outstanding, a.currency)}"
                     + (f" · {money_in(t, a.overdue, a.currency)} overdue" if a.overdue > 0 else "")
                     + (f" · {money_in(t, a.over_60, a.currency)} over 60 days" if a.over_60 > 0 else "")
                     + (f" · oldest {oldest}d" if oldest else "")
                     + "".join(f" · also {format_money(o.outstanding, o.currency)}" for o in d.others))
    if len(found) > 40:
        lines.append(f"… and {len(found) - 40} more clients.")
    share = (over_60 * 100 / total).quantize(Decimal("0.1")) if total > 0 else None
    buckets = [sum((d.aging.buckets[i] for d in found), Decimal(0)) for i in range(len(BUCKETS))]
    note = f" · {plural(hidden, 'client')} you can't see" if hidden else ""
    who = "your clients" if scope == "mine" else "all clients"
    return Reply(
        title=f"Receivables — {who}",
        summary=(f"{plural(len(found), 'client')} {'owes' if len(found) == 1 else 'owe'} {t.money(total)}, "
                 f"{t.money(overdue)} overdue "
                 f"({format_pct(share)} over 60 days)." if found else f"Nothing is owed by {who}."),
        facts=(Fact("Outstanding", t.money(total)),
               *(Fact(name, t.money(v)) for name, v in zip(BUCKETS, buckets, strict=True)),
               Fact("Over 60 days", format_pct(share), Tone.RED if over_60 > 0 else Tone.NONE)),
        sections=(Section(title="Worst first", lines=tuple(lines)),) if lines else (),
        actions=tuple(Action(f"AR {d.client.key}", f"ar {d.client.key}") for d in found[:5] if d.aging.overdue > 0),
        tone=Tone.RED if over_60 > 0 else Tone.NONE,
        footer=f"as of {t.today:%d %b %Y}{note}",
    )


# --- money owed elsewhere -------------------------------------------------------------------------


def debt_warning(t: Turn, client_id: int) -> str | None:
    """"Acme owes $12,400, 67 days overdue" when the client has any invoice more than 60 days overdue."""
    client = t.uow.clients.get(client_id)
    if client is None:
        return None
    found = overdue_more_than(t.uow, [client], t.today, DEBT_ON_APPROVALS_DAYS).get(client_id)
    if found is None:
        return None
    amount, days, currency = found
    return f"{client.name} owes {money_in(t, amount, currency)}, {days} days overdue"


def with_debt(t: Turn, client_id: int, card: Reply) -> Reply:
    """An approval card with the client's 60+-day debt shown first, before the Approve button."""
    warning = debt_warning(t, client_id)
    if warning is None:
        return card
    client = t.uow.clients.get(client_id)
    key = client.key if client else ""
    return replace(card, facts=(Fact("Money owed", warning, Tone.RED), *card.facts),
                   sections=(Section(title="Unpaid for more than 60 days", lines=(warning,), tone=Tone.RED,
                                     actions=(Action("Receivables", f"ar {key}"),)), *card.sections))


def money_owed_section(t: Turn, client_ids: set[int]) -> Section | None:
    """The digest's "Money owed" section: clients with invoices more than 30 days overdue."""
    if not client_ids:
        return None
    clients = [c for c in t.uow.clients.list() if c.id in client_ids]
    found = overdue_more_than(t.uow, clients, t.today, DIGEST_OVERDUE_DAYS)
    if not found:
        return None
    names = {c.id: c for c in clients}
    rows = sorted(found.items(), key=lambda kv: (-kv[1][1], names[kv[0]].key))
    return Section(title="Money owed (over 30 days)", tone=Tone.RED, lines=tuple(
        f"{names[cid].name}: {money_in(t, amount, currency)}, oldest {days} days overdue"
        for cid, (amount, days, currency) in rows[:10]),
        actions=tuple(Action(f"AR {names[cid].key}", f"ar {names[cid].key}") for cid, _ in rows[:3]))

