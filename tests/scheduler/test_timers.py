"""The per-process APScheduler 3 jobs: one cron job per subscription in its own timezone, kept in step
with the database; and ``steward outbox``."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.cli import main
from bot.clock import SystemClock
from bot.delivery import Deliverer
from bot.scheduler import Duties, Scheduler
from domain.model import DigestSubscription, OutboxMessage, Platform
from handlers.reply import Reply
from storage.uow import SqlUnitOfWorkFactory

NY = ZoneInfo("America/New_York")


def sub(sid: int, hour: int = 9, zone: str = "America/New_York", weekdays: bool = False) -> DigestSubscription:
    return DigestSubscription(sid, f"C{sid}", Platform.SLACK, hour, 0, zone, weekdays, 1)


def test_one_cron_job_per_subscription_in_its_timezone_across_dst(uow_factory: SqlUnitOfWorkFactory) -> None:
    async def run() -> None:
        timers = Scheduler(Duties(uow_factory), Deliverer(uow_factory, {}), SystemClock())
        timers.scheduler.start(paused=True)
        try:
            timers.sync_jobs([sub(1), sub(2, 7, "Europe/London", weekdays=True)])
            job = timers.scheduler.get_job("digest:1")
            assert job.misfire_grace_time == 7200 and job.coalesce is True
            t = datetime(2026, 10, 30, 12, 0, tzinfo=NY)
            fires = []
            for _ in range(5):  # Sat 31 Oct .. Wed 4 Nov: New York falls back on Sun 1 Nov
                t = job.trigger.get_next_fire_time(None, t + timedelta(seconds=1))
                fires.append(t.astimezone(NY))
            assert [(f.day, f.hour, f.minute) for f in fires] == [(d, 9, 0) for d in (31, 1, 2, 3, 4)]
            london = timers.scheduler.get_job("digest:2").trigger.get_next_fire_time(
                None, datetime(2026, 10, 31, 0, 0, tzinfo=ZoneInfo("UTC")))
            assert london.astimezone(ZoneInfo("Europe/London")).strftime("%a %H:%M") == "Mon 07:00"
            timers.sync_jobs([sub(1, 10)])  # moved to 10:00; subscription 2 stopped
            assert timers.scheduler.get_job("digest:2") is None
            assert timers.scheduler.get_job("digest:1").trigger.get_next_fire_time(
                None, datetime(2026, 11, 2, 12, 0, tzinfo=NY)).astimezone(NY).hour == 10
        finally:
            timers.shutdown()

    asyncio.run(run())


def test_steward_outbox_lists_pending_and_failed(uow_factory: SqlUnitOfWorkFactory, database_url: str,
                                                  monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    now = datetime(2026, 11, 16, 9, 0, tzinfo=NY)
    with uow_factory() as uow:
        for key in ("digest:1:2026-11-16", "notify:gone"):
            uow.outbox.add(OutboxMessage(None, key, "digest", Reply(title="x").to_dict(), now, now, channel="C1"))
        failed = uow.outbox.by_key("notify:gone")
        assert failed is not None
        uow.outbox.mark_failed(failed.id or 0, "channel_not_found")
        uow.commit()
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert main(["outbox"]) == 0
    out = capsys.readouterr().out
    assert "pending  digest:1:2026-11-16" in out and "failed   notify:gone" in out and "channel_not_found" in out
