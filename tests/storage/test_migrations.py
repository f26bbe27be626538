"""Migrations create exactly what the models declare; new databases are created on first use."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

import storage
from storage.migrate import MIGRATIONS, SchemaOutOfDate, current_revision, ensure_schema, head_revision, upgrade
from storage.orm import Base
from storage.uow import build_uow_factory
from tests.support.db import sqlite_url


def _diff(url: str) -> list[object]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": True})
            return list(compare_metadata(context, Base.metadata))
    finally:
        engine.dispose()


def test_migrations_match_the_models(database_url: str) -> None:
    assert _diff(database_url) == []


def test_the_comparison_would_notice_a_model_the_migrations_lack(database_url: str) -> None:
    from sqlalchemy import Column, Integer, MetaData, Table

    extra = MetaData()
    for table in Base.metadata.tables.values():
        table.to_metadata(extra)
    Table("not_migrated", extra, Column("id", Integer, primary_key=True))
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), extra)
    finally:
        engine.dispose()
    assert [d[0] for d in diff] == ["add_table"]


def test_ensure_schema_creates_a_new_sqlite_file_at_head(tmp_path: Path) -> None:
    path = tmp_path / "new" / "steward.db"
    path.parent.mkdir()
    url = sqlite_url(path)
    ensure_schema(url)
    assert path.exists()
    assert _diff(url) == []
    engine = create_engine(url)
    with engine.connect() as conn:
        assert current_revision(conn) == head_revision()
    engine.dispose()
    ensure_schema(url)  # a second time: nothing to do
    factory = build_uow_factory(url)
    with factory() as uow:
        assert uow.people.list() == []
    factory.dispose()


def test_ensure_schema_upgrades_a_sqlite_file_left_at_an_older_revision_or_base(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "old.db")
    upgrade(url, "base")  # the version table exists, no revision applied yet
    ensure_schema(url)
    assert _diff(url) == []


def test_ensure_schema_refuses_a_database_with_foreign_tables(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "other.db")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE something_else (id INTEGER)"))
    engine.dispose()
    with pytest.raises(SchemaOutOfDate, match="no migration history"):
        ensure_schema(url)


def test_upgrade_to_head_is_idempotent(database_url: str) -> None:
    upgrade(database_url)
    assert _diff(database_url) == []


def test_the_migrations_create_the_indexes_the_aggregates_need(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        inspector = inspect(engine)
        indexes = {t: {tuple(i["column_names"]) for i in inspector.get_indexes(t)}
                   for t in ("time_entries", "allocations", "status_updates")}
        uniques = {tuple(u["column_names"]) for u in inspector.get_unique_constraints("time_entries")}
    finally:
        engine.dispose()
    assert ("project_id", "day", "hours", "bill_rate", "cost_rate") in indexes["time_entries"]  # burn, covering
    assert ("person_id", "state") in indexes["allocations"]
    assert ("project_id", "at") in indexes["status_updates"]
    assert ("external_id",) in uniques


def test_the_migrations_ship_inside_the_package() -> None:
    assert MIGRATIONS.parent == Path(storage.__file__).resolve().parent
    assert (MIGRATIONS / "env.py").exists() and (MIGRATIONS / "script.py.mako").exists()
    assert list((MIGRATIONS / "versions").glob("0001_*.py"))


def test_importing_storage_creates_no_engine_and_no_file(tmp_path: Path) -> None:
    code = "import storage.orm, storage.repositories, storage.uow, storage.migrate; print('ok')"
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "ok"
    assert list(tmp_path.iterdir()) == []


def test_storage_imports_no_upper_layer_and_no_chat_platform() -> None:
    forbidden = ("handlers", "bot", "slack_bolt", "slack_sdk", "botbuilder")
    root = Path(storage.__file__).resolve().parent
    for module in root.rglob("*.py"):
        for node in ast.walk(ast.parse(module.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            for name in names:
                assert name.split(".")[0] not in forbidden, f"{module} imports {name}"


def test_ensure_schema_refuses_a_database_migrated_by_a_newer_version(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "future.db")
    ensure_schema(url)
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    with pytest.raises(SchemaOutOfDate, match="newer"):
        ensure_schema(url)
