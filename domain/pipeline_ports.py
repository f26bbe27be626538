"""The port the pipeline, forecast and renewals need from storage (``storage.opportunities``).

Every read is one statement whatever the number of opportunities: sums and the month spread are
computed in SQL, lists are limited.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol

from domain.pipeline import CategoryTotal, CloseDateChange, Opportunity, PipelineSettings, Quota, Scope
from domain.renewals import Renewal


@dataclass(frozen=True)
class OpportunityKey:
    """What an import needs to match a row to a stored opportunity (by id, else by name + client)."""

    id: int
    external_id: str | None
    name: str
    client_id: int
    close_date: date


class PipelineRepository(Protocol):
    def settings(self) -> PipelineSettings:
        """The stored fiscal year start, delivery months and stage table (defaults when never saved)."""
        ...

    def save_settings(self, settings: PipelineSettings) -> None: ...

    def quotas(self, periods: Iterable[str] | None = None) -> builtins.list[Quota]:
        """Quotas of these periods (``YYYY-Qn``), or all of them."""
        ...

    def set_quota(self, quota: Quota) -> None:
        """Insert or replace the quota of (person, period)."""
        ...

    def crm_names(self) -> Mapping[int, tuple[str, ...]]:
        """Each client's ``crm_names`` (client id -> names)."""
        ...

    def set_crm_names(self, client_id: int, names: Sequence[str]) -> None: ...

    def renewals(self, project_ids: Sequence[int] | None = None) -> Mapping[int, Renewal]:
        """Renewal terms and decisions by project id (projects without a row are absent)."""
        ...

    def save_renewal(self, renewal: Renewal) -> None:
        """Insert or replace a project's renewal row."""
        ...

    def match_keys(self) -> builtins.list[OpportunityKey]:
        """Every stored opportunity's matching key, in one statement (imports and syncs match against it)."""
        ...

    def add(self, opp: Opportunity, at: datetime | None = None) -> Opportunity:
        """Insert and return it with its id (``at``: when, for ``updated_at``)."""
        ...

    def update(self, opp: Opportunity, at: datetime | None = None) -> None:
        """Replace every field but the push count (which only ``record_change`` moves)."""
        ...

    def get(self, opportunity_id: int) -> Opportunity | None: ...
    def many(self, ids: Sequence[int]) -> Mapping[int, Opportunity]:
        """The opportunities with these ids, in one statement."""
        ...

    def record_change(self, change: CloseDateChange) -> bool:
        """Remember a close-date move once (by its external id when it has one, else by its dates);
        a push adds one to the opportunity's push count. False when already recorded."""
        ...

    def changes(self, opportunity_id: int) -> builtins.list[CloseDateChange]:
        """The close-date history of one opportunity, oldest first."""
        ...

    def totals(self, scope: Scope, first: date, last: date) -> builtins.list[CategoryTotal]:
        """Sums per (closed, won, category) over opportunities closing in [first, last], one statement."""
        ...

    def at_risk(self, scope: Scope, first: date, last: date, today: date,
                limit: int) -> tuple[builtins.list[Opportunity], int]:
        """Open, not omitted deals closing in [first, last] past their close date, pushed twice or more, or
        Commit with no activity for 14 days: the largest ``limit`` of them and how many there are."""
        ...

    def largest_open(self, scope: Scope, first: date, last: date, limit: int) -> builtins.list[Opportunity]:
        """The biggest open deals closing in [first, last]."""
        ...

    def omitted(self, scope: Scope, first: date, last: date, limit: int) -> builtins.list[Opportunity]:
        """Open deals marked Omitted closing in [first, last] (listed apart)."""
        ...

    def weighted_by_close_month(self, scope: Scope, first: date, last: date) -> Mapping[date, Decimal]:
        """Σ amount × probability / 100 of open, not omitted deals per close month (first day) for close
        dates in [first, last], in SQL."""
        ...

    def open_for_clients(self, client_ids: Sequence[int], until: date) -> builtins.list[Opportunity]:
        """Open, not omitted deals of these clients closing no later than ``until`` (renewal follow-ons)."""
        ...

    def overdue_commits(self, today: date) -> builtins.list[Opportunity]:
        """Open Commit deals whose close date is before ``today``."""
        ...

    def pushed_twice(self) -> builtins.list[Opportunity]:
        """Open deals whose close date was pushed later two or more times."""
        ...

    def recognised(self, project_ids: Sequence[int], first: date, today: date) -> Decimal:
        """Burn dated in [first, today] over these projects (entries × their rate, plus expenses), in SQL."""
        ...

    def sent_keys(self, keys: Sequence[str]) -> set[str]:
        """Which of these outbox keys are already queued or sent, in one statement."""
        ...

    def last_sync(self, name: str) -> datetime | None:
        """When the named sync (``salesforce``) last completed; None when never."""
        ...

    def set_last_sync(self, name: str, at: datetime) -> None: ...

    def claim_sync(self, name: str, now: datetime, every_seconds: int) -> bool:
        """Take the named periodic duty for this occurrence: True for exactly one process per interval
        (a conditional UPDATE the database serialises), False when another took it or it isn't due."""
        ...
