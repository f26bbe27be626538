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
    # NULL: the default (3). Added by migration 0008 with the invoices.
    wip_reminder_days: Mapped[int | None] = mapped_column(Integer)


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
    teams_tenant: Mapped[str | None] = mapped_column(String(64))


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
    tenant_id: Mapped[str | None] = mapped_column(String(64))

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


class StandupSettingRow(Base):
    """A channel's stand-up: question time (in each participant's own timezone), report time, reminder."""

    __tablename__ = "standup_settings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(255), unique=True)
    platform: Mapped[str | None] = mapped_column(String(16))
    hour: Mapped[int] = mapped_column(Integer)
    minute: Mapped[int] = mapped_column(Integer)
    timezone: Mapped[str | None] = mapped_column(String(64))
    weekdays_only: Mapped[bool] = mapped_column(Boolean)
    report_hour: Mapped[int | None] = mapped_column(Integer)
    report_minute: Mapped[int | None] = mapped_column(Integer)
    reminder_minutes: Mapped[int | None] = mapped_column(Integer)
    quiet: Mapped[bool] = mapped_column(Boolean)
    created_by: Mapped[int] = mapped_column(ForeignKey("people.id"))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    active: Mapped[bool] = mapped_column(Boolean)


class StandupMemberRow(Base):
    """Someone who asked to be in a channel's stand-up without an allocation (``standup join``)."""

    __tablename__ = "standup_members"

    setting_id: Mapped[int] = mapped_column(ForeignKey("standup_settings.id"), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), primary_key=True)


class StandupAnswerRow(Base):
    """A person's stand-up answer for their local day; a second answer replaces it (``version`` + 1)."""

    __tablename__ = "standup_answers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    local_date: Mapped[date] = mapped_column(Date, index=True)
    did: Mapped[str] = mapped_column(Text)
    doing: Mapped[str] = mapped_column(Text)
    blocked: Mapped[str] = mapped_column(Text)
    answered_at: Mapped[datetime] = mapped_column(UtcDateTime)
    version: Mapped[int] = mapped_column(Integer)

    __table_args__ = (UniqueConstraint("person_id", "local_date"),)


class StandupBlockerRow(Base):
    """A blocker from a stand-up answer: sent to the project's manager, escalated when nobody handles it."""

    __tablename__ = "standup_blockers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    local_date: Mapped[date] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text)
    raised_at: Mapped[datetime] = mapped_column(UtcDateTime)
    escalate_after: Mapped[datetime] = mapped_column(UtcDateTime)
    handled_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    handled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    escalated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    __table_args__ = (
        UniqueConstraint("person_id", "local_date"),
        Index("ix_standup_blockers_project_id_handled_at", "project_id", "handled_at"),
    )


class TimeOffRow(Base):
    """A person's days off (``ooo``), both ends inclusive."""

    __tablename__ = "time_off"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (Index("ix_time_off_person_id_last_day", "person_id", "last_day"),)


class PersonCalendarRow(Base):
    """A person's own timezone and holiday country (organisation file), and the ``tz`` Slack gave."""

    __tablename__ = "person_calendars"

    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), primary_key=True)
    timezone: Mapped[str | None] = mapped_column(String(64))
    slack_timezone: Mapped[str | None] = mapped_column(String(64))
    holiday_country: Mapped[str | None] = mapped_column(String(16))


class OrgCalendarRow(Base):
    """The organisation's holiday country and explicit holidays: a single row with ``id = 1``."""

    __tablename__ = "org_calendar"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    holiday_country: Mapped[str | None] = mapped_column(String(16))
    holidays: Mapped[list[str]] = mapped_column(JSON)
class InvoiceRow(Base):
    """An invoice or credit note (negative amount), unique per organisation by ``number_key`` (the number
    upper-cased, so ``inv-7`` and ``INV-7`` are one invoice). Money in cents of the invoice's currency."""

    __tablename__ = "invoices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(64))
    number_key: Mapped[str] = mapped_column(String(64), unique=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"))
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id"))
    issued: Mapped[date] = mapped_column(Date)
    due: Mapped[date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3))
    amount: Mapped[Decimal] = mapped_column(Cents)
    paid: Mapped[Decimal] = mapped_column(Cents)
    state: Mapped[str] = mapped_column(String(8))
    promised_on: Mapped[date | None] = mapped_column(Date)
    disputed: Mapped[bool] = mapped_column(Boolean)
    dispute_reason: Mapped[str] = mapped_column(Text)
    last_chased_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    contact: Mapped[str] = mapped_column(String(200))

    # Covering indexes, so neither aggregate touches the table: the aging reads open invoices by client and
    # currency (in group order) with their due date and amounts; WIP sums amounts by project and currency.
    __table_args__ = (
        Index("ix_invoices_aging", "state", "client_id", "currency", "due", "amount", "paid", "disputed"),
        Index("ix_invoices_invoiced", "project_id", "currency", "state", "amount"),
    )


class ClientBillingNameRow(Base):
    """A name a client goes by in invoice exports (organisation file ``billing_names``), matched folded."""

    __tablename__ = "client_billing_names"

    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
