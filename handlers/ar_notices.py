"""What an escalation about money owed and the month-end WIP reminder look like as messages."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from domain.model import Client, Person, Role, Source
from domain.ports import UnitOfWork
from domain.receivables_escalations import InvoiceNotice, parse_rule
from domain.receivables_service import wip_rows
from handlers.base import Turn, format_date, format_money, plural, rag_word
from handlers.context import Caller, Context
from handlers.reply import Action, Fact, Reply, Section, Severity, Tone


def rule_title(rule: str) -> str:
    parsed = parse_rule(rule)
    if parsed is None:
        return rule
    kind, _ = parsed
    return "Payment promise passed" if kind == "promise" else f"Invoice more than {kind} days overdue"


def invoice_notice_reply(n: InvoiceNotice) -> Reply:
    esc, inv = n.escalation, n.invoice
    where = f"{n.client.name} · {inv.number}"
    if n.resolved:
        return Reply(title=f"Resolved: {rule_title(esc.rule)} — {where}", severity=Severity.SUCCESS,
                     summary=f"E{esc.id} closed itself: paid, disputed, void or a new promise. ({esc.message})",
                     subject=f"escalation:{esc.id}", footer=f"escalation E{esc.id} · {n.client.key}")
    note = ""
    if n.copy:
        note = "\nCopied to you (finance or admin); it went to the client's director."
    if n.send > 1:
        note += f"\nNot acknowledged yet: reminder {n.send - 1}"
    owed = format_money(inv.outstanding, inv.currency)
    lines = f"Owed {owed} of {format_money(inv.amount, inv.currency)}, due {format_date(inv.due)} ({n.days} days ago)"
    if inv.promised_on:
        lines += f"; promised {format_date(inv.promised_on)}"
    return Reply(
        title=f"Escalation E{esc.id}: {rule_title(esc.rule)} — {where}",
        summary=f"{esc.message}\n{lines}{note}",
        tone=Tone(esc.severity.value),
        # Finance is copied for information: acknowledging is the director's (or an admin's) to do.
        actions=(() if n.recipient.role is Role.FINANCE else (Action("Acknowledge", f"ack E{esc.id}", "primary"),))
        + (Action("Chase", f"chase {inv.number}"), Action("Promise", f"promise {inv.number}"),
           Action("Receivables", f"ar {n.client.key}")),
        subject=f"escalation:{esc.id}",
        footer=f"escalation E{esc.id} · {n.client.key} · [{rag_word(esc.severity)}]",
    )


def invoice_notice_payload(n: InvoiceNotice) -> dict[str, Any]:
    return invoice_notice_reply(n).to_dict()


class _Pinned:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at


def wip_reminder_payload(uow: UnitOfWork, person: Person, clients: list[Client], now: datetime
                         ) -> dict[str, Any] | None:
    """The month-end reminder: the person's clients' work not yet invoiced (None when there is none)."""
    org = uow.organisation.get()
    today = now.astimezone(ZoneInfo(org.timezone)).date()
    ids = {c.id for c in clients}
    projects = [p for p in uow.projects.list() if p.client_id in ids]
    rows = sorted((r for r in wip_rows(uow, projects, today, org.currency) if r.wip > 0),
                  key=lambda r: (-r.wip, r.project.key))
    if not rows:
        return None
    ctx = Context(uow_factory=lambda: uow, clock=_Pinned(now), caller=Caller(email=person.email),
                  source=Source.SYSTEM)
    t = Turn(ctx, uow, person, org, now, today)
    total = sum((r.wip for r in rows), Decimal(0))
    return Reply(
        title=f"Month end: {t.money(total)} of work not yet invoiced",
        summary=f"Invoice before {today:%B} closes: {plural(len(rows), 'project')} of your clients "
                f"{'has' if len(rows) == 1 else 'have'} burned more than was invoiced.",
        facts=(Fact("Not invoiced (WIP)", t.money(total), Tone.AMBER),),
        sections=(Section(title="Largest first", lines=tuple(
            f"{r.project.key} · {r.project.name}: {t.money(r.wip)} (burned {t.money(r.burned)}, invoiced "
            f"{t.money(r.invoiced)})" for r in rows[:20])),),
        actions=(Action("Work not invoiced", "wip mine" if person.role.value != "finance" else "wip all"),),
        footer=f"WIP reminder · {today:%d %b %Y}",
    ).to_dict()
