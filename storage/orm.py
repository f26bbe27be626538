"""The database schema as typed SQLAlchemy 2.x declarative models.

These classes describe tables; they never leave ``storage/``. Repositories read and write them
with Core-style statements and map rows to the domain's frozen dataclasses.

Exactness: money is stored as integer minor units (cents) and hours as integer hundredths, so that
sums computed in SQL are integer sums, exact on SQLite and PostgreSQL alike (no floats, no NUMERIC
affinity surprises in SQLite). The Python side of those columns is always ``decimal.Decimal``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

# Explicit constraint names, so that migrations name things the same way on every database and
# a later migration can drop or alter a constraint by name (SQLite batch mode needs names too).
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def to_units(value: Decimal | int | str, scale: int) -> int:
    """``value`` as an integer count of ``1/10**scale`` units, rounding half up beyond that precision.

    Floats are refused: they would smuggle binary rounding into money.
    """
    if isinstance(value, float | bool):
        raise TypeError(f"Exact columns take Decimal, int or str, not {type(value).__name__}: {value!r}")
    exact = value if isinstance(value, Decimal) else Decimal(value)
    if not exact.is_finite():
        raise ValueError(f"Not a finite number: {value!r}")
    return int(exact.scaleb(scale).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def from_units(units: int | Decimal, scale: int) -> Decimal:
    """The Decimal worth ``units`` of ``1/10**scale``, without trailing zeros (``Decimal("3.5")``, ``Decimal("40")``).

    Trailing zeros are dropped so a value reads back exactly as it was usually written (``40`` rather
    than ``40.00``), which keeps ``f"{hours:g}"`` in messages tidy; the value is exact either way.
    """
    # An exact division keeps the exponent nearest 0 that holds the value: 1250/100 is 12.5, 4000/100 is
    # 40, 5/100 is 0.05, with no rounding (a BIGINT has 19 digits, the context 28); half the cost of
    # scaleb + to_integral_value + quantize/normalize, for the same Decimal.
    return Decimal(int(units)) / _POWERS_OF_TEN[scale]


_POWERS_OF_TEN = [10**n for n in range(20)]


class _Hundredths(TypeDecorator[Decimal]):
    """A Decimal with two decimal places stored as an integer count of hundredths."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: Decimal | int | str | None, dialect: Dialect) -> int | None:
        return None if value is None else to_units(value, 2)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        return None if value is None else from_units(value, 2)


class Cents(_Hundredths):
    """Money in minor units (cents). ``Decimal("12.345")`` is stored as 1235 (half up)."""

    cache_ok = True


class Centihours(_Hundredths):
    """Hours in hundredths. ``Decimal("0.1")`` is stored as 10."""

    cache_ok = True


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware instant, stored in UTC, read back as an aware UTC datetime on every database.

    Naive datetimes are refused: an instant without an offset is ambiguous, and guessing is how
    a digest ends up an hour late.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"Expected a datetime, got {type(value).__name__}: {value!r}")
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"Naive datetime refused (give it a timezone): {value!r}")
        utc = value.astimezone(UTC)
        # SQLite has no timezone type: store the naive UTC wall time, which also sorts correctly as text.
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base holding the one ``MetaData`` that migrations are checked against."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class OrganisationRow(Base):
    """The organisation's settings: a single row with ``id = 1``."""

    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    currency: Mapped[str] = mapped_column(String(3))
    timezone: Mapped[str] = mapped_column(String(64))
    burn_thresholds: Mapped[list[int]] = mapped_column(JSON)
    forecast_over_budget: Mapped[int] = mapped_column(Integer)
    scope_impact: Mapped[int] = mapped_column(Integer)
    stale_status_days: Mapped[int] = mapped_column(Integer)
    approval_wait_days: Mapped[int] = mapped_column(Integer)
    reack_hours: Mapped[int] = mapped_column(Integer)


