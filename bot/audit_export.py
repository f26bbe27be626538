"""``steward audit [--since DATE] [--until DATE] [--subject KEY] [--format csv|jsonl]``: the whole trail.

Streams: events are read a page at a time (``domain.audit_trail.export``) and written as they come,
so memory stays flat however long the trail (the test measures 100,000 events under a fixed bound).
Times are ISO 8601 in the organisation's timezone, with their offset.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import TextIO
from zoneinfo import ZoneInfo

from domain.audit_trail import AuditEntry, export
from domain.ports import UnitOfWorkFactory

COLUMNS = ("id", "at", "actor_email", "actor_name", "source", "action", "subject", "detail")


def parse_bound(text: str, tz: ZoneInfo, *, end: bool) -> datetime:
    """``2026-11-30`` or ``2026-11-30T14:00``; a bare date as an end bound means the end of that day."""
    text = text.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return datetime.combine(day + timedelta(days=1) if end else day, time(), tzinfo=tz)
        at = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"not a date: {text!r} (example: 2026-11-30 or 2026-11-30T14:00)") from None
    return at if at.tzinfo else at.replace(tzinfo=tz)


def rows(entries: Iterable[AuditEntry], tz: ZoneInfo) -> Iterable[dict[str, object]]:
    for entry in entries:
        e = entry.event
        yield {"id": e.id, "at": e.at.astimezone(tz).isoformat(), "actor_email": entry.actor_email or "",
               "actor_name": entry.actor_name or "", "source": e.source.value, "action": e.action,
               "subject": e.subject, "detail": e.detail}


def write(uow_factory: UnitOfWorkFactory, out: TextIO, *, fmt: str = "csv", since: datetime | None = None,
          until: datetime | None = None, subject: str | None = None) -> int:
    """Write the matching trail to ``out``; returns how many events."""
    with uow_factory() as uow:
        tz = ZoneInfo(uow.organisation.get().timezone)
    n = 0
    stream = rows(export(uow_factory, since=since, until=until, subject=subject), tz)
    if fmt == "jsonl":
        for row in stream:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
            n += 1
        return n
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in stream:
        writer.writerow(row)
        n += 1
    return n
