"""The interfaces the domain needs from the outside world (implemented in ``storage/`` and ``bot/``).

Read-side aggregates (burn, capacity) are part of the repositories so that storage can compute
them in SQL in a fixed number of statements, however many projects and entries there are.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from types import TracebackType
from typing import TYPE_CHECKING, Protocol, Self

from domain.capacity import WeekOver
from domain.digests import DigestRun
from domain.model import (
    Allocation,
    AllocationState,
    AuditEvent,
    Client,
    ConversationRef,
    DeliveryState,
    DigestSubscription,
    Escalation,
    Expense,
    Organisation,
    OutboxMessage,
    Person,
    Platform,
    Project,
    ScopeChange,
    ScopeState,
    StatusUpdate,
    TimeEntry,
)
from domain.pipeline_ports import PipelineRepository
from domain.reach import RosterRepository
from domain.receivables import Aging, Invoice
from domain.standups import StandupRepository
from domain.timeoff import CalendarRepository

if TYPE_CHECKING:  # domain.audit_trail imports this module
    from domain.audit_trail import AuditTrailRepository

ZERO = Decimal("0")


@dataclass(frozen=True)
class BurnTotals:
    """Sums over one project's time entries and expenses dated up to ``today``."""

    burned: Decimal = ZERO  # hours x bill rate on the entry, plus expenses
    burned_28d: Decimal = ZERO  # the same, dated in the 28 days ending today
    cost: Decimal = ZERO  # hours x cost rate on the entry, plus expenses
    hours: Decimal = ZERO
    expenses: Decimal = ZERO


@dataclass(frozen=True)
class ScopeTotals:
    """Sums over one project's scope changes by state."""

    approved_amount: Decimal = ZERO
    approved_hours: Decimal = ZERO
    pending_count: int = 0
    pending_amount: Decimal = ZERO
    pending_hours: Decimal = ZERO


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware."""
        ...


class OrganisationRepository(Protocol):
    def get(self) -> Organisation:
        """The organisation settings (defaults when none were ever saved)."""
        ...

    def save(self, org: Organisation) -> None: ...


class PersonRepository(Protocol):
    def get(self, person_id: int) -> Person | None: ...
    def by_email(self, email: str) -> Person | None:
        """Case-insensitive match on email."""
        ...

    def by_slack_id(self, slack_id: str) -> Person | None: ...
    def by_teams_id(self, teams_id: str) -> Person | None: ...
    def list(self) -> builtins.list[Person]: ...
    def many(self, ids: Iterable[int]) -> dict[int, Person]:
        """The people with these ids, in one query."""
        ...

    def add(self, person: Person) -> Person:
        """Insert and return the person with its id."""
        ...

    def update(self, person: Person) -> None: ...


class ClientRepository(Protocol):
    def get(self, client_id: int) -> Client | None: ...
    def by_key(self, key: str) -> Client | None:
        """The client whose key is ``key``, case-insensitively (one indexed look-up, not a scan in Python)."""
        ...

    def list(self) -> builtins.list[Client]: ...
    def add(self, client: Client) -> Client: ...
    def update(self, client: Client) -> None: ...


class ProjectRepository(Protocol):
    def get(self, project_id: int) -> Project | None: ...
    def by_key(self, key: str) -> Project | None:
        """The project whose key is ``key``, case-insensitively."""
        ...

    def list(self, client_id: int | None = None) -> builtins.list[Project]: ...
    def by_channel(self, channel: str) -> builtins.list[Project]:
        """Projects bound to a Slack channel id or Teams conversation id."""
        ...

    def add(self, project: Project) -> Project: ...
    def update(self, project: Project) -> None: ...


class TimeEntryRepository(Protocol):
    def add(self, entry: TimeEntry) -> TimeEntry: ...
    def add_many(self, entries: Sequence[TimeEntry]) -> int:
        """Bulk insert; entries whose ``external_id`` already exists are skipped. Returns rows added."""
        ...

    def add_expense(self, expense: Expense) -> Expense: ...
    def totals(self, project_ids: Sequence[int], today: date) -> Mapping[int, BurnTotals]:
        """Burn aggregates per project, computed in SQL in one statement (missing ids: no entries)."""
        ...

    def list(self, project_id: int, since: date | None = None) -> builtins.list[TimeEntry]: ...
    def hours_by_project(self, person_id: int, first: date, last: date) -> Mapping[int, Decimal]:
        """Hours ``person_id`` logged per project on the days in [first, last], in one statement;
        projects without any are absent."""
        ...



class StatusRepository(Protocol):
    def add(self, update: StatusUpdate) -> StatusUpdate: ...
    def latest(self, project_ids: Sequence[int]) -> Mapping[int, StatusUpdate]:
        """The newest status of each project that has one, in one statement."""
        ...

    def previous(self, project_ids: Sequence[int]) -> Mapping[int, StatusUpdate]:
        """The second-newest status of each project that has two, in one statement."""
        ...

    def history(self, project_id: int, limit: int = 10) -> builtins.list[StatusUpdate]:
        """Newest first."""
        ...


class ScopeRepository(Protocol):
    def add(self, change: ScopeChange) -> ScopeChange: ...
    def get(self, change_id: int) -> ScopeChange | None: ...
    def list(
        self, project_ids: Sequence[int], states: Iterable[ScopeState] | None = None
    ) -> builtins.list[ScopeChange]: ...
    def totals(self, project_ids: Sequence[int]) -> Mapping[int, ScopeTotals]:
        """Scope sums per project, in one statement."""
        ...

    def decide(self, decided: ScopeChange) -> bool:
        """Store a decision only if the change is still flagged. False: someone decided first."""
        ...


class AllocationRepository(Protocol):
    def add(self, allocation: Allocation) -> Allocation: ...
    def get(self, allocation_id: int) -> Allocation | None: ...
    def list(
        self,
        *,
        person_id: int | None = None,
        project_ids: Sequence[int] | None = None,
        states: Iterable[AllocationState] | None = None,
    ) -> builtins.list[Allocation]: ...

    def weekly_load(
        self, person_ids: Sequence[int], first_week: date, last_week: date
    ) -> Mapping[tuple[int, date], Decimal]:
        """Approved hours per (person, ISO-week Monday) for weeks in [first_week, last_week], in SQL.

        An allocation counts in full in every ISO week its dates touch. Weeks with no load are absent.
        """
        ...

    def decide(self, decided: Allocation) -> bool:
        """Store a decision only if the request is still requested. False: someone decided first."""
        ...

    def supersede(self, allocation_id: int, end: date | None) -> None:
        """An approved allocation replaced by an approved change: it now ends on ``end``, or is cancelled
        when ``end`` is None (the change covers it from its first day)."""
        ...


class AuditRepository(Protocol):
    def add(self, event: AuditEvent) -> None: ...
    def list(self, subject: str | None = None, limit: int = 50) -> builtins.list[AuditEvent]: ...


class SubscriptionRepository(Protocol):
    def for_channel(self, channel: str) -> DigestSubscription | None: ...
    def save(self, sub: DigestSubscription) -> DigestSubscription:
        """Insert or replace the channel's subscription."""
        ...

    def list_active(self) -> builtins.list[DigestSubscription]: ...


