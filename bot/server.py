"""``steward serve``: one aiohttp server for Slack (``POST /slack/events``), Teams (``POST /api/messages``,
added by its own route adder) and ``GET /healthz``.

Each platform contributes a *route adder*, ``(web.Application, Steward) -> None``, so the server knows
no platform. With ``SLACK_APP_TOKEN`` set, Slack comes over Socket Mode instead of HTTP, and the HTTP
server still answers ``/healthz`` (and Teams).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from aiohttp import web

from bot.app import Steward
from bot.drain import IN_FLIGHT, drain, register
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.work import ProcessWork

log = logging.getLogger(__name__)

RouteAdder = Callable[[web.Application, Steward], None]
STEWARD_KEY: web.AppKey[Steward] = web.AppKey("steward", Steward)
SHUTDOWN_GRACE = 1.0  # seconds
HEALTH_TIMEOUT = 5.0  # seconds: a database slower than this is as good as down for a load balancer
SWITCH_INTERVAL = 0.001  # seconds; CPython's default is 0.005
GC_THRESHOLDS = (10_000, 10, 10)  # CPython's default is (700, 10, 10)


def tune_for_latency() -> None:
    """Interpreter settings for a server whose event loop must acknowledge while threads compute.

    Measured with py-spy and a ``gc.callbacks`` timer under the benchmark's flood (BENCHMARKS.md):

    - the event loop waits for the GIL behind the worker threads; a thread asking for the GIL gets it
      after at most the switch interval, so 1 ms instead of 5 ms cuts each wait of the loop fivefold;
    - full (generation 2) collections walked every object made at start-up (SQLAlchemy, Bolt,
      slack_sdk, botbuilder), 60-125 ms each with the GIL held: the ack p99. ``gc.freeze()`` after
      start-up moves those to the permanent generation; a higher first threshold makes the
      collections, now of request garbage only, ~14× rarer (at most a few MB more before a cycle is freed).
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
    sys.setswitchinterval(SWITCH_INTERVAL)


def _check_database(steward: Steward) -> None:
    with steward.uow_factory() as uow:
        uow.organisation.get()


async def healthz(request: web.Request) -> web.Response:
    """200 ``{"status": "ok"}`` when the database answers; 503 with the reason when it does not."""
    steward = request.app[STEWARD_KEY]
    try:
        await asyncio.wait_for(asyncio.to_thread(_check_database, steward), HEALTH_TIMEOUT)
    except TimeoutError:
        return web.json_response({"status": "error", "reason": "database did not answer in time"}, status=503)
    except Exception as exc:
        log.warning("health check failed: %r", exc)
        reason = f"database unavailable: {type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}"
        return web.json_response({"status": "error", "reason": reason}, status=503)
    return web.json_response({"status": "ok"})


def create_app(steward: Steward, route_adders: Sequence[RouteAdder] = ()) -> web.Application:
    """The aiohttp application: ``/healthz`` plus whatever each route adder mounts."""
    app = web.Application()
    app[STEWARD_KEY] = steward
    app.router.add_get("/healthz", healthz)
    from bot.metrics import add_routes as add_metrics

    add_metrics(app, steward)
    for add in route_adders:
        add(app, steward)
    return app


def _slack_http(settings: Settings) -> bool:
    return settings.slack_enabled and not settings.slack_app_token


def route_adders_for(settings: Settings) -> list[RouteAdder]:
    """The platforms this deployment serves over HTTP."""
    adders: list[RouteAdder] = []
    if _slack_http(settings):
        from bot.slack.app import add_routes

        adders.append(add_routes)
    with contextlib.suppress(ImportError):  # Teams is another issue; mounted here once it exists
        from bot.teams.server import add_routes as add_teams  # type: ignore[import-not-found]

        adders.append(add_teams)
    return adders


