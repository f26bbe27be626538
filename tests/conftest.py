"""Shared fixtures: a freshly migrated, empty database on SQLite (always) and PostgreSQL (when
``TEST_DATABASE_URL`` is set), a unit-of-work factory over it, and statement counting."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
from sqlalchemy import Engine

from storage.uow import SqlUnitOfWorkFactory, build_uow_factory
from tests.support.db import (
    StatementCount,
    fresh_sqlite_copy,
    migrated_sqlite_template,
    postgres_schema,
    truncate_all,
)
from tests.support.db import count_statements as _count_statements

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "").strip()

BACKENDS = [pytest.param("sqlite", id="sqlite")]
if POSTGRES_URL:
    BACKENDS.append(pytest.param("postgresql", id="postgresql"))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head once per session; each test gets a copy."""
    return migrated_sqlite_template(tmp_path_factory.mktemp("sqlite-template"))


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A private schema in ``TEST_DATABASE_URL``'s database, migrated once per session."""
    if not POSTGRES_URL:
        pytest.skip("TEST_DATABASE_URL is not set")
    with postgres_schema(POSTGRES_URL) as url:
        yield url


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of a migrated, empty database: a SQLite file, or the PostgreSQL test schema truncated."""
    if request.param == "sqlite":
        return fresh_sqlite_copy(request.getfixturevalue("sqlite_template"), tmp_path)
    url: str = request.getfixturevalue("postgres_url")
    truncate_all(url)  # before the test, so a failed test's leftovers can't leak into the next
    return url


@pytest.fixture
def uow_factory(database_url: str) -> Iterator[SqlUnitOfWorkFactory]:
    """A unit-of-work factory over a freshly migrated, empty database (``uow_factory.engine`` is public)."""
    factory = build_uow_factory(database_url)
    try:
        yield factory
    finally:
        factory.dispose()


@pytest.fixture
def count_statements() -> Callable[[Engine], AbstractContextManager[StatementCount]]:
    """``with count_statements(uow_factory.engine) as counted: ...`` then ``counted.count``."""
    return _count_statements
