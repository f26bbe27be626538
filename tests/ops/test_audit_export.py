"""``steward audit``: the whole trail as CSV or JSON lines, streamed in constant memory."""

from __future__ import annotations

import csv
import json
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import insert

from bot.audit_export import parse_bound, write
from bot.cli import main
from domain.model import Organisation
from storage.orm import AuditEventRow
from storage.uow import SqlUnitOfWorkFactory

EVENTS = 100_000
PEAK_BOUND = 8 * 1024 * 1024  # bytes; the trail itself, held at once, would be well over 50 MB
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def fill(uow_factory: SqlUnitOfWorkFactory, n: int) -> None:
    with uow_factory() as uow:
        uow.organisation.save(Organisation(currency="USD", timezone="Europe/London"))
        for start in range(0, n, 10_000):
            uow.session.execute(insert(AuditEventRow), [
                {"at": T0 + timedelta(minutes=i), "actor_id": None, "source": "import",
                 "action": "project.updated", "subject": f"project:p{i % 300}",
                 "detail": f"budget: {i} → {i + 1000}, a note long enough to look like a real one"}
                for i in range(start, min(n, start + 10_000))])
        uow.commit()


def test_exporting_100000_events_as_csv_stays_under_a_fixed_memory_bound(uow_factory: SqlUnitOfWorkFactory,
                                                                          tmp_path: Path) -> None:
    fill(uow_factory, EVENTS)
    out = tmp_path / "audit.csv"
    with out.open("w", newline="") as sink:
        tracemalloc.start()
        try:
            written = write(uow_factory, sink, fmt="csv")
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert written == EVENTS
    assert peak < PEAK_BOUND, f"peak {peak / 1e6:.1f} MB"
    with out.open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == EVENTS
    assert [int(r["id"]) for r in rows[:3]] == [1, 2, 3]  # oldest first
    assert rows[0]["at"] == "2026-01-01T00:00:00+00:00" and rows[0]["source"] == "import"  # London, winter
    assert rows[-1]["detail"].startswith(f"budget: {EVENTS - 1} → ")


def test_audit_filters_by_dates_and_subject_and_writes_json_lines(uow_factory: SqlUnitOfWorkFactory,
                                                                   tmp_path: Path) -> None:
    fill(uow_factory, 3000)
    out = tmp_path / "audit.jsonl"
    london = ZoneInfo("Europe/London")
    since = parse_bound("2026-01-01T10:00", london, end=False)
    until = parse_bound("2026-01-01", london, end=True)  # the whole of the 1st
    with out.open("w") as sink:
        assert write(uow_factory, sink, fmt="jsonl", since=since, until=until, subject="project:p7") == 3
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["subject"] for r in records] == ["project:p7"] * 3
    assert all(since <= datetime.fromisoformat(r["at"]) < until for r in records)


def test_the_audit_command_streams_csv_to_stdout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'steward.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    assert main(["say", "help", "--as", "nobody@example.com"]) in (0, 1)  # creates the database
    capsys.readouterr()
    from storage.uow import build_uow_factory

    fill(build_uow_factory(url), 50)
    assert main(["audit", "--format", "csv", "--subject", "project:p1"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "id,at,actor_email,actor_name,source,action,subject,detail"
    assert len(out) == 1 + 1  # p1 only once among 50 events over 300 subjects
    assert main(["audit", "--since", "yesterday"]) == 2  # a usage error, with an example
    assert "example: 2026-11-30" in capsys.readouterr().err
