"""Escalations about money owed, and the month-end WIP reminder, through the same escalations table and
outbox as every other escalation (``domain.escalations``).

Rules, one open escalation per invoice and rule (the rule names the invoice: ``invoice_60:17``):

- ``invoice_30`` / ``invoice_60`` / ``invoice_90``: an open, undisputed invoice with something owed
  crosses 30, 60, 90 days past due (its 31st, 61st, 91st day). Each threshold fires once per invoice for
  good (a receipt ``escalation-crossed:invoice:<id>:<N>``, lower thresholds recorded with it), so an
  invoice first seen at 95 days gets one escalation (90), not three. A higher crossing closes the lower
  one still open. It goes to the client's director (the admins when there is none); finance is copied
  at 60 and 90. A dispute, a payment or a void closes it.
- ``invoice_promise``: a promised payment date passed and the invoice is still owed; once per promised
  date (a new promise that passes again escalates again).

Escalations need a project (the table's ``project_id``): an invoice's own project, else the client's
first project. A client with no project at all cannot be escalated about (its debt still shows in
``ar``, the digest and approval cards).

The generic sweep leaves rules starting with ``invoice_`` alone (``domain.escalations.SWEPT_ELSEWHERE``);
this sweep runs right after it in the same unit of work. Statements do not grow with invoices beyond
those to escalate: one read of the candidate invoices, of open escalations, people, clients, projects.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from domain.escalations import SweepResult, admins
from domain.identity import reachable_platform
from domain.model import Client, Escalation, Organisation, OutboxMessage, Person, Project, Rag, Role
from domain.ports import UnitOfWork
from domain.receivables import (
    FINANCE_COPIED_FROM,
    THRESHOLDS,
    Invoice,
    crossed_threshold,
    promise_broken,
    wip_reminder_day,
)

PREFIX = "invoice_"
WIP_REMINDER_HOUR = 9  # local time: the reminder goes out with the first sweep after 09:00 on its day


@dataclass(frozen=True)
class InvoiceNotice:
    escalation: Escalation
    invoice: Invoice
    client: Client
    project: Project
    recipient: Person
    send: int
    days: int  # days past due today
    copy: bool = False  # finance copied, or an admin copied on a re-send
    resolved: bool = False


InvoicePayload = Callable[[InvoiceNotice], dict[str, Any]]


def rule_for(kind: str, invoice_id: int) -> str:
    return f"{PREFIX}{kind}:{invoice_id}"


def parse_rule(rule: str) -> tuple[str, int] | None:
    """``invoice_60:17`` -> ("60", 17); None for other rules."""
    if not rule.startswith(PREFIX):
        return None
    kind, _, rid = rule.removeprefix(PREFIX).partition(":")
    return (kind, int(rid)) if rid.isdigit() else None


def sweep_receivables(uow: UnitOfWork, now: datetime, org: Organisation, *, payload: InvoicePayload,
                      admin_emails: Sequence[str] = (), resend: bool = True) -> SweepResult:
    """Open, close and re-send the invoice escalations (the caller commits)."""
    result = SweepResult()
    today = now.astimezone(ZoneInfo(org.timezone)).date()
    candidates = {inv.id: inv for inv in uow.invoices.to_escalate(today, min(THRESHOLDS))}
    open_now = [e for e in uow.escalations.list_open() if e.rule.startswith(PREFIX)]
    if not candidates and not open_now:
        return result
    people = {p.id: p for p in uow.people.list() if p.id is not None}
    clients = {c.id: c for c in uow.clients.list()}
    projects = uow.projects.list()
    by_project = {p.id: p for p in projects}
    first_project: dict[int, Project] = {}
    for p in sorted(projects, key=lambda p: p.id or 0):
        first_project.setdefault(p.client_id, p)
    copied = admins(people.values(), admin_emails)
    finance = [p for p in people.values() if p.role is Role.FINANCE and p.active]
    # What holds now: rule -> (invoice, severity, message)
    held: dict[str, tuple[Invoice, int | None]] = {}
    top_of: dict[int, int] = {}  # invoice id -> the highest threshold it has crossed
    for inv in candidates.values():
        top = crossed_threshold(inv, today)
        if top is not None:
            held[rule_for(str(top), inv.id or 0)] = (inv, top)
            top_of[inv.id or 0] = top
        if promise_broken(inv, today):
            held[rule_for("promise", inv.id or 0)] = (inv, None)

    def recipients(client: Client, threshold: int | None) -> list[tuple[Person, bool]]:
        d = people.get(client.director_id) if client.director_id else None
        out = [(d, False)] if d is not None and d.active else [(a, False) for a in copied]
        if threshold is not None and threshold >= FINANCE_COPIED_FROM:
            out += [(f, True) for f in finance if f.id not in {p.id for p, _ in out}]
        return out

    def queue(n: InvoiceNotice, key: str) -> bool:
        added = uow.outbox.add(OutboxMessage(
            id=None, key=key, kind="escalation", payload=payload(n), created_at=now, due_at=now,
            person_id=n.recipient.id, platform=reachable_platform(uow, n.recipient)))
        if added:
            result.queued.append(key)
        return added

    still_open: dict[str, Escalation] = {}
    for esc in open_now:
        if esc.rule in held:
            still_open[esc.rule] = esc
            continue
        parsed = parse_rule(esc.rule)
        if uow.escalations.close(esc.id or 0, now):
            result.closed.append(replace(esc, closed_at=now))
            if parsed and parsed[0].isdigit() and top_of.get(parsed[1], -1) > int(parsed[0]):
                continue  # superseded by the invoice's next threshold (opened below): no "resolved" message
            gone = uow.invoices.get_by_id(parsed[1]) if parsed else None
            project = by_project.get(esc.project_id)
            client = clients.get(gone.client_id) if gone else None
            if gone is None or project is None or client is None:
                continue
            threshold = int(parsed[0]) if parsed and parsed[0].isdigit() else None
            for person, copy in recipients(client, threshold):
                queue(InvoiceNotice(replace(esc, closed_at=now), gone, client, project, person, esc.sends,
                                    gone.days_past_due(today), copy, resolved=True),
                      f"escalation:{esc.id}:resolved:{person.id}")

    for rule, (inv, threshold) in sorted(held.items(), key=lambda kv: (kv[1][0].due, kv[0])):
        if rule in still_open:
            continue
        client = clients.get(inv.client_id)
        project = by_project.get(inv.project_id) if inv.project_id else None
        project = project or (first_project.get(inv.client_id) if client else None)
        if client is None or project is None:
            continue
        if not _first_time(uow, inv, threshold, today, now):
            continue
        days = inv.days_past_due(today)
        message = _message(inv, client, days, threshold)
        severity = Rag.RED if threshold is None or threshold >= FINANCE_COPIED_FROM else Rag.AMBER
        new = uow.escalations.add(Escalation(None, project.id or 0, rule, message, severity, now,
                                             subject=f"invoice:{inv.number}"))
        if new is None:
            continue
        if threshold is not None:  # a higher crossing supersedes a lower one still open on the invoice
            for lower_rule, lower in list(still_open.items()):
                parsed = parse_rule(lower_rule)
                if parsed and parsed[1] == inv.id and parsed[0].isdigit() and int(parsed[0]) < threshold \
                        and uow.escalations.close(lower.id or 0, now):
                    result.closed.append(lower)
                    del still_open[lower_rule]
        uow.escalations.mark_sent(new.id or 0, now)
        sent = replace(new, sends=1, last_sent_at=now)
        result.opened.append(sent)
        for person, copy in recipients(client, threshold):
            queue(InvoiceNotice(sent, inv, client, project, person, 1, days, copy),
                  f"escalation:{sent.id}:1:{person.id}")

    if resend:
        wait = timedelta(hours=org.escalation.reack_hours)
        for rule, esc in still_open.items():
            if esc.acknowledged_at is not None or esc.last_sent_at is None or now - esc.last_sent_at < wait:
                continue
            inv, threshold = held[rule]
            client, project = clients.get(inv.client_id), by_project.get(esc.project_id)
            if client is None or project is None:
                continue
            send = esc.sends + 1
            again = replace(esc, sends=send, last_sent_at=now)
            targets = recipients(client, threshold)
            if not targets or not queue(InvoiceNotice(again, inv, client, project, targets[0][0], send,
                                                      inv.days_past_due(today), targets[0][1]),
                                        f"escalation:{esc.id}:{send}:{targets[0][0].id}"):
                continue
            for person, copy in targets[1:]:
                queue(InvoiceNotice(again, inv, client, project, person, send, inv.days_past_due(today), copy),
                      f"escalation:{esc.id}:{send}:{person.id}")
            for admin in copied:
                if admin.id not in {p.id for p, _ in targets}:
                    queue(InvoiceNotice(again, inv, client, project, admin, send, inv.days_past_due(today), True),
                          f"escalation:{esc.id}:{send}:{admin.id}")
            uow.escalations.mark_sent(esc.id or 0, now)
            result.resent.append(again)
    return result


def _first_time(uow: UnitOfWork, inv: Invoice, threshold: int | None, today: date, now: datetime) -> bool:
    """Each threshold once per invoice for good; a broken promise once per promised date."""
    if threshold is None:
        return uow.receipts.record(f"escalation-crossed:invoice:{inv.id}:promise:{inv.promised_on}", now)
    first = uow.receipts.record(f"escalation-crossed:invoice:{inv.id}:{threshold}", now)
    for lower in THRESHOLDS:
        if lower < threshold:
            uow.receipts.record(f"escalation-crossed:invoice:{inv.id}:{lower}", now)
    return first


def _message(inv: Invoice, client: Client, days: int, threshold: int | None) -> str:
    owed = f"{inv.outstanding:,.2f} {inv.currency}"
    if threshold is None:
        return (f"{client.name} promised to pay {inv.number} ({owed}) by {inv.promised_on:%d %b %Y}; "
                f"it is still unpaid, {days} days overdue")
    return f"{client.name}: invoice {inv.number} ({owed}) is {days} days overdue (more than {threshold})"


# --- the month-end WIP reminder -------------------------------------------------------------------


def wip_reminder_due(now: datetime, org: Organisation) -> date | None:
    """Today's date when today is the WIP reminder day and it is past 09:00 local; else None."""
    local = now.astimezone(ZoneInfo(org.timezone))
    day = wip_reminder_day(local.year, local.month, org.escalation.wip_reminder_days_before_month_end)
    if day is None or local.date() != day or local.time() < time(WIP_REMINDER_HOUR):
        return None
    return day


