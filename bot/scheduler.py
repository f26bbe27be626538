"""The scheduler: digests on time, escalation sweeps, and outbox delivery, in ``steward serve`` and
``steward worker``.

Every process keeps its own in-memory APScheduler 3 (``AsyncIOScheduler``, ``MemoryJobStore``): a
shared job store makes APScheduler run jobs twice or miss them, and its SQLAlchemy store pickles
state. The timers only *wake* a process; what is due is decided by ``domain.digests`` from the
subscription and a per-subscription cursor, and who sends it by the database (``digest_runs`` unique
per subscription and date, the outbox unique per key, rows claimed ``FOR UPDATE SKIP LOCKED``). So any
number of processes may run, and any of them may die.

Jobs in each process:
- ``resync`` (every minute, and at start): re-read the active subscriptions (a ``digest at`` said on
  another replica), add/replace/remove one cron job per subscription, and catch up on what is due
  (which is also how a restarted process sends a missed digest late, or records it as skipped);
- ``digest:<id>`` (cron in the subscription's timezone): queue the occurrence right on time;
- ``sweep`` (every 5 minutes): escalations, including the time-driven rules and the re-sends;
- ``deliver`` (every 2 seconds): claim and send due outbox rows.

``Duties.tick(now)`` and ``Deliverer.run_once(now)`` are plain calls with an explicit ``now``, so tests
and ``steward worker --now … --until …`` run a whole simulated day without waiting for the wall clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot import metrics
from bot.app import Steward
from bot.delivery import Deliverer, Sender
from bot.settings import Settings
from bot.work import Work
from domain.digests import (
    LATE_LIMIT,
    DigestRun,
    Lateness,
    RunState,
    cron_fields,
    digest_key,
    due_occurrences,
    lateness,
    signature,
    window_start,
)
from domain.escalations import SweepResult, sweep
from domain.model import DigestSubscription, Organisation, OutboxMessage, Platform
from domain.ports import Clock, UnitOfWork, UnitOfWorkFactory
from domain.timeoff import load_availability

log = logging.getLogger(__name__)


def away_on(uow: UnitOfWork, person_id: int, day: date) -> bool:
    """Whether the person is off that day (time off, or a holiday in their calendar)."""
    return load_availability(uow, [person_id], day, day).away_reason(person_id, day) is not None


def away_today(uow: UnitOfWork, now: datetime, org_timezone: str) -> set[int]:
    """Everyone off today on their own clock: escalation re-sends skip them until they are back."""
    ids = [p.id for p in uow.people.list() if p.id is not None and p.active]
    day = now.astimezone(ZoneInfo(org_timezone)).date()
    avail = load_availability(uow, ids, day - timedelta(days=1), day + timedelta(days=1))
    return {pid for pid in ids if avail.away_reason(pid, now.astimezone(ZoneInfo(avail.zone_of(pid, org_timezone)))
                                                     .date())}

RESYNC_SECONDS = 60
SWEEP_SECONDS = 300
DELIVER_SECONDS = 2.0
STANDUP_SECONDS = 60
SALESFORCE_CHECK_SECONDS = 60
PIPELINE_SWEEP = timedelta(minutes=15)


@dataclass
class TickReport:
    queued: list[str] = field(default_factory=list)  # outbox keys of digests queued
    skipped: list[str] = field(default_factory=list)  # digest keys recorded as skipped
    escalations: SweepResult | None = None
    standups: list[str] = field(default_factory=list)  # outbox keys of stand-up questions, reminders, reports


class Duties:
    """What the timers trigger, as plain synchronous calls with an explicit ``now``."""

    def __init__(self, uow_factory: UnitOfWorkFactory, admin_emails: Sequence[str] = (),
                 settings: Settings | None = None) -> None:
        self.uow_factory = uow_factory
        self.admin_emails = tuple(admin_emails)
        self.settings = settings  # for the Salesforce sync, when configured
        self._pipeline_swept: datetime | None = None

    def sync_salesforce(self, now: datetime) -> bool:
        """The periodic Salesforce sync, run by one replica per ``SALESFORCE_SYNC_MINUTES`` (claimed in the
        database). True when this process ran it."""
        if self.settings is None or not self.settings.salesforce_enabled:
            return False
        from bot.salesforce import run_periodic_sync

        return run_periodic_sync(self.uow_factory, self.settings, now) is not None

    def subscriptions(self) -> list[DigestSubscription]:
        with self.uow_factory() as uow:
            return uow.subscriptions.list_active()

    def queue_digests(self, now: datetime, subs: list[DigestSubscription] | None = None) -> TickReport:
        """Queue every digest occurrence due by ``now`` that nobody queued yet (one transaction per
        subscription, so one broken subscription cannot hold up the others)."""
        report = TickReport()
        for sub in self.subscriptions() if subs is None else subs:
            try:
                self._queue_one(sub, now, report)
            except Exception:
                log.exception("digest %s (%s) could not be queued", sub.id, sub.channel)
        return report

    def _queue_one(self, sub: DigestSubscription, now: datetime, report: TickReport) -> None:
        from handlers.digest import scheduled_digest

        sid = sub.id or 0
        sig = signature(sub)
        with self.uow_factory() as uow:
            cursor = uow.digest_runs.cursor(sid)
            start = window_start(cursor[0] if cursor and cursor[1] == sig else None, now)
            for occ in due_occurrences(sub, start, now):
                key = digest_key(sid, occ.local_date)
                when = lateness(occ, now)
                if when is Lateness.SKIPPED:
                    if uow.digest_runs.record(DigestRun(None, sid, occ.local_date, RunState.SKIPPED, occ.due_at,
                                                        now, {})):
                        report.skipped.append(key)
                    continue
                if sub.person_id is not None and sub.channel.startswith("dm:") and \
                        away_on(uow, sub.person_id, occ.local_date):
                    continue  # nobody gets their personal digest on a day off or a holiday
                previous = uow.digest_runs.previous(sid, occ.local_date)
                skipped = uow.digest_runs.skipped(sid, previous.local_date if previous else None, occ.local_date)
                reply, snapshot = scheduled_digest(uow, sub, now, late=when is Lateness.LATE, previous=previous,
                                                   skipped=skipped)
                # The run row decides between racing replicas; the outbox key would too, but the run
                # row must exist for "since the previous digest" whoever wins.
                if not uow.digest_runs.record(DigestRun(None, sid, occ.local_date, RunState.QUEUED, occ.due_at,
                                                        now, snapshot)):
                    continue
                personal = sub.channel.startswith("dm:")
                if uow.outbox.add(OutboxMessage(
                    id=None, key=key, kind="digest", payload=reply.to_dict(), created_at=now, due_at=now,
                    person_id=sub.person_id if personal else None, channel=None if personal else sub.channel,
                    platform=sub.platform,
                )):
                    report.queued.append(key)
            uow.digest_runs.advance(sid, now, sig)
            uow.commit()

    def sweep_escalations(self, now: datetime) -> SweepResult:
        from domain.pipeline_alerts import sweep_pipeline
        from handlers.escalation_notices import notice_payload
        from handlers.pipeline_notices import alert_payload

        with self.uow_factory() as uow:
            org = uow.organisation.get()
            result = sweep(uow, now, org, payload=notice_payload, admin_emails=self.admin_emails,
                           away=away_today(uow, now, org.timezone))
            self._sweep_receivables(uow, now, org, result)
            # Pipeline and renewal alerts change by the day (and on a sync): every PIPELINE_SWEEP_MINUTES is
            # enough, and spares each 5-minute sweep their reads. The outbox keys keep them once regardless.
            if self._pipeline_swept is None or not timedelta(0) <= now - self._pipeline_swept < PIPELINE_SWEEP:
                result.queued.extend(sweep_pipeline(uow, now, org, payload=alert_payload,
                                                    admin_emails=self.admin_emails))
                self._pipeline_swept = now
            uow.commit()
            return result

    def queue_standups(self, now: datetime) -> list[str]:
        from handlers.standup_runs import run_standups

        return run_standups(self.uow_factory, now).queued

    def _sweep_receivables(self, uow: UnitOfWork, now: datetime, org: Organisation, result: SweepResult) -> None:
        """Money owed: the invoice escalations and the month-end WIP reminder, in the sweep's unit of work."""
        from domain.receivables_escalations import queue_wip_reminders, sweep_receivables
        from handlers.ar_notices import invoice_notice_payload, wip_reminder_payload

        owed = sweep_receivables(uow, now, org, payload=invoice_notice_payload, admin_emails=self.admin_emails)
        result.opened += owed.opened
        result.closed += owed.closed
        result.resent += owed.resent
        result.queued += owed.queued
        result.queued += queue_wip_reminders(uow, now, org, payload=wip_reminder_payload)

    def tick(self, now: datetime, *, escalations: bool = True) -> TickReport:
        report = self.queue_digests(now)
        report.standups = self.queue_standups(now)
        if escalations:
            report.escalations = self.sweep_escalations(now)
        return report


