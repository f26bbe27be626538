"""Where the work after an acknowledgement runs: worker threads in this process, or worker processes.

A command's work is synchronous Python (SQLAlchemy, the handlers, Block Kit rendering). Run in threads
of the server's own process it competes for the GIL with the event loop that acknowledges the next
requests: measured under the benchmark's flood (BENCHMARKS.md), the loop waited behind the threads for
up to the switch interval each time it let go of the GIL, which made the ack at c=1 two to three times
the bare-Bolt floor's and capped acknowledgements at a third of the floor's. In worker processes the
loop has an interpreter to itself; the processes are niced so that, when the CPUs are short, the OS
runs the loop (and the database) first, and the acks stay fast however deep the queue of work.

A unit of work is a module-level function taking the process's ``Steward`` first:
``await work.run(step, *args)`` calls ``step(steward, *args)`` in a thread (``ThreadWork``) or in a
worker process (``ProcessWork``), whose ``Steward`` is built there from the same settings and clock.
Arguments and results cross the process boundary pickled, so they are plain values (strings,
dataclasses, ``Reply``), never sessions or connections.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import gc
import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Protocol, TypeVar

from bot.app import Steward
from bot.settings import Settings
from domain.ports import Clock

log = logging.getLogger(__name__)

T = TypeVar("T")

# Threads for the work after the ack in threads mode. CPU-bound Python gains nothing from more threads
# than the GIL lets run, and every extra runnable thread is one more contender the event loop waits
# behind; two let one command's database round trips overlap another's Python. Measured on PostgreSQL
# under the flood (BENCHMARKS.md): 6 threads (asyncio's default on 2 CPUs) ack p50 ~11 ms at c=1,
# 3 threads ~3 ms, 2 threads ~1.3-1.8 ms, 1 thread ~0.8 ms but 20% fewer answers a second.
WORK_THREADS = 2
# Linux lets a thread be niced alone (and a process): the OS then runs the event loop (and the
# database) before the work after the ack whenever the CPUs are short. The work still gets the CPU
# whenever the loop is idle.
WORK_NICE = 10


class WorkerDied(Exception):
    """A worker process died while running a unit of work; the pool has been replaced."""


class Work(Protocol):
    """Runs a unit of work away from the event loop."""

    @property
    def capacity(self) -> int:
        """How many units of work run at once (the rest should wait as coroutines, not as threads)."""
        ...

    async def run(self, func: Callable[..., T], *args: Any) -> T:
        """``func(steward, *args)`` in a worker; its exception is raised here."""
        ...

    async def offload(self, func: Callable[..., T], *args: Any) -> T:
        """``func(*args)`` in a worker thread of this process (for closures over this process's objects)."""
        ...

    def close(self) -> None:
        """Stop the workers (on shutdown)."""
        ...


def lower_priority() -> None:
    """Nice the calling thread (Linux: a thread id is a process id to ``setpriority``; elsewhere it would
    nice the whole process, so nothing is done)."""
    if sys.platform != "linux":
        return
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), WORK_NICE)
    except OSError as exc:  # a sandbox that forbids it: run at normal priority
        log.debug("could not lower the priority of %s: %r", threading.current_thread().name, exc)


class _Threads:
    """A small pool of niced threads of this process's own (not asyncio's default executor, which is
    sized for the CPU count and shared with everything else)."""

    def __init__(self, threads: int) -> None:
        self.threads = threads
        self._pool: ThreadPoolExecutor | None = None

    async def offload(self, func: Callable[..., T], *args: Any) -> T:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=self.threads, thread_name_prefix="steward-work",
                                            initializer=lower_priority)
        call = functools.partial(contextvars.copy_context().run, func, *args)
        return await asyncio.get_running_loop().run_in_executor(self._pool, call)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False)


class ThreadWork:
    """Units of work in ``WORK_THREADS`` niced threads of this process, with this process's ``Steward``."""

    def __init__(self, steward: Steward, threads: int = WORK_THREADS) -> None:
        self.steward = steward
        self._threads = _Threads(threads)

    @property
    def capacity(self) -> int:
        return self._threads.threads

    async def offload(self, func: Callable[..., T], *args: Any) -> T:
        return await self._threads.offload(func, *args)

    async def run(self, func: Callable[..., T], *args: Any) -> T:
        return await self._threads.offload(func, self.steward, *args)

    def close(self) -> None:
        self._threads.close()


def work_for(steward: Steward) -> Work:
    """Where ``steward``'s work after an ack runs: the worker processes the composition root started
    (``steward serve``), else a pool of threads of this process."""
    return steward.work if steward.work is not None else ThreadWork(steward)


# The Steward of a worker process, built by its initializer.
_CHILD: Steward | None = None


PR_SET_PDEATHSIG = 1  # linux/prctl.h


