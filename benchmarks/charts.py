"""(f) Charts: drawing time (median of 20, target < 150 ms a chart in process) and a worker's memory after
its first chart.

The drawing is timed apart from the data (``bot.charts.DRAWER.png`` on chart data computed once) and
with it (``chart <project>`` through the handlers, as a worker runs it). The memory is measured in a
fresh process that plays a worker: it answers one ``budget`` (everything but matplotlib loaded), then one
``chart``, and reports its RSS and PSS after each; matplotlib is loaded on the first chart only, so the
difference is what the first chart costs a worker (``steward serve``'s own process never draws).

``python -m benchmarks.charts memory URL EMAIL PROJECT`` is that process (the runner starts it).
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from benchmarks.generate import Dataset
from benchmarks.inprocess import Timing, measure
from bot.clock import FixedClock
from handlers.context import Caller, Context
from handlers.dispatch import handle
from handlers.reply import Reply, Severity
from storage.uow import SqlUnitOfWorkFactory, build_uow_factory

CHART_TARGET_MS = 150.0
DRAW_BURN_UP = "(f) draw burn-up PNG"
DRAW_CLIENT = "(f) draw client bars PNG"
CHART_COMMAND = "(f) chart <project>"
DRAW_AGING = "(f) draw receivables aging PNG"
DRAW_PIPELINE = "(f) draw quarter pipeline PNG"
REPEAT = 20


def _checked(reply: Reply) -> Reply:
    if reply.severity is Severity.ERROR or reply.attachment is None:
        raise RuntimeError(f"benchmark chart failed: {reply.title}: {reply.summary}")
    return reply


def _context(factory: SqlUnitOfWorkFactory, data: Dataset) -> Context:
    from bot.charts import DRAWER

    with factory() as uow:
        zone = ZoneInfo(uow.organisation.get().timezone)
    now = datetime.combine(data.today, datetime.min.time(), zone).replace(hour=12)
    return Context(uow_factory=factory, clock=FixedClock(now), caller=Caller(email=data.big_director_email),
                   is_direct=True, drawer=DRAWER)


def run_charts(factory: SqlUnitOfWorkFactory, data: Dataset, database: str, *, quick: bool) -> list[Timing]:
    """Drawing a project's burn-up and a client's bars, and the whole ``chart <project>`` command."""
    from bot.charts import DRAWER
    from domain.charts import client_bars, project_burn_up
    from domain.services import client_budget

    with factory() as uow:
        director = uow.people.by_email(data.big_director_email)
        big = next(c for c in uow.clients.list() if c.key == data.big_client_key)
        projects = uow.projects.list(big.id)
        assert director is not None and projects
        burn = project_burn_up(uow, director, projects[0], data.today)
        bars = client_bars(client_budget(uow, director, big, data.today), data.today)
    ctx = _context(factory, data)
    repeat = 5 if quick else REPEAT
    return [
        measure(DRAW_BURN_UP, database, lambda: DRAWER.png(burn), repeat, warmup=2,
                detail=f"`{burn.project_key}`: {len(burn.actual)} weekly points"),
        measure(DRAW_CLIENT, database, lambda: DRAWER.png(bars), repeat, warmup=2,
                detail=f"`{big.key}`: {len(bars.bars)} projects (12 drawn at most)"),
        measure(CHART_COMMAND, database, lambda: _checked(handle(ctx, f"chart {projects[0].key}")), repeat,
                warmup=2, detail=f"`chart {projects[0].key}`: the data and the drawing"),
        *_money_charts(factory, data, database, repeat),
    ]


def _money_charts(factory: SqlUnitOfWorkFactory, data: Dataset, database: str, repeat: int) -> list[Timing]:
    """Drawing the aging of every client (the worst 12 drawn) and everyone's quarter against quota."""
    from bot.charts import DRAWER
    from domain.money_charts import pipeline_bar, scope_aging
    from domain.pipeline import Scope, period_of

    with factory() as uow:
        admin = uow.people.by_email(data.admin_email)
        assert admin is not None
        currency = uow.organisation.get().currency
        aging = scope_aging(uow, admin, "all", data.today, currency)
        period = period_of(data.today, uow.pipeline.settings().fiscal_year_start_month)
        quarter = pipeline_bar(uow, Scope(everyone=True, label="everyone"), "all", period, data.today, currency)
    return [
        measure(DRAW_AGING, database, lambda: DRAWER.png(aging), repeat, warmup=2,
                detail=f"`chart all ar`: {len(aging.rows)} clients owing (12 drawn at most)"),
        measure(DRAW_PIPELINE, database, lambda: DRAWER.png(quarter), repeat, warmup=2,
                detail=f"`chart all pipeline`: {period.label}"),
    ]


def chart_memory(url: str, data: Dataset) -> dict[str, float]:
    """RSS and PSS (MB) of a fresh worker-like process after a ``budget`` and after its first chart."""
    with build_uow_factory(url)() as uow:
        big = next(c for c in uow.clients.list() if c.key == data.big_client_key)
        project = uow.projects.list(big.id)[0].key
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run([sys.executable, "-m", "benchmarks.charts", "memory", url, data.big_director_email,
                           project, data.today.isoformat()], cwd=root, capture_output=True, text=True,
                          timeout=300, check=True)
    return {k: float(v) for k, v in json.loads(done.stdout.strip().splitlines()[-1]).items()}


def describe_memory(memory: dict[str, float]) -> str:
    return (f"RSS {memory['rss_before']:.0f} → {memory['rss_after']:.0f} MB, PSS {memory['pss_before']:.0f} → "
            f"{memory['pss_after']:.0f} MB (+{memory['rss_after'] - memory['rss_before']:.0f} MB for the first "
            f"chart; matplotlib loaded: before {bool(memory['mpl_before'])}, after {bool(memory['mpl_after'])})")


def _status(path: str, field: str) -> float:
    for line in Path(path).read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _measure_memory(url: str, email: str, project: str, today: str) -> dict[str, float]:
    from datetime import date

    from bot.app import build_worker
    from bot.settings import Settings
    from domain.model import Source

    factory = build_uow_factory(url)
    with factory() as uow:
        zone = ZoneInfo(uow.organisation.get().timezone)
    now = datetime.combine(date.fromisoformat(today), datetime.min.time(), zone).replace(hour=12)
    steward = build_worker(Settings(database_url=url), FixedClock(now))
    ctx = steward.context(Caller(email=email), Source.SLACK, channel=None, is_direct=True)

    def snapshot(when: str) -> dict[str, float]:
        return {f"rss_{when}": _status("/proc/self/status", "VmRSS"),
                f"pss_{when}": _status("/proc/self/smaps_rollup", "Pss"),
                f"mpl_{when}": float("matplotlib" in sys.modules)}

    if not handle(ctx, f"budget {project}").ok:
        raise RuntimeError("budget failed")
    before = snapshot("before")
    _checked(handle(ctx, f"chart {project}"))
    return {**before, **snapshot("after")}


if __name__ == "__main__":  # the worker-like process of ``chart_memory``
    if len(sys.argv) != 6 or sys.argv[1] != "memory":
        sys.exit("usage: python -m benchmarks.charts memory URL EMAIL PROJECT TODAY")
    print(json.dumps(_measure_memory(*sys.argv[2:6])))