def build_senders(settings: Settings) -> dict[Platform, Sender]:
    """A sender per configured platform (Slack by bot token; Teams when its sender module exists)."""
    senders: dict[Platform, Sender] = {}
    if settings.slack_bot_token:
        from bot.slack.sender import SlackSender

        senders[Platform.SLACK] = SlackSender(settings.slack_bot_token, settings.slack_api_url)
    try:
        import importlib

        teams_sender: Any = importlib.import_module("bot.teams.sender")
    except ImportError:  # the Teams engineer's sender has not landed in this checkout
        teams_sender = None
    if teams_sender is not None:
        try:
            factory = getattr(teams_sender.TeamsSender, "from_settings", None)
            senders[Platform.TEAMS] = factory(settings) if factory else teams_sender.TeamsSender(settings)
        except Exception:
            log.exception("Teams sender could not be built: Teams messages will wait in the outbox")
    return senders


def run_duty(steward: Steward, name: str, *args: Any) -> Any:
    """A unit of work (``bot.work``): one of ``Duties``' calls, with the worker's own Steward."""
    return getattr(Duties(steward.uow_factory, steward.settings.admins, steward.settings), name)(*args)


class Scheduler:
    """One process's APScheduler 3 jobs around ``Duties`` and a ``Deliverer``.

    Given ``work`` (``steward serve``'s worker processes), the duties that build digests and sweep every
    project run there, so a morning's digests never hold the GIL the server's acks need; the timers and
    the delivery (network waits) stay on this process's event loop.
    """

    def __init__(self, duties: Duties, deliverer: Deliverer, clock: Clock, *,
                 resync_seconds: float = RESYNC_SECONDS, sweep_seconds: float = SWEEP_SECONDS,
                 deliver_seconds: float = DELIVER_SECONDS, work: Work | None = None) -> None:
        from apscheduler.schedulers.asyncio import AsyncIOScheduler

        self.duties = duties
        self.work = work
        self.deliverer = deliverer
        self.clock = clock
        self.intervals = (resync_seconds, sweep_seconds, deliver_seconds)
        # MemoryJobStore (the default): never a job store shared between processes.
        # max_instances=1: a slow run is not overlapped by the next one of the same job.
        self.scheduler = AsyncIOScheduler(timezone="UTC", job_defaults={"max_instances": 1})
        self.signatures: dict[str, str] = {}

    def start(self) -> None:
        """Start in the running event loop; the first resync (catch-up) runs at once."""
        resync, sweep_s, deliver = self.intervals
        now = datetime.now(ZoneInfo("UTC"))
        # Interval jobs: coalesce so a stalled loop runs them once, not once per missed interval; a
        # generous grace, since running late is always better than not running.
        common: dict[str, Any] = {"coalesce": True, "misfire_grace_time": None}
        self.scheduler.add_job(self.resync, "interval", seconds=resync, id="resync", next_run_time=now, **common)
        self.scheduler.add_job(self.sweep, "interval", seconds=sweep_s, id="sweep",
                               next_run_time=now + timedelta(seconds=5), **common)
        self.scheduler.add_job(self.deliver, "interval", seconds=deliver, id="deliver", next_run_time=now, **common)
        # Stand-ups ask each participant at their own local time: one job looks every minute at what is due
        # (a cron job per participant and timezone would be thousands of timers for the same answer).
        self.scheduler.add_job(self.standups, "interval", seconds=STANDUP_SECONDS, id="standups",
                               next_run_time=now + timedelta(seconds=1), **common)
        if self.duties.settings is not None and self.duties.settings.salesforce_enabled:
            # Every minute each process asks; the database's claim lets one per interval run the sync.
            self.scheduler.add_job(self.salesforce, "interval", seconds=SALESFORCE_CHECK_SECONDS, id="salesforce",
                                   next_run_time=now + timedelta(seconds=10), **common)
        self.scheduler.start()

    def shutdown(self) -> None:
        with contextlib.suppress(Exception):
            self.scheduler.shutdown(wait=False)

    async def _duty(self, name: str, *args: Any) -> Any:
        try:
            if self.work is None:
                result = await asyncio.to_thread(getattr(self.duties, name), *args)
            else:
                result = await self.work.run(run_duty, name, *args)
        except Exception:
            metrics.scheduler_ran(name, "error")
            raise
        metrics.scheduler_ran(name, "ok")
        return result

    async def resync(self) -> None:
        subs = await self._duty("subscriptions")
        self.sync_jobs(subs)
        await self._duty("queue_digests", self.clock.now(), subs)

    def sync_jobs(self, subs: list[DigestSubscription]) -> None:
        """One cron job per active subscription, in its timezone; changed ones replaced, gone ones removed."""
        from apscheduler.triggers.cron import CronTrigger

        wanted = {f"digest:{s.id}": s for s in subs}
        for job_id in list(self.signatures):
            if job_id not in wanted:
                with contextlib.suppress(Exception):
                    self.scheduler.remove_job(job_id)
                del self.signatures[job_id]
        for job_id, sub in wanted.items():
            sig = signature(sub)
            if self.signatures.get(job_id) == sig:
                continue
            trigger = CronTrigger(timezone=ZoneInfo(sub.timezone), **cron_fields(sub))
            # misfire_grace_time: the 2-hour rule of issue 5 (a wake-up later than that is a skipped
            # digest, which the resync records); APScheduler's default (1 s) would silently drop a
            # digest whose time passed during a deploy or a busy loop. coalesce: several missed wake-ups
            # are one run. Either way the job only queues what domain.digests says is due, once.
            self.scheduler.add_job(self.wake, trigger, args=[sub.id], id=job_id, replace_existing=True,
                                   misfire_grace_time=int(LATE_LIMIT.total_seconds()), coalesce=True)
            self.signatures[job_id] = sig

    async def wake(self, subscription_id: int) -> None:
        subs = [s for s in await self._duty("subscriptions") if s.id == subscription_id]
        await self._duty("queue_digests", self.clock.now(), subs)
        await self.deliver()

    async def standups(self) -> None:
        try:
            await self._duty("queue_standups", self.clock.now())
            await self.deliver()
        except Exception:
            log.exception("stand-up run failed")

    async def sweep(self) -> None:
        try:
            await self._duty("sweep_escalations", self.clock.now())
        except Exception:
            log.exception("escalation sweep failed")

    async def salesforce(self) -> None:
        try:
            await self._duty("sync_salesforce", self.clock.now())
        except Exception as exc:  # the next interval retries; the message names no secret
            log.error("salesforce sync failed: %s", exc)

    async def deliver(self) -> None:
        try:
            await self.deliverer.drain(self.clock.now(), rounds=10)
        except Exception:
            metrics.scheduler_ran("deliver", "error")
            log.exception("outbox delivery failed")
        else:
            metrics.scheduler_ran("deliver", "ok")


async def simulate(duties: Duties, deliverer: Deliverer, start: datetime, until: datetime, step: timedelta, *,
                   pace: float = 0.0, on_step: Callable[[datetime], None] | None = None) -> None:
    """Run a pinned-clock day: at each step, queue what is due, sweep, and deliver everything due.

    Used by ``steward worker --now … --until …`` (several of these against one database is how the
    multi-replica test runs) and by in-process tests. ``pace`` real seconds pass between steps.
    """
    t = start
    while t <= until:
        await asyncio.to_thread(duties.tick, t)
        await deliverer.drain(t)
        if on_step:
            on_step(t)
        if pace:
            await asyncio.sleep(pace)
        t += step
