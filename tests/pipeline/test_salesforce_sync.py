"""``steward sync salesforce`` against a local fake of the Salesforce REST API (HTTPS on 127.0.0.1): every
page of a result is read through ``nextRecordsUrl``, stage metadata and close-date history are used, a
re-sync asks only for what changed and records nothing twice, and one replica per interval runs it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from bot.clock import FixedClock
from bot.salesforce import run_periodic_sync, sync_command
from bot.settings import ConfigError, Settings
from handlers.imports import import_org_file
from storage.uow import SqlUnitOfWorkFactory
from tests.pipeline.example import NOW, ORG, Example
from tests.pipeline.test_worked_example import fact
from tests.support.fake_salesforce import SESSION_ID, FakeSalesforce, Served, serve


def opp(n: int, name: str, account: str, stage: str, amount: float | None, prob: float | None, close: str,
        category: str, closed: bool = False, won: bool = False, stamp: str = "2026-11-14T10:00:00Z",
        owner: str = "Sam Seller", email: str = "sam@example.com") -> dict[str, Any]:
    return {"Id": f"0061x0000SF{n:07d}", "Name": name, "Account": {"attributes": {"type": "Account"}, "Name": account},
            "Owner": {"Name": owner, "Email": email}, "StageName": stage, "Amount": amount, "Probability": prob,
            "CloseDate": close, "ForecastCategoryName": category, "IsClosed": closed, "IsWon": won,
            "Type": "New Business", "NextStep": None, "LastActivityDate": None,
            "CreatedDate": "2026-09-01T09:00:00.000+0000", "SystemModstamp": stamp}


def history(n: int, opp_n: int, old: str, new: str, at: str) -> dict[str, Any]:
    return {"Id": f"017fake{n:011d}", "OpportunityId": f"0061x0000SF{opp_n:07d}", "Field": "CloseDate",
            "OldValue": old, "NewValue": new, "CreatedDate": at}


@pytest.fixture
def salesforce(tmp_path: Path) -> Iterator[Served]:
    fake = FakeSalesforce(page_size=2)
    fake.stages = [
        {"MasterLabel": "Prospecting", "IsClosed": False, "IsWon": False, "DefaultProbability": 10,
         "ForecastCategoryName": "Pipeline"},
        {"MasterLabel": "Proposal/Price Quote", "IsClosed": False, "IsWon": False, "DefaultProbability": 75,
         "ForecastCategoryName": "Best Case"},
        {"MasterLabel": "Closed Won", "IsClosed": True, "IsWon": True, "DefaultProbability": 100,
         "ForecastCategoryName": "Closed"},
    ]
    fake.opportunities = [
        opp(1, "Acme phase 1", "Acme Corporation", "Closed Won", 50000.0, 100.0, "2026-10-20", "Closed", True, True),
        opp(2, "Acme retainer", "Acme Corporation", "Negotiation", 40000.0, 80.0, "2026-12-10", "Commit"),
        opp(3, "Acme quote", "Acme Corporation", "Proposal/Price Quote", 10000.0, None, "2026-12-01", ""),
        opp(4, "Beta pilot", "Beta Ltd", "Prospecting", 8000.0, 10.0, "2026-11-30", "Pipeline",
            owner="Dana Director", email="dana@example.com"),
        opp(5, "Stranger deal", "Unknown Industries", "Prospecting", 1000.0, 10.0, "2026-12-01", "Pipeline"),
    ]
    fake.history = [
        history(1, 2, "2026-11-01", "2026-11-20", "2026-10-25T15:00:00Z"),
        history(2, 2, "2026-11-20", "2026-12-10", "2026-11-12T15:00:00Z"),
        history(3, 3, "2026-12-15", "2026-12-01", "2026-11-10T15:00:00Z"),  # moved earlier: not a push
    ]
    served = serve(fake, tmp_path)
    try:
        yield served
    finally:
        served.stop()


def settings_for(served: Served, **extra: str) -> Settings:
    return Settings.from_env({"SALESFORCE_INSTANCE_URL": served.url, "SALESFORCE_SESSION_ID": SESSION_ID, **extra})


def trusting(served: Served) -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # else requests lets $REQUESTS_CA_BUNDLE override the session's own verify
    session.verify = str(served.ca_file)
    return session


def org(uow_factory: SqlUnitOfWorkFactory) -> Example:
    assert import_org_file(uow_factory, FixedClock(NOW), ORG).ok
    return Example(uow_factory, {})


def test_a_sync_pages_through_every_result_and_records_close_date_pushes(
        uow_factory: SqlUnitOfWorkFactory, salesforce: Served) -> None:
    ex = org(uow_factory)
    reply = sync_command(uow_factory, settings_for(salesforce), NOW, trusting(salesforce))
    assert reply.ok, reply.summary
    assert fact(reply, "Added") == "4"
    assert fact(reply, "Skipped") == "1"  # Unknown Industries matches no client: reported, not guessed
    assert "Unknown Industries" in reply.sections[0].lines[0]
    assert fact(reply, "Close-date changes") == "3 (2 pushes)"
    assert fact(reply, "Stages") == "3"
    # Pages of 2 after the first: 3 stages (1 more), 5 opportunities (2 more), 3 history rows (1 more).
    assert len(salesforce.fake.pages) == 1 + 2 + 1
    assert any("FROM Opportunity " in q and "Account.Name" in q for q in salesforce.fake.queries)
    assert any("FROM OpportunityStage" in q for q in salesforce.fake.queries)
    assert any("FROM OpportunityFieldHistory WHERE Field = 'CloseDate'" in q for q in salesforce.fake.queries)
    p = ex.say("pipeline me")
    assert fact(p, "Closed won") == "$50,000 of $100,000 quota"
    assert fact(p, "Commit") == "$40,000"
    # "Proposal/Price Quote" has no probability on the record: Salesforce's stage default (75%) applies.
    assert fact(p, "Best Case") == "$10,000"
    assert fact(p, "Weighted") == "$40,300"  # 32,000 + 7,500 + 800
    assert "close date pushed 2 times" in " ".join(p.sections[0].lines)
    with uow_factory() as uow:
        pilot = next(o for o in uow.pipeline.open_for_clients([c.id or 0 for c in uow.clients.list()],
                                                               NOW.date() + timedelta(days=365))
                     if o.name == "Beta pilot")
        dana = uow.people.by_email("dana@example.com")
        assert dana is not None and pilot.owner_id == dana.id and pilot.external_id == "0061x0000SF0000004"


def test_a_second_sync_asks_only_for_changes_and_records_nothing_twice(
        uow_factory: SqlUnitOfWorkFactory, salesforce: Served) -> None:
    ex = org(uow_factory)
    settings, session = settings_for(salesforce), trusting(salesforce)
    assert sync_command(uow_factory, settings, NOW, session).ok
    salesforce.fake.queries.clear()
    again = sync_command(uow_factory, settings, NOW + timedelta(minutes=15), session)
    assert again.ok, again.summary
    assert any("SystemModstamp > 2026-11-15T16:59:00Z" in q for q in salesforce.fake.queries)  # cursor − 1 min
    assert fact(again, "Added") == "0" and fact(again, "Close-date changes") == "0 (0 pushes)"
    # The retainer slips a third time in Salesforce: the next sync updates it and counts the push once.
    retainer = salesforce.fake.opportunities[1]
    retainer.update(CloseDate="2027-01-10", SystemModstamp="2026-11-15T17:20:00Z")
    salesforce.fake.history.append(history(4, 2, "2026-12-10", "2027-01-10", "2026-11-15T17:20:00Z"))
    third = sync_command(uow_factory, settings, NOW + timedelta(minutes=30), session)
    assert fact(third, "Updated") == "1" and fact(third, "Close-date changes") == "1 (1 pushes)"
    assert sync_command(uow_factory, settings, NOW + timedelta(minutes=45), session).ok
    with uow_factory() as uow:
        stored = uow.pipeline.get(next(k.id for k in uow.pipeline.match_keys() if k.name == "Acme retainer"))
        assert stored is not None and stored.pushes == 3
        assert len(uow.pipeline.changes(stored.id or 0)) == 3
    assert fact(ex.say("pipeline me"), "Commit") == "$0"  # it now closes next quarter


def test_a_refused_session_syncs_nothing_and_says_so(uow_factory: SqlUnitOfWorkFactory, salesforce: Served) -> None:
    org(uow_factory)
    settings = Settings.from_env({"SALESFORCE_INSTANCE_URL": salesforce.url, "SALESFORCE_SESSION_ID": "expired"})
    reply = sync_command(uow_factory, settings, NOW, trusting(salesforce))
    assert not reply.ok and "Salesforce query failed" in reply.summary
    assert "expired" not in reply.summary
    with uow_factory() as uow:
        assert uow.pipeline.match_keys() == [] and uow.pipeline.last_sync("salesforce") is None


def test_the_periodic_sync_runs_once_per_interval_across_replicas(
        uow_factory: SqlUnitOfWorkFactory, salesforce: Served) -> None:
    org(uow_factory)
    settings, session = settings_for(salesforce, SALESFORCE_SYNC_MINUTES="15"), trusting(salesforce)
    # Two replicas wake at the same minute: one runs it.
    ran = [run_periodic_sync(uow_factory, settings, NOW, session) for _ in range(2)]
    assert [r is not None for r in ran] == [True, False]
    assert run_periodic_sync(uow_factory, settings, NOW + timedelta(minutes=14), session) is None
    assert run_periodic_sync(uow_factory, settings, NOW + timedelta(minutes=15), session) is not None


def test_the_command_line_syncs(uow_factory: SqlUnitOfWorkFactory, salesforce: Served, database_url: str,
                                monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from bot.cli import main

    org(uow_factory)
    for name, value in {"DATABASE_URL": database_url, "SALESFORCE_INSTANCE_URL": salesforce.url,
                        "SALESFORCE_SESSION_ID": SESSION_ID, "REQUESTS_CA_BUNDLE": str(salesforce.ca_file)}.items():
        monkeypatch.setenv(name, value)
    assert main(["sync", "salesforce", "--now", "2026-11-15T12:00"]) == 0
    assert "Salesforce synced" in capsys.readouterr().out
    monkeypatch.delenv("SALESFORCE_INSTANCE_URL")
    monkeypatch.delenv("SALESFORCE_SESSION_ID")
    assert main(["sync", "salesforce"]) == 1
    assert "not configured" in capsys.readouterr().out


@pytest.mark.parametrize(("env", "named"), [
    ({"SALESFORCE_SYNC_MINUTES": "often"}, "SALESFORCE_SYNC_MINUTES"),
    ({"SALESFORCE_SYNC_MINUTES": "0"}, "SALESFORCE_SYNC_MINUTES"),
    ({"SALESFORCE_USERNAME": "dana@acme.com"}, "SALESFORCE_PASSWORD"),
    ({"SALESFORCE_INSTANCE_URL": "https://acme.my.salesforce.com"}, "SALESFORCE_SESSION_ID"),
    ({"SALESFORCE_INSTANCE_URL": "acme.my.salesforce.com", "SALESFORCE_SESSION_ID": "x"}, "SALESFORCE_INSTANCE_URL"),
    ({"SALESFORCE_USERNAME": "d@a.com", "SALESFORCE_PASSWORD": "p", "SALESFORCE_DOMAIN": "no spaces"},
     "SALESFORCE_DOMAIN"),
])
def test_a_malformed_salesforce_setting_stops_start_up_naming_it(env: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigError, match=named):
        Settings.from_env(env)


def test_salesforce_settings_default_to_a_sync_every_15_minutes() -> None:
    s = Settings.from_env({"SALESFORCE_USERNAME": "d@a.com", "SALESFORCE_PASSWORD": "p",
                           "SALESFORCE_SECURITY_TOKEN": "t"})
    assert s.salesforce_enabled and s.salesforce_sync_minutes == 15 and s.salesforce_domain == "login"
    assert not Settings.from_env({}).salesforce_enabled




def test_the_worker_duty_syncs_once_per_interval_whichever_replica_asks(
        uow_factory: SqlUnitOfWorkFactory, salesforce: Served, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.scheduler import Duties

    org(uow_factory)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(salesforce.ca_file))  # the worker's own requests session
    settings = settings_for(salesforce, SALESFORCE_SYNC_MINUTES="5")
    replicas = [Duties(uow_factory, (), settings), Duties(uow_factory, (), settings)]
    ran = [d.sync_salesforce(NOW + timedelta(seconds=i)) for i, d in enumerate(replicas)]
    assert ran == [True, False]
    assert replicas[1].sync_salesforce(NOW + timedelta(minutes=5)) is True
    assert len([q for q in salesforce.fake.queries if "FROM Opportunity " in q]) == 2
    assert Duties(uow_factory).sync_salesforce(NOW + timedelta(hours=1)) is False  # not configured: nothing
