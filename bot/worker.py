"""``steward worker``: the scheduler without the HTTP server, for real time or a simulated run.

Real time: APScheduler jobs until SIGINT/SIGTERM. Simulated (``--now`` and ``--until``): a pinned clock
stepped through the window as fast as ``--pace`` allows, then exit, which is how tests run several
workers through a day against one PostgreSQL.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
from datetime import datetime, timedelta
from typing import Any

from bot.delivery import Deliverer
from bot.scheduler import Duties, Scheduler, build_senders, simulate
from bot.settings import Settings

log = logging.getLogger(__name__)


def run_worker(settings: Settings, args: argparse.Namespace) -> int:
    from bot.app import build, parse_now

    if settings.log_level is None:
        logging.getLogger("bot").setLevel(logging.INFO)
    steward = build(settings)
    duties = Duties(steward.uow_factory, settings.admins, settings)
    senders = build_senders(settings)
    if args.now or args.until:
        if not (args.now and args.until):
            raise ValueError("a simulated run needs both --now and --until")
        with steward.uow_factory() as uow:
            tz = uow.organisation.get().timezone
        start, until = parse_now(args.now, tz), parse_now(args.until, tz)
        # Simulated workers' pinned clocks drift apart (each steps at its own speed), so a lease measured
        # on them means nothing across processes: by default it covers the whole window (nobody is killed
        # in a simulation; the real-time lease is what the crash test exercises).
        lease = args.lease or int((until - start).total_seconds()) + 3600
        deliverer = Deliverer(steward.uow_factory, senders, lease_seconds=lease)
        asyncio.run(simulate(duties, deliverer, start, until, timedelta(seconds=args.step), pace=args.pace))
        print(simulated_log(steward.uow_factory, start, until, tz))
        return 0
    deliverer = Deliverer(steward.uow_factory, senders, lease_seconds=args.lease or 60)

    async def main() -> None:
        scheduler = Scheduler(duties, deliverer, steward.clock, sweep_seconds=args.sweep, deliver_seconds=args.poll)
        scheduler.start()
        metrics_server = None
        if args.metrics_port is not None:  # one process: prometheus-client's in-process registry
            from bot.metrics import install, serve_metrics

            install()
            metrics_server = await serve_metrics(steward, args.metrics_host, args.metrics_port)
        log.warning("Steward worker running (digests, escalations, outbox delivery)")
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, stop.set)
        try:
            await stop.wait()
        finally:
            scheduler.shutdown()
            if metrics_server is not None:
                await metrics_server.cleanup()

    asyncio.run(main())
    return 0


def simulated_log(uow_factory: Any, start: datetime, until: datetime, org_timezone: str) -> str:
    """What a simulated run queued, in order: when (in the recipient's own timezone for a stand-up question),
    the key, to whom, and whether it was sent."""
    from zoneinfo import ZoneInfo

    from domain.timeoff import load_availability

    with uow_factory() as uow:
        rows = [m for m in uow.outbox.list(limit=100_000) if start <= m.created_at <= until]
        people = uow.people.many({m.person_id for m in rows if m.person_id is not None})
        avail = load_availability(uow, list(people), start.date(), until.date())
    rows.sort(key=lambda m: (m.created_at, m.key))
    lines = [f"Simulated {start:%a %d %b %H:%M} – {until:%a %d %b %H:%M} ({org_timezone}): {len(rows)} message(s)"]
    for m in rows:
        person = people.get(m.person_id or -1)
        zone = avail.zone_of(person.id or 0, org_timezone) if person else org_timezone
        at = m.created_at.astimezone(ZoneInfo(zone))
        to = f"{person.name} ({zone})" if person else (m.channel or "?")
        title = m.payload.get("title", "")
        lines.append(f"{at:%a %Y-%m-%d %H:%M %Z}  {m.state.value:<7}  {m.key:<40}  -> {to}  {title}")
    return "\n".join(lines)
