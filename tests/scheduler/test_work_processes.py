"""``steward serve``'s scheduler with worker processes: the duties that build digests and sweep the
portfolio run in a worker with its own engine on the same database, and what they queue is the same."""

from __future__ import annotations

import asyncio
import os
from datetime import timedelta
from typing import NoReturn

from bot.clock import FixedClock
from bot.delivery import Deliverer
from bot.scheduler import Duties, Scheduler
from bot.settings import Settings
from bot.work import ProcessWork
from tests.handlers.world import World
from tests.scheduler.test_digest_runs import MON, digests, subscribe


def not_here() -> NoReturn:
    """The server's own unit-of-work factory, which duties run in a worker must never touch."""
    raise AssertionError("a duty ran in the server's process")


def test_the_resync_queues_due_digests_from_a_worker_process(world: World, database_url: str) -> None:
    sid = subscribe(world)
    work = ProcessWork(Settings(database_url=database_url), FixedClock(MON), processes=1).start()
    try:
        assert work.pids() and os.getpid() not in work.pids()
        for at in (MON, MON + timedelta(hours=1, minutes=5)):  # up at 08:00, then the 09:00 digest is due
            timers = Scheduler(Duties(not_here), Deliverer(world.uow_factory, {}), FixedClock(at), work=work)
            asyncio.run(timers.resync())
        asyncio.run(timers.sweep())
    finally:
        work.close()
    assert list(digests(world)) == [f"digest:{sid}:2026-11-16"]
    with world.uow_factory() as uow:
        assert uow.escalations.list_open()  # the sweep ran in the worker and recorded what it found
