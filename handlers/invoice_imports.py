"""``steward import invoices FILE.csv [--format generic|xero|quickbooks]``: the whole file or nothing, and
what a newer export changed."""

from __future__ import annotations

import os
from decimal import Decimal

from domain.errors import StewardError
from domain.invoice_import import import_invoices
from domain.ports import Clock, UnitOfWorkFactory
from handlers.base import format_money, plural
from handlers.imports import _read
from handlers.reply import Fact, Reply, Section, Severity, error

MAX_CHANGES_SHOWN = 25


def import_invoices_file(uow_factory: UnitOfWorkFactory, clock: Clock, path_or_text: str | os.PathLike[str],
                         fmt: str | None = None) -> Reply:
    """Import invoices from a CSV file (or its text). Idempotent by invoice number."""
    try:
        text, name = _read(path_or_text)
        with uow_factory() as uow:
            summary = import_invoices(uow, text, fmt, None, clock.now(), name, money=_money)
            uow.commit()
    except StewardError as exc:
        return error(exc.message, exc.example, title="No invoices were imported")
    source = f" from {name}" if name else ""
    sections: tuple[Section, ...] = ()
    if summary.changes:
        shown = summary.changes[:MAX_CHANGES_SHOWN]
        more = (f"… and {len(summary.changes) - len(shown)} more (see the audit trail)",) \
            if len(summary.changes) > len(shown) else ()
        sections = (Section(title="What changed", lines=(*shown, *more)),)
    return Reply(
        title=summary.describe(),
        summary=f"{summary.format.capitalize()} file{source}: {plural(summary.invoices, 'invoice')} on "
                f"{plural(summary.rows, 'row')}.",
        facts=(Fact("Added", str(summary.added)), Fact("Updated", str(summary.updated)),
               Fact("Unchanged", str(summary.unchanged))),
        sections=sections,
        severity=Severity.SUCCESS if summary.added or summary.updated else Severity.INFO,
    )


def _money(amount: Decimal, currency: str) -> str:
    return format_money(amount, currency, cents=amount != amount.to_integral_value())
