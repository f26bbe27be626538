"""``python -m benchmarks run``: generate (or reuse) the datasets, run every benchmark, print and record.

Order: (1) datasets on SQLite (a file under ``--workdir``) and, with ``--postgres URL``, on PostgreSQL;
(2) the in-process benchmarks (b), (c), (d) on each database; (3) the slash-command round trip (a) with
the floor app and ``steward serve`` on each database, each server a subprocess driven by the load
generator (another subprocess), and (e) the server's peak RSS (``VmHWM``) over the whole of (a), its
worker processes' added.
The table is printed and written to BENCHMARKS.md between its results markers, with the date and machine.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from importlib import metadata
from pathlib import Path
from typing import IO, Any

import requests
from sqlalchemy import text

from benchmarks.charts import (
    CHART_TARGET_MS,
    DRAW_AGING,
    DRAW_BURN_UP,
    DRAW_CLIENT,
    DRAW_PIPELINE,
    chart_memory,
    describe_memory,
    run_charts,
)
from benchmarks.generate import Dataset, default_today, ensure_dataset
from benchmarks.inprocess import Timing, quantile, run_inprocess
from storage.uow import build_uow_factory

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "BENCHMARKS.md"
START, END = "<!-- results:start -->", "<!-- results:end -->"
SECRET = "bench-signing-secret"
TARGETS = {
    "(b) budget <client>": 20.0,
    "(b) budget <project>": 20.0,
    "(c) digest": 200.0,
    "(f) standup": 100.0,
    "(f) ar all": 50.0,
    "(f) wip all": 50.0,
    "(f) timesheet team": 200.0,
    "(f) pipeline all": 50.0,  # issue 14
    "(f) forecast all 6 months": 150.0,
    "(h) history <client>": 50.0,
    DRAW_BURN_UP: CHART_TARGET_MS,
    DRAW_CLIENT: CHART_TARGET_MS,
    DRAW_AGING: CHART_TARGET_MS,
    DRAW_PIPELINE: CHART_TARGET_MS,
}


@dataclass
class Settings:
    quick: bool
    scale: float
    seed: int
    today: date
    workdir: Path
    postgres: str | None
    rounds: int
    requests_c1: int
    requests_c20: int
    answer_c1: int
    answer_c20: int
    fresh: bool
    report: Path | None


@dataclass
class EdgeResult:
    """The slash-command round trip of one server at one concurrency, over ``rounds`` rounds."""

    server: str
    concurrency: int
    rounds: list[dict[str, Any]] = field(default_factory=list)
    answer: dict[str, Any] | None = None

    def med(self, key: str) -> float:
        return quantile([r.get(key, 0.0) for r in self.rounds], 50)

    def spread(self, key: str) -> tuple[float, float]:
        values = [r.get(key, 0.0) for r in self.rounds]
        return (min(values), max(values)) if values else (0.0, 0.0)


# --- helpers ------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def steward_command() -> list[str]:
    script = Path(sys.executable).parent / "steward"
    return [str(script)] if script.exists() else [sys.executable, "-m", "bot.cli"]


def _status_mb(path: str, field: str) -> float | None:
    """A ``Field:  N kB`` line of a /proc file, in MB (None when the file or the line is missing)."""
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident set size (``VmHWM``) in MB."""
    peak = _status_mb(f"/proc/{pid}/status", "VmHWM")
    if peak is not None:
        return peak
    try:
        import psutil

        return float(psutil.Process(pid).memory_info().rss) / (1024 * 1024)
    except Exception:
        return 0.0


def child_pids(pid: int) -> list[int]:
    """The process's children (``steward serve``'s worker processes), from Linux's /proc."""
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


