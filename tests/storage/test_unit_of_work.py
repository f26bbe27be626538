"""The unit of work commits together or not at all; receipts guard against acting twice."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import text

from domain.model import Client
from storage.uow import SqlUnitOfWorkFactory, build_uow_factory
from tests.storage.builders import AT, basics, person

# --- unit of work ---------------------------------------------------------------------------


def test_nothing_is_stored_without_a_commit(uow_factory: SqlUnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        person(uow, "jane")
    with uow_factory() as uow:
        assert uow.people.list() == []


def test_an_exception_rolls_back_the_unit_of_work(uow_factory: SqlUnitOfWorkFactory) -> None:
    with pytest.raises(RuntimeError), uow_factory() as uow:
        person(uow, "jane")
        raise RuntimeError("boom")
    with uow_factory() as uow:
        assert uow.people.list() == []


def test_commit_keeps_earlier_work_and_rollback_discards_later_work(uow_factory: SqlUnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        person(uow, "jane")
        uow.commit()
        person(uow, "mark")
        uow.rollback()
        person(uow, "ada")
        # leaving without commit: ada is discarded too
    with uow_factory() as uow:
        assert [p.name for p in uow.people.list()] == ["Jane"]


def test_a_unit_of_work_is_usable_only_inside_its_with_block(uow_factory: SqlUnitOfWorkFactory) -> None:
    uow = uow_factory()
    with pytest.raises(RuntimeError, match="with"):
        uow.commit()
    with uow:
        uow.commit()
    with pytest.raises(RuntimeError, match="with"):
        uow.commit()


def test_a_failed_foreign_key_is_refused(uow_factory: SqlUnitOfWorkFactory) -> None:
    from sqlalchemy.exc import IntegrityError

    with uow_factory() as uow, pytest.raises(IntegrityError):
        uow.clients.add(Client(None, "acme", "Acme", director_id=12345))


def test_units_of_work_share_the_factorys_one_engine(uow_factory: SqlUnitOfWorkFactory) -> None:
    first, second = uow_factory(), uow_factory()
    with first, second:
        assert first.session.get_bind() is second.session.get_bind() is uow_factory.engine


def test_sqlite_connections_enforce_foreign_keys_use_wal_and_wait_when_busy(
    uow_factory: SqlUnitOfWorkFactory, database_url: str
) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite pragmas")
    with uow_factory.engine.connect() as conn:
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 5000


def test_sqlite_units_of_work_queue_for_the_write_lock_instead_of_failing(tmp_path, sqlite_template) -> None:  # type: ignore[no-untyped-def]
    from tests.support.db import fresh_sqlite_copy

    factory = build_uow_factory(fresh_sqlite_copy(sqlite_template, tmp_path))
    try:
        errors: list[BaseException] = []

        def work(n: int) -> None:
            try:
                with factory() as uow:
                    uow.people.list()  # read first, then write: the pattern that deadlocks deferred BEGINs
                    person(uow, f"p{n}")
                    uow.commit()
            except BaseException as exc:  # noqa: BLE001 - collected and asserted below
                errors.append(exc)

        threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert errors == []
        with factory() as uow:
            assert len(uow.people.list()) == 8
    finally:
        factory.dispose()


def test_an_in_memory_sqlite_factory_is_ready_to_use() -> None:
    factory = build_uow_factory("sqlite://")
    try:
        with factory() as uow:
            person(uow, "jane")
            uow.commit()
        with factory() as uow:
            assert [p.name for p in uow.people.list()] == ["Jane"]
    finally:
        factory.dispose()


# --- receipts -------------------------------------------------------------------------------


def test_a_new_receipt_is_recorded_and_a_duplicate_is_refused(uow_factory: SqlUnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        assert uow.receipts.record("Ev123", AT) is True
        assert uow.receipts.record("Ev123", AT) is False
        uow.commit()
    with uow_factory() as uow:
        assert uow.receipts.record("Ev123", AT + timedelta(minutes=1)) is False
        assert uow.receipts.record("ev123", AT) is True  # keys are exact


def test_a_duplicate_receipt_does_not_break_the_transaction_and_other_work_commits(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    with uow_factory() as uow:
        uow.receipts.record("Ev1", AT)
        uow.commit()
    with uow_factory() as uow:
        person(uow, "jane")
        assert uow.receipts.record("Ev1", AT) is False
        person(uow, "mark")  # the transaction is still usable after the duplicate
        uow.commit()
    with uow_factory() as uow:
        assert [p.name for p in uow.people.list()] == ["Jane", "Mark"]


def test_a_receipt_rolls_back_with_the_work_it_guards(uow_factory: SqlUnitOfWorkFactory) -> None:
    with pytest.raises(RuntimeError), uow_factory() as uow:
        assert uow.receipts.record("Ev2", AT)
        raise RuntimeError("the work failed")
    with uow_factory() as uow:
        assert uow.receipts.record("Ev2", AT) is True  # a retry of the failed event may act


def test_two_processes_racing_on_a_receipt_act_once(uow_factory: SqlUnitOfWorkFactory, database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite takes the write lock at BEGIN: two writers can't overlap there")
    basics(uow_factory)
    results: dict[str, bool] = {}
    first_recorded = threading.Event()

    def replica_b() -> None:
        with uow_factory() as uow:
            first_recorded.wait(5)
            results["b"] = uow.receipts.record("Ev-race", AT)  # waits for A's transaction to end
            uow.commit()

    with uow_factory() as uow:
        results["a"] = uow.receipts.record("Ev-race", AT)
        other = threading.Thread(target=replica_b)
        other.start()
        first_recorded.set()
        other.join(0.3)
        assert other.is_alive(), "replica B should wait on replica A's uncommitted key"
        uow.commit()
    other.join(5)
    assert results == {"a": True, "b": False}


def test_a_receipt_wins_when_the_racing_replica_rolls_back(
    uow_factory: SqlUnitOfWorkFactory, database_url: str
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite takes the write lock at BEGIN: two writers can't overlap there")
    results: dict[str, bool] = {}
    started = threading.Event()

    def replica_b() -> None:
        with uow_factory() as uow:
            started.wait(5)
            results["b"] = uow.receipts.record("Ev-retry", AT)
            uow.commit()

    with uow_factory() as uow:
        results["a"] = uow.receipts.record("Ev-retry", AT)
        other = threading.Thread(target=replica_b)
        other.start()
        started.set()
        other.join(0.3)
        uow.rollback()  # replica A crashed mid-work: B must act
    other.join(5)
    assert results == {"a": True, "b": True}


def test_a_burst_of_sqlite_writers_queues_instead_of_failing_on_the_busy_timeout(
    tmp_path, monkeypatch  # type: ignore[no-untyped-def]
) -> None:
    """Ten threads each hold the write lock for 50 ms, far past a 100 ms busy timeout in total: the
    in-process gate queues them; SQLite's busy handler alone would fail some with "database is locked"."""
    import threading
    import time
    from datetime import UTC, datetime

    import storage.uow as uow_module
    from storage.migrate import upgrade

    monkeypatch.setattr(uow_module, "SQLITE_BUSY_TIMEOUT_MS", 100)
    url = f"sqlite:///{tmp_path / 'burst.db'}"
    upgrade(url)
    factory = uow_module.build_uow_factory(url)
    failures: list[BaseException] = []

    def write(n: int) -> None:
        try:
            with factory() as uow:
                uow.receipts.record(f"burst-{n}", datetime.now(UTC))
                time.sleep(0.05)
                uow.commit()
        except BaseException as exc:  # noqa: BLE001 - any failure is the finding
            failures.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert failures == []
    with factory() as uow:
        assert sum(not uow.receipts.record(f"burst-{n}", datetime.now(UTC)) for n in range(10)) == 10
    factory.dispose()
