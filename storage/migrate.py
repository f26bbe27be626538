"""Alembic, configured in code: ``upgrade(url)`` for ``steward db upgrade``, ``ensure_schema`` for first use.

No alembic.ini is needed: the script location is the ``migrations`` folder next to this module, so
it works from a checkout and from an installed package alike.
"""

from __future__ import annotations

import logging
import zlib
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "alembic_version"
# Serialises concurrent migrators on PostgreSQL (two replicas starting on an empty database).
_PG_LOCK_KEY = zlib.crc32(b"steward-migrations")

log = logging.getLogger(__name__)


class SchemaOutOfDate(RuntimeError):
    """The database holds a schema this code cannot use as is; the message says what to run."""


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic ``Config`` pointing at Steward's migrations (and at ``connection``, if given)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("path_separator", "os")
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    """The newest revision in the migrations folder."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "no migrations found"
    return head


def current_revision(connection: Connection) -> str | None:
    """The revision the database is at (None: never migrated)."""
    return MigrationContext.configure(connection).get_current_revision()


def _known(revision: str) -> bool:
    """True if ``revision`` is one of this code's migrations."""
    try:
        return ScriptDirectory.from_config(alembic_config()).get_revision(revision) is not None
    except Exception:  # alembic raises several kinds for an unknown id; all mean "not ours"
        return False


def _lock(connection: Connection) -> None:
    """Take the migration lock for the rest of this transaction (PostgreSQL; SQLite's BEGIN IMMEDIATE suffices)."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_LOCK_KEY})")


def upgrade_engine(engine: Engine, revision: str = "head") -> None:
    """Migrate the database behind ``engine`` to ``revision``, in one transaction under a lock."""
    with engine.begin() as connection:
        _lock(connection)
        command.upgrade(alembic_config(connection), revision)


def upgrade(url: str, revision: str = "head") -> None:
    """Apply migrations to the database at ``url`` (``steward db upgrade``)."""
    from storage.uow import make_engine

    engine = make_engine(url)
    try:
        upgrade_engine(engine, revision)
    finally:
        engine.dispose()


def ensure_schema(url: str) -> None:
    """Make a database usable on first use.

    - at head: nothing to do;
    - empty (no tables at all): migrate to head;
    - SQLite behind head: migrate (it is the embedded, single-installation database);
    - anything else (PostgreSQL behind head, tables but no migration history): ``SchemaOutOfDate``.
    """
    from storage.uow import make_engine

    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            _lock(connection)  # re-check under the lock: another process may have just migrated
            current = current_revision(connection)
            head = head_revision()
            if current == head:
                return
            if current is not None and not _known(current):
                raise SchemaOutOfDate(
                    f"The database schema is at {current}, which this version of Steward doesn't know "
                    "(it was migrated by a newer one): upgrade Steward."
                )
            # Only Alembic's own (empty) version table counts as empty too: "upgrade base" leaves one.
            tables = set(inspect(connection).get_table_names()) - {VERSION_TABLE}
            if not tables or (connection.dialect.name == "sqlite" and current is not None):
                log.info("Migrating %s from %s to %s", engine.url.render_as_string(hide_password=True), current, head)
                command.upgrade(alembic_config(connection), "head")
                return
            if current is None:
                raise SchemaOutOfDate(
                    f"The database has tables ({', '.join(sorted(tables)[:5])}...) but no migration history; "
                    "point DATABASE_URL at an empty database or at a Steward database."
                )
            raise SchemaOutOfDate(
                f"The database schema is at {current}, the code needs {head}: run `steward db upgrade`."
            )
    finally:
        engine.dispose()
