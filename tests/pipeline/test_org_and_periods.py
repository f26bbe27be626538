"""The organisation file's pipeline keys (quotas, fiscal year, stage table, crm_names, renewal notice) and
fiscal quarters."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from bot.clock import FixedClock
from domain.pipeline import (
    ForecastCategory,
    Period,
    PipelineSettings,
    StageRule,
    parse_period,
    period_of,
    resolve_stage,
)
from handlers.imports import import_org_file
from storage.uow import SqlUnitOfWorkFactory
from tests.pipeline.example import NOW, ORG

CLOCK = FixedClock(NOW)


def test_with_the_default_fiscal_year_2026_q4_is_october_to_december() -> None:
    q4 = parse_period("2026-Q4")
    assert q4 == Period(2026, 4) and (q4.first, q4.last) == (date(2026, 10, 1), date(2026, 12, 31))
    assert period_of(date(2026, 11, 15)) == q4 and q4.next() == Period(2027, 1)
    assert parse_period("q4 2026") == q4 and parse_period("2026q4") == q4
    assert parse_period("2026-Q5") is None and parse_period("Q4") is None


def test_a_fiscal_year_starting_in_april_shifts_the_quarters() -> None:
    q1 = parse_period("2026-Q1", 4)
    assert q1 is not None and (q1.first, q1.last) == (date(2026, 4, 1), date(2026, 6, 30))
    q4 = Period(2026, 4, 4)
    assert (q4.first, q4.last) == (date(2027, 1, 1), date(2027, 3, 31))
    assert period_of(date(2027, 2, 10), 4) == q4
    assert period_of(date(2026, 3, 31), 4) == Period(2025, 4, 4)


def test_the_source_wins_over_the_stage_table_which_wins_over_the_defaults() -> None:
    rule = StageRule("Negotiation", probability=Decimal("80"), category=ForecastCategory.COMMIT)
    s = PipelineSettings(stages=(rule,))
    assert resolve_stage(s, "negotiation", None, None) == (Decimal("80"), ForecastCategory.COMMIT, False, False)
    assert resolve_stage(s, "Negotiation", Decimal("60"), ForecastCategory.BEST_CASE)[:2] == \
        (Decimal("60"), ForecastCategory.BEST_CASE)
    assert resolve_stage(s, "Closed Won", None, None) == (Decimal("100"), ForecastCategory.CLOSED, True, True)
    assert resolve_stage(s, "Closed Lost", None, None) == (Decimal("0"), ForecastCategory.OMITTED, True, False)
    assert resolve_stage(s, "Discovery", None, None) == (Decimal("0"), ForecastCategory.PIPELINE, False, False)


def test_the_pipeline_keys_are_stored_and_a_second_import_changes_nothing(uow_factory: SqlUnitOfWorkFactory) -> None:
    assert import_org_file(uow_factory, CLOCK, ORG).ok
    with uow_factory() as uow:
        settings = uow.pipeline.settings()
        assert settings.delivery_months == 3 and settings.fiscal_year_start_month == 1
        assert [s.name for s in settings.stages] == ["Negotiation", "Proposal", "Qualification"]
        dana = uow.people.by_email("dana@example.com")
        assert dana is not None
        assert {(q.person_id, q.period, q.amount) for q in uow.pipeline.quotas()} == {
            (dana.id, "2026-Q4", Decimal("100000")), (dana.id, "2027-Q1", Decimal("90000"))}
        acme = uow.clients.by_key("acme")
        assert acme is not None and uow.pipeline.crm_names()[acme.id or 0] == ("Acme Corporation",)
        web = uow.projects.by_key("acme-web")
        assert web is not None and uow.pipeline.renewals()[web.id or 0].notice_days == 90
    again = import_org_file(uow_factory, CLOCK, ORG)
    assert again.title == "Nothing to change", again.summary
    changed = import_org_file(uow_factory, CLOCK, ORG.replace("amount: 100000", "amount: 120000")
                              .replace("delivery_months: 3", "delivery_months: 4"))
    assert changed.ok and "quota 2026-Q4: 100000 → 120000" in " ".join(changed.sections[0].lines)


@pytest.mark.parametrize(("change", "problem"), [
    (("fiscal_year_start_month: 1", "fiscal_year_start_month: 13"), "fiscal_year_start_month: 13 is not a month"),
    (("period: 2026-Q4", "period: 2026-Q9"), "quotas[0].period: '2026-Q9' is not a fiscal quarter"),
    (("amount: 100000", "amount: lots"), "quotas[0].amount: 'lots' is not an amount"),
    (("delivery_months: 3", "delivery_months: 0"), "pipeline.delivery_months: 0 is not a whole number"),
    (("probability: 80", "probability: 180"), "pipeline.stages[0].probability: 180 is not a percentage"),
    (("category: Commit", "category: Maybe"), "pipeline.stages[0].category: 'Maybe' is not one of"),
    (("renewal: {notice_days: 90}", "renewal: {notice_days: soon}"), "renewal: expected {notice_days: N}"),
    (("crm_names: [Acme Corporation]", "crm_names: {a: b}"), "clients[0].crm_names: expected a list"),
])
def test_a_bad_pipeline_key_is_reported_with_its_path_and_nothing_is_imported(
        uow_factory: SqlUnitOfWorkFactory, change: tuple[str, str], problem: str) -> None:
    assert change[0] in ORG
    reply = import_org_file(uow_factory, CLOCK, ORG.replace(change[0], change[1]))
    assert not reply.ok and problem in reply.summary, reply.summary
    with uow_factory() as uow:
        assert uow.people.list() == []


def test_a_quota_for_someone_unknown_imports_nothing(uow_factory: SqlUnitOfWorkFactory) -> None:
    reply = import_org_file(uow_factory, CLOCK, ORG.replace("{email: dana@example.com, period: 2027-Q1",
                                                             "{email: nobody@example.com, period: 2027-Q1"))
    assert not reply.ok and "nobody@example.com" in reply.summary
    with uow_factory() as uow:
        assert uow.people.list() == []