class PersonRow(Base):
    """A person; ``email_key`` is the lower-cased email, unique, for case-insensitive lookups."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320))
    # A plain column rather than a unique index on lower(email): portable, and Alembic compares it.
    email_key: Mapped[str] = mapped_column(String(320), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    capacity_hours: Mapped[Decimal] = mapped_column(Centihours)
    cost_rate: Mapped[Decimal] = mapped_column(Cents)
    bill_rate: Mapped[Decimal] = mapped_column(Cents)
    platform: Mapped[str | None] = mapped_column(String(16))
    slack_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    teams_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    active: Mapped[bool] = mapped_column(Boolean)
    last_platform: Mapped[str | None] = mapped_column(String(16))


class ClientRow(Base):
    """A client; ``aliases`` is a JSON list of strings."""

    __tablename__ = "clients"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    director_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    aliases: Mapped[list[str]] = mapped_column(JSON)


class ProjectRow(Base):
    """A project (an engagement with a fee); its channels live in ``project_channels``."""

    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    budget: Mapped[Decimal] = mapped_column(Cents)
    # "start"/"end" are SQL keywords; the _day suffix spares anyone writing SQL by hand the quoting.
    start_day: Mapped[date] = mapped_column(Date)
    end_day: Mapped[date] = mapped_column(Date)
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    budget_hours: Mapped[Decimal | None] = mapped_column(Centihours)
    aliases: Mapped[list[str]] = mapped_column(JSON)


class ProjectChannelRow(Base):
    """Binds a Slack channel id or Teams conversation id to a project (a channel may serve several)."""

    __tablename__ = "project_channels"

    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), primary_key=True)
    channel: Mapped[str] = mapped_column(String(255), primary_key=True)
    # Keeps Project.channels in the order it was given, so a project reads back equal to what was saved.
    position: Mapped[int] = mapped_column(Integer)

    __table_args__ = (
        UniqueConstraint("channel", "project_id"),  # also the index behind by_channel()
    )


class TimeEntryRow(Base):
    """Hours logged by a person on a project, with the rates in force when they were logged."""

    __tablename__ = "time_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    day: Mapped[date] = mapped_column(Date)
    hours: Mapped[Decimal] = mapped_column(Centihours)
    bill_rate: Mapped[Decimal] = mapped_column(Cents)
    cost_rate: Mapped[Decimal] = mapped_column(Cents)
    note: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str | None] = mapped_column(String(255), unique=True)

    # The burn index (migration 0005): the burn totals read entries by project and day and use only the
    # hours and rates, so they never touch the table.
    __table_args__ = (Index("ix_time_entries_burn", "project_id", "day", "hours", "bill_rate", "cost_rate"),)


class ExpenseRow(Base):
    """A project expense (counts in burn and cost as is)."""

    __tablename__ = "expenses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    day: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Cents)
    description: Mapped[str] = mapped_column(Text)

    __table_args__ = (Index("ix_expenses_project_id_day", "project_id", "day"),)


class BurnMonthRow(Base):
    """The burn of one project in one calendar month: a rollup of ``time_entries`` and ``expenses``.

    Kept in step by every write path of ``SqlTimeEntryRepository`` (same transaction), rebuilt whole by
    ``rebuild_rollup``. Integer units as the burn totals sum them: ``bill_units`` and ``cost_units`` are
    centihours x cents (1/10000 of the currency) of the month's entries, ``hours_units`` centihours,
    ``expense_units`` expense cents x 100 (1/10000 too). ``month`` is the month's first day. A row exists
    exactly when the project has at least one entry or expense dated in that month (future months too).
    """

    __tablename__ = "burn_months"

    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), primary_key=True)
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    bill_units: Mapped[int] = mapped_column(BigInteger)
    cost_units: Mapped[int] = mapped_column(BigInteger)
    hours_units: Mapped[int] = mapped_column(BigInteger)
    expense_units: Mapped[int] = mapped_column(BigInteger)


class StatusUpdateRow(Base):
    """A RAG status with its note."""

    __tablename__ = "status_updates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    rag: Mapped[str] = mapped_column(String(8))
    note: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (Index("ix_status_updates_project_id_at", "project_id", "at"),)


class ScopeChangeRow(Base):
    """Scope creep flagged on a project, and its decision."""

    __tablename__ = "scope_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    description: Mapped[str] = mapped_column(Text)
    impact_hours: Mapped[Decimal | None] = mapped_column(Centihours)
    impact_amount: Mapped[Decimal | None] = mapped_column(Cents)
    state: Mapped[str] = mapped_column(String(16))
    flagged_by: Mapped[int] = mapped_column(ForeignKey("people.id"))
    flagged_at: Mapped[datetime] = mapped_column(UtcDateTime)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    decision_note: Mapped[str] = mapped_column(Text)
    link: Mapped[str] = mapped_column(Text)

    __table_args__ = (Index("ix_scope_changes_project_id_state", "project_id", "state"),)


class AllocationRow(Base):
    """A person's weekly hours on a project over a date range, once requested then decided."""

    __tablename__ = "allocations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    hours_per_week: Mapped[Decimal] = mapped_column(Centihours)
    start_day: Mapped[date] = mapped_column(Date)
    end_day: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(16))
    requested_by: Mapped[int] = mapped_column(ForeignKey("people.id"))
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    decision_note: Mapped[str] = mapped_column(Text)

    __table_args__ = (
        Index("ix_allocations_person_id_state", "person_id", "state"),
        Index("ix_allocations_project_id_state", "project_id", "state"),
    )


