"""Shutting ``steward serve`` down without losing answers or leaving processes behind.

On SIGTERM the server stops taking requests, then waits, at most ``DRAIN_SECONDS`` in all, for the work in
flight on every edge (Slack over HTTP or Socket Mode, the Teams endpoint's turns still running after their
answer), then stops the worker processes. Each edge registers what it has in flight (``register``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from typing import Any

from aiohttp import web

log = logging.getLogger(__name__)

DRAIN_SECONDS = 10.0
InFlight = Callable[[], Iterable["asyncio.Task[Any]"]]
IN_FLIGHT: web.AppKey[list[InFlight]] = web.AppKey("steward_in_flight", list)


def register(app: web.Application, in_flight: InFlight) -> None:
    """Let the server's shutdown wait for what ``in_flight()`` returns."""
    app.setdefault(IN_FLIGHT, []).append(in_flight)


async def drain(sources: Iterable[InFlight], timeout: float = DRAIN_SECONDS) -> int:
    """Wait until every task in flight is done or ``timeout`` seconds have passed; cancel the rest and
    return how many there were."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    pending: set[asyncio.Task[Any]] = set()
    while True:  # tasks may start others (a reply after a turn): look again until nothing new appears
        tasks = {t for source in sources for t in source() if not t.done()}
        if not tasks or loop.time() >= deadline:
            pending = tasks
            break
        await asyncio.wait(tasks, timeout=max(0.0, deadline - loop.time()))
    if pending:
        log.warning("shutting down: %d answer(s) still running after %.0f s were dropped", len(pending), timeout)
        for task in pending:
            task.cancel()
        await asyncio.wait(pending, timeout=1)
    return len(pending)
