"""In-process benchmarks: ``budget`` (b), the digest (c) and the escalation sweep against its SQL floor (d).

Each runs the real code path on a generated dataset through a ``SqlUnitOfWorkFactory``: the command
lines through ``handlers.dispatch.handle`` with a Slack-linked caller (as ``steward serve`` runs them,
minus the HTTP), the sweep as ``domain.portfolio.load_portfolio`` + ``domain.portfolio.conditions`` over
every project (today's escalation sweep), and the floor as one ``GROUP BY project`` aggregate of burn
over the same time entries on the same database.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import text

from benchmarks.generate import Dataset
from bot.clock import FixedClock
from domain.portfolio import conditions, load_portfolio
from handlers.context import Caller, Context
from handlers.dispatch import handle
from handlers.reply import Reply, Severity
from storage.uow import SqlUnitOfWorkFactory

SWEEP_NAME = "domain.portfolio.load_portfolio + conditions"
FLOOR_SQL = ("SELECT project_id, SUM(hours * bill_rate) AS burned FROM time_entries "
             "WHERE day <= :today GROUP BY project_id")


@dataclass(frozen=True)
class Timing:
    """Milliseconds of each repetition of one benchmark."""

    name: str
    database: str
    samples: tuple[float, ...]
    detail: str = ""

    @property
    def median(self) -> float:
        return quantile(self.samples, 50)

    @property
    def low(self) -> float:
        return quantile(self.samples, 10)

    @property
    def high(self) -> float:
        return quantile(self.samples, 90)


def quantile(values: tuple[float, ...] | list[float], pct: float) -> float:
    """Nearest-rank percentile (the median of an even count is the mean of the middle two)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    if pct == 50:
        mid = len(ordered) // 2
        return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2
    rank = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def measure(name: str, database: str, fn: Callable[[], object], repeat: int, warmup: int = 2,
            detail: str = "") -> Timing:
    """Run ``fn`` ``warmup`` times, then time ``repeat`` runs (garbage collected between runs)."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return Timing(name, database, tuple(samples), detail)


def _checked(reply: Reply, expect: str) -> Reply:
    if reply.severity is Severity.ERROR or expect not in (reply.title + reply.summary):
        raise RuntimeError(f"benchmark command failed: {reply.title}: {reply.summary}")
    return reply


def run_inprocess(factory: SqlUnitOfWorkFactory, data: Dataset, database: str, *, quick: bool) -> list[Timing]:
    """Every in-process benchmark on one database."""
    zone = ZoneInfo("America/New_York")
    with factory() as uow:
        zone = ZoneInfo(uow.organisation.get().timezone)
    now = datetime.combine(data.today, datetime.min.time(), zone).replace(hour=12)
    clock = FixedClock(now)

    def context(slack_id: str | None = None, email: str | None = None, channel: str | None = None) -> Context:
        return Context(uow_factory=factory, clock=clock, caller=Caller(email=email, slack_id=slack_id),
                       channel=channel, is_direct=channel is None)

    director = context(slack_id=data.big_director_slack_id)
    with factory() as uow:  # link the director's Slack id, as the first Slack request would
        person = uow.people.by_email(data.big_director_email)
        assert person is not None and person.slack_id == data.big_director_slack_id
        big = next(c for c in uow.clients.list() if c.key == data.big_client_key)
        n_big = len(uow.projects.list(big.id))
        sample = uow.projects.list(big.id)[0]
    admin = context(email=data.admin_email, channel=data.digest_channel)
    few, some, many = (3, 5, 20) if quick else (7, 15, 100)
    results = [
        measure("(b) budget <client>", database,
                lambda: _checked(handle(director, f"budget {data.big_client_key}"), big.name), many, warmup=5,
                detail=f"`budget {data.big_client_key}`, {n_big} projects"),
        measure("(b) budget <project>", database,
                lambda: _checked(handle(director, f"budget {sample.key}"), sample.key), many, warmup=5,
                detail=f"`budget {sample.key}`"),
        measure("(c) digest", database,
                lambda: _checked(handle(admin, "digest now"), "Stand-up digest"), some,
                detail=f"`digest now` in {data.digest_channel}, {data.counts.projects} projects"),
    ]

    def sweep() -> int:
        with factory() as uow:
            org = uow.organisation.get()
            projects = uow.projects.list()
            portfolio = load_portfolio(uow, projects, org, data.today)
            return len(conditions(uow, portfolio, org, now))

    def floor() -> int:
        with factory.engine.connect() as conn:
            return len(conn.execute(text(FLOOR_SQL), {"today": _sql_day(factory, data.today)}).all())

    results.append(measure("(d) escalation sweep", database, sweep, few,
                           detail=f"{SWEEP_NAME}, {data.counts.projects} projects, {data.counts.entries:,} entries"))
    results.append(measure("(d) SQL floor", database, floor, few, detail="one GROUP BY project_id of burn"))
    # The stand-up of the digest channel: its participants (every approved allocation on its projects), who is
    # away (calendars, time off, public holidays) and today's answers.
    _checked(handle(admin, "standup at 9:30 weekdays"), "Stand-up")
    results.append(measure("(f) standup", database, lambda: _checked(handle(admin, "standup"), "Stand-up"), some,
                           detail=f"`standup` in {data.digest_channel}"))
    results += money_owed(factory, data, database, clock, many)
    everyone = context(email=data.admin_email)
    results.append(measure("(f) timesheet team", database,
                           lambda: _checked(handle(everyone, "timesheet team"), "Team timesheet"), some,
                           detail=f"`timesheet team` as an admin: {data.counts.people} people, one week of entries"))
    finance = context(email=data.admin_email)  # issue 14: everyone's pipeline and forecast, as an admin
    results.append(measure("(f) pipeline all", database,
                           lambda: _checked(handle(finance, "pipeline all"), "Pipeline"), many, warmup=5,
                           detail=f"`pipeline all`, {data.counts.opportunities:,} opportunities, "
                                  f"{data.counts.quotas} quotas"))
    results.append(measure("(f) forecast all 6 months", database,
                           lambda: _checked(handle(finance, "forecast all 6 months"), "Forecast"), some,
                           detail=f"`forecast all 6 months`, {data.counts.projects} projects, "
                                  f"{data.counts.opportunities:,} opportunities"))
    # The audit trail of the big client: its projects, their scope changes and allocation requests.
    results.append(measure("(h) history <client>", database,
                           lambda: _checked(handle(director, f"history {data.big_client_key} 50"), "History"), some,
                           detail=f"`history {data.big_client_key} 50`, {n_big} projects"))
    return results


def money_owed(factory: SqlUnitOfWorkFactory, data: Dataset, database: str, clock: FixedClock,
               repeat: int) -> list[Timing]:
    """``ar all`` and ``wip all`` as finance runs them: every client's aging, every project's WIP (target 50 ms)."""
    finance = Context(uow_factory=factory, clock=clock, caller=Caller(email=data.finance_email), is_direct=True)
    return [
        measure("(f) ar all", database, lambda: _checked(handle(finance, "ar all"), "Receivables"), repeat,
                warmup=5, detail=f"`ar all`, {data.counts.clients} clients, {data.counts.invoices:,} invoices"),
        measure("(f) wip all", database, lambda: _checked(handle(finance, "wip all"), "Work not yet invoiced"),
                repeat, warmup=5, detail=f"`wip all`, {data.counts.projects} projects, "
                                         f"{data.counts.invoices:,} invoices"),
    ]


def _sql_day(factory: SqlUnitOfWorkFactory, day: date) -> date | str:
    return day.isoformat() if factory.engine.dialect.name == "sqlite" else day