class ReceiptRepository(Protocol):
    def record(self, key: str, at: datetime) -> bool:
        """Remember an idempotency key (a Slack event_id, a Teams activity id...).

        True when the key is new; False when it was seen before, so the caller must not act again.
        The key is stored in the unit of work, so it commits or rolls back with the work it guards.
        """
        ...


class OutboxRepository(Protocol):
    def add(self, message: OutboxMessage) -> bool:
        """Queue a message; False (and nothing written) when its key is already queued or sent."""
        ...

    def get(self, message_id: int) -> OutboxMessage | None: ...
    def by_key(self, key: str) -> OutboxMessage | None: ...
    def with_key_prefix(self, prefix: str) -> builtins.list[OutboxMessage]:
        """Every message whose key starts with ``prefix`` (taken literally: ``%`` and ``_`` match only
        themselves), oldest first, in one statement: the cards sent about one subject
        (``notify:allocation:7:requested:``) when it is decided."""
        ...

    def claim(self, now: datetime, limit: int, lease_seconds: int) -> builtins.list[OutboxMessage]:
        """Take up to ``limit`` pending messages due by ``now`` whose lease is free or expired.

        Claimed rows get ``claimed_until = now + lease`` and ``attempts + 1``. On PostgreSQL the rows
        are selected ``FOR UPDATE SKIP LOCKED``, so concurrent workers never claim the same row; the
        caller commits the claim before sending.
        """
        ...

    def mark_sent(self, message_id: int, at: datetime, platform_ref: str) -> bool:
        """Record the send; False when the row was already marked sent (someone else delivered it)."""
        ...

    def mark_retry(self, message_id: int, error: str, due_at: datetime) -> None:
        """Release the lease and try again at ``due_at``."""
        ...

    def mark_failed(self, message_id: int, error: str) -> None:
        """Give up: the message stays visible as failed."""
        ...

    def set_ref(self, message_id: int, platform_ref: str) -> None:
        """Remember the platform's message id as soon as it is known (before mark_sent), so that a
        worker retrying after a crash can check whether the message actually went out."""
        ...

    def list(self, states: Iterable[DeliveryState] | None = None, limit: int = 100) -> builtins.list[OutboxMessage]:
        """Newest first."""
        ...


