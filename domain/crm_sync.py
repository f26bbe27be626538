"""``steward sync salesforce`` (and the worker's periodic run): Salesforce is the system of record.

One sync: the stage metadata (``OpportunityStage``), the opportunities changed since the last sync
(all of them the first time), and the close-date changes recorded since then (``OpportunityFieldHistory``,
each remembered by its own Id, so a re-sync records a push once). Accounts that match no client are
skipped and reported, never guessed; the rest is written in one unit of work. The cursor is the time
the sync *started*, so a record changed while it ran is read again next time (the upsert is idempotent).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Protocol

from domain.opportunity_import import OpportunityInput, UpsertSummary, upsert_opportunities
from domain.pipeline import CloseDateChange, ForecastCategory, StageRule
from domain.ports import UnitOfWork

SYNC_NAME = "salesforce"
OVERLAP = timedelta(minutes=1)  # read a little before the cursor: clocks of two systems are never equal


@dataclass(frozen=True)
class CrmStage:
    name: str
    closed: bool
    won: bool
    probability: Decimal | None
    category: ForecastCategory | None


@dataclass(frozen=True)
class CrmCloseDateChange:
    external_id: str  # the history row's Id
    opportunity_external_id: str
    old: date
    new: date
    at: datetime


class CrmSource(Protocol):
    """What a sync needs from the CRM (``bot.salesforce.SalesforceSource``)."""

    def stages(self) -> Sequence[CrmStage]:
        """The active opportunity stages with their closed/won flags, default probability and category."""
        ...

    def opportunities(self, since: datetime | None) -> Sequence[OpportunityInput]:
        """Opportunities modified after ``since`` (all when None), every page of the result."""
        ...

    def close_date_changes(self, since: datetime | None) -> Sequence[CrmCloseDateChange]:
        """Close-date changes recorded after ``since`` (all when None)."""
        ...


@dataclass
class SyncSummary:
    since: datetime | None
    upsert: UpsertSummary
    stages: int = 0
    history: int = 0  # close-date changes newly recorded
    pushes: int = 0
    skipped: list[str] = field(default_factory=list)


def sync_crm(uow: UnitOfWork, source: CrmSource, now: datetime, *, actor_id: int | None = None) -> SyncSummary:
    """Pull what changed since the last sync into the database (the caller commits)."""
    since = uow.pipeline.last_sync(SYNC_NAME)
    after = since - OVERLAP if since else None
    settings = uow.pipeline.settings()
    crm_stages = source.stages()
    own = {s.name.lower() for s in settings.stages}
    # The organisation file's stage table wins; Salesforce's metadata fills in every other stage.
    merged = replace(settings, stages=settings.stages + tuple(
        StageRule(s.name, s.closed, s.won, s.probability, s.category) for s in crm_stages
        if s.name.lower() not in own))
    rows = source.opportunities(after)
    upsert = upsert_opportunities(uow, rows, source=SYNC_NAME, at=now, actor_id=actor_id, settings=merged,
                                  strict=False, record_pushes=False)
    summary = SyncSummary(since, upsert, stages=len(crm_stages), skipped=list(upsert.skipped))
    ids = {k.external_id: k.id for k in uow.pipeline.match_keys() if k.external_id}
    for change in source.close_date_changes(after):
        opp_id = ids.get(change.opportunity_external_id)
        if opp_id is None:
            continue
        if uow.pipeline.record_change(CloseDateChange(opp_id, change.old, change.new, change.at, SYNC_NAME,
                                                      change.external_id)):
            summary.history += 1
            summary.pushes += change.new > change.old
    uow.pipeline.set_last_sync(SYNC_NAME, now)
    return summary
