"""The SQLAlchemy unit of work, its factory and engine set-up.

Nothing here runs at import time: engines are made by ``make_engine`` / ``build_uow_factory``.
"""

from __future__ import annotations

import threading
from types import TracebackType
from typing import Any, Self

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from sqlalchemy.pool import StaticPool

from storage.audit_trail import SqlAuditTrailRepository
from storage.burn_dates import SqlBurnDates
from storage.calendars import SqlCalendarRepository
from storage.changes import SqlChangeLog
from storage.daily_burn import SqlDailyBurnRepository
from storage.digest_runs import SqlDigestRunRepository
from storage.invoices import SqlInvoiceRepository
from storage.messaging import SqlConversationRepository, SqlEscalationRepository, SqlOutboxRepository
from storage.opportunities import SqlPipelineRepository
from storage.repositories import (
    SqlAllocationRepository,
    SqlAuditRepository,
    SqlClientRepository,
    SqlOrganisationRepository,
    SqlPersonRepository,
    SqlProjectRepository,
    SqlReceiptRepository,
    SqlScopeRepository,
    SqlStatusRepository,
    SqlSubscriptionRepository,
    SqlTimeEntryRepository,
)
from storage.roster import SqlRosterRepository
from storage.standups import SqlStandupRepository
from storage.timesheets import SqlTimesheets

SQLITE_BUSY_TIMEOUT_MS = 5000
SQLITE_GATE_TIMEOUT_S = 30.0  # a unit of work waiting longer than this for its turn gives up


class DatabaseBusy(RuntimeError):
    """The embedded database was busy for too long; the caller may try again."""