def die_with_parent(parent: int) -> None:
    """Ask Linux to SIGKILL this process when its parent dies, however it dies (``kill -9`` included): a
    worker outliving ``steward serve`` would hold database connections, and its pool's pipes, for ever.
    A parent already gone before the request took effect is caught by comparing the parent pid."""
    if sys.platform != "linux":
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
            log.warning("worker %s: prctl(PR_SET_PDEATHSIG) failed (errno %s)", os.getpid(), ctypes.get_errno())
    except (OSError, AttributeError) as exc:  # no libc to ask: the pool's own pipes end it with the server
        log.warning("worker %s: cannot ask to die with the server: %r", os.getpid(), exc)
    if os.getppid() != parent:
        os._exit(0)


def _start_child(settings: Settings, clock: Clock, parent: int | None = None) -> None:
    """Initializer of a worker process: dies with the server, its own engine and connection pool
    (connections are never shared across a fork), lower priority than the server's event loop."""
    global _CHILD
    from bot.app import build_worker

    if parent is not None:
        die_with_parent(parent)
    # Ctrl-C reaches the whole process group; the server shuts its workers down itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        os.nice(WORK_NICE)
    except OSError as exc:
        log.debug("could not lower the priority of worker %s: %r", os.getpid(), exc)
    _CHILD = build_worker(settings, clock)
    from bot import logs, metrics

    metrics.install()  # forked: already there; spawned: counts into the server's directory (inherited env)
    logs.configure(settings, default_level="INFO")  # a spawned worker starts with no logging set up


def _in_child(func: Callable[..., T], args: tuple[Any, ...]) -> T:
    if _CHILD is None:
        raise RuntimeError("worker process was not initialised")
    return func(_CHILD, *args)


def _pid() -> int:
    return os.getpid()


class ProcessWork:
    """A pool of worker processes, each with its own ``Steward`` on the same database.

    Started by ``start()`` before the server opens a connection or a thread: the processes are then
    forked from a clean single-threaded parent and share its imported modules copy-on-write. A pool
    replaced after a worker died is started with ``spawn`` (a fork of a process running threads may
    inherit a lock some thread held). A unit of work that was running when its process died is not
    retried (it may have committed); ``run`` raises ``WorkerDied`` and the caller answers with an error.
    """

    def __init__(self, settings: Settings, clock: Clock, processes: int) -> None:
        if processes < 1:
            raise ValueError("ProcessWork needs at least one process")
        self.settings = settings
        self.clock = clock
        self.processes = processes
        # For the few closures over this process's objects (a modal's look-ups); threads start on first use.
        self._threads = _Threads(WORK_THREADS)
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    @property
    def capacity(self) -> int:
        return self.processes

    def start(self) -> ProcessWork:
        """Start every worker now and wait until each has built its ``Steward``."""
        # What the parent has made so far goes to the collector's permanent generation: a forked worker's
        # full collections then never touch (and so never copy) the pages it shares with the server.
        gc.collect()
        gc.freeze()
        pool = self._new_pool()
        # ProcessPoolExecutor forks every worker at the first submit when it forks at all; one call per
        # worker makes sure each ran its initializer before the server takes requests.
        pids = {f.result(timeout=120) for f in [pool.submit(_pid) for _ in range(self.processes)]}
        log.info("worker processes started: %s", ", ".join(str(p) for p in sorted(pids)))
        return self

    def pids(self) -> list[int]:
        """The worker processes' ids (for the health of the pool, and tests)."""
        pool = self._pool
        processes = getattr(pool, "_processes", None) or {}
        return sorted(processes)

    def _new_pool(self) -> ProcessPoolExecutor:
        method = "fork" if sys.platform == "linux" and threading.active_count() == 1 else "spawn"
        pool = ProcessPoolExecutor(max_workers=self.processes, mp_context=multiprocessing.get_context(method),
                                   initializer=_start_child, initargs=(self.settings, self.clock, os.getpid()))
        self._pool = pool
        return pool

    def _executor(self) -> Executor:
        with self._lock:
            return self._pool if self._pool is not None else self._new_pool()

    async def run(self, func: Callable[..., T], *args: Any) -> T:
        pool = self._executor()
        try:
            return await asyncio.get_running_loop().run_in_executor(pool, _in_child, func, args)
        except BrokenProcessPool as exc:
            with self._lock:
                if self._pool is pool:  # the first to notice replaces it; the others just fail
                    log.error("a worker process died; starting a new pool")
                    pool.shutdown(wait=False, cancel_futures=True)
                    self._pool = None
            raise WorkerDied("a worker process died while running this") from exc

    async def offload(self, func: Callable[..., T], *args: Any) -> T:
        return await self._threads.offload(func, *args)

    def close(self, grace: float = 1.0) -> None:
        """Stop the workers: queued work is cancelled, and a worker still busy after ``grace`` seconds is
        terminated (the server drained what it meant to wait for before calling this)."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            processes = list((getattr(pool, "_processes", None) or {}).values())
            pool.shutdown(wait=False, cancel_futures=True)
            deadline = time.monotonic() + grace
            for process in processes:
                process.join(max(0.0, deadline - time.monotonic()))
                if process.is_alive():
                    process.terminate()
            for process in processes:
                process.join(1.0)
                if process.is_alive():
                    process.kill()
        self._threads.close()
