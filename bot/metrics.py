"""Prometheus metrics: ``GET /metrics`` and the hooks the rest of ``bot/`` calls.

Counters and histograms are counted where things happen (a command in the process that ran its handler,
a delivery, a scheduler run). ``steward serve`` runs handlers in worker processes, so its metrics use
prometheus-client's multiprocess mode: each process writes its samples to memory-mapped files in
``PROMETHEUS_MULTIPROC_DIR`` and ``/metrics`` sums them. The library picks its storage when the first
metric is built, from that variable, so ``install`` sets it (under the server's runtime directory,
emptied at start: files left by an earlier run would be added in) before anything is imported and
before the workers fork; a worker spawned later inherits it through the environment.

The gauges that describe the database (outbox, open escalations, whether it answers) are not counted at
all: they are read from the database when ``/metrics`` is scraped, so every replica reports the same
truth and nothing drifts when a process dies.

Until ``install`` runs (``steward say``, most tests) the hooks do nothing.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiohttp import web

if TYPE_CHECKING:
    from prometheus_client import CollectorRegistry, Counter, Histogram
    from prometheus_client.core import Metric

    from bot.app import Steward

log = logging.getLogger(__name__)

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
OUTCOMES = ("ok", "user_error", "refused", "error")
# Handler time of a chat command: most answer in a few ms; a client's budget or a digest in tens.
COMMAND_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# Slack's limit is 3 s; the interesting part is well under 100 ms.
ACK_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 3.0)
DB_TIMEOUT = 5.0  # seconds: a database slower than this at scrape time counts as down


@dataclass
class _Metrics:
    commands: Counter
    command_seconds: Histogram
    slack_ack_seconds: Histogram
    deliveries: Counter
    scheduler_runs: Counter
    multiprocess: bool
    registry: CollectorRegistry | None  # single-process mode: where the metrics live


_METRICS: _Metrics | None = None


def runtime_dir(port: int) -> Path:
    """The server's runtime directory: ``$XDG_RUNTIME_DIR`` (or the temp dir) / ``steward-<port>``."""
    base = os.environ.get("XDG_RUNTIME_DIR") or tempfile.gettempdir()
    return Path(base) / f"steward-{port}"


def prepare_multiprocess(directory: Path) -> Path:
    """Empty ``directory`` and point prometheus-client at it (before any metric exists or a worker forks)."""
    chosen = Path(os.environ.get(MULTIPROC_ENV) or directory)
    shutil.rmtree(chosen, ignore_errors=True)
    chosen.mkdir(parents=True, exist_ok=True)
    os.environ[MULTIPROC_ENV] = str(chosen)
    return chosen


def install() -> None:
    """Build the metrics (once per process): multiprocess when ``PROMETHEUS_MULTIPROC_DIR`` is set."""
    global _METRICS
    if _METRICS is not None:
        return
    from prometheus_client import CollectorRegistry, Counter, Histogram, values

    multiprocess = bool(os.environ.get(MULTIPROC_ENV))
    if multiprocess and not getattr(values.ValueClass, "_multiprocess", False):
        values.ValueClass = values.get_value_class()  # prometheus_client was imported before the variable was set
    # Multiprocess: the samples live in the files, and a fresh registry reads them at each scrape.
    registry = None if multiprocess else CollectorRegistry()
    _METRICS = _Metrics(
        commands=Counter("steward_commands", "Chat commands handled, by command word, platform and outcome.",
                         ["command", "platform", "outcome"], registry=registry),
        command_seconds=Histogram("steward_command_seconds", "Handler time of a chat command.", ["command"],
                                  buckets=COMMAND_BUCKETS, registry=registry),
        slack_ack_seconds=Histogram("steward_slack_ack_seconds", "Time from a Slack request to its acknowledgement.",
                                    buckets=ACK_BUCKETS, registry=registry),
        deliveries=Counter("steward_deliveries", "Outbox delivery attempts, by platform and outcome.",
                           ["platform", "outcome"], registry=registry),
        scheduler_runs=Counter("steward_scheduler_runs", "Scheduler duty runs, by duty and outcome.",
                               ["duty", "outcome"], registry=registry),
        multiprocess=multiprocess,
        registry=registry,
    )
    from handlers import dispatch

    if _observe_command not in dispatch.OBSERVERS:
        dispatch.OBSERVERS.append(_observe_command)


def installed() -> bool:
    return _METRICS is not None


# --- hooks ------------------------------------------------------------------------------------------


def _observe_command(command: str, platform: str, outcome: str, seconds: float) -> None:
    m = _METRICS
    if m is None:
        return
    m.commands.labels(command, platform, outcome).inc()
    m.command_seconds.labels(command).observe(seconds)


def slack_acked(seconds: float) -> None:
    """A Slack request was acknowledged ``seconds`` after it arrived."""
    if _METRICS is not None:
        _METRICS.slack_ack_seconds.observe(seconds)


