"""The invoices repository: invoices, their aging and what is invoiced per project, summed in SQL.

Money is stored in cents of the invoice's own currency (``Cents``); every sum here is an integer sum of
those cents, grouped by currency, so nothing is ever added across currencies. Each aggregate is one
statement whatever the number of invoices (``tests/benchmarks/test_query_counts.py`` counts them).
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Row, and_, case, delete, func, insert, literal_column, or_, select, union_all, update
from sqlalchemy import cast as sql_cast
from sqlalchemy.orm import Session

from domain.receivables import Aging, Invoice, InvoiceState, bucket_bounds
from storage.orm import BurnMonthRow, ClientBillingNameRow, ExpenseRow, InvoiceRow, TimeEntryRow
from storage.repositories import _aware, _cents, _new_id, _replace_id, _run, _t
from storage.sqltools import among, units_to_decimal

_CHUNK = 500


def _key(number: str) -> str:
    return number.strip().upper()


def _invoice(row: Row[Any]) -> Invoice:
    return Invoice(
        id=row.id, number=row.number, client_id=row.client_id, issued=row.issued, due=row.due,
        amount=row.amount, currency=row.currency, paid=row.paid, state=InvoiceState(row.state),
        project_id=row.project_id, promised_on=row.promised_on, disputed=bool(row.disputed),
        dispute_reason=row.dispute_reason, last_chased_at=row.last_chased_at, contact=row.contact,
    )


def _values(inv: Invoice) -> dict[str, Any]:
    return {
        "number": inv.number.strip(), "number_key": _key(inv.number), "client_id": inv.client_id,
        "project_id": inv.project_id, "issued": inv.issued, "due": inv.due, "currency": inv.currency.upper(),
        "amount": inv.amount, "paid": inv.paid, "state": InvoiceState(inv.state).value,
        "promised_on": inv.promised_on, "disputed": inv.disputed, "dispute_reason": inv.dispute_reason,
        "last_chased_at": _aware(inv.last_chased_at, "Invoice.last_chased_at"), "contact": inv.contact[:200],
    }


class SqlInvoiceRepository:
    """Implements ``domain.ports.InvoiceRepository``."""

    def __init__(self, session: Session) -> None:
        self.s = session

    def get(self, number: str) -> Invoice | None:
        row = self.s.execute(select(_t(InvoiceRow)).where(InvoiceRow.number_key == _key(number))).first()
        return _invoice(row) if row else None

    def get_by_id(self, invoice_id: int) -> Invoice | None:
        row = self.s.execute(select(_t(InvoiceRow)).where(InvoiceRow.id == invoice_id)).first()
        return _invoice(row) if row else None

    def by_numbers(self, numbers: Iterable[str]) -> dict[str, Invoice]:
        keys = sorted({_key(n) for n in numbers})
        found: dict[str, Invoice] = {}
        for i in range(0, len(keys), _CHUNK):
            rows = self.s.execute(select(_t(InvoiceRow)).where(InvoiceRow.number_key.in_(keys[i:i + _CHUNK])))
            found.update((r.number_key, _invoice(r)) for r in rows)
        return found

    def add(self, invoice: Invoice) -> Invoice:
        result = _run(self.s, insert(_t(InvoiceRow)).values(**_values(invoice)))
        return _replace_id(invoice, _new_id(result))

    def add_many(self, invoices: Sequence[Invoice]) -> int:
        rows = [_values(inv) for inv in invoices]
        for i in range(0, len(rows), _CHUNK * 4):
            self.s.execute(insert(_t(InvoiceRow)), rows[i:i + _CHUNK * 4])
        return len(rows)

    def update(self, invoice: Invoice) -> None:
        if invoice.id is None:
            raise ValueError("Invoice.id is required to update")
        self.s.execute(update(_t(InvoiceRow)).where(InvoiceRow.id == invoice.id).values(**_values(invoice)))

    def aging(self, today: date, client_ids: Sequence[int] | None = None) -> builtins.list[Aging]:
        """One grouped statement: per (client, currency), the owed cents of open invoices in each bucket."""
        i = InvoiceRow
        owed = _cents(i.amount) - _cents(i.paid)
        current, b30, b60, b90 = bucket_bounds(today)

        def total(condition: Any) -> Any:
            return func.sum(case((condition, owed), else_=0))

        overdue = and_(i.due < today, owed > 0)
        stmt = (
            select(
                i.client_id, i.currency,
                total(i.due >= current).label("b0"),
                total(and_(i.due < current, i.due >= b30)).label("b1"),
                total(and_(i.due < b30, i.due >= b60)).label("b2"),
                total(and_(i.due < b60, i.due >= b90)).label("b3"),
                total(i.due < b90).label("b4"),
                total(i.disputed.is_(True)).label("disputed"),
                func.count().label("open_count"),
                func.sum(case((overdue, 1), else_=0)).label("overdue_count"),
                func.min(case((overdue, i.due), else_=None)).label("oldest_due"),
            )
            .where(i.state == InvoiceState.OPEN.value)
            .group_by(i.client_id, i.currency)
        )
        if client_ids is not None:
            stmt = stmt.where(among(i.client_id, client_ids))
        out = []
        for r in self.s.execute(stmt):
            oldest = r.oldest_due
            if isinstance(oldest, str):  # SQLite returns MIN() over a CASE as text
                oldest = date.fromisoformat(oldest)
            out.append(Aging(
                r.client_id, r.currency,
                tuple(units_to_decimal(v, 2) for v in (r.b0, r.b1, r.b2, r.b3, r.b4)),
                units_to_decimal(r.disputed, 2), int(r.open_count), oldest, int(r.overdue_count or 0),
            ))
        return out

    def overdue(self, today: date, client_ids: Sequence[int] | None = None, *, more_than: int = 0,
                limit: int | None = None) -> builtins.list[Invoice]:
        i = InvoiceRow
        stmt = (
            select(_t(InvoiceRow))
            .where(i.state == InvoiceState.OPEN.value, _cents(i.amount) > _cents(i.paid),
                   i.due < date.fromordinal(today.toordinal() - more_than))
            .order_by(i.due, i.id)
        )
        if client_ids is not None:
            stmt = stmt.where(among(i.client_id, client_ids))
        if limit is not None:
            stmt = stmt.limit(limit)
        return [_invoice(r) for r in self.s.execute(stmt)]

    def disputed(self, client_ids: Sequence[int]) -> builtins.list[Invoice]:
        i = InvoiceRow
        stmt = (select(_t(InvoiceRow))
                .where(i.state == InvoiceState.OPEN.value, i.disputed.is_(True), among(i.client_id, client_ids))
                .order_by(i.due, i.id))
        return [_invoice(r) for r in self.s.execute(stmt)]

    def invoiced(self, project_ids: Sequence[int] | None = None) -> Mapping[tuple[int, str], Decimal]:
        i = InvoiceRow
        stmt = (select(i.project_id, i.currency, func.sum(_cents(i.amount)).label("total"))
                .where(i.project_id.is_not(None), i.state != InvoiceState.VOID.value)
                .group_by(i.project_id, i.currency))
        if project_ids is not None:
            stmt = stmt.where(among(i.project_id, project_ids))
        return {(r.project_id, r.currency): units_to_decimal(r.total, 2) for r in self.s.execute(stmt)}

    def burned(self, project_ids: Sequence[int], today: date) -> Mapping[int, Decimal]:
        """Burned to date per project (DESIGN's definition, as ``entries.totals(...).burned``) in one statement,
        reading less than the budget totals do: WIP has no 28-day window, so every month before this one
        comes from the ``burn_months`` rollup and only this month's entries and expenses up to today are read
        (through the burn index, by project)."""
        ids = sorted(set(project_ids))
        if not ids:
            return {}
        r, e, x = _t(BurnMonthRow), TimeEntryRow, ExpenseRow
        cutoff = date(today.year, today.month, 1)
        rolled = (select(r.c.project_id.label("project_id"), func.sum(r.c.bill_units + r.c.expense_units)
                         .label("units"))
                  .where(among(r.c.project_id, ids), r.c.month < cutoff).group_by(r.c.project_id))
        entries = (select(e.project_id.label("project_id"), func.sum(_cents(e.hours) * _cents(e.bill_rate))
                          .label("units"))
                   .where(among(e.project_id, ids), e.day >= cutoff, e.day <= today).group_by(e.project_id))
        expenses = (select(x.project_id.label("project_id"),
                           func.sum(_cents(x.amount) * literal_column("100", BigInteger)).label("units"))
                    .where(among(x.project_id, ids), x.day >= cutoff, x.day <= today).group_by(x.project_id))
        u = union_all(rolled, entries, expenses).subquery("burn")
        stmt = select(u.c.project_id, sql_cast(func.sum(u.c.units), BigInteger)).group_by(u.c.project_id)
        return {pid: units_to_decimal(units, 4) for pid, units in self.s.execute(stmt)}

    def to_escalate(self, today: date, more_than: int) -> builtins.list[Invoice]:
        i = InvoiceRow
        stmt = (
            select(_t(InvoiceRow))
            .where(i.state == InvoiceState.OPEN.value, _cents(i.amount) > _cents(i.paid),
                   or_(i.due < date.fromordinal(today.toordinal() - more_than), i.promised_on < today))
            .order_by(i.due, i.id)
        )
        return [_invoice(r) for r in self.s.execute(stmt)]

    def billing_names(self) -> dict[int, tuple[str, ...]]:
        b = ClientBillingNameRow
        names: dict[int, list[str]] = {}
        for r in self.s.execute(select(b.client_id, b.name).order_by(b.client_id, b.position)):
            names.setdefault(r.client_id, []).append(r.name)
        return {cid: tuple(v) for cid, v in names.items()}

    def set_billing_names(self, client_id: int, names: Sequence[str]) -> None:
        b = _t(ClientBillingNameRow)
        self.s.execute(delete(b).where(b.c.client_id == client_id))
        unique = list(dict.fromkeys(n.strip() for n in names if n.strip()))
        if unique:
            self.s.execute(insert(b), [{"client_id": client_id, "name": n[:200], "position": pos}
                                       for pos, n in enumerate(unique)])