@dataclass(frozen=True)
class Memory:
    """Peak memory of a server and its worker processes, MB.

    A forked worker starts with the server's pages mapped (shared copy-on-write), so its RSS counts them
    again: the sum of the peak RSSes counts the imported modules twice. The proportional set size (PSS:
    each shared page divided among the processes sharing it) adds up to what they occupy together;
    the kernel keeps no peak of it, so it is sampled every ``PSS_EVERY`` seconds over the whole of (a).
    """

    server: float
    workers: tuple[float, ...] = ()
    pss_peak: float = 0.0  # sampled peak of the server's and its workers' PSS added up

    @property
    def rss_sum(self) -> float:
        return self.server + sum(self.workers)

    @property
    def judged(self) -> float:
        """What the target is judged on: the sampled PSS peak of the tree when there are workers."""
        return self.pss_peak if self.workers and self.pss_peak else self.rss_sum

    def describe(self) -> str:
        if not self.workers:
            return f"{self.server:.0f} MB"
        workers = " + ".join(f"{w:.0f}" for w in self.workers)
        return (f"{self.pss_peak:.0f} MB PSS (peak RSS: server {self.server:.0f}, "
                f"worker{'s' if len(self.workers) > 1 else ''} {workers}; summed {self.rss_sum:.0f})")


PSS_EVERY = 0.5  # seconds
THREADS_PREFIX = "reference: work in threads, "


def pss_mb(pid: int) -> float:
    """The process's proportional set size now (shared pages divided among the processes sharing them)."""
    return _status_mb(f"/proc/{pid}/smaps_rollup", "Pss") or 0.0