class AuditEventRow(Base):
    """Who changed what, when and from where."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    source: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(255))
    detail: Mapped[str] = mapped_column(Text)

    __table_args__ = (Index("ix_audit_events_subject_id", "subject", "id"),
                      Index("ix_audit_events_actor_id_id", "actor_id", "id"),
                      Index("ix_audit_events_at_id", "at", "id"))


class DigestSubscriptionRow(Base):
    """A conversation's stand-up digest schedule (one per channel)."""

    __tablename__ = "digest_subscriptions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(255), unique=True)
    platform: Mapped[str | None] = mapped_column(String(16))
    hour: Mapped[int] = mapped_column(Integer)
    minute: Mapped[int] = mapped_column(Integer)
    timezone: Mapped[str] = mapped_column(String(64))
    weekdays_only: Mapped[bool] = mapped_column(Boolean)
    created_by: Mapped[int] = mapped_column(ForeignKey("people.id"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    active: Mapped[bool] = mapped_column(Boolean)


class ReceiptRow(Base):
    """An idempotency key already acted upon (Slack event_id, Teams activity id, action ids...)."""

    __tablename__ = "receipts"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)


class OutboxRow(Base):
    """A message to send, unique per occurrence (``key``); claimed by one worker at a time."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(255), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    channel: Mapped[str | None] = mapped_column(String(255))
    platform: Mapped[str | None] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer)
    last_error: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    claimed_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    platform_ref: Mapped[str] = mapped_column(String(255))

    # The deliverers' query: pending rows in due order.
    __table_args__ = (Index("ix_outbox_state_due_at", "state", "due_at"),)


class EscalationRow(Base):
    """An escalation; ``open_key`` ("project:rule") is set while open and unique, so at most one
    escalation per project and rule is open on any database, and NULL once closed."""

    __tablename__ = "escalations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    rule: Mapped[str] = mapped_column(String(64))
    open_key: Mapped[str | None] = mapped_column(String(128), unique=True)
    message: Mapped[str] = mapped_column(Text)
    severity: Mapped[str] = mapped_column(String(8))
    subject: Mapped[str] = mapped_column(String(255))
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    sends: Mapped[int] = mapped_column(Integer)
    acknowledged_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class ConversationRow(Base):
    """A stored conversation reference for proactive messages (Teams), one per conversation."""

    __tablename__ = "conversations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    conversation_id: Mapped[str] = mapped_column(String(512))
    reference: Mapped[dict[str, Any]] = mapped_column(JSON)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    is_personal: Mapped[bool] = mapped_column(Boolean)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (
        UniqueConstraint("platform", "conversation_id"),
        Index("ix_conversations_person_id_platform", "person_id", "platform"),
    )


class DigestRunRow(Base):
    """One digest occurrence a subscription owed: queued (sent through the outbox) or skipped (every
    process was down for too long). Unique per subscription and local date, so replicas agree on it;
    a queued run keeps the budget RAG of each project it covered, for "worsened since the previous digest"."""

    __tablename__ = "digest_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("digest_subscriptions.id"))
    local_date: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(16))
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)

    __table_args__ = (UniqueConstraint("subscription_id", "local_date"),)


class DigestCursorRow(Base):
    """How far each subscription's occurrences have been looked at, and for which schedule."""

    __tablename__ = "digest_cursors"

    subscription_id: Mapped[int] = mapped_column(ForeignKey("digest_subscriptions.id"), primary_key=True)
    checked_until: Mapped[datetime] = mapped_column(UtcDateTime)
    signature: Mapped[str] = mapped_column(String(128))