class TeamsRosterRow(Base):
    """A member of a Teams team (or chat) where the app is installed, from the member API: enough to create
    a 1:1 conversation with someone who never wrote to the bot. One row per (tenant, AAD object id)."""

    __tablename__ = "teams_roster"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(64))
    aad_object_id: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[str] = mapped_column(String(255))  # the Teams user id (29:…)
    name: Mapped[str] = mapped_column(String(200))
    email_key: Mapped[str | None] = mapped_column(String(320), index=True)  # lower-cased email or UPN
    service_url: Mapped[str] = mapped_column(String(512))
    team_id: Mapped[str] = mapped_column(String(512))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (UniqueConstraint("tenant_id", "aad_object_id"),)
class AllocationDecisionRow(Base):
    """The capacity check as it stood when an allocation request was decided: a repeated decision (a
    second click, another approver) answers with these weeks, not with a check made later."""

    __tablename__ = "allocation_decisions"

    allocation_id: Mapped[int] = mapped_column(ForeignKey("allocations.id"), primary_key=True)
    decided_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # [{"week": "2026-11-16", "allocated": "40", "capacity": "32"}, ...]: empty when within capacity.
    weeks_over: Mapped[list[dict[str, str]]] = mapped_column(JSON)


class UndoableChangeRow(Base):
    """A change a person made through the bot that ``undo`` may revert (within 24 hours, once)."""

    __tablename__ = "undoable_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    kind: Mapped[str] = mapped_column(String(16))  # hours | status | scope | allocation
    record_id: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    undone_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    __table_args__ = (Index("ix_undoable_changes_person_id_at", "person_id", "at"),)
# --- pipeline, forecast and renewals (migration 0009) ---------------------------------------------


class OpportunityRow(Base):
    """A deal from Salesforce or an import; ``name_key`` (lower-cased name) matches a row without an id."""

    __tablename__ = "opportunities"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    name_key: Mapped[str] = mapped_column(String(255))
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    owner_name: Mapped[str] = mapped_column(String(200))
    stage: Mapped[str] = mapped_column(String(100))
    amount: Mapped[Decimal] = mapped_column(Cents)
    probability: Mapped[Decimal] = mapped_column(Centihours)  # percent, in hundredths
    close_date: Mapped[date] = mapped_column(Date)
    category: Mapped[str] = mapped_column(String(16))
    is_closed: Mapped[bool] = mapped_column(Boolean)
    is_won: Mapped[bool] = mapped_column(Boolean)
    type: Mapped[str] = mapped_column(String(100))
    next_step: Mapped[str] = mapped_column(Text)
    last_activity: Mapped[date | None] = mapped_column(Date)
    created_day: Mapped[date | None] = mapped_column(Date)
    pushes: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)

    # ``pipeline`` reads a period's deals, everyone's or by client or owner.
    __table_args__ = (
        Index("ix_opportunities_close_date", "close_date"),
        Index("ix_opportunities_client_id_close_date", "client_id", "close_date"),
        Index("ix_opportunities_owner_id_close_date", "owner_id", "close_date"),
    )


class OpportunityCloseChangeRow(Base):
    """One move of a deal's close date; ``external_id`` is Salesforce's field-history Id when it came from there."""

    __tablename__ = "opportunity_close_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(ForeignKey("opportunities.id"), index=True)
    old_date: Mapped[date] = mapped_column(Date)
    new_date: Mapped[date] = mapped_column(Date)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    source: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str | None] = mapped_column(String(64), unique=True)


class QuotaRow(Base):
    """A person's quota for one fiscal quarter (``YYYY-Qn``)."""

    __tablename__ = "quotas"

    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), primary_key=True)
    period: Mapped[str] = mapped_column(String(7), primary_key=True)
    amount: Mapped[Decimal] = mapped_column(Cents)


class ClientCrmNameRow(Base):
    """A name the CRM uses for a client (``crm_names``); ``name_key`` is it lower-cased."""

    __tablename__ = "client_crm_names"

    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), primary_key=True)
    name_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))


class PipelineSettingsRow(Base):
    """The organisation's fiscal year start, delivery months and stage table: a single row with ``id = 1``."""

    __tablename__ = "pipeline_settings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    fiscal_year_start_month: Mapped[int] = mapped_column(Integer)
    delivery_months: Mapped[int] = mapped_column(Integer)
    stages: Mapped[list[dict[str, Any]]] = mapped_column(JSON)


class ProjectRenewalRow(Base):
    """A project's renewal terms (``renewal: {notice_days}``) and the decision recorded with ``renewal``."""

    __tablename__ = "project_renewals"

    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), primary_key=True)
    notice_days: Mapped[int | None] = mapped_column(Integer)
    decision: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class SyncStateRow(Base):
    """A periodic sync (``salesforce``): when it last completed, and the claim that lets one replica run it."""

    __tablename__ = "sync_state"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    last_sync: Mapped[datetime | None] = mapped_column(UtcDateTime)
    claimed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