class PssSampler:
    """The peak of a process tree's summed PSS, sampled in a thread of the benchmark runner."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="pss-sampler", daemon=True)

    def __enter__(self) -> PssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)

    def sample(self) -> None:
        self.peak = max(self.peak, sum(pss_mb(p) for p in [self.pid, *child_pids(self.pid)]))

    def _run(self) -> None:
        while not self._stop.wait(PSS_EVERY):
            self.sample()


def peak_memory(pid: int, sampler: PssSampler) -> Memory:
    sampler.sample()
    workers = child_pids(pid)
    return Memory(peak_rss_mb(pid), tuple(peak_rss_mb(c) for c in workers), sampler.peak)


def wait_healthy(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if requests.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"server did not start; its log:\n{log.read_text()[-3000:]}")
        time.sleep(0.2)


def stop(proc: subprocess.Popen[Any]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


class LoadGen:
    """The load generator subprocess (see ``benchmarks.loadgen``)."""

    def __init__(self, users: dict[str, str]) -> None:
        args = [sys.executable, "-m", "benchmarks.loadgen", "--secret", SECRET]
        for user, email in users.items():
            args += ["--user", f"{user}={email}"]
        self.proc = subprocess.Popen(args, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        first = self._read()
        if not first.startswith("READY "):
            raise RuntimeError(f"load generator did not start: {first!r}")
        self.port = int(first.split()[1])
        self.api_url = f"http://127.0.0.1:{self.port}/api/"

    def _read(self) -> str:
        assert self.proc.stdout is not None
        return self.proc.stdout.readline().strip()

    def job(self, **job: Any) -> dict[str, Any]:
        stdin: IO[str] | None = self.proc.stdin
        assert stdin is not None
        stdin.write(json.dumps(job) + "\n")
        stdin.flush()
        line = self._read()
        if not line:
            raise RuntimeError("load generator died")
        result: dict[str, Any] = json.loads(line)
        return result

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.job(quit=True)
        stop(self.proc)


def refresh_statistics(url: str) -> None:
    """A reused PostgreSQL database may just have been migrated (a new table backfilled by its migration,
    which generation would have analyzed): refresh the planner's statistics so its plans are not made
    blind. SQLite is left as generation leaves it (no ``sqlite_stat1``)."""
    factory = build_uow_factory(url)
    try:
        if factory.engine.dialect.name == "postgresql":
            with factory.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("ANALYZE"))
    finally:
        factory.dispose()


# --- (a) and (e) ---------------------------------------------------------------------------------


def run_edge(cfg: Settings, load: LoadGen, name: str, database_url: str | None, data: Dataset,
             log_dir: Path, extra_env: dict[str, str] | None = None) -> tuple[list[EdgeResult], Memory]:
    """One server under (a): ack rounds at concurrency 1 and 20, then user-visible answers. Returns peak RSS."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MICROSOFT_", "DATABASE_URL"))}
    env.update(SLACK_BOT_TOKEN="xoxb-bench", SLACK_SIGNING_SECRET=SECRET, SLACK_API_URL=load.api_url)
    env.update(extra_env or {})
    log = log_dir / f"{name.replace(' ', '_').replace('/', '_')}.log"
    if database_url is None:
        args = [sys.executable, "-m", "benchmarks.floor", "--port", str(port)]
    else:
        env["DATABASE_URL"] = database_url
        args = [*steward_command(), "serve", "--host", "127.0.0.1", "--port", str(port), "--no-scheduler"]
    with log.open("w") as out:
        proc = subprocess.Popen(args, cwd=ROOT if database_url is None else log_dir, env=env, stdout=out,
                                stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    steward = database_url is not None
    expect = "Big Bench Corp" if steward else None
    base = {"url": f"{url}/slack/events", "text": data.big_client_key, "user": data.big_director_slack_id,
            "expect": expect}
    try:
        wait_healthy(url, proc, log)
    except BaseException:
        stop(proc)
        raise
    try:
        with PssSampler(proc.pid) as sampler:
            results = _edge_rounds(cfg, load, name, base, steward)
            rss = peak_memory(proc.pid, sampler)
    finally:
        stop(proc)
    return results, rss


def _edge_rounds(cfg: Settings, load: LoadGen, name: str, base: dict[str, Any], steward: bool) -> list[EdgeResult]:
    """Ack rounds at concurrency 1 and 20 and, for Steward, the closed loop of user-visible answers."""
    results: list[EdgeResult] = []
    load.job(**base, mode="ack", concurrency=1, requests=30, drain=60 if steward else 0)  # warm-up
    for concurrency, count in ((1, cfg.requests_c1), (20, cfg.requests_c20)):
        result = EdgeResult(name, concurrency)
        for _ in range(cfg.rounds):
            r = load.job(**base, mode="ack", concurrency=concurrency, requests=count,
                         drain=300 if steward else 0)
            _check(r, name, count, steward)
            result.rounds.append(r)
        if steward:
            n = cfg.answer_c1 if concurrency == 1 else cfg.answer_c20
            result.answer = load.job(**base, mode="answer", concurrency=concurrency, requests=n)
            _check(result.answer, name, n, steward)
        results.append(result)
        print(f"  {name} c={concurrency}: ack p50 {result.med('ack_p50_ms'):.2f} ms, "
              f"p99 {result.med('ack_p99_ms'):.2f} ms, {result.med('rps'):.0f} req/s"
              + (f"; answer p50 {result.answer['answer_p50_ms']:.1f} ms" if result.answer else ""), flush=True)
    return results


def _check(result: dict[str, Any], name: str, count: int, steward: bool) -> None:
    """Report (not raise) failed requests and missing or wrong answers: they go in the table."""
    if result["errors"]:
        print(f"  ! {name}: {result['errors']} failed requests: {result['error_kinds']}", flush=True)
    if steward and result.get("answers_ok", count) < count:
        print(f"  ! {name}: {result.get('answers_ok')} of {count} answers right; "
              f"sample: {result.get('sample_answer')}", flush=True)


# --- the report ----------------------------------------------------------------------------------


def machine() -> dict[str, str]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {name: metadata.version(name) for name in ("sqlalchemy", "slack-bolt", "aiohttp", "psycopg")}
    return {
        "platform": platform.platform(), "cpu": f"{os.cpu_count()} CPUs" + (f" ({cpu})" if cpu else ""),
        "python": platform.python_version(), "sqlalchemy": versions["sqlalchemy"],
        "slack_bolt": versions["slack-bolt"], "aiohttp": versions["aiohttp"], "psycopg": versions["psycopg"],
        "sqlite": sqlite3.sqlite_version,
    }


def fmt(ms: float) -> str:
    return f"{ms:.1f}" if ms >= 10 else f"{ms:.2f}"


def verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def render(cfg: Settings, info: dict[str, str], datasets: dict[str, Dataset], timings: list[Timing],
           edge: list[EdgeResult], rss: dict[str, Memory], took: float) -> str:
    lines = [
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC{' (quick mode: small data, few requests)' if cfg.quick else ''}"
        f" in {took / 60:.1f} min: `python -m benchmarks run{' --quick' if cfg.quick else ''}"
        f"{' --postgres URL' if cfg.postgres else ''}`.",
        "",
        f"Machine: {info['platform']}, {info['cpu']}; Python {info['python']}, SQLAlchemy {info['sqlalchemy']}, "
        f"slack-bolt {info['slack_bolt']}, aiohttp {info['aiohttp']}, psycopg {info['psycopg']}, "
        f"SQLite {info['sqlite']}" + (f", {info['postgresql']}" if "postgresql" in info else "") + ". "
        f"Load average (1 min) at the start: {info['load_start']}, at the end: {os.getloadavg()[0]:.2f} "
        "(anything else running on the machine shows up in the figures).",
        "",
    ]
    any_data = next(iter(datasets.values()))
    c = any_data.counts
    lines += [
        f"Data (seed {cfg.seed}, scale {cfg.scale:g}, today {cfg.today}): {c.people} people, {c.clients} clients, "
        f"{c.projects} projects, {c.entries:,} time entries over two years, {c.statuses:,} status updates, "
        f"{c.allocations:,} allocations, {c.scope_changes} scope changes, {c.expenses:,} expenses. "
        + "; ".join(f"{db}: {d.seconds.get('entries', 0):.1f} s to load the entries" for db, d in datasets.items()
                    if d.seconds) + ("." if any(d.seconds for d in datasets.values()) else "(reused)."),
        "",
        "### (b) (c) (d) in process — milliseconds, median and p10–p90 over the repetitions",
        "",
        "| benchmark | database | what | median | p10–p90 | n | target | |",
        "|---|---|---|---:|---:|---:|---|---|",
    ]
    floors = {t.database: t.median for t in timings if t.name == "(d) SQL floor"}
    for t in timings:
        target, ok = "", None
        if t.name in TARGETS:
            target, ok = f"< {TARGETS[t.name]:.0f} ms", t.median < TARGETS[t.name]
        elif t.name == "(d) escalation sweep" and floors.get(t.database):
            ratio = t.median / floors[t.database]
            target, ok = f"≤ 3× floor (is {ratio:.1f}×)", ratio <= 3
        lines.append(f"| {t.name} | {t.database} | {t.detail} | {fmt(t.median)} | {fmt(t.low)}–{fmt(t.high)} | "
                     f"{len(t.samples)} | {target} | {'' if ok is None else verdict(ok)} |")
    if info.get("chart_memory"):
        lines += ["", "(f) memory of a fresh worker-like process, after one `budget <project>` → after its first "
                      f"`chart <project>`: {info['chart_memory']}."]
    lines += [
        "",
        "### (a) `/budget " + any_data.big_client_key + "` over HTTP — signed requests to a real server, "
        "medians over rounds",
        "",
        "`ack`: request → HTTP response (Steward's empty 200; the floor's fixed text). `answer`: request → the "
        "reply reaching the local fake `response_url` (what the user waits for). req/s spread is min–max over "
        f"{cfg.rounds} rounds of {cfg.requests_c1} (c=1) / {cfg.requests_c20} (c=20) requests; the answer "
        f"columns come from a separate closed-loop run of {cfg.answer_c1} / {cfg.answer_c20} requests where each "
        "client waits for the answer before its next request.",
        "",
        "| server | c | ack p50 ms | ack p99 ms | req/s (spread) | right answers (flood) | answer p50 ms "
        "| answer p99 ms | answers/s | right answers (closed loop) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for e in edge:
        lo, hi = e.spread("rps")
        ans = e.answer or {}
        sent = sum(r["requests"] for r in e.rounds)
        right = sum(r.get("answers_ok", 0) for r in e.rounds)
        flood = f"{right}/{sent}" if ans else "—"
        lines.append(
            f"| {e.server} | {e.concurrency} | {fmt(e.med('ack_p50_ms'))} | {fmt(e.med('ack_p99_ms'))} | "
            f"{e.med('rps'):.0f} ({lo:.0f}–{hi:.0f}) | {flood} | "
            + (f"{fmt(ans['answer_p50_ms'])} | {fmt(ans['answer_p99_ms'])} | {ans['answers_per_s']:.0f} | "
               f"{ans.get('answers_ok', 0)}/{ans['requests']} |" if ans else "— | — | — | — |"))
    floor = {e.concurrency: e for e in edge if e.server.startswith("floor")}
    lines += ["", "| target (a), (e) | server | measured | |", "|---|---|---|---|"]
    for e in edge:
        if e.server.startswith(("floor", THREADS_PREFIX)) or e.concurrency not in floor:
            continue
        f = floor[e.concurrency]
        ratio = e.med("ack_p50_ms") / f.med("ack_p50_ms") if f.med("ack_p50_ms") else 0
        lines.append(f"| ack p50 within 2× floor, c={e.concurrency} | {e.server} | {ratio:.2f}× "
                     f"({fmt(e.med('ack_p50_ms'))} vs {fmt(f.med('ack_p50_ms'))} ms) | {verdict(ratio <= 2)} |")
        lines.append(f"| ack p99 < 100 ms, c={e.concurrency} | {e.server} | {fmt(e.med('ack_p99_ms'))} ms | "
                     f"{verdict(e.med('ack_p99_ms') < 100)} |")
        if e.concurrency == 20:
            share = e.med("rps") / f.med("rps") if f.med("rps") else 0
            lines.append(f"| req/s at c=20 ≥ ½ floor | {e.server} | {share:.2f}× ({e.med('rps'):.0f} vs "
                         f"{f.med('rps'):.0f}) | {verdict(share >= 0.5)} |")
    for server, mem in rss.items():
        judged = "reference" if server.startswith(("floor", THREADS_PREFIX)) else verdict(mem.judged < 200)
        lines.append(f"| (e) peak RSS < 200 MB | {server} | {mem.describe()} | {judged} |")
    return "\n".join(lines) + "\n"


def write_report(path: Path, body: str) -> None:
    block = f"{START}\n{body}{END}"
    if path.exists():
        current = path.read_text()
        if START in current and END in current:
            head, rest = current.split(START, 1)
            _, tail = rest.split(END, 1)
            path.write_text(head + block + tail)
            return
        path.write_text(current.rstrip() + "\n\n## Latest results\n\n" + block + "\n")
        return
    path.write_text("# Benchmarks\n\n## Latest results\n\n" + block + "\n")


# --- the command ---------------------------------------------------------------------------------


def run(cfg: Settings) -> str:
    began = time.perf_counter()
    cfg.workdir.mkdir(parents=True, exist_ok=True)
    databases = {"SQLite": f"sqlite:///{cfg.workdir / f'bench-s{cfg.scale:g}-seed{cfg.seed}.db'}"}
    if cfg.postgres:
        databases["PostgreSQL"] = cfg.postgres
    info = machine()
    info["load_start"] = f"{os.getloadavg()[0]:.2f}"
    datasets: dict[str, Dataset] = {}
    for db, url in databases.items():
        t0 = time.perf_counter()
        data, made = ensure_dataset(url, seed=cfg.seed, scale=cfg.scale, today=cfg.today, fresh=cfg.fresh)
        datasets[db] = data
        if not made:
            refresh_statistics(url)
        print(f"dataset on {db}: {'generated' if made else 'reused'} in {time.perf_counter() - t0:.1f} s "
              f"({data.counts.entries:,} entries)", flush=True)
    timings: list[Timing] = []
    for db, url in databases.items():
        factory = build_uow_factory(url)
        try:
            if db == "PostgreSQL":
                with factory.engine.connect() as conn:
                    info["postgresql"] = "PostgreSQL " + str(conn.execute(text("SHOW server_version")).scalar())
            for t in [*run_inprocess(factory, datasets[db], db, quick=cfg.quick),
                      *run_charts(factory, datasets[db], db, quick=cfg.quick)]:
                timings.append(t)
                print(f"  {t.name} [{db}]: median {fmt(t.median)} ms ({fmt(t.low)}–{fmt(t.high)})", flush=True)
        finally:
            factory.dispose()
    data = datasets["SQLite"]
    info["chart_memory"] = describe_memory(chart_memory(databases["SQLite"], data))
    print(f"  (f) a worker's first chart: {info['chart_memory']}", flush=True)
    load = LoadGen({data.big_director_slack_id: data.big_director_email})
    edge: list[EdgeResult] = []
    rss: dict[str, Memory] = {}
    try:
        servers: list[tuple[str, str | None, dict[str, str]]] = [("floor (bare Bolt)", None, {})]
        servers += [(f"steward serve, {db}", url, {}) for db, url in databases.items()]
        # The same server with its work in threads of its own process, as before worker processes: what
        # they buy, measured in the same run (a reference, not judged against the targets).
        last = list(databases)[-1]
        servers.append((f"{THREADS_PREFIX}{last}", databases[last], {"STEWARD_WORK_PROCESSES": "0"}))
        for name, url, extra in servers:
            results, peak = run_edge(cfg, load, name, url, datasets["SQLite"] if url is None else
                                     datasets[next(d for d, u in databases.items() if u == url)], cfg.workdir,
                                     extra)
            edge += results
            rss[name] = peak
            print(f"  {name}: peak RSS {peak.describe()}", flush=True)
    finally:
        load.close()
    body = render(cfg, info, datasets, timings, edge, rss, time.perf_counter() - began)
    print()
    print(body)
    if cfg.report is not None:
        write_report(cfg.report, body)
        print(f"written to {cfg.report}")
    return body


def parse(argv: list[str] | None = None) -> Settings:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description="Run every Steward benchmark.")
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="generate or reuse the data, run (a)-(e), print the table, write BENCHMARKS.md")
    r.add_argument("--quick", action="store_true", help="smoke run: scale 0.02, few requests (about a minute)")
    r.add_argument("--postgres", metavar="URL", help="also benchmark this PostgreSQL database (its tables are "
                   "replaced by the dataset), e.g. postgresql+psycopg://postgres@127.0.0.1:5432/steward_bench")
    r.add_argument("--scale", type=float, default=None, help="dataset scale (default 1.0; --quick: 0.02)")
    r.add_argument("--seed", type=int, default=42)
    r.add_argument("--today", type=date.fromisoformat, default=None, help="last day of the hours (default today)")
    r.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "steward-bench",
                   help="where the SQLite dataset and the server logs go (kept between runs for reuse)")
    r.add_argument("--fresh", action="store_true", help="regenerate the datasets even if identical ones exist")
    r.add_argument("--no-report", action="store_true", help="print only; leave BENCHMARKS.md alone")
    r.add_argument("--report", type=Path, default=REPORT)
    args = parser.parse_args(argv)
    quick = bool(args.quick)
    return Settings(
        quick=quick, scale=args.scale if args.scale is not None else (0.02 if quick else 1.0), seed=args.seed,
        today=args.today or default_today(), workdir=args.workdir, postgres=args.postgres,
        rounds=2 if quick else 3, requests_c1=50 if quick else 300, requests_c20=200 if quick else 1000,
        answer_c1=20 if quick else 200, answer_c20=100 if quick else 500, fresh=args.fresh,
        report=None if args.no_report else args.report,
    )


def main(argv: list[str] | None = None) -> int:
    run(parse(argv))
    return 0
