"""Money owed: invoices, receivables aging, and work burned but not yet invoiced (WIP).

The definitions (DESIGN "The numbers"), in one place:

- outstanding = Σ (amount − paid) over *open* invoices (drafts, paid and void invoices owe nothing;
  a credit note is an invoice with a negative amount and lowers what is owed);
- days past due = today − due date, ``today`` in the organisation's timezone;
- buckets by days past due: Current (≤ 0), 1–30, 31–60, 61–90, 90+; disputed invoices count in the
  buckets and are also shown apart;
- over-60 share = (61–90 + 90+) / outstanding;
- invoiced to date (per project) = Σ amount over its non-void invoices in the organisation's currency;
- WIP = max(0, burned − invoiced to date).

Amounts in a currency other than the organisation's are kept and shown separately: nothing here
converts between currencies (no exchange rate is ever invented), so every total is per currency.

"Crossing N days overdue" means entering the bucket after N: an invoice crosses 30 on its 31st day past
due, like the buckets (so "more than 60 days overdue" is the 61–90 bucket and beyond).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

ZERO = Decimal("0")

BUCKETS = ("Current", "1–30", "31–60", "61–90", "90+")
# Upper bounds (days past due, inclusive) of every bucket but the last.
BUCKET_LIMITS = (0, 30, 60, 90)
THRESHOLDS = (30, 60, 90)  # escalate when an open invoice crosses each of these, once
FINANCE_COPIED_FROM = 60  # finance is copied on the 60 and 90 escalations
DEBT_ON_APPROVALS_DAYS = 60  # approval cards show a client's debt more than this many days overdue
DIGEST_OVERDUE_DAYS = 30  # the digest's "Money owed" lists debt more than this many days overdue
MAX_OVERDUE_SHOWN = 10


class InvoiceState(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    PAID = "paid"
    VOID = "void"


@dataclass(frozen=True)
class Invoice:
    """An invoice (or, with a negative amount, a credit note). ``number`` is unique in the organisation."""

    id: int | None
    number: str
    client_id: int
    issued: date
    due: date
    amount: Decimal  # total including tax, in ``currency``
    currency: str
    paid: Decimal = ZERO
    state: InvoiceState = InvoiceState.OPEN
    project_id: int | None = None
    promised_on: date | None = None
    disputed: bool = False
    dispute_reason: str = ""
    last_chased_at: datetime | None = None
    contact: str = ""  # who to address a reminder to, when the export names someone

    @property
    def outstanding(self) -> Decimal:
        """What is still owed on it: amount − paid while open, nothing otherwise."""
        return self.amount - self.paid if self.state is InvoiceState.OPEN else ZERO

    def days_past_due(self, today: date) -> int:
        return (today - self.due).days


def bucket_of(days_past_due: int) -> int:
    """The index in ``BUCKETS`` of an invoice ``days_past_due`` days past its due date."""
    for i, limit in enumerate(BUCKET_LIMITS):
        if days_past_due <= limit:
            return i
    return len(BUCKET_LIMITS)


def bucket_bounds(today: date) -> tuple[date, ...]:
    """The due dates at which each bucket starts, newest first: an invoice is in bucket ``i`` when its due
    date is ≥ ``bounds[i]`` and < ``bounds[i-1]`` (so storage can sum the buckets in SQL with plain
    date comparisons). Current is due ≥ today; 1–30 is due in [today − 30, today − 1]; and so on."""
    return tuple(today - timedelta(days=limit) for limit in BUCKET_LIMITS)


@dataclass(frozen=True)
class Aging:
    """One client's receivables in one currency."""

    client_id: int
    currency: str
    buckets: tuple[Decimal, ...] = (ZERO,) * len(BUCKETS)
    disputed: Decimal = ZERO  # outstanding on disputed invoices (also in the buckets)
    open_count: int = 0
    oldest_due: date | None = None  # the due date of the oldest overdue invoice with something owed
    overdue_count: int = 0  # open invoices past due with something owed

    @property
    def outstanding(self) -> Decimal:
        return sum(self.buckets, ZERO)

    @property
    def overdue(self) -> Decimal:
        return sum(self.buckets[1:], ZERO)

    @property
    def over_60(self) -> Decimal:
        return self.buckets[3] + self.buckets[4]

    @property
    def over_60_share(self) -> Decimal | None:
        """Percentage of outstanding more than 60 days overdue, to one decimal (None when nothing is owed)."""
        if self.outstanding <= 0:
            return None
        return (self.over_60 * 100 / self.outstanding).quantize(Decimal("0.1"))

    def oldest_days(self, today: date) -> int | None:
        return (today - self.oldest_due).days if self.oldest_due else None

    def worst_key(self, today: date) -> tuple[Decimal, Decimal, int]:
        """Sort key, worst first: most over 60 days, then most overdue, then the oldest."""
        return (-self.over_60, -self.overdue, -(self.oldest_days(today) or 0))