class EscalationRepository(Protocol):
    def add(self, escalation: Escalation) -> Escalation | None:
        """Open an escalation; None when one is already open for the same project and rule."""
        ...

    def get(self, escalation_id: int) -> Escalation | None: ...
    def list_open(self, project_ids: Sequence[int] | None = None) -> builtins.list[Escalation]: ...
    def acknowledge(self, escalation_id: int, person_id: int, at: datetime) -> bool:
        """Acknowledge once: False when it was already acknowledged (or is closed)."""
        ...

    def close(self, escalation_id: int, at: datetime) -> bool:
        """Close when the condition cleared; False when already closed."""
        ...

    def mark_sent(self, escalation_id: int, at: datetime) -> None:
        """Count a (re)send at ``at``."""
        ...


class ConversationRepository(Protocol):
    def save(self, ref: ConversationRef) -> ConversationRef:
        """Insert or refresh the reference for (platform, conversation_id)."""
        ...

    def get(self, platform: Platform, conversation_id: str) -> ConversationRef | None: ...
    def personal(self, person_id: int, platform: Platform) -> ConversationRef | None:
        """The most recently refreshed personal chat with this person on this platform."""
        ...

    def detach_person(self, person_id: int, platform: Platform) -> int:
        """Forget whose personal chats these are (an unlinked account); the number detached."""
        ...


class DigestRunRepository(Protocol):
    """Digest occurrences dealt with (queued or skipped) and each subscription's look-up cursor."""

    def record(self, run: DigestRun) -> bool:
        """Record an occurrence once; False when another process recorded it first (then do nothing)."""
        ...

    def previous(self, subscription_id: int, before: date) -> DigestRun | None:
        """The newest *queued* run dated before ``before``."""
        ...

    def skipped(self, subscription_id: int, after: date | None, before: date) -> builtins.list[DigestRun]:
        """Skipped runs dated in (after, before), oldest first (``after`` None: no lower bound)."""
        ...

    def cursor(self, subscription_id: int) -> tuple[datetime, str] | None:
        """``(checked_until, signature)`` or None for a subscription never looked at."""
        ...

    def advance(self, subscription_id: int, checked_until: datetime, signature: str) -> None:
        """Move the cursor forward (never back) for the same signature; a new signature restarts it."""
        ...


class BurnDateReader(Protocol):
    def first_day_reaching(self, budgets: Mapping[int, Decimal], today: date) -> Mapping[int, date]:
        """Per project id, the first day whose cumulative burn (entries dated up to it x their bill rate,
        plus expenses dated up to it) reached the given budget; projects that never reached it are absent.
        One statement whatever the number of projects and entries."""
        ...


@dataclass(frozen=True)
class UndoableChange:
    """A change ``undo`` may revert: what kind, which record, who made it and when."""

    id: int | None
    person_id: int
    kind: str  # hours | status | scope | allocation
    record_id: int
    at: datetime
    undone_at: datetime | None = None


class ChangeLogRepository(Protocol):
    """The capacity check kept with each allocation decision, and the changes ``undo`` may revert."""

    def save_decision(self, allocation_id: int, at: datetime, over: Sequence[WeekOver]) -> None:
        """Keep the weeks over capacity as they stood when the request was decided (once)."""
        ...

    def decision(self, allocation_id: int) -> tuple[WeekOver, ...] | None:
        """The weeks kept with the decision; None for a decision taken before they were kept."""
        ...

    def record(self, person_id: int, kind: str, record_id: int, at: datetime) -> None:
        """Remember a change ``person_id`` made, so ``undo`` can find it."""
        ...

    def latest(self, person_id: int, since: datetime) -> UndoableChange | None:
        """The person's most recent change made at or after ``since`` and not undone yet."""
        ...

    def mark_undone(self, change_id: int, at: datetime) -> bool:
        """Mark a change undone, once: False when it already was (a repeated ``undo``)."""
        ...

    def remove_entry(self, entry_id: int) -> TimeEntry | None:
        """Delete a time entry (keeping the burn rollup in step); the entry, or None if gone."""
        ...

    def remove_status(self, status_id: int) -> StatusUpdate | None:
        """Delete a status update; the update, or None if gone."""
        ...

    def remove_flagged_scope(self, change_id: int) -> ScopeChange | None:
        """Delete a scope change only while it is still flagged (undecided); None otherwise."""
        ...


class TimesheetReader(Protocol):
    def hours_by_day(self, person_ids: Sequence[int], first: date,
                     last: date) -> Mapping[tuple[int, int, date], Decimal]:
        """Hours per (person, project, day) for days in [first, last], in one grouped statement;
        combinations with nothing logged are absent."""
@dataclass(frozen=True)
class DayBurn:
    """What one project burned on one day: hours x the entry's bill rate plus expenses, and the hours."""

    day: date
    burned: Decimal
    hours: Decimal = ZERO


