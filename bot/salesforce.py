"""Salesforce through simple-salesforce: the ``CrmSource`` of ``domain.crm_sync``, and the duty that runs it.

Log-in: ``SALESFORCE_USERNAME`` / ``SALESFORCE_PASSWORD`` / ``SALESFORCE_SECURITY_TOKEN`` on
``SALESFORCE_DOMAIN`` (login, test or a My Domain), or an existing session (``SALESFORCE_INSTANCE_URL`` +
``SALESFORCE_SESSION_ID``). Every query goes through ``query_all``, which follows ``nextRecordsUrl`` until
Salesforce says ``done``; the number of pages is bounded (``MAX_PAGES`` worth of records) so a broken
server cannot keep a sync going for ever. Secrets are never logged.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from bot.settings import Settings
from domain.crm_sync import CrmCloseDateChange, CrmStage, SyncSummary, sync_crm
from domain.opportunity_import import OpportunityInput
from domain.pipeline import ForecastCategory
from domain.ports import UnitOfWorkFactory

if TYPE_CHECKING:
    from handlers.reply import Reply

log = logging.getLogger(__name__)

API_VERSION = "59.0"
TIMEOUT_SECONDS = 30
MAX_RECORDS = 500_000  # a bound on one sync; Salesforce pages 2,000 records at a time

OPPORTUNITY_FIELDS = ("Id, Name, Account.Name, Owner.Name, Owner.Email, StageName, Amount, Probability, CloseDate, "
                      "ForecastCategoryName, IsClosed, IsWon, Type, NextStep, LastActivityDate, CreatedDate")


class SalesforceError(RuntimeError):
    """Salesforce refused or failed; the message says what, without any secret."""


def soql_datetime(at: datetime) -> str:
    """A SOQL datetime literal (UTC, no quotes): ``2026-11-15T17:00:00Z``."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _day(value: Any) -> date | None:
    if not value:
        return None
    return date.fromisoformat(str(value)[:10])


def _instant(value: Any) -> datetime:
    text = str(value).replace("Z", "+00:00")
    if len(text) > 5 and text[-5] in "+-" and text[-3] != ":":  # 2026-11-15T17:00:00.000+0000
        text = text[:-2] + ":" + text[-2:]
    return datetime.fromisoformat(text)


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


class SalesforceSource:
    """``domain.crm_sync.CrmSource`` over the Salesforce REST API."""

    def __init__(self, settings: Settings, session: Any = None) -> None:
        from simple_salesforce import Salesforce  # imported here: only a configured sync needs it

        common: dict[str, Any] = {"version": API_VERSION}
        if session is not None:
            common["session"] = session
        try:
            if settings.salesforce_instance_url:
                self.sf = Salesforce(instance_url=settings.salesforce_instance_url,
                                     session_id=settings.salesforce_session_id, **common)
            else:
                self.sf = Salesforce(username=settings.salesforce_username, password=settings.salesforce_password,
                                     security_token=settings.salesforce_security_token or "",
                                     domain=settings.salesforce_domain, **common)
        except Exception as exc:  # simple-salesforce raises its own types; say which step failed, no secrets
            raise SalesforceError(f"Salesforce log-in failed: {type(exc).__name__}") from None

    def _all(self, soql: str) -> list[dict[str, Any]]:
        records: list[dict[str, Any]] = []
        try:
            for record in self.sf.query_all_iter(soql, timeout=TIMEOUT_SECONDS):
                records.append(record)
                if len(records) > MAX_RECORDS:
                    raise SalesforceError(f"more than {MAX_RECORDS} records in one query; stopping")
        except SalesforceError:
            raise
        except Exception as exc:
            status = getattr(exc, "status", "")
            raise SalesforceError(f"Salesforce query failed ({type(exc).__name__} {status}): "
                                  f"{soql.split(' FROM ')[1].split(' ')[0]}") from None
        return records

    def stages(self) -> Sequence[CrmStage]:
        rows = self._all("SELECT MasterLabel, IsClosed, IsWon, DefaultProbability, ForecastCategoryName "
                         "FROM OpportunityStage WHERE IsActive = true")
        return [CrmStage(r["MasterLabel"], bool(r.get("IsClosed")), bool(r.get("IsWon")),
                         _decimal(r.get("DefaultProbability")),
                         ForecastCategory.parse(str(r.get("ForecastCategoryName") or "")))
                for r in rows]

    def opportunities(self, since: datetime | None) -> Sequence[OpportunityInput]:
        where = f" WHERE SystemModstamp > {soql_datetime(since)}" if since else ""
        rows = self._all(f"SELECT {OPPORTUNITY_FIELDS} FROM Opportunity{where} ORDER BY SystemModstamp")
        out = []
        for i, r in enumerate(rows, start=1):
            account = (r.get("Account") or {}).get("Name") or ""
            owner = r.get("Owner") or {}
            close = _day(r.get("CloseDate"))
            if close is None:
                continue  # CloseDate is required in Salesforce; a record without one is not a deal
            out.append(OpportunityInput(
                line=i, external_id=r["Id"], name=r.get("Name") or r["Id"], account=account,
                owner=owner.get("Name") or "", stage=r.get("StageName") or "",
                amount=_decimal(r.get("Amount")) or Decimal(0), probability=_decimal(r.get("Probability")),
                close_date=close, category=ForecastCategory.parse(str(r.get("ForecastCategoryName") or "")),
                type=r.get("Type") or "", next_step=r.get("NextStep") or "",
                last_activity=_day(r.get("LastActivityDate")), created=_day(r.get("CreatedDate")),
                closed=r.get("IsClosed"), won=r.get("IsWon"), owner_email=owner.get("Email") or "",
            ))
        return out

    def close_date_changes(self, since: datetime | None) -> Sequence[CrmCloseDateChange]:
        where = f" AND CreatedDate > {soql_datetime(since)}" if since else ""
        rows = self._all("SELECT Id, OpportunityId, OldValue, NewValue, CreatedDate FROM OpportunityFieldHistory "
                         f"WHERE Field = 'CloseDate'{where} ORDER BY CreatedDate")
        out = []
        for r in rows:
            old, new = _day(r.get("OldValue")), _day(r.get("NewValue"))
            if old is None or new is None:
                continue
            out.append(CrmCloseDateChange(r["Id"], r["OpportunityId"], old, new, _instant(r["CreatedDate"])))
        return out


