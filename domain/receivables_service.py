"""Who may see and act on money owed, and the chasing actions (chase, promise, dispute, paid).

Nothing here writes to a client: a chase is a draft for the director to copy, recorded as "chased".
Every change is one audit event in the caller's unit of work.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal

from domain.errors import Forbidden, InvalidInput, NotFound
from domain.model import AuditEvent, Client, Person, Project, Role, Source
from domain.ports import UnitOfWork
from domain.receivables import BUCKET_LIMITS, ZERO, Aging, Invoice, InvoiceState, wip


def may_see_receivables(person: Person, client: Client) -> bool:
    """The client's director, finance and admins."""
    return person.role in (Role.ADMIN, Role.FINANCE) or (client.director_id is not None
                                                        and client.director_id == person.id)


def check_receivables(person: Person, client: Client, director: Person | None) -> None:
    if not may_see_receivables(person, client):
        who = f"{director.name}, " if director else ""
        raise Forbidden(f"Only {who}finance or an admin can see what {client.name} owes.")


def visible_clients(uow: UnitOfWork, person: Person, scope: str) -> tuple[list[Client], int]:
    """The clients ``scope`` (``mine`` or ``all``) covers for ``person``, and how many were left out because
    ``person`` may not see them (a director asking for ``all`` sees their own clients)."""
    clients = uow.clients.list()
    if scope == "mine":
        return [c for c in clients if c.director_id == person.id], 0
    seen = [c for c in clients if may_see_receivables(person, c)]
    return seen, len(clients) - len(seen)


@dataclass(frozen=True)
class ClientDebt:
    """A client's receivables in the organisation's currency (plus other currencies apart)."""

    client: Client
    aging: Aging  # the organisation's currency
    others: tuple[Aging, ...] = ()  # other currencies, never converted


def debts(uow: UnitOfWork, clients: list[Client], today: date, currency: str) -> list[ClientDebt]:
    """Every client of ``clients`` that has an open invoice, with its aging (one aggregate statement)."""
    by_id = {c.id: c for c in clients if c.id is not None}
    rows = uow.invoices.aging(today, list(by_id))
    main: dict[int, Aging] = {}
    others: dict[int, list[Aging]] = {}
    for a in rows:
        if a.currency == currency:
            main[a.client_id] = a
        else:
            others.setdefault(a.client_id, []).append(a)
    out = []
    for cid in sorted(set(main) | set(others)):
        out.append(ClientDebt(by_id[cid], main.get(cid, Aging(cid, currency)),
                              tuple(sorted(others.get(cid, []), key=lambda a: a.currency))))
    return out


def overdue_more_than(uow: UnitOfWork, clients: list[Client], today: date, days: int
                      ) -> dict[int, tuple[Decimal, int, str]]:
    """Per client: (Σ owed more than ``days`` past due, age of the oldest overdue invoice, currency), from the
    aging aggregate (one statement however many invoices): ``days`` is a bucket limit (30: 31–60 and later;
    60: 61–90 and 90+). The organisation's currency first; another only when that is all the client owes so
    late. Clients whose late balance is not positive (credit notes) are absent."""
    if days not in BUCKET_LIMITS[1:]:
        raise ValueError(f"{days} is not a bucket limit ({BUCKET_LIMITS[1:]})")
    first = BUCKET_LIMITS.index(days) + 1
    ids = [c.id for c in clients if c.id is not None]
    found: dict[int, dict[str, tuple[Decimal, int]]] = {}
    for a in uow.invoices.aging(today, ids):
        late = sum(a.buckets[first:], ZERO)
        oldest = a.oldest_days(today)
        if late > 0 and oldest is not None:
            found.setdefault(a.client_id, {})[a.currency] = (late, oldest)
    org = uow.organisation.get().currency
    out = {}
    for cid, per in found.items():
        currency = org if org in per else sorted(per)[0]
        out[cid] = (*per[currency], currency)
    return out


# --- acting on one invoice ------------------------------------------------------------------------


@dataclass(frozen=True)
class InvoiceInfo:
    invoice: Invoice
    client: Client
    project: Project | None
    director: Person | None


def find_invoice(uow: UnitOfWork, actor: Person, number: str, *, example: str) -> InvoiceInfo:
    word = number.strip().lstrip("#")
    if not word:
        raise InvalidInput("Which invoice? Give its number.", example=example)
    invoice = uow.invoices.get(word)
    if invoice is None:
        raise NotFound(f"There is no invoice {word}.", example="ar all")
    client = uow.clients.get(invoice.client_id)
    if client is None:  # pragma: no cover - foreign key
        raise NotFound(f"There is no invoice {word}.")
    director = uow.people.get(client.director_id) if client.director_id else None
    check_receivables(actor, client, director)
    project = uow.projects.get(invoice.project_id) if invoice.project_id else None
    return InvoiceInfo(invoice, client, project, director)


