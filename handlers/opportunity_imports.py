"""``steward import opportunities FILE.csv [--format salesforce|generic]``: the whole file or nothing."""

from __future__ import annotations

import os

from domain.errors import StewardError
from domain.opportunity_import import import_opportunities
from domain.ports import Clock, UnitOfWorkFactory
from handlers.imports import _read
from handlers.reply import Fact, Reply, Severity, error


def import_opportunities_file(uow_factory: UnitOfWorkFactory, clock: Clock, path_or_text: str | os.PathLike[str],
                              fmt: str | None = None) -> Reply:
    """Import opportunities from a CSV file (or its text). Idempotent; a later close date is a push."""
    try:
        text, name = _read(path_or_text)
        with uow_factory() as uow:
            summary = import_opportunities(uow, text, fmt, None, clock.now())
            uow.commit()
    except StewardError as exc:
        return error(exc.message, exc.example, title="No opportunities were imported")
    source = f" from {name}" if name else ""
    fmt_name = "Salesforce report" if summary.source == "salesforce" else "Generic file"
    return Reply(
        title=f"Opportunities: {summary.describe()}",
        summary=f"{fmt_name}{source}: {summary.rows} rows.",
        facts=(Fact("Added", str(summary.added)), Fact("Updated", str(summary.updated)),
               Fact("Unchanged", str(summary.unchanged)), Fact("Close dates pushed", str(summary.pushes))),
        severity=Severity.SUCCESS if summary.added or summary.updated else Severity.INFO,
    )