def sync_salesforce(uow_factory: UnitOfWorkFactory, settings: Settings, now: datetime,
                    session: Any = None) -> SyncSummary:
    """One sync in one unit of work: everything it read is written, or nothing."""
    source = SalesforceSource(settings, session)
    with uow_factory() as uow:
        summary = sync_crm(uow, source, now)
        uow.commit()
    log.info("salesforce sync: %s; %d close-date changes; %d skipped", summary.upsert.describe(), summary.history,
             len(summary.skipped))
    return summary


def run_periodic_sync(uow_factory: UnitOfWorkFactory, settings: Settings, now: datetime,
                      session: Any = None) -> SyncSummary | None:
    """The worker's duty: claim this interval's run in the database (one replica wins), then sync.

    The claim commits before the sync starts, so a replica that loses waits for the next interval; a sync
    that fails is retried at the next one."""
    with uow_factory() as uow:
        claimed = uow.pipeline.claim_sync("salesforce", now, settings.salesforce_sync_minutes * 60)
        uow.commit()
    if not claimed:
        return None
    return sync_salesforce(uow_factory, settings, now, session)


def sync_command(uow_factory: UnitOfWorkFactory, settings: Settings, now: datetime, session: Any = None) -> Reply:
    """``steward sync salesforce``: one sync now, as a Reply (an error Reply when not configured or refused)."""
    from handlers.reply import Fact, Reply, Section, Severity, error

    if not settings.salesforce_enabled:
        return error("Salesforce is not configured: set SALESFORCE_USERNAME, SALESFORCE_PASSWORD and "
                     "SALESFORCE_SECURITY_TOKEN (or SALESFORCE_INSTANCE_URL and SALESFORCE_SESSION_ID).",
                     example="SALESFORCE_USERNAME=dana@acme.com SALESFORCE_PASSWORD=… SALESFORCE_SECURITY_TOKEN=… "
                             "steward sync salesforce", title="Nothing synced")
    try:
        s = sync_salesforce(uow_factory, settings, now, session)
    except SalesforceError as exc:
        return error(str(exc), title="Nothing synced")
    skipped = s.skipped[:10] + ([f"… and {len(s.skipped) - 10} more"] if len(s.skipped) > 10 else [])
    return Reply(
        title=f"Salesforce synced: {s.upsert.describe().split(', ')[0]}, {s.upsert.updated} updated",
        summary=(f"Changed since {s.since:%d %b %Y %H:%M} UTC" if s.since else "First sync: every opportunity")
        + f": {s.upsert.rows} read, {s.upsert.unchanged} unchanged.",
        facts=(Fact("Added", str(s.upsert.added)), Fact("Updated", str(s.upsert.updated)),
               Fact("Close-date changes", f"{s.history} ({s.pushes} pushes)"), Fact("Stages", str(s.stages)),
               Fact("Skipped", str(len(s.skipped)))),
        sections=(Section(title="Skipped (no client matches the account)", lines=tuple(skipped)),) if skipped else (),
        severity=Severity.SUCCESS,
    )
