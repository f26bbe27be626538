"""The composition root: settings in, wired collaborators out. Nothing happens at import time."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.charts import DRAWER
from bot.clock import FixedClock, SystemClock
from bot.settings import Settings
from domain.model import Platform, Source
from domain.ports import Clock, UnitOfWorkFactory
from handlers.context import Caller, Context
from storage.uow import build_uow_factory, ensure_schema

if TYPE_CHECKING:
    from bot.work import Work


@dataclass(frozen=True)
class Steward:
    settings: Settings
    uow_factory: UnitOfWorkFactory
    clock: Clock
    # Where the work after an acknowledgement runs (``steward serve``: worker processes); None: threads.
    work: Work | None = None

    def context(self, caller: Caller, source: Source, *, channel: str | None, is_direct: bool,
                permalink: str = "") -> Context:
        """The handlers' context for a line said by ``caller`` on ``source`` (Slack, Teams or the shell)."""
        platform = {Source.SLACK: Platform.SLACK, Source.TEAMS: Platform.TEAMS}.get(source)
        return Context(uow_factory=self.uow_factory, clock=self.clock, caller=caller, source=source,
                       platform=platform, channel=channel, is_direct=is_direct, permalink=permalink,
                       drawer=DRAWER)


def parse_now(text: str, timezone: str) -> datetime:
    """``--now``: an ISO date or datetime; without an offset it is read in the organisation's timezone."""
    at = datetime.fromisoformat(text.strip())
    if at.tzinfo is None:
        at = at.replace(tzinfo=ZoneInfo(timezone))
    return at


def build_worker(settings: Settings, clock: Clock) -> Steward:
    """The Steward of a worker process: its own engine on the server's database, the server's clock.
    (The server built and migrated the database already; nothing is written here.)"""
    return Steward(settings, build_uow_factory(settings.database_url), clock)


def build(settings: Settings, now: str | None = None, work: Work | None = None) -> Steward:
    """Open (and if new, create) the database and wire the clock."""
    ensure_schema(settings.database_url)
    uow_factory = build_uow_factory(settings.database_url)
    with uow_factory() as uow:
        org = uow.organisation.get()
        if settings.timezone and org.timezone == "UTC" and settings.timezone != "UTC":
            # STEWARD_TIMEZONE is the default until an organisation file says otherwise.
            org = replace(org, timezone=settings.timezone)
            uow.organisation.save(org)
            uow.commit()
    clock: Clock = FixedClock(parse_now(now, org.timezone)) if now else SystemClock()
    return Steward(settings, uow_factory, clock, work)