def delivered(platform: str, outcome: str) -> None:
    """One outbox delivery attempt ended: ``sent``, ``updated``, ``retried`` or ``failed``."""
    if _METRICS is not None:
        _METRICS.deliveries.labels(platform, outcome).inc()


def scheduler_ran(duty: str, outcome: str) -> None:
    """One run of a scheduler duty ended (``ok`` or ``error``)."""
    if _METRICS is not None:
        _METRICS.scheduler_runs.labels(duty, outcome).inc()


# --- the database gauges, read at scrape time -------------------------------------------------------


class DatabaseCollector:
    """``steward_outbox_*``, ``steward_escalations_open`` and ``steward_database_up`` from the database."""

    def __init__(self, steward: Steward) -> None:
        self.steward = steward

    def collect(self) -> Iterator[Metric]:
        from prometheus_client.core import GaugeMetricFamily

        from storage.ops import read_snapshot

        up = GaugeMetricFamily("steward_database_up", "1 when the database answered the scrape's queries.")
        try:
            snap = read_snapshot(self.steward.uow_factory, datetime.now(UTC))
        except Exception as exc:
            log.warning("metrics: the database did not answer: %s", type(exc).__name__)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        outbox = GaugeMetricFamily("steward_outbox_messages", "Outbox messages by state (sent: in the last hour).",
                                   labels=["state"])
        for state, count in (("pending", snap.pending), ("sending", snap.sending),
                             ("sent_last_hour", snap.sent_last_hour), ("failed", snap.failed)):
            outbox.add_metric([state], count)
        yield outbox
        yield GaugeMetricFamily("steward_outbox_oldest_pending_seconds",
                                "Seconds since the oldest pending message fell due (0: none is waiting).",
                                value=snap.oldest_pending_seconds)
        open_ = GaugeMetricFamily("steward_escalations_open", "Open escalations by rule.", labels=["rule"])
        for rule, count in sorted(snap.escalations_open.items()):
            open_.add_metric([rule], count)
        yield open_


def exposition(steward: Steward) -> tuple[bytes, str]:
    """The Prometheus text for this process (and, in multiprocess mode, every process of the server)."""
    install()
    assert _METRICS is not None
    from prometheus_client import (
        CONTENT_TYPE_LATEST,
        GC_COLLECTOR,
        PLATFORM_COLLECTOR,
        PROCESS_COLLECTOR,
        CollectorRegistry,
        generate_latest,
    )

    if _METRICS.multiprocess:
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        assert _METRICS.registry is not None
        registry = CollectorRegistry()
        registry.register(_Forward(_METRICS.registry))
    # The library's own: this process's CPU, memory and file descriptors; the interpreter; the collector.
    for collector in (PROCESS_COLLECTOR, PLATFORM_COLLECTOR, GC_COLLECTOR):
        registry.register(_Forward(collector))
    registry.register(DatabaseCollector(steward))
    return generate_latest(registry), CONTENT_TYPE_LATEST


class _Forward:
    """Another collector's samples in this registry without registering it twice anywhere."""

    def __init__(self, source: Any) -> None:
        self.source = source

    def collect(self) -> Iterator[Metric]:
        yield from self.source.collect()


# --- the endpoint -----------------------------------------------------------------------------------


def _loopback(remote: str | None) -> bool:
    if not remote:
        return False
    try:
        return ipaddress.ip_address(remote.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


def allowed(remote: str | None, authorization: str | None, token: str | None) -> bool:
    """Loopback needs nothing; elsewhere the bearer token when one is set (none set: open, as the
    README warns, for a metrics port kept on a private network)."""
    if _loopback(remote) or not token:
        return True
    scheme, _, given = (authorization or "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


def handler(steward: Steward) -> Callable[[web.Request], Any]:
    """The ``GET /metrics`` request handler for ``steward``."""
    import asyncio

    async def metrics(request: web.Request) -> web.Response:
        if not allowed(request.remote, request.headers.get("Authorization"), steward.settings.metrics_token):
            return web.Response(status=401, text="metrics need a bearer token (STEWARD_METRICS_TOKEN)\n",
                                headers={"WWW-Authenticate": "Bearer"})
        try:
            body, content_type = await asyncio.wait_for(asyncio.to_thread(exposition, steward), DB_TIMEOUT * 2)
        except TimeoutError:
            return web.Response(status=503, text="metrics timed out\n")
        response = web.Response(body=body)
        response.headers["Content-Type"] = content_type
        return response

    return metrics


def add_routes(app: web.Application, steward: Steward) -> None:
    """``GET /metrics`` on an aiohttp application."""
    app.router.add_get("/metrics", handler(steward))


async def serve_metrics(steward: Steward, host: str, port: int) -> web.AppRunner:
    """A small HTTP server with ``/metrics`` alone (``steward worker``)."""
    app = web.Application()
    add_routes(app, steward)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    log.warning("metrics on http://%s:%s/metrics", host, port)
    return runner