def is_sqlite_memory(url: str) -> bool:
    """True for an in-memory SQLite URL (``sqlite://`` or ``sqlite:///:memory:``)."""
    parsed = make_url(url)
    return parsed.get_backend_name() == "sqlite" and parsed.database in (None, "", ":memory:")


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An Engine for ``url``, configured for Steward.

    SQLite: foreign keys on, WAL journal (readers don't block the writer), a 5 s busy timeout, and
    every transaction opened with ``BEGIN IMMEDIATE``. SQLite allows one writer; a unit of work
    reads then writes, and a deferred transaction that tries to upgrade to a write lock while
    another connection writes fails at once with "database is locked" (the busy timeout does not
    apply to that upgrade). Taking the write lock at BEGIN makes concurrent units of work queue on
    the busy timeout instead. The pysqlite driver's own implicit BEGIN is switched off so that
    SQLAlchemy's ``begin`` event decides (the documented recipe for pysqlite transactions).

    PostgreSQL: ``pool_pre_ping`` so a restarted server doesn't fail the first request.
    """
    backend = make_url(url).get_backend_name()
    if backend != "sqlite":
        kwargs.setdefault("pool_pre_ping", True)
        return create_engine(url, **kwargs)

    if is_sqlite_memory(url):
        # One shared connection, or every checkout would see a new, empty database.
        kwargs.setdefault("poolclass", StaticPool)
        kwargs.setdefault("connect_args", {"check_same_thread": False})
    engine = create_engine(url, **kwargs)

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # let the "begin" event below issue BEGIN
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            if not is_sqlite_memory(url):
                cursor.execute("PRAGMA journal_mode=WAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


class SqlUnitOfWork:
    """One transaction over one ``Session``; implements ``domain.ports.UnitOfWork``.

    Use as a context manager. Nothing is committed unless ``commit()`` is called; leaving the block
    (normally or by an exception) rolls back whatever was not committed and closes the session.
    """

    # The repositories exist once the block is entered (each one wraps that block's session).
    organisation: SqlOrganisationRepository
    people: SqlPersonRepository
    clients: SqlClientRepository
    projects: SqlProjectRepository
    entries: SqlTimeEntryRepository
    statuses: SqlStatusRepository
    scope: SqlScopeRepository
    allocations: SqlAllocationRepository
    audit: SqlAuditRepository
    subscriptions: SqlSubscriptionRepository
    receipts: SqlReceiptRepository
    outbox: SqlOutboxRepository
    escalations: SqlEscalationRepository
    conversations: SqlConversationRepository
    digest_runs: SqlDigestRunRepository
    standups: SqlStandupRepository
    calendars: SqlCalendarRepository
    invoices: SqlInvoiceRepository
    roster: SqlRosterRepository
    burn_dates: SqlBurnDates
    changes: SqlChangeLog
    timesheets: SqlTimesheets
    pipeline: SqlPipelineRepository
    audit_trail: SqlAuditTrailRepository
    daily_burn: SqlDailyBurnRepository

    def __init__(self, engine: Engine, gate: threading.RLock | None = None) -> None:
        self._engine = engine
        self._session: Session | None = None
        self._gate = gate

    @property
    def session(self) -> Session:
        """The open session (only inside the ``with`` block)."""
        if self._session is None:
            raise RuntimeError("Use the unit of work inside a 'with' block")
        return self._session

    def __enter__(self) -> Self:
        if self._gate is not None and not self._gate.acquire(timeout=SQLITE_GATE_TIMEOUT_S):
            raise DatabaseBusy(
                f"The SQLite database stayed busy for {SQLITE_GATE_TIMEOUT_S:g} s; try again in a moment."
            )
        # Repositories issue Core statements only, so expire_on_commit/autoflush don't matter;
        # they're off to make that explicit.
        s = Session(self._engine, expire_on_commit=False, autoflush=False)
        self._session = s
        self.organisation = SqlOrganisationRepository(s)
        self.people = SqlPersonRepository(s)
        self.clients = SqlClientRepository(s)
        self.projects = SqlProjectRepository(s)
        self.entries = SqlTimeEntryRepository(s)
        self.statuses = SqlStatusRepository(s)
        self.scope = SqlScopeRepository(s)
        self.allocations = SqlAllocationRepository(s)
        self.audit = SqlAuditRepository(s)
        self.subscriptions = SqlSubscriptionRepository(s)
        self.receipts = SqlReceiptRepository(s)
        self.outbox = SqlOutboxRepository(s)
        self.escalations = SqlEscalationRepository(s)
        self.conversations = SqlConversationRepository(s)
        self.digest_runs = SqlDigestRunRepository(s)
        self.standups = SqlStandupRepository(s)
        self.calendars = SqlCalendarRepository(s)
        self.invoices = SqlInvoiceRepository(s)
        self.roster = SqlRosterRepository(s)
        self.burn_dates = SqlBurnDates(s)
        self.changes = SqlChangeLog(s)
        self.timesheets = SqlTimesheets(s)
        self.pipeline = SqlPipelineRepository(s)
        self.audit_trail = SqlAuditTrailRepository(s)
        self.daily_burn = SqlDailyBurnRepository(s)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Roll back whatever was not committed, and release the connection."""
        session, self._session = self._session, None
        try:
            if session is not None:
                try:
                    session.rollback()
                finally:
                    session.close()
        finally:
            if self._gate is not None:
                self._gate.release()

    def commit(self) -> None:
        """Commit everything done so far; the unit of work stays usable for more work."""
        self.session.commit()

    def rollback(self) -> None:
        """Discard everything done since the last commit."""
        self.session.rollback()


class SqlUnitOfWorkFactory:
    """Makes units of work over one Engine (created once, shared by every unit of work).

    ``engine`` is public so tests can count statements and tools can dispose of the pool.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        # SQLite lets one transaction write at a time, and every unit of work takes the write lock
        # at BEGIN. Threads of one process queue here, woken as soon as the lock is free, instead of
        # polling in SQLite's busy handler, whose growing sleeps let a burst of requests time out
        # ("database is locked"; measured by the benchmark). Re-entrant, so a unit of work opened
        # inside another in the same thread behaves as it did before. Other processes still wait
        # on the busy timeout; PostgreSQL needs no gate.
        self._gate = threading.RLock() if engine.dialect.name == "sqlite" else None

    def __call__(self) -> SqlUnitOfWork:
        """A new, not yet entered, unit of work."""
        return SqlUnitOfWork(self.engine, self._gate)

    def dispose(self) -> None:
        """Close the pooled connections."""
        self.engine.dispose()


def build_uow_factory(database_url: str) -> SqlUnitOfWorkFactory:
    """A unit-of-work factory for ``database_url`` (the engine is created here, once).

    An in-memory SQLite database exists only inside this factory's engine, so its schema is created
    here; file and server databases are migrated with ``ensure_schema`` / ``storage.migrate.upgrade``.
    """
    engine = make_engine(database_url)
    if is_sqlite_memory(database_url):
        from storage.migrate import upgrade_engine

        upgrade_engine(engine)
    return SqlUnitOfWorkFactory(engine)


def ensure_schema(database_url: str) -> None:
    """Create the schema of a brand-new (empty) database, or bring an embedded SQLite one up to date.

    A non-empty PostgreSQL database that is behind the code is not migrated behind the operator's
    back: ``SchemaOutOfDate`` asks for ``steward db upgrade``.
    """
    from storage.migrate import ensure_schema as _ensure

    _ensure(database_url)
