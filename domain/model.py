"""Steward's entities: plain, immutable dataclasses with no framework attached.

Storage maps rows to these and back; services build new instances instead of mutating
(``dataclasses.replace``), so a value read in one unit of work can't leak a change into another.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any


class Role(enum.StrEnum):
    ADMIN = "admin"
    DIRECTOR = "director"
    MANAGER = "manager"
    MEMBER = "member"
    FINANCE = "finance"


class Platform(enum.StrEnum):
    SLACK = "slack"
    TEAMS = "teams"


class Source(enum.StrEnum):
    """Where a change came from, for the audit trail."""

    SLACK = "slack"
    TEAMS = "teams"
    SHELL = "shell"
    IMPORT = "import"
    SYSTEM = "system"


class Rag(enum.StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"

    @property
    def rank(self) -> int:
        """Higher is worse; lets callers compare two RAGs ("worsened since")."""
        return {"green": 0, "amber": 1, "red": 2}[self.value]


class ScopeState(enum.StrEnum):
    FLAGGED = "flagged"
    APPROVED = "approved"  # accepted as a change order: adds to the budget
    ABSORBED = "absorbed"  # accepted at no charge: no budget change
    REJECTED = "rejected"


class AllocationState(enum.StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class EscalationPolicy:
    """Thresholds from the organisation file's ``escalation`` block (defaults per DESIGN)."""

    burn_thresholds: tuple[int, ...] = (75, 90, 100)
    forecast_over_budget: int = 10
    scope_impact: int = 5
    stale_status_days: int = 5
    approval_wait_days: int = 2
    reack_hours: int = 24
    wip_reminder_days_before_month_end: int = 3  # 0: no WIP reminder


@dataclass(frozen=True)
class Organisation:
    currency: str = "USD"
    timezone: str = "UTC"
    escalation: EscalationPolicy = field(default_factory=EscalationPolicy)


@dataclass(frozen=True)
class Person:
    id: int | None
    name: str
    email: str
    role: Role
    capacity_hours: Decimal = Decimal("40")
    cost_rate: Decimal = Decimal("0")
    bill_rate: Decimal = Decimal("0")
    platform: Platform | None = None
    slack_id: str | None = None
    teams_id: str | None = None
    active: bool = True
    last_platform: Platform | None = None  # where they last talked to Steward
    teams_tenant: str | None = None  # the Entra ID tenant of the linked Teams account

    @property
    def reachable_on(self) -> Platform | None:
        """Where to reach this person first: their preferred platform, else where they last talked."""
        return self.platform or self.last_platform

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN


@dataclass(frozen=True)
class Client:
    id: int | None
    key: str
    name: str
    director_id: int | None
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Project:
    id: int | None
    key: str
    name: str
    client_id: int
    budget: Decimal
    start: date
    end: date
    manager_id: int | None = None
    budget_hours: Decimal | None = None
    channels: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class TimeEntry:
    id: int | None
    person_id: int
    project_id: int
    day: date
    hours: Decimal
    bill_rate: Decimal
    cost_rate: Decimal
    note: str = ""
    source: Source = Source.SHELL
    external_id: str | None = None  # idempotency key for imports (file row fingerprint)


@dataclass(frozen=True)
class Expense:
    id: int | None
    project_id: int
    day: date
    amount: Decimal
    description: str = ""


@dataclass(frozen=True)
class StatusUpdate:
    id: int | None
    project_id: int
    rag: Rag
    note: str
    author_id: int
    at: datetime


@dataclass(frozen=True)
class ScopeChange:
    id: int | None
    project_id: int
    description: str
    impact_hours: Decimal | None
    impact_amount: Decimal | None
    state: ScopeState
    flagged_by: int
    flagged_at: datetime
    decided_by: int | None = None
    decided_at: datetime | None = None
    decision_note: str = ""
    link: str = ""  # permalink of the chat message it came from, if any


@dataclass(frozen=True)
class Allocation:
    id: int | None
    person_id: int
    project_id: int
    hours_per_week: Decimal
    start: date
    end: date
    state: AllocationState
    requested_by: int
    requested_at: datetime
    decided_by: int | None = None
    decided_at: datetime | None = None
    decision_note: str = ""


@dataclass(frozen=True)
class AuditEvent:
    id: int | None
    at: datetime
    actor_id: int | None
    source: Source
    action: str  # e.g. "status.logged", "allocation.approved"
    subject: str  # e.g. "project:acme-web", "allocation:12"
    detail: str = ""


@dataclass(frozen=True)
class DigestSubscription:
    id: int | None
    channel: str
    platform: Platform | None
    hour: int
    minute: int
    timezone: str
    weekdays_only: bool
    created_by: int
    person_id: int | None = None  # a director's personal digest (subscribed from a DM)
    active: bool = True


class DeliveryState(enum.StrEnum):
    PENDING = "pending"  # waiting to be sent (or to be retried after a failure)
    SENT = "sent"
    FAILED = "failed"  # gave up after the retry bound; visible in ``steward outbox``


@dataclass(frozen=True)
class OutboxMessage:
    """A message Steward must send, written in the same transaction as the change that caused it.

    ``key`` is unique per occurrence ("digest:12:2026-11-23", "notify:allocation:7:requested:3"), so
    writing the same occurrence twice is a no-op and two workers can never both own it.
    Exactly one of ``person_id`` (a direct message on the person's platform) or ``channel`` is set.
    ``payload`` is a Reply as a dict (``handlers.reply.Reply.to_dict``).
    """

    id: int | None
    key: str
    kind: str  # digest | escalation | notification
    payload: dict[str, Any]
    created_at: datetime
    due_at: datetime
    person_id: int | None = None
    channel: str | None = None
    platform: Platform | None = None
    state: DeliveryState = DeliveryState.PENDING
    attempts: int = 0
    last_error: str = ""
    claimed_until: datetime | None = None  # a worker's lease; past it, another worker may retry
    sent_at: datetime | None = None
    platform_ref: str = ""  # the platform's id of the sent message (Slack channel:ts, Teams activity id)


@dataclass(frozen=True)
class Escalation:
    """An open (or closed) escalation: at most one open per project and rule."""

    id: int | None
    project_id: int
    rule: str  # burn_75 | burn_90 | burn_100 | forecast | status_red | status_amber_twice | scope | ...
    message: str
    severity: Rag
    opened_at: datetime
    subject: str = ""  # the record to act on, e.g. "allocation:12"
    last_sent_at: datetime | None = None
    sends: int = 0
    acknowledged_by: int | None = None
    acknowledged_at: datetime | None = None
    closed_at: datetime | None = None

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


@dataclass(frozen=True)
class ConversationRef:
    """How to reach a conversation later (proactive messages): a Teams ConversationReference as a
    dict, or a Slack channel/DM id. ``person_id`` is set for personal chats."""

    id: int | None
    platform: Platform
    conversation_id: str
    reference: dict[str, Any]
    updated_at: datetime
    person_id: int | None = None
    is_personal: bool = False
    tenant_id: str | None = None  # Teams: the Entra ID tenant of the conversation
