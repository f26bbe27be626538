"""``steward import invoices``: the three formats, detection from the header, all or nothing, idempotent by
invoice number, and a newer export updating what changed (and saying so)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.clock import FixedClock
from domain.invoice_import import parse_invoices_csv, parse_money
from domain.receivables import InvoiceState
from handlers.imports import import_org_file
from handlers.invoice_imports import import_invoices_file
from storage.uow import SqlUnitOfWorkFactory
from tests.handlers.world import NOW, World, seed

DATA = Path(__file__).parent / "data"
D = Decimal
CLOCK = FixedClock(NOW)


def acme_billing_names(w: World) -> None:
    with w.uow_factory() as uow:
        uow.invoices.set_billing_names(w.ids["acme"], ["ACME Corporation Pty Ltd"])
        uow.commit()


def stored(uow_factory: SqlUnitOfWorkFactory) -> dict[str, tuple[str, Decimal, Decimal, InvoiceState, str]]:
    with uow_factory() as uow:
        clients = {c.id: c.key for c in uow.clients.list()}
        found = uow.invoices.by_numbers([n for n in ("INV-1001", "INV-1002", "INV-1003", "CN-1004", "INV-1005",
                                                     "INV-2001", "INV-2002", "INV-2003", "INV-2004", "BILL-77",
                                                     "3001", "3002", "3003", "3004")])
    return {inv.number: (clients[inv.client_id], inv.amount, inv.paid, inv.state, inv.currency)
            for inv in found.values()}


def test_a_generic_file_imports_with_clients_by_key_or_name_and_currency_defaulting_to_the_organisations(
        uow_factory: SqlUnitOfWorkFactory) -> None:
    seed(uow_factory)
    reply = import_invoices_file(uow_factory, CLOCK, DATA / "invoices-generic.csv")
    assert reply.ok, reply.summary
    assert reply.title == "5 invoices added, 0 updated, 0 unchanged"
    assert stored(uow_factory) == {
        "INV-1001": ("acme", D("12400"), D("0"), InvoiceState.OPEN, "USD"),
        "INV-1002": ("acme", D("2500"), D("1000"), InvoiceState.OPEN, "USD"),
        "INV-1003": ("globex", D("8000"), D("8000"), InvoiceState.PAID, "USD"),
        "CN-1004": ("acme", D("-400"), D("0"), InvoiceState.OPEN, "USD"),
        "INV-1005": ("globex", D("3000"), D("0"), InvoiceState.OPEN, "EUR"),
    }
    again = import_invoices_file(uow_factory, CLOCK, DATA / "invoices-generic.csv")
    assert again.title.startswith("Nothing changed") and again.facts[2].value == "5"


def test_a_xero_export_is_detected_grouped_by_invoice_and_keeps_only_sales_invoices(
        uow_factory: SqlUnitOfWorkFactory) -> None:
    w = seed(uow_factory)
    acme_billing_names(w)
    reply = import_invoices_file(uow_factory, CLOCK, DATA / "invoices-xero.csv")
    assert reply.ok, reply.summary
    assert reply.summary.startswith("Xero file from invoices-xero.csv: 4 invoices")
    assert stored(uow_factory) == {
        "INV-2001": ("acme", D("11000"), D("0"), InvoiceState.OPEN, "USD"),  # two line items, one invoice
        "INV-2002": ("globex", D("5500"), D("5500"), InvoiceState.PAID, "USD"),
        "INV-2003": ("globex", D("1100"), D("0"), InvoiceState.VOID, "USD"),
        "INV-2004": ("acme", D("2200"), D("0"), InvoiceState.DRAFT, "USD"),
    }  # the supplier's bill BILL-77 is not money owed to us
    with uow_factory() as uow:
        first = uow.invoices.get("inv-2001")
        assert first is not None and first.project_id == w.ids["acme-web"]  # Reference is the project key
        assert first.due.isoformat() == "2026-10-01"  # day first: 01/10/2026 is 1 October


def test_a_quickbooks_aging_detail_skips_titles_groups_totals_and_payments(uow_factory: SqlUnitOfWorkFactory) -> None:
    w = seed(uow_factory)
    acme_billing_names(w)
    reply = import_invoices_file(uow_factory, CLOCK, DATA / "invoices-quickbooks.csv")
    assert reply.ok, reply.summary
    assert stored(uow_factory) == {
        "3001": ("acme", D("2000"), D("0"), InvoiceState.OPEN, "USD"),
        "3002": ("globex", D("4500"), D("3000"), InvoiceState.OPEN, "USD"),  # paid = Amount − Open balance
        "3003": ("acme", D("-250"), D("0"), InvoiceState.OPEN, "USD"),  # a credit memo
        "3004": ("acme", D("7000"), D("0"), InvoiceState.OPEN, "USD"),  # by billing_names
    }
    with uow_factory() as uow:
        inv = uow.invoices.get("3002")
        assert inv is not None and inv.due.isoformat() == "2026-10-31"  # month first: QuickBooks US


def test_a_file_with_one_bad_row_imports_nothing_and_names_the_lines(uow_factory: SqlUnitOfWorkFactory) -> None:
    seed(uow_factory)
    reply = import_invoices_file(uow_factory, CLOCK, DATA / "invoices-bad.csv")
    assert not reply.ok
    assert "line 3: unknown customer “Acme Corpp” (closest: Acme Corp" in reply.summary
    assert "line 4: due “31/10/2026” is not a date (e.g. 2026-11-15)" in reply.summary
    with uow_factory() as uow:
        assert uow.invoices.get("INV-5001") is None  # the good row was not imported either


def test_a_newer_export_updates_amounts_paid_and_states_and_says_what_changed(
        uow_factory: SqlUnitOfWorkFactory) -> None:
    w = seed(uow_factory)
    import_invoices_file(uow_factory, CLOCK, DATA / "invoices-generic.csv")
    assert w.say("promise INV-1001 2026-11-20", who="dana@example.com").ok
    newer = (DATA / "invoices-generic.csv").read_text().replace(
        "INV-1001,acme,acme-web,2026-09-01,2026-10-01,USD,12400.00,0",
        "INV-1001,acme,acme-web,2026-09-01,2026-10-01,USD,12400.00,12400.00").replace(
        "INV-1002,Acme Corp,,2026-10-01,2026-10-31,,2500.00,1000.00",
        "INV-1002,Acme Corp,,2026-10-01,2026-10-31,,2500.00,1500.00")
    reply = import_invoices_file(uow_factory, CLOCK, newer)
    assert reply.title == "0 invoices added, 2 updated, 3 unchanged"
    changes = reply.sections[0].lines
    assert changes == ("INV-1001: paid $0 → $12,400; open → paid", "INV-1002: paid $1,000 → $1,500")
    with uow_factory() as uow:
        inv = uow.invoices.get("INV-1001")
        assert inv is not None and inv.promised_on is not None  # Steward's own notes stay
        assert [e.detail.split(" (")[0] for e in uow.audit.list("invoice:INV-1001")][:1] == [
            "paid $0 → $12,400; open → paid"]


def test_billing_names_and_the_wip_reminder_come_from_the_organisation_file(
        uow_factory: SqlUnitOfWorkFactory, tmp_path: Path) -> None:
    org = (DATA / "org.yaml").read_text()
    assert "aliases: [acme corporation]\n" in org and "  reack_hours: 24\n" in org
    path = tmp_path / "org.yaml"
    path.write_text(org.replace("aliases: [acme corporation]\n",
                                "aliases: [acme corporation]\n    billing_names: [ACME Corporation Pty Ltd]\n")
                    .replace("  reack_hours: 24\n", "  reack_hours: 24\n  wip_reminder_days_before_month_end: 2\n"))
    reply = import_org_file(uow_factory, CLOCK, path)
    assert reply.ok, reply.summary
    with uow_factory() as uow:
        names = uow.invoices.billing_names()
        acme = next(c for c in uow.clients.list() if c.key == "acme")
        assert uow.organisation.get().escalation.wip_reminder_days_before_month_end == 2
    assert names[acme.id or 0] == ("ACME Corporation Pty Ltd",)
    assert import_org_file(uow_factory, CLOCK, path).title == "Nothing to change"
    path.write_text(path.read_text().replace("billing_names: [ACME Corporation Pty Ltd]", "billing_names: []"))
    cleared = import_org_file(uow_factory, CLOCK, path)
    assert "client acme: billing_names [ACME Corporation Pty Ltd] → []" in cleared.sections[0].lines


@pytest.mark.parametrize("text, value", [("1200", "1200"), ("1,200.50", "1200.50"), ("$1,200.50", "1200.50"),
                                         ("-150", "-150"), ("(150.00)", "-150.00"), ("12.345", None),
                                         ("abc", None), ("", None)])
def test_amounts_are_read_exactly(text: str, value: str | None) -> None:
    assert parse_money(text) == (None if value is None else D(value))


def test_the_format_is_detected_from_the_header_or_refused_with_the_expected_columns() -> None:
    assert parse_invoices_csv((DATA / "invoices-quickbooks.csv").read_text())[0] == "quickbooks"
    assert parse_invoices_csv((DATA / "invoices-xero.csv").read_text())[0] == "xero"
    with pytest.raises(Exception, match="Name it with --format generic\\|xero\\|quickbooks"):
        parse_invoices_csv("date,email,project,hours\n2026-11-03,jane@example.com,acme-web,3")


def test_the_cli_imports_invoices(uow_factory: SqlUnitOfWorkFactory, monkeypatch: pytest.MonkeyPatch,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    from bot.cli import main

    seed(uow_factory)
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "MICROSOFT_APP_ID",
                 "STEWARD_TIMEZONE", "STEWARD_ADMINS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", uow_factory.engine.url.render_as_string(hide_password=False))
    code = main(["import", "invoices", str(DATA / "invoices-generic.csv"), "--format", "generic",
                 "--now", datetime(2026, 11, 15, 12, tzinfo=ZoneInfo("UTC")).isoformat()])
    assert code == 0, capsys.readouterr().out
    assert "5 invoices added" in capsys.readouterr().out
