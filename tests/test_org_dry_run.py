"""``steward import org FILE --dry-run [--deactivate-missing]``: the same summary as the import, nothing written."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from bot.cli import main
from bot.clock import FixedClock
from handlers.imports import import_org_file
from handlers.reply import Reply
from storage.orm import Base
from storage.uow import SqlUnitOfWorkFactory

DATA = Path(__file__).parent / "data"
CLOCK = FixedClock(datetime(2026, 11, 15, 12, 0, tzinfo=ZoneInfo("America/New_York")))


def row_counts(uow_factory: SqlUnitOfWorkFactory) -> dict[str, int]:
    with uow_factory() as uow:
        return {t.name: uow.session.execute(select(func.count()).select_from(t)).scalar_one()
                for t in Base.metadata.sorted_tables}


def changed_file(tmp_path: Path) -> Path:
    text = (DATA / "org.yaml").read_text()
    text = text.replace("cost_rate: 60, bill_rate: 140", "cost_rate: 62, bill_rate: 150")  # Jane's rates
    text = text.replace("budget: 120000", "budget: 130000")
    lines = [line for line in text.splitlines() if "leo@example.com" not in line]  # Leo left
    lines.insert(lines.index("people:") + 1,
                 "  - {name: Nina New, email: nina@example.com, role: member, capacity_hours: 40, cost_rate: 50, "
                 "bill_rate: 120}")
    path = tmp_path / "org.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


def sections(reply: Reply) -> dict[str, tuple[str, ...]]:
    return {s.title: s.lines for s in reply.sections}


def test_a_dry_run_writes_nothing_and_prints_the_summary_the_import_then_prints(
        uow_factory: SqlUnitOfWorkFactory, tmp_path: Path) -> None:
    assert import_org_file(uow_factory, CLOCK, DATA / "org.yaml").ok
    path = changed_file(tmp_path)
    before = row_counts(uow_factory)

    preview = import_org_file(uow_factory, CLOCK, path, dry_run=True, deactivate_missing=True)
    assert preview.ok and preview.title.startswith("Dry run") and "nothing was written" in preview.title
    assert row_counts(uow_factory) == before  # not a row added, in any table (the audit trail included)
    with uow_factory() as uow:
        jane, leo = uow.people.by_email("jane@example.com"), uow.people.by_email("leo@example.com")
    assert jane is not None and jane.bill_rate == 140 and leo is not None and leo.active

    applied = import_org_file(uow_factory, CLOCK, path, deactivate_missing=True)
    assert applied.ok and applied.title.startswith("Organisation imported")
    assert sections(preview) == sections(applied)
    assert sections(applied) == {
        "Added": ("person nina@example.com: Nina New, member, 40h/week, cost 50, bill 120",),
        "Updated": ("person jane@example.com: cost_rate: 60 → 62", "person jane@example.com: bill_rate: 140 → 150",
                    "project acme-web: budget: 120000 → 130000"),
        "Switched off": ("person leo@example.com (not in the file)",),
    }
    after = row_counts(uow_factory)
    assert after["people"] == before["people"] + 1
    assert after["audit_events"] == before["audit_events"] + 4  # one entry per changed row
    with uow_factory() as uow:
        leo = uow.people.by_email("leo@example.com")
    assert leo is not None and not leo.active
    again = import_org_file(uow_factory, CLOCK, path, dry_run=True, deactivate_missing=True)
    assert again.title == "Nothing to change"


def test_without_deactivate_missing_people_not_in_the_file_stay_on(uow_factory: SqlUnitOfWorkFactory,
                                                                   tmp_path: Path) -> None:
    assert import_org_file(uow_factory, CLOCK, DATA / "org.yaml").ok
    reply = import_org_file(uow_factory, CLOCK, changed_file(tmp_path))
    assert "Switched off" not in sections(reply)
    with uow_factory() as uow:
        leo = uow.people.by_email("leo@example.com")
    assert leo is not None and leo.active


def test_deactivate_missing_with_a_file_of_no_people_is_refused(uow_factory: SqlUnitOfWorkFactory,
                                                                tmp_path: Path) -> None:
    assert import_org_file(uow_factory, CLOCK, DATA / "org.yaml").ok
    path = tmp_path / "clients.yaml"
    path.write_text("currency: USD\n")
    before = row_counts(uow_factory)
    reply = import_org_file(uow_factory, CLOCK, path, deactivate_missing=True)
    assert not reply.ok and "switch off everyone" in reply.summary
    assert row_counts(uow_factory) == before


def test_the_command_line_prints_the_dry_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'steward.db'}")
    assert main(["import", "org", str(DATA / "org.yaml")]) == 0
    capsys.readouterr()
    assert main(["import", "org", str(changed_file(tmp_path)), "--dry-run", "--deactivate-missing"]) == 0
    out = capsys.readouterr().out
    assert "nothing was written" in out and "person leo@example.com (not in the file)" in out
    assert "project acme-web: budget: 120000 → 130000" in out
