"""``steward import invoices FILE.csv [--format generic|xero|quickbooks]``: the whole file or nothing.

Three layouts, told apart by their header when no format is given:

- generic: ``number,client,project,issued,due,currency,amount,paid`` (project, currency and paid may be
  empty; optional ``state`` draft|open|paid|void and ``contact``). ISO dates.
- Xero "Invoices" export: one row per line item, grouped by ``InvoiceNumber``; only sales invoices
  (``Type`` ``Sales invoice`` / ``ACCREC``); ``Status`` VOIDED/DELETED → void, PAID → paid, DRAFT → draft,
  anything else open; paid = ``InvoiceAmountPaid``. Dates day first (15/11/2026) or ISO.
- QuickBooks Online "A/R Aging Detail": title rows skipped up to the header
  ``,Date,Transaction type,Num,Customer full name,Due date,Amount,Open balance``; bucket group rows and
  "Total for …" / TOTAL rows ignored; ``Invoice`` and ``Credit Memo`` rows only; paid = Amount − Open
  balance; the organisation's currency. Dates month first (11/15/2026, QuickBooks US) or ISO.

Clients match by key, name, alias or ``billing_names``; an unknown customer rejects the file naming the
line and the closest clients. Idempotent by invoice number: an invoice already stored is updated from a
newer export (amounts paid, state, dates, amount) and the summary says what changed; promises,
disputes and chase dates are Steward's own and kept.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from domain.errors import InvalidInput
from domain.importing import _problems_error, csv_rows, fold, parse_day
from domain.model import AuditEvent, Client, Project, Source
from domain.ports import UnitOfWork
from domain.receivables import ZERO, Invoice, InvoiceImportSummary, InvoiceState

FORMATS = ("generic", "xero", "quickbooks")
MAX_CHANGES_LISTED = 50

GENERIC_COLUMNS = ("number", "client", "project", "issued", "due", "currency", "amount", "paid")
XERO_COLUMNS = ("contactname", "invoicenumber", "invoicedate", "duedate", "total", "invoiceamountpaid", "type")
QUICKBOOKS_COLUMNS = ("date", "transaction type", "num", "customer full name", "due date", "amount",
                      "open balance")

EXAMPLES = {
    "generic": "number,client,project,issued,due,currency,amount,paid\n"
               "INV-1001,acme,acme-web,2026-10-01,2026-10-31,USD,12400.00,0",
    "xero": "ContactName,InvoiceNumber,InvoiceDate,DueDate,Total,InvoiceAmountPaid,InvoiceAmountDue,Currency,"
            "Status,Type\nAcme Corp,INV-1001,01/10/2026,31/10/2026,12400.00,0.00,12400.00,USD,AUTHORISED,"
            "Sales invoice",
    "quickbooks": "A/R Aging Detail\n\n,Date,Transaction type,Num,Customer full name,Due date,Amount,"
                  "Open balance\n,10/01/2026,Invoice,1001,Acme Corp,10/31/2026,\"12,400.00\",\"12,400.00\"",
}

_XERO_SALES = {"sales invoice", "accrec"}
_XERO_STATE = {"voided": InvoiceState.VOID, "deleted": InvoiceState.VOID, "paid": InvoiceState.PAID,
               "draft": InvoiceState.DRAFT}
_MONTHS = {m: i + 1 for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct",
                                           "nov", "dec"))}
_CURRENCY = re.compile(r"^[A-Za-z]{3}$")


@dataclass(frozen=True)
class InvoiceLine:
    """One invoice as the file states it, before its client and project are matched."""

    line: int
    number: str
    client: str
    issued: date
    due: date
    amount: Decimal
    paid: Decimal
    currency: str  # "" : the organisation's
    state: InvoiceState | None = None  # None: open, or paid when nothing is left to pay
    project: str = ""
    contact: str = ""


def parse_money(text: str) -> Decimal | None:
    """``1200``, ``1,200.50``, ``$1,200.50``, ``-150``, ``(150.00)``; None when it is not an amount."""
    t = text.strip().replace("\u00a0", "").replace(" ", "")
    negative = t.startswith("(") and t.endswith(")")
    t = t.strip("()")
    if t.startswith("-"):
        negative, t = not negative, t[1:]
    t = t.lstrip("$€£¥")
    if re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?", t):
        t = t.replace(",", "")
    if not re.fullmatch(r"\d+(\.\d+)?|\.\d+", t):
        return None
    try:
        value = Decimal(t)
    except InvalidOperation:
        return None
    if value != value.quantize(Decimal("0.01")):
        return None
    return -value if negative else value


def parse_invoice_day(text: str, order: str) -> date | None:
    """ISO (2026-11-15), ``15 Nov 2026`` / ``Nov 15, 2026``, or slashed in the export's own order
    (``dmy`` for Xero, ``mdy`` for QuickBooks US). The generic format takes ISO only."""
    text = text.strip()
    day = parse_day(text)
    if day is not None or order == "iso":
        return day
    m = re.fullmatch(r"(\d{1,2})\s+([A-Za-z]{3})[a-z]*\.?\s+(\d{4})", text) or None
    try:
        if m and m[2].lower() in _MONTHS:
            return date(int(m[3]), _MONTHS[m[2].lower()], int(m[1]))
        m = re.fullmatch(r"([A-Za-z]{3})[a-z]*\.?\s+(\d{1,2}),?\s+(\d{4})", text)
        if m and m[1].lower() in _MONTHS:
            return date(int(m[3]), _MONTHS[m[1].lower()], int(m[2]))
        m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)
        if m:
            a, b, y = int(m[1]), int(m[2]), int(m[3])
            return date(y, b, a) if order == "dmy" else date(y, a, b)
    except ValueError:
        return None
    return None


def detect_format(header: Sequence[str]) -> str | None:
    cols = {fold(h) for h in header} | {fold(h).replace(" ", "") for h in header}
    if set(XERO_COLUMNS) <= cols:
        return "xero"
    if set(QUICKBOOKS_COLUMNS) <= cols:
        return "quickbooks"
    if set(GENERIC_COLUMNS) <= cols:
        return "generic"
    return None


def _rows(text: str) -> list[tuple[int, list[str]]]:
    return csv_rows(text, example=EXAMPLES["generic"])


def _find_header(rows: list[tuple[int, list[str]]], fmt: str | None) -> tuple[int, list[str], str]:
    """The header row (QuickBooks reports have title rows above it) and the format."""
    for i, (_line, cells) in enumerate(rows[:15]):
        if not any(c.strip() for c in cells):
            continue
        header = [c.strip().lstrip("*") for c in cells]  # Xero marks required columns with a *
        found = detect_format(header)
        if fmt is None and found is not None:
            return i, header, found
        if fmt is not None and (found == fmt or (fmt != "quickbooks" and found is None)):
            return i, header, fmt
    if fmt is not None:
        first = next(((i, [c.strip() for c in cells]) for i, (_l, cells) in enumerate(rows) if any(cells)), None)
        if first is not None:
            return first[0], first[1], fmt
    shown = next(([c.strip() for c in cells] for _l, cells in rows if any(c.strip() for c in cells)), [])
    raise InvalidInput(
        f"I can't tell the format from the header ({', '.join(shown[:8])}{', …' if len(shown) > 8 else ''}). "
        "Expected a generic file (number, client, project, issued, due, currency, amount, paid), a Xero "
        "Invoices export or a QuickBooks A/R Aging Detail report. Name it with --format generic|xero|quickbooks.",
        example=EXAMPLES["generic"])


def parse_invoices_csv(text: str, fmt: str | None = None) -> tuple[str, list[InvoiceLine], list[tuple[int, str]]]:
    """Read an invoice CSV into one ``InvoiceLine`` per invoice; problems are collected by line."""
    if fmt is not None and fmt not in FORMATS:
        raise InvalidInput(f"Unknown format “{fmt}”: use generic, xero or quickbooks.",
                           example="steward import invoices invoices.csv --format xero")
    text = text.removeprefix("\ufeff")
    if "\x00" in text:
        raise InvalidInput("Nothing was imported: this is not a CSV text file (it holds NUL bytes; save it as CSV "
                           "UTF-8).", example=EXAMPLES["generic"])
    rows = _rows(text)
    if not any(any(c.strip() for c in cells) for _l, cells in rows):
        raise InvalidInput("The file is empty: expected a header line and one line per invoice.",
                           example=EXAMPLES["generic"])
    at, header, fmt = _find_header(rows, fmt)
    index: dict[str, int] = {}
    for i, h in reversed(list(enumerate(header))):
        index[fold(h)] = i
        index[fold(h).replace(" ", "")] = i
    required = {"generic": GENERIC_COLUMNS, "xero": XERO_COLUMNS, "quickbooks": QUICKBOOKS_COLUMNS}[fmt]
    missing = [c for c in required if c not in index]
    if missing:
        raise _problems_error(f"Nothing was imported: the header (line {rows[at][0]}) is not a {fmt} file's ({{n}})",
                              [f"missing column “{c}”" for c in missing], EXAMPLES[fmt])

    def cell(cells: list[str], name: str) -> str:
        i = index.get(name)
        return cells[i].strip() if i is not None and i < len(cells) else ""

    reader = {"generic": _generic, "xero": _xero, "quickbooks": _quickbooks}[fmt]
    lines, problems = reader(rows[at + 1:], cell)
    seen: dict[str, int] = {}
    if fmt != "xero":  # Xero repeats an invoice on each of its line items; the others list it once
        for inv in lines:
            first = seen.setdefault(fold(inv.number), inv.line)
            if first != inv.line:
                problems.append((inv.line, f"invoice {inv.number} is listed twice (also line {first})"))
    return fmt, lines, problems


Cell = Callable[[list[str], str], str]


def _dates(cells: list[str], cell: Cell, issued_col: str, due_col: str, order: str,
           reasons: list[str]) -> tuple[date | None, date | None]:
    example = {"iso": "2026-11-15", "dmy": "15/11/2026", "mdy": "11/15/2026"}[order]
    out: list[date | None] = []
    for col in (issued_col, due_col):
        raw = cell(cells, col)
        day = parse_invoice_day(raw, order)
        if day is None:
            reasons.append(f"{col} {'is empty' if not raw else f'“{raw}” is not a date'} (e.g. {example})")
        out.append(day)
    issued, due = out
    if issued and due and due < issued:
        reasons.append(f"due {due.isoformat()} is before issued {issued.isoformat()}")
    return issued, due


def _amount(cells: list[str], cell: Cell, col: str, reasons: list[str], *, empty_is_zero: bool = False) -> Decimal:
    raw = cell(cells, col)
    if not raw and empty_is_zero:
        return ZERO
    value = parse_money(raw)
    if value is None:
        reasons.append(f"{col} {'is empty' if not raw else f'“{raw}” is not an amount'} (e.g. 12400.00)")
        return ZERO
    return value


def _generic(rows: list[tuple[int, list[str]]], cell: Cell) -> tuple[list[InvoiceLine], list[tuple[int, str]]]:
    out: list[InvoiceLine] = []
    problems: list[tuple[int, str]] = []
    for line, cells in rows:
        if not any(c.strip() for c in cells):
            continue
        reasons: list[str] = []
        number, client = cell(cells, "number"), cell(cells, "client")
        if not number:
            reasons.append("no invoice number")
        if not client:
            reasons.append("no client")
        issued, due = _dates(cells, cell, "issued", "due", "iso", reasons)
        amount = _amount(cells, cell, "amount", reasons)
        paid = _amount(cells, cell, "paid", reasons, empty_is_zero=True)
        currency = cell(cells, "currency").upper()
        if currency and not _CURRENCY.match(currency):
            reasons.append(f"currency “{currency}” is not a three-letter code like USD")
        state = None
        raw_state = cell(cells, "state").lower()
        if raw_state:
            try:
                state = InvoiceState(raw_state)
            except ValueError:
                reasons.append(f"state “{raw_state}” is not draft, open, paid or void")
        _check_paid(amount, paid, reasons)
        if reasons or issued is None or due is None:
            problems.extend((line, r) for r in reasons)
            continue
        out.append(InvoiceLine(line, number, client, issued, due, amount, paid, currency, state,
                               cell(cells, "project"), cell(cells, "contact")))
    return out, problems


def _check_paid(amount: Decimal, paid: Decimal, reasons: list[str]) -> None:
    if amount >= 0 and not ZERO <= paid <= amount:
        reasons.append(f"paid {paid} is not between 0 and the amount {amount}")
    if amount < 0 and not amount <= paid <= ZERO:
        reasons.append(f"paid {paid} on a credit note of {amount} is not between {amount} and 0")


def _xero(rows: list[tuple[int, list[str]]], cell: Cell) -> tuple[list[InvoiceLine], list[tuple[int, str]]]:
    out: list[InvoiceLine] = []
    problems: list[tuple[int, str]] = []
    firsts: dict[str, InvoiceLine] = {}
    for line, cells in rows:
        if not any(c.strip() for c in cells):
            continue
        kind = fold(cell(cells, "type"))
        if kind not in _XERO_SALES:
            continue  # bills, credit notes to suppliers...: not money owed to the agency
        reasons: list[str] = []
        number, client = cell(cells, "invoicenumber"), cell(cells, "contactname")
        if not number:
            reasons.append("no InvoiceNumber")
        if not client:
            reasons.append("no ContactName")
        issued, due = _dates(cells, cell, "invoicedate", "duedate", "dmy", reasons)
        amount = _amount(cells, cell, "total", reasons)
        paid = _amount(cells, cell, "invoiceamountpaid", reasons, empty_is_zero=True)
        due_left = cell(cells, "invoiceamountdue")
        if due_left and (left := parse_money(due_left)) is not None and left != amount - paid and not reasons:
            reasons.append(f"InvoiceAmountDue {due_left} is not Total − InvoiceAmountPaid ({amount - paid})")
        currency = cell(cells, "currency").upper()
        if currency and not _CURRENCY.match(currency):
            reasons.append(f"Currency “{currency}” is not a three-letter code like USD")
        status = fold(cell(cells, "status"))
        state = _XERO_STATE.get(status, InvoiceState.OPEN)
        _check_paid(amount, paid, reasons)
        if reasons or issued is None or due is None:
            problems.extend((line, r) for r in reasons)
            continue
        inv = InvoiceLine(line, number, client, issued, due, amount, paid, currency, state,
                          cell(cells, "reference"), "")
        first = firsts.get(fold(number))
        if first is None:
            firsts[fold(number)] = inv
            out.append(inv)
        elif (first.client, first.amount, first.paid, first.due) != (inv.client, inv.amount, inv.paid, inv.due):
            problems.append((line, f"line item of {number} disagrees with line {first.line} (contact, Total, "
                                   "InvoiceAmountPaid or DueDate)"))
    return out, problems


def _quickbooks(rows: list[tuple[int, list[str]]], cell: Cell) -> tuple[list[InvoiceLine], list[tuple[int, str]]]:
    out: list[InvoiceLine] = []
    problems: list[tuple[int, str]] = []
    for line, cells in rows:
        if not any(c.strip() for c in cells):
            continue
        first = cells[0].strip() if cells else ""
        kind = fold(cell(cells, "transaction type"))
        if first or not kind:
            continue  # a bucket heading ("1 - 30 days past due"), "Total for …", TOTAL, the report's footer
        if kind not in ("invoice", "credit memo"):
            continue  # payments, journal entries...
        reasons: list[str] = []
        number, client = cell(cells, "num"), cell(cells, "customer full name")
        if not number:
            reasons.append("no Num")
        if not client:
            reasons.append("no Customer full name")
        issued, due = _dates(cells, cell, "date", "due date", "mdy", reasons)
        if cell(cells, "due date") == "" and issued is not None:  # a credit memo may have no due date
            reasons = [r for r in reasons if not r.startswith("due date")]
            due = issued
        amount = _amount(cells, cell, "amount", reasons)
        balance = _amount(cells, cell, "open balance", reasons)
        if kind == "credit memo":
            amount, balance = -abs(amount), -abs(balance)
        paid = amount - balance
        _check_paid(amount, paid, reasons)
        if reasons or issued is None or due is None:
            problems.extend((line, r) for r in reasons)
            continue
        out.append(InvoiceLine(line, number, client, issued, due, amount, paid, "", None))
    return out, problems


# --- matching and applying ------------------------------------------------------------------------


def _client_names(c: Client, billing: Mapping[int, tuple[str, ...]]) -> list[str]:
    return [c.key, c.name, *c.aliases, *billing.get(c.id or 0, ())]


def _closest(word: str, clients: Sequence[Client], billing: Mapping[int, tuple[str, ...]]) -> str:
    names = {fold(n): c for c in clients for n in _client_names(c, billing)}
    close = difflib.get_close_matches(fold(word), list(names), n=3, cutoff=0.5)
    picked = list(dict.fromkeys(names[n].name for n in close))
    if not picked:
        return "; add it to billing_names of its client in the organisation file"
    return f" (closest: {', '.join(picked)}; or add it to billing_names in the organisation file)"


def _state(line: InvoiceLine) -> InvoiceState:
    if line.state is not None:
        return line.state
    return InvoiceState.PAID if line.amount != 0 and line.paid == line.amount else InvoiceState.OPEN


def import_invoices(uow: UnitOfWork, text: str, fmt: str | None, actor_id: int | None, at: datetime,
                    source_name: str = "", *, money: Callable[[Decimal, str], str] | None = None
                    ) -> InvoiceImportSummary:
    """Import a whole invoice CSV or nothing (``InvalidInput`` lists every bad line). Invoices already stored
    (by number) are updated when the export differs, and each change is said and audited."""
    org = uow.organisation.get()
    show = money or (lambda amount, currency: f"{amount} {currency}")
    fmt, lines, problems = parse_invoices_csv(text, fmt)
    clients = uow.clients.list()
    billing = uow.invoices.billing_names()
    by_name: dict[str, list[Client]] = {}
    for c in clients:
        for n in dict.fromkeys(fold(x) for x in _client_names(c, billing)):
            by_name.setdefault(n, []).append(c)
    projects = uow.projects.list()
    invoices: list[tuple[InvoiceLine, Invoice]] = []
    for ln in lines:
        found = by_name.get(fold(ln.client), [])
        if len(found) != 1:
            problems.append((ln.line, f"“{ln.client}” names {len(found)} clients ({', '.join(c.key for c in found)})"
                             if found else f"unknown customer “{ln.client}”{_closest(ln.client, clients, billing)}"))
            continue
        client = found[0]
        project_id, why = _project(ln, client, projects, fmt)
        if why:
            problems.append((ln.line, why))
            continue
        invoices.append((ln, Invoice(None, ln.number, client.id or 0, ln.issued, ln.due, ln.amount,
                                     ln.currency or org.currency, ln.paid, _state(ln), project_id,
                                     contact=ln.contact)))
    if problems:
        problems.sort(key=lambda p: p[0])
        raise _problems_error(
            f"Nothing was imported: the {fmt} file has {{n}} on {_lines(len({p[0] for p in problems}))}",
            [f"line {line}: {reason}" for line, reason in problems], EXAMPLES[fmt])
    if not invoices:
        raise InvalidInput("The file has a header but no invoices" + (" (only non-sales rows)" if lines == [] and
                           fmt != "generic" else "") + ".", example=EXAMPLES[fmt])
    summary = InvoiceImportSummary(fmt, rows=len(lines), invoices=len(invoices))
    stored = uow.invoices.by_numbers(inv.number for _ln, inv in invoices)
    new: list[Invoice] = []
    for _ln, inv in invoices:
        old = stored.get(inv.number.strip().upper())
        if old is None:
            new.append(inv)
            continue
        # A newer export is the accounting system's word on these; Steward's own notes stay.
        merged = replace(old, client_id=inv.client_id, issued=inv.issued, due=inv.due, amount=inv.amount,
                         currency=inv.currency, paid=inv.paid, state=inv.state,
                         project_id=inv.project_id if inv.project_id is not None or fmt == "generic"
                         else old.project_id, contact=inv.contact or old.contact)
        diff = _diff(old, merged, show)
        if not diff:
            summary.unchanged += 1
            continue
        uow.invoices.update(merged)
        summary.updated += 1
        summary.changes.append(f"{old.number}: {diff}")
        uow.audit.add(AuditEvent(None, at, actor_id, Source.IMPORT, "invoice.updated", f"invoice:{old.number}",
                                 f"{diff} ({fmt} import{f' from {source_name}' if source_name else ''})"))
    if new:
        uow.invoices.add_many(new)
        summary.added = len(new)
        where = f" from {source_name}" if source_name else ""
        uow.audit.add(AuditEvent(None, at, actor_id, Source.IMPORT, "invoices.imported", "import:invoices",
                                 f"{len(new)} invoice{'' if len(new) == 1 else 's'} added{where} ({fmt} format): "
                                 + ", ".join(i.number for i in new[:20]) + (" …" if len(new) > 20 else "")))
    return summary


def _project(ln: InvoiceLine, client: Client, projects: Sequence[Project], fmt: str) -> tuple[int | None, str]:
    """The project an invoice is linked to: named in the generic file (it must be the client's), or Xero's
    Reference when it is exactly one of the client's project keys (otherwise no project: not guessed)."""
    if not ln.project:
        return None, ""
    mine = [p for p in projects if p.client_id == client.id]
    word = fold(ln.project)
    found = [p for p in mine if word in (fold(p.key), fold(p.name), *(fold(a) for a in p.aliases))]
    if fmt != "generic":
        exact = [p for p in mine if fold(p.key) == word]
        return (exact[0].id, "") if exact else (None, "")
    if len(found) == 1:
        return found[0].id, ""
    elsewhere = [p for p in projects if fold(p.key) == word]
    if elsewhere:
        return None, f"project {elsewhere[0].key} is not {client.name}'s"
    keys = ", ".join(p.key for p in mine) or "none"
    return None, f"unknown project “{ln.project}” for {client.name} (its projects: {keys})"


def _diff(old: Invoice, new: Invoice, show: Callable[[Decimal, str], str]) -> str:
    parts = []
    if old.paid != new.paid:
        parts.append(f"paid {show(old.paid, old.currency)} → {show(new.paid, new.currency)}")
    if old.state is not new.state:
        parts.append(f"{old.state.value} → {new.state.value}")
    if old.amount != new.amount or old.currency != new.currency:
        parts.append(f"amount {show(old.amount, old.currency)} → {show(new.amount, new.currency)}")
    if old.due != new.due:
        parts.append(f"due {old.due.isoformat()} → {new.due.isoformat()}")
    if old.issued != new.issued:
        parts.append(f"issued {old.issued.isoformat()} → {new.issued.isoformat()}")
    if old.client_id != new.client_id:
        parts.append("client changed")
    if old.project_id != new.project_id:
        parts.append("project changed")
    return "; ".join(parts)


def _lines(n: int) -> str:
    return "1 line" if n == 1 else f"{n} lines"