def _audit(uow: UnitOfWork, actor: Person, at: datetime, source: Source, action: str, inv: Invoice,
           detail: str) -> None:
    uow.audit.add(AuditEvent(None, at, actor.id, source, action, f"invoice:{inv.number}", detail))


def _open(inv: Invoice, what: str) -> None:
    if inv.state is not InvoiceState.OPEN:
        raise InvalidInput(f"Invoice {inv.number} is {inv.state.value}: there is nothing to {what}.",
                           example="ar all")


def record_chase(uow: UnitOfWork, actor: Person, info: InvoiceInfo, at: datetime, source: Source) -> Invoice:
    """Remember that the invoice was chased (the draft itself is only shown to the caller)."""
    _open(info.invoice, "chase")
    chased = replace(info.invoice, last_chased_at=at)
    uow.invoices.update(chased)
    _audit(uow, actor, at, source, "invoice.chased", chased, "reminder drafted (sent to nobody)")
    return chased


def record_promise(uow: UnitOfWork, actor: Person, info: InvoiceInfo, on: date, today: date, at: datetime,
                   source: Source) -> Invoice:
    _open(info.invoice, "promise")
    if on < today:
        raise InvalidInput(f"{on:%d %b %Y} is in the past: a promise to pay is for today or later.",
                           example=f"promise {info.invoice.number} next friday")
    promised = replace(info.invoice, promised_on=on)
    uow.invoices.update(promised)
    before = info.invoice.promised_on.isoformat() if info.invoice.promised_on else "none"
    _audit(uow, actor, at, source, "invoice.promised", promised, f"promised to pay on {on.isoformat()} "
           f"(was {before})")
    return promised


def record_dispute(uow: UnitOfWork, actor: Person, info: InvoiceInfo, reason: str, at: datetime,
                   source: Source) -> Invoice:
    _open(info.invoice, "dispute")
    if not reason.strip():
        raise InvalidInput("Say why it is disputed.", example=f"dispute {info.invoice.number} wrong PO number")
    disputed = replace(info.invoice, disputed=True, dispute_reason=reason.strip()[:1000])
    uow.invoices.update(disputed)
    _audit(uow, actor, at, source, "invoice.disputed", disputed, reason.strip()[:1000])
    return disputed


def record_payment(uow: UnitOfWork, actor: Person, info: InvoiceInfo, amount: Decimal | None, at: datetime,
                   source: Source) -> Invoice:
    """A payment seen before the next export: ``amount`` None pays what is left. Paying it all marks it paid.
    The next import of the accounting system's export overrides it."""
    inv = info.invoice
    _open(inv, "pay")
    left = inv.amount - inv.paid
    value = left if amount is None else amount
    if value <= 0 or value > left:
        raise InvalidInput(f"Invoice {inv.number} has {left} {inv.currency} left to pay; a payment is more than 0 "
                           "and at most that.", example=f"paid {inv.number} {left}")
    paid = inv.paid + value
    new = replace(inv, paid=paid, state=InvoiceState.PAID if paid == inv.amount else InvoiceState.OPEN)
    uow.invoices.update(new)
    _audit(uow, actor, at, source, "invoice.paid", new, f"payment of {value} {inv.currency} recorded "
           f"(paid {inv.paid} → {paid}; {new.state.value})")
    return new


# --- work not yet invoiced ------------------------------------------------------------------------


@dataclass(frozen=True)
class WipRow:
    project: Project
    burned: Decimal
    invoiced: Decimal  # non-void invoices in the organisation's currency
    others: tuple[tuple[str, Decimal], ...] = ()  # invoiced in other currencies (not subtracted)

    @property
    def wip(self) -> Decimal:
        return wip(self.burned, self.invoiced)


def wip_rows(uow: UnitOfWork, projects: list[Project], today: date, currency: str,
             burned: Mapping[int, Decimal] | None = None) -> list[WipRow]:
    """Burned, invoiced and WIP per project, in two aggregate statements whatever the number of projects.

    ``burned``: the projects' burn to date when the caller has it already (``budget``), which spares
    the burn statement; it is the same definition."""
    ids = [p.id for p in projects if p.id is not None]
    if not ids:
        return []
    burns = burned if burned is not None else uow.invoices.burned(ids, today)
    main: dict[int, Decimal] = {}
    others: dict[int, list[tuple[str, Decimal]]] = {}
    wanted = set(ids)
    # Many projects (``wip all``): summing every project's invoices is cheaper than looking each one up.
    for (pid, cur), value in uow.invoices.invoiced(None if len(wanted) > 100 else ids).items():
        if pid not in wanted:
            continue
        if cur == currency:
            main[pid] = value
        else:
            others.setdefault(pid, []).append((cur, value))
    out = []
    for p in projects:
        pid = p.id or 0
        out.append(WipRow(p, burns.get(pid, ZERO), main.get(pid, ZERO), tuple(sorted(others.get(pid, ())))))
    return out
