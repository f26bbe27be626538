"""``chase <invoice>``, ``promise <invoice> <date>``, ``dispute <invoice> <reason>``, ``paid <invoice> [<amount>]``.

Chasing never writes to the client: ``chase`` answers the caller alone with a reminder to copy and records
when it was chased. Each of the four is audited; the others' answers echo what was understood.
"""

from __future__ import annotations

from domain import receivables_service as ar
from domain.errors import InvalidInput
from domain.invoice_import import parse_money
from domain.receivables import Invoice
from handlers.ar import invoice_actions, invoice_line, money_in
from handlers.base import Turn, format_date, turn
from handlers.context import Context
from handlers.parsing import parse_date
from handlers.reply import Action, Fact, Reply, Section, Severity, Tone

CHASE_EXAMPLE = "chase INV-1042"
PROMISE_EXAMPLE = "promise INV-1042 next friday"
DISPUTE_EXAMPLE = "dispute INV-1042 wrong PO number on the invoice"
PAID_EXAMPLE = "paid INV-1042 1200"


def _facts(t: Turn, info: ar.InvoiceInfo) -> tuple[Fact, ...]:
    inv = info.invoice
    days = inv.days_past_due(t.today)
    facts = [Fact("Client", info.client.name),
             Fact("Amount", money_in(t, inv.amount, inv.currency)),
             Fact("Owed", money_in(t, inv.outstanding, inv.currency), Tone.RED if days > 60 else Tone.NONE),
             Fact("Due", format_date(inv.due) + (f" ({days} days overdue)" if days > 0 else ""))]
    if info.project:
        facts.append(Fact("Project", f"{info.project.name} ({info.project.key})"))
    if inv.promised_on:
        facts.append(Fact("Promised", format_date(inv.promised_on)))
    if inv.disputed:
        facts.append(Fact("Disputed", inv.dispute_reason, Tone.AMBER))
    return tuple(facts)


def draft(t: Turn, info: ar.InvoiceInfo) -> str:
    """A polite reminder for the director to copy into their own email: Steward sends it to nobody."""
    inv = info.invoice
    days = inv.days_past_due(t.today)
    greeting = f"Hi {inv.contact}," if inv.contact else f"Hello {info.client.name} team,"
    when = (f"was due on {inv.due:%d %B %Y} and is now {days} day{'s' if days != 1 else ''} overdue"
            if days > 0 else f"is due on {inv.due:%d %B %Y}")
    lines = [greeting, "",
             f"I hope all is well. A quick reminder that invoice {inv.number} for "
             f"{money_in(t, inv.outstanding, inv.currency)} {when}."]
    if inv.promised_on:
        lines.append(f"Thank you for letting us know it would be paid by {inv.promised_on:%d %B %Y}; "
                     "could you confirm it is on its way?")
    else:
        lines.append("Could you let me know the date we can expect payment? "
                     "Promised payment date: ____________")
    lines += ["If anything about the invoice needs correcting, just tell me and I will sort it out.", "",
              "Many thanks,", t.actor.name]
    return "\n".join(lines)


def chase(ctx: Context, args: str) -> Reply:
    with turn(ctx) as t:
        info = ar.find_invoice(t.uow, t.actor, args.split()[0] if args.split() else "", example=CHASE_EXAMPLE)
        before = info.invoice.last_chased_at
        chased = ar.record_chase(t.uow, t.actor, info, t.now, ctx.source)
        info = ar.InvoiceInfo(chased, info.client, info.project, info.director)
        note = f"Last chased before: {before:%d %b %Y}." if before else "First time it is chased."
        return Reply(
            title=f"Reminder for {chased.number} — copy it into your email",
            summary=f"Steward has sent nothing to {info.client.name}: this draft is for you only. {note}",
            facts=_facts(t, info),
            sections=(Section(title="Draft", lines=tuple(draft(t, info).splitlines())),),
            actions=(Action("Promise", f"promise {chased.number}"),
                     Action("Dispute", f"dispute {chased.number}", "danger"),
                     Action("Receivables", f"ar {info.client.key}")),
            severity=Severity.SUCCESS,
            subject=f"invoice:{chased.number}",
        )


def _split(args: str, example: str) -> tuple[str, str]:
    words = args.split()
    if not words:
        raise InvalidInput("Which invoice? Give its number.", example=example)
    return words[0], " ".join(words[1:])


def promise(ctx: Context, args: str) -> Reply:
    with turn(ctx) as t:
        number, rest = _split(args, PROMISE_EXAMPLE)
        info = ar.find_invoice(t.uow, t.actor, number, example=PROMISE_EXAMPLE)
        if not rest:
            raise InvalidInput(f"When did {info.client.name} promise to pay {info.invoice.number}?",
                               example=f"promise {info.invoice.number} next friday")
        on = parse_date(rest, t.today, t.org.timezone, example=f"promise {info.invoice.number} 2026-12-18")
        done = ar.record_promise(t.uow, t.actor, info, on, t.today, t.now, ctx.source)
        return _answer(t, info, done, f"Promise recorded: {done.number} to be paid by {format_date(on)}",
                       f"Understood “{rest}” as {format_date(on)}. If it is still unpaid after that day, "
                       f"{info.director.name if info.director else 'the director'} gets an escalation.")


def dispute(ctx: Context, args: str) -> Reply:
    with turn(ctx) as t:
        number, reason = _split(args, DISPUTE_EXAMPLE)
        info = ar.find_invoice(t.uow, t.actor, number, example=DISPUTE_EXAMPLE)
        done = ar.record_dispute(t.uow, t.actor, info, reason, t.now, ctx.source)
        return _answer(t, info, done, f"{done.number} flagged as disputed",
                       f"Reason: {done.dispute_reason}\nNo more overdue escalations for it; it still counts in "
                       "the aging buckets.")


def paid(ctx: Context, args: str) -> Reply:
    with turn(ctx) as t:
        number, rest = _split(args, PAID_EXAMPLE)
        info = ar.find_invoice(t.uow, t.actor, number, example=PAID_EXAMPLE)
        amount = None
        if rest:
            amount = parse_money(rest.replace(info.invoice.currency, "").strip())
            if amount is None:
                raise InvalidInput(f"“{rest}” is not an amount.", example=f"paid {info.invoice.number} 1200.50")
        done = ar.record_payment(t.uow, t.actor, info, amount, t.now, ctx.source)
        value = done.paid - info.invoice.paid
        return _answer(t, info, done, f"Payment of {money_in(t, value, done.currency)} recorded on {done.number}",
                       ("Paid in full." if done.outstanding == 0 else
                        f"{money_in(t, done.outstanding, done.currency)} still owed.")
                       + " The next invoice import is the accounting system's word and overrides this.")


def _answer(t: Turn, info: ar.InvoiceInfo, done: Invoice, title: str, summary: str) -> Reply:
    new = ar.InvoiceInfo(done, info.client, info.project, info.director)
    return Reply(title=title, summary=summary, facts=_facts(t, new), severity=Severity.SUCCESS,
                 sections=(Section(lines=(invoice_line(t, done),),
                                   actions=invoice_actions(done) if done.outstanding > 0 else ()),),
                 subject=f"invoice:{done.number}")
