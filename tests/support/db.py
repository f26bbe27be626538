"""Database plumbing for tests: statement counting, fresh databases on SQLite and PostgreSQL."""

from __future__ import annotations

import re
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url

from storage.migrate import upgrade
from storage.orm import Base

# Transaction control is not a query: counting it would make "one statement" depend on whether a
# transaction happened to be open already.
_TRANSACTION_CONTROL = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b", re.IGNORECASE)


@dataclass
class StatementCount:
    """The SQL statements sent to the database while counting (transaction control excluded)."""

    statements: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        """How many statements were executed (an executemany batch counts once per round trip)."""
        return len(self.statements)


@contextmanager
def count_statements(engine: Engine) -> Iterator[StatementCount]:
    """Count the statements ``engine`` executes inside the block (``before_cursor_execute``)."""
    counted = StatementCount()

    def before(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        if not _TRANSACTION_CONTROL.match(statement):
            counted.statements.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield counted
    finally:
        event.remove(engine, "before_cursor_execute", before)


def sqlite_url(path: Path) -> str:
    """The SQLAlchemy URL of a SQLite file."""
    return f"sqlite:///{path}"


def migrated_sqlite_template(directory: Path) -> Path:
    """A SQLite file migrated to head, to be copied for each test (migrating is the slow part)."""
    path = directory / "template.db"
    upgrade(sqlite_url(path))  # upgrade() disposes its engine: the WAL is checkpointed into the file
    return path


def fresh_sqlite_copy(template: Path, directory: Path) -> str:
    """A new SQLite database (URL) with the template's schema and no rows."""
    path = directory / "steward.db"
    shutil.copyfile(template, path)
    return sqlite_url(path)


def with_search_path(url: str, schema: str) -> str:
    """``url`` with every connection's search_path set to ``schema`` (libpq ``options``)."""
    return make_url(url).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False
    )


def create_database_if_missing(url: str) -> None:
    """Create the PostgreSQL database named in ``url`` if the server doesn't have it yet."""
    target = make_url(url)
    server = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as conn:
            exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": target.database}).first()
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    finally:
        server.dispose()


@contextmanager
def postgres_schema(url: str) -> Iterator[str]:
    """A private, migrated schema in the PostgreSQL database at ``url``; yields a URL that uses it.

    A schema of its own per test session keeps concurrent test runs on one server apart. It is
    dropped at the end.
    """
    schema = f"steward_test_{uuid.uuid4().hex[:12]}"
    create_database_if_missing(url)
    admin = create_engine(url)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        scoped = with_search_path(url, schema)
        upgrade(scoped)
        yield scoped
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def truncate_all(url: str) -> None:
    """Empty every table of the schema (not Alembic's version table), restarting id sequences."""
    engine = create_engine(url)
    try:
        names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        with engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    finally:
        engine.dispose()