def age(invoices: Iterable[Invoice], today: date, client_id: int, currency: str) -> Aging:
    """The aging of ``invoices`` (one client, one currency) computed in Python: the definition the SQL
    aggregate in storage must agree with (tests compare the two)."""
    buckets = [ZERO] * len(BUCKETS)
    disputed = ZERO
    count = overdue_count = 0
    oldest: date | None = None
    for inv in invoices:
        if inv.state is not InvoiceState.OPEN or inv.client_id != client_id or inv.currency != currency:
            continue
        owed = inv.outstanding
        count += 1
        days = inv.days_past_due(today)
        buckets[bucket_of(days)] += owed
        if inv.disputed:
            disputed += owed
        if days > 0 and owed > 0:
            overdue_count += 1
            if oldest is None or inv.due < oldest:
                oldest = inv.due
    return Aging(client_id, currency, tuple(buckets), disputed, count, oldest, overdue_count)


def crossed_threshold(invoice: Invoice, today: date, thresholds: Sequence[int] = THRESHOLDS) -> int | None:
    """The highest day threshold an open, undisputed invoice with something owed has crossed (None: none).

    A dispute stops the day-based escalations for that invoice."""
    if invoice.state is not InvoiceState.OPEN or invoice.disputed or invoice.outstanding <= 0:
        return None
    days = invoice.days_past_due(today)
    crossed = [t for t in thresholds if days > t]
    return max(crossed) if crossed else None


def promise_broken(invoice: Invoice, today: date) -> bool:
    """A promised payment date has passed and the invoice is still owed."""
    return (invoice.state is InvoiceState.OPEN and invoice.promised_on is not None
            and invoice.promised_on < today and invoice.outstanding > 0)


# --- work not yet invoiced ------------------------------------------------------------------------


def wip(burned: Decimal, invoiced: Decimal) -> Decimal:
    """Uninvoiced work: max(0, burned − invoiced to date)."""
    return max(ZERO, burned - invoiced)


def last_working_days(year: int, month: int, n: int) -> list[date]:
    """The last ``n`` weekdays of a month, earliest first."""
    first_next = date(year + (month == 12), month % 12 + 1, 1)
    day = first_next - timedelta(days=1)
    found: list[date] = []
    while len(found) < n:
        if day.weekday() < 5:
            found.append(day)
        day -= timedelta(days=1)
    return sorted(found)


def wip_reminder_day(year: int, month: int, days_before: int) -> date | None:
    """The day the WIP reminder goes out: the working day with ``days_before`` working days left after it in
    the month (3, a month ending on Monday the 30th: Wednesday the 25th, then Thu, Fri, Mon remain).
    None when switched off (0)."""
    if days_before <= 0:
        return None
    return last_working_days(year, month, days_before + 1)[0]


# --- what changes on import -----------------------------------------------------------------------


@dataclass
class InvoiceImportSummary:
    format: str
    rows: int = 0  # data lines read
    invoices: int = 0  # distinct invoices in the file
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    changes: list[str] = field(default_factory=list)  # "INV-7: paid $0 → $1,200; state open → paid"

    def describe(self) -> str:
        if not self.added and not self.updated:
            if self.invoices == 1:
                return "Nothing changed: the invoice in the file is already up to date"
            return f"Nothing changed: the {self.invoices} invoices in the file are already up to date"
        added = "1 invoice" if self.added == 1 else f"{self.added} invoices"
        return f"{added} added, {self.updated} updated, {self.unchanged} unchanged"
