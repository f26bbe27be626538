"""``steward import opportunities``: a Salesforce report (Details Only, with its footer) and the generic file,
atomic and idempotent, matched by id else by name + client; a later close date on re-import is a push."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from bot.clock import FixedClock
from domain.errors import InvalidInput
from domain.opportunity_import import parse_amount, parse_csv_date, parse_opportunities_csv
from domain.pipeline import ForecastCategory
from handlers.imports import import_org_file
from handlers.opportunity_imports import import_opportunities_file
from storage.uow import SqlUnitOfWorkFactory
from tests.pipeline.example import NOW, ORG, SALESFORCE_CSV, push_csv
from tests.pipeline.test_worked_example import fact

CLOCK = FixedClock(NOW)


def stored(uow_factory: SqlUnitOfWorkFactory) -> dict[str, tuple[object, ...]]:
    with uow_factory() as uow:
        out = {}
        for k in uow.pipeline.match_keys():
            o = uow.pipeline.get(k.id)
            assert o is not None
            out[o.name] = (o.stage, o.amount, o.probability, o.close_date, o.category, o.is_closed, o.is_won,
                           o.pushes)
        return out


@pytest.fixture
def org(uow_factory: SqlUnitOfWorkFactory) -> SqlUnitOfWorkFactory:
    assert import_org_file(uow_factory, CLOCK, ORG).ok
    return uow_factory


def test_amounts_and_dates_are_read_as_the_export_writes_them() -> None:
    assert parse_amount("USD 12,000.00") == Decimal("12000.00")
    assert parse_amount("$12,000.00") == Decimal("12000.00")
    assert parse_amount("12000") == Decimal("12000")
    assert parse_amount("") == Decimal("0")
    assert parse_amount("twelve") is None and parse_amount("-5") is None
    assert parse_csv_date("12/5/2026") == date(2026, 12, 5)
    assert parse_csv_date("2026-12-05") == date(2026, 12, 5)
    assert parse_csv_date("3/2/2026 10:15 AM") == date(2026, 3, 2)
    assert parse_csv_date("31/12/2026") is None


def test_a_salesforce_report_is_recognised_in_any_column_order_and_its_footer_ignored() -> None:
    fmt, rows = parse_opportunities_csv(SALESFORCE_CSV)
    assert fmt == "salesforce"
    assert [r.name for r in rows] == ["Acme phase 1", "Acme lost bid", "Acme retainer", "Acme mobile", "Acme SEO",
                                      "Acme side project", "Acme 2027"]
    retainer = rows[2]
    assert (retainer.external_id, retainer.account, retainer.owner, retainer.amount, retainer.probability,
            retainer.close_date, retainer.category, retainer.last_activity) == (
        "0061x00000AAAAAAA3", "acme", "Sam Seller", Decimal("40000.00"), Decimal("80"), date(2026, 11, 10),
        ForecastCategory.COMMIT, date(2026, 11, 12))
    assert rows[3].probability is None and rows[3].category is None  # left to the stage table
    # A title row above the header, columns reordered, no footer blank line: still the same rows.
    lines = SALESFORCE_CSV.splitlines()
    header = lines[0].split(",")
    order = list(reversed(range(len(header))))
    import csv
    import io

    table = list(csv.reader(io.StringIO("\n".join(lines[:8]))))
    shuffled = io.StringIO()
    w = csv.writer(shuffled)
    w.writerow(["Opportunities closing this year"])
    for row in table:
        w.writerow([row[i] for i in order])
    assert [r.name for r in parse_opportunities_csv(shuffled.getvalue())[1]] == [r.name for r in rows]


def test_importing_the_report_twice_changes_nothing(org: SqlUnitOfWorkFactory) -> None:
    first = import_opportunities_file(org, CLOCK, SALESFORCE_CSV)
    assert first.ok and fact(first, "Added") == "7", first.summary
    before = stored(org)
    again = import_opportunities_file(org, CLOCK, SALESFORCE_CSV)
    assert fact(again, "Added") == "0" and fact(again, "Unchanged") == "7" and fact(again, "Updated") == "0"
    assert stored(org) == before
    assert before["Acme mobile"][2:5] == (Decimal("50"), date(2026, 11, 25), ForecastCategory.BEST_CASE)
    assert before["Acme phase 1"][5:7] == (True, True)
    assert before["Acme lost bid"][5:7] == (True, False)


def test_a_later_close_date_on_reimport_is_a_push_an_earlier_one_is_not(org: SqlUnitOfWorkFactory) -> None:
    import_opportunities_file(org, CLOCK, SALESFORCE_CSV)
    later = import_opportunities_file(org, CLOCK, push_csv("2026-12-05"))
    assert fact(later, "Updated") == "1" and fact(later, "Close dates pushed") == "1"
    assert fact(import_opportunities_file(org, CLOCK, push_csv("2026-12-05")), "Unchanged") == "1"
    earlier = import_opportunities_file(org, CLOCK, push_csv("2026-12-01"))
    assert fact(earlier, "Close dates pushed") == "0"
    assert stored(org)["Acme mobile"][7] == 1
    with org() as uow:
        mobile = next(k for k in uow.pipeline.match_keys() if k.name == "Acme mobile")
        changes = [(c.old, c.new, c.is_push) for c in uow.pipeline.changes(mobile.id)]
    assert changes == [(date(2026, 11, 25), date(2026, 12, 5), True), (date(2026, 12, 5), date(2026, 12, 1), False)]


def test_a_generic_row_without_an_id_matches_by_name_and_client(org: SqlUnitOfWorkFactory) -> None:
    text = ("name,client,owner,stage,amount,probability,close_date,forecast_category,type\n"
            "Beta pilot,Beta Ltd,dana@example.com,Qualification,8000,,2026-12-01,,New Business\n")
    assert fact(import_opportunities_file(org, CLOCK, text, "generic"), "Added") == "1"
    moved = text.replace("2026-12-01", "2027-01-05").replace("8000", "9000")
    reply = import_opportunities_file(org, CLOCK, moved)
    assert fact(reply, "Updated") == "1" and fact(reply, "Close dates pushed") == "1"
    assert stored(org)["Beta pilot"][:4] == ("Qualification", Decimal("9000"), Decimal("20"), date(2027, 1, 5))


def test_one_bad_row_imports_nothing_and_names_each_line(org: SqlUnitOfWorkFactory) -> None:
    bad = SALESFORCE_CSV.replace('"USD 40,000.00"', '"forty thousand"').replace('"12/20/2026"', '"12/45/2026"')
    reply = import_opportunities_file(org, CLOCK, bad)
    assert not reply.ok
    assert "line 4: amount “forty thousand” is not an amount" in reply.summary
    assert "line 6: close date “12/45/2026” is not a date" in reply.summary
    assert stored(org) == {}


def test_an_account_that_matches_no_client_rejects_the_file(org: SqlUnitOfWorkFactory) -> None:
    reply = import_opportunities_file(org, CLOCK, SALESFORCE_CSV.replace('"acme"', '"Acme Holdings"'))
    assert not reply.ok and "account “Acme Holdings” matches no client" in reply.summary
    assert "crm_names" in reply.summary
    assert stored(org) == {}


def test_a_file_that_is_neither_format_says_what_it_needs(org: SqlUnitOfWorkFactory) -> None:
    reply = import_opportunities_file(org, CLOCK, "deal,value\nx,1\n")
    assert not reply.ok and "Opportunity Owner" in reply.summary and "close_date" in reply.summary
    wrong = import_opportunities_file(org, CLOCK, SALESFORCE_CSV, "generic")
    assert not wrong.ok and "--format generic" in wrong.summary
    with pytest.raises(InvalidInput):
        parse_opportunities_csv("id,name,client,stage,amount,close_date\n1,a,acme,Won,1,2026-01-01\n"
                                "1,b,acme,Won,1,2026-01-01\n")  # the same id twice


def test_the_command_line_imports_a_file(org: SqlUnitOfWorkFactory, database_url: str, tmp_path: object,
                                         monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from pathlib import Path

    from bot.cli import main

    monkeypatch.setenv("DATABASE_URL", database_url)
    path = Path(str(tmp_path)) / "report.csv"
    path.write_text(SALESFORCE_CSV, encoding="utf-8")
    assert main(["import", "opportunities", str(path), "--format", "salesforce"]) == 0
    assert "7 added" in capsys.readouterr().out
    assert main(["import", "opportunities", str(path)]) == 0
    assert "0 added, 0 updated, 7 unchanged" in capsys.readouterr().out