async def _serve(steward: Steward, host: str, port: int, scheduler: bool = False) -> None:
    settings = steward.settings
    app = create_app(steward, route_adders_for(settings))
    # After the drain, requests still open get SHUTDOWN_GRACE seconds (aiohttp's default would be 60).
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=SHUTDOWN_GRACE)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    socket_handler = None
    socket_deps = None
    if settings.slack_enabled and settings.slack_app_token:
        from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

        from bot.slack.app import build_app
        from bot.slack.identity import SlackIdentity
        from bot.slack.runtime import Deps
        from bot.work import work_for

        # Its own Deps, kept here, so that its answers in flight are drained at shutdown like HTTP's.
        socket_deps = Deps(steward=steward, identity=SlackIdentity(steward.uow_factory), work=work_for(steward))
        register(app, lambda: socket_deps.tasks if socket_deps is not None else ())
        socket_handler = AsyncSocketModeHandler(build_app(steward, socket_deps), settings.slack_app_token)
        await socket_handler.connect_async()
        log.warning("Slack: Socket Mode connected (SLACK_APP_TOKEN is set; no Slack request URL needed)")
    elif settings.slack_enabled:
        log.warning("Slack: request URL is http://%s:%s/slack/events", host, port)
    else:
        log.warning("Slack is not configured (SLACK_BOT_TOKEN unset): serving /healthz only")
    log.warning("Steward serving on http://%s:%s", host, port)
    timers = _start_scheduler(steward) if scheduler else None
    tune_for_latency()  # last: everything built at start-up is frozen out of the collector's way
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        if timers is not None:
            timers.shutdown()
        if socket_handler is not None:
            await socket_handler.close_async()  # no new Slack events; those acknowledged are drained below
        await site.stop()  # no new requests; the answers in flight finish (at most DRAIN_SECONDS)
        in_flight = app.get(IN_FLIGHT)
        await drain(in_flight if in_flight is not None else [])
        if socket_deps is not None:
            await socket_deps.close(drain=0)
        await runner.cleanup()


def _start_scheduler(steward: Steward):  # type: ignore[no-untyped-def]
    """This process's in-memory scheduler, on the server's event loop (see bot/scheduler.py)."""
    from bot.delivery import Deliverer
    from bot.scheduler import Duties, Scheduler, build_senders

    settings = steward.settings
    timers = Scheduler(Duties(steward.uow_factory, settings.admins, settings),
                       Deliverer(steward.uow_factory, build_senders(settings)), steward.clock, work=steward.work)
    timers.start()
    return timers


def serve(settings: Settings, *, host: str, port: int, scheduler: bool) -> int:
    """Run until SIGINT/SIGTERM. Returns the process exit code."""
    if settings.log_level is None:  # STEWARD_LOG_LEVEL unset: a server says what it does
        logging.getLogger().setLevel(logging.INFO)
        logging.getLogger("bot").setLevel(logging.INFO)
    if settings.slack_signing_secret and not settings.slack_bot_token:
        print("steward: configuration error: SLACK_BOT_TOKEN is required when SLACK_SIGNING_SECRET is set",
              file=sys.stderr)
        return 2
    log.info("scheduler %s", "on (digests, escalations, outbox delivery)" if scheduler else "off (--no-scheduler)")
    from bot import metrics
    from bot.app import build

    # Before the workers fork and before any metric exists: every process then counts into the files.
    metrics.prepare_multiprocess(metrics.runtime_dir(port) / "metrics")
    metrics.install()
    work = _start_work(settings)
    try:
        steward = build(settings, work=work)
        asyncio.run(_serve(steward, host, port, scheduler))
    except OSError as exc:
        print(f"steward: cannot listen on {host}:{port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    finally:
        if work is not None:
            work.close()
    return 0


def _start_work(settings: Settings) -> ProcessWork | None:
    """The worker processes, started first: forked from this process before it has opened a connection
    or started a thread, they share its imported modules and inherit nothing that must not be shared."""
    from storage.uow import is_sqlite_memory, make_engine

    if not settings.work_processes:
        return None
    if is_sqlite_memory(settings.database_url):
        log.warning("an in-memory database lives in one process: the work runs in threads")
        return None
    # Imported before the fork so the workers share them copy-on-write: the app, and the database driver.
    import bot.slack.app  # noqa: F401
    import bot.teams.bot  # noqa: F401
    from bot.clock import SystemClock
    from bot.work import ProcessWork

    make_engine(settings.database_url).dispose()  # no connection is opened; the driver module is loaded
    processes = settings.work_processes
    if processes > 1 and settings.database_url.startswith("sqlite"):
        # SQLite has one writer: a second process would only wait on its busy timeout, and under a flood
        # run out of it, where the one process's threads queue at its in-process gate instead.
        log.warning("SQLite: one worker process, not %d (STEWARD_WORK_PROCESSES)", processes)
        processes = 1

    work = ProcessWork(settings, SystemClock(), processes).start()
    log.info("work after the ack: %d worker process(es) %s", processes, work.pids())
    return work