class DailyBurnRepository(Protocol):
    def daily(self, project_ids: Sequence[int], last: date) -> Mapping[int, Sequence[DayBurn]]:
        """Burn per project and day for the days up to ``last``, oldest first, in one grouped statement
        (days with nothing burned are absent, and so are projects with nothing). The charts' weekly
        points and a report's week come from it; its sum to ``last`` is ``totals(...).burned``."""
        ...


class UnitOfWork(Protocol):
    """One transaction: everything done through it commits together or not at all.

    The repositories are read-only properties so that an implementation may narrow their types.
    """

    @property
    def organisation(self) -> OrganisationRepository: ...
    @property
    def people(self) -> PersonRepository: ...
    @property
    def clients(self) -> ClientRepository: ...
    @property
    def projects(self) -> ProjectRepository: ...
    @property
    def entries(self) -> TimeEntryRepository: ...
    @property
    def statuses(self) -> StatusRepository: ...
    @property
    def scope(self) -> ScopeRepository: ...
    @property
    def allocations(self) -> AllocationRepository: ...
    @property
    def audit(self) -> AuditRepository: ...
    @property
    def subscriptions(self) -> SubscriptionRepository: ...
    @property
    def receipts(self) -> ReceiptRepository: ...
    @property
    def outbox(self) -> OutboxRepository: ...
    @property
    def escalations(self) -> EscalationRepository: ...
    @property
    def conversations(self) -> ConversationRepository: ...
    @property
    def digest_runs(self) -> DigestRunRepository: ...
    @property
    def standups(self) -> StandupRepository: ...
    @property
    def calendars(self) -> CalendarRepository: ...
    @property
    def invoices(self) -> InvoiceRepository: ...
    @property
    def roster(self) -> RosterRepository: ...
    @property
    def burn_dates(self) -> BurnDateReader: ...
    @property
    def changes(self) -> ChangeLogRepository: ...
    @property
    def timesheets(self) -> TimesheetReader: ...
    @property
    def pipeline(self) -> PipelineRepository: ...
    @property
    def audit_trail(self) -> AuditTrailRepository: ...
    @property
    def daily_burn(self) -> DailyBurnRepository: ...

    def __enter__(self) -> Self: ...
    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Roll back whatever was not committed."""
        ...

    def commit(self) -> None: ...
    def rollback(self) -> None: ...


class UnitOfWorkFactory(Protocol):
    def __call__(self) -> UnitOfWork: ...


class InvoiceRepository(Protocol):
    """Invoices and credit notes, their aging and what is invoiced per project (issue "Money owed").

    Every aggregate is one statement whatever the number of invoices; invoice numbers match
    case-insensitively (``inv-7`` is ``INV-7``)."""

    def get(self, number: str) -> Invoice | None: ...
    def get_by_id(self, invoice_id: int) -> Invoice | None: ...
    def by_numbers(self, numbers: Iterable[str]) -> dict[str, Invoice]:
        """The invoices with these numbers, keyed by the number upper-cased."""
        ...

    def add(self, invoice: Invoice) -> Invoice: ...
    def add_many(self, invoices: Sequence[Invoice]) -> int:
        """Bulk insert (imports, demo and benchmark data); numbers must be new. Returns rows added."""
        ...

    def update(self, invoice: Invoice) -> None: ...
    def aging(self, today: date, client_ids: Sequence[int] | None = None) -> builtins.list[Aging]:
        """Open invoices per (client, currency) summed into the aging buckets as of ``today`` (None: every
        client); clients with no open invoice are absent."""
        ...

    def overdue(self, today: date, client_ids: Sequence[int] | None = None, *, more_than: int = 0,
                limit: int | None = None) -> builtins.list[Invoice]:
        """Open invoices with something owed more than ``more_than`` days past due, oldest first."""
        ...

    def disputed(self, client_ids: Sequence[int]) -> builtins.list[Invoice]:
        """Open disputed invoices of these clients, oldest due first."""
        ...

    def invoiced(self, project_ids: Sequence[int] | None = None) -> Mapping[tuple[int, str], Decimal]:
        """Σ amount of non-void invoices per (project, currency) (None: every project with an invoice)."""
        ...

    def burned(self, project_ids: Sequence[int], today: date) -> Mapping[int, Decimal]:
        """Burned to date per project (the same figure as ``entries.totals(...)[id].burned``), in one statement
        that reads only what WIP needs; projects with nothing burned are absent."""
        ...

    def to_escalate(self, today: date, more_than: int) -> builtins.list[Invoice]:
        """Open invoices with something owed that are more than ``more_than`` days past due or whose promised
        date has passed: what the receivables sweep looks at."""
        ...

    def billing_names(self) -> dict[int, tuple[str, ...]]:
        """Every client's names in invoice exports (organisation file ``billing_names``)."""
        ...

    def set_billing_names(self, client_id: int, names: Sequence[str]) -> None: ...