def wip_recipients(uow: UnitOfWork) -> list[tuple[Person, list[Client]]]:
    """Each active director with their clients, and each active finance person with every client."""
    clients = uow.clients.list()
    out = []
    for p in uow.people.list():
        if not p.active or p.id is None:
            continue
        if p.role is Role.FINANCE:
            out.append((p, clients))
        else:
            mine = [c for c in clients if c.director_id == p.id]
            if mine:
                out.append((p, mine))
    return out


WipPayload = Callable[[UnitOfWork, Person, list[Client], datetime], "dict[str, Any] | None"]


def queue_wip_reminders(uow: UnitOfWork, now: datetime, org: Organisation, *, payload: WipPayload) -> list[str]:
    """On the reminder day, once per person and month (outbox key ``wip-reminder:<YYYY-MM>:<person>``):
    directors and finance get the work not yet invoiced of their clients. ``payload`` None: nothing to say."""
    day = wip_reminder_due(now, org)
    if day is None:
        return []
    queued = []
    for person, clients in wip_recipients(uow):
        key = f"wip-reminder:{day:%Y-%m}:{person.id}"
        if uow.outbox.by_key(key) is not None:
            continue
        body = payload(uow, person, clients, now)
        if body is None:
            continue
        if uow.outbox.add(OutboxMessage(id=None, key=key, kind="notification", payload=body, created_at=now,
                                        due_at=now, person_id=person.id,
                                        platform=reachable_platform(uow, person))):
            queued.append(key)
    return queued
