"""What every Slack listener shares: running a line through the handlers, dedupe, and answering.

Database work is synchronous SQLAlchemy, so it runs away from the event loop that is acknowledging
other requests: in worker processes under ``steward serve`` (``STEWARD_WORK_PROCESSES``, see
``bot/work.py``), else in a small pool of threads of this process. Measured with py-spy under the
benchmark's flood (BENCHMARKS.md), the work after the ack is kept small and bounded on purpose:

- a semaphore of as many slots as the work has workers, taken once per command, so a command runs its
  steps back to back instead of queueing each step behind every other command's, and a flood of acks
  piles up cheap waiting coroutines, not runnable threads or queued pickles;
- one hop into a worker per command in the steady state: the receipt and the identity check share one
  unit of work (one transaction, one pooled connection), and the handler and the Block Kit rendering
  follow in the same worker, so neither the database nor ``slack_sdk``'s validation runs on the loop.
  The hop's functions are module-level and take the worker's ``Steward``: a worker process has its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import enum
import functools
import logging
import re
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

import aiohttp
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook import WebhookResponse
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.app import Steward
from bot.slack.blocks import Rendered, render
from bot.slack.identity import SlackIdentity, SlackTrouble, api_error
from bot.work import Work, WorkerDied
from domain.errors import StewardError
from domain.identity import identify
from domain.model import Platform, Source
from handlers.context import Caller
from handlers.dispatch import handle
from handlers.reply import Reply, Severity, Tone, error

log = logging.getLogger(__name__)

_MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")
T = TypeVar("T")



class _Seen(enum.Enum):
    """The receipt was seen before: a retry or a replay, nothing to do. (An enum member keeps its
    identity through pickling, which a worker process's answer goes through.)"""

    DUPLICATE = "duplicate"


_DUPLICATE = _Seen.DUPLICATE
DRAIN_SECONDS = 10.0  # on shutdown, how long answers in flight may take before they are dropped
# Work spawned while one HTTP request is being answered, held until its response is on the wire.
_HELD: contextvars.ContextVar[list[Callable[[], None]] | None] = contextvars.ContextVar("steward_held", default=None)


@contextlib.contextmanager
def hold_spawned() -> Iterator[list[Callable[[], None]]]:
    """Within the block, ``Deps.spawn`` does not start its task but adds a starter to the list it yields;
    the HTTP route calls them once the ack is written, so the work's thread cannot take the GIL while
    the loop is still writing the ack. (The gain was within the benchmark's noise; it is kept because it
    makes "ack first" hold by construction rather than by scheduling luck.)"""
    held: list[Callable[[], None]] = []
    token = _HELD.set(held)
    try:
        yield held
    finally:
        _HELD.reset(token)


def split_share(line: str) -> tuple[str, bool]:
    """``"budget acme share"`` -> ``("budget acme", True)``: a trailing ``share`` posts to the channel."""
    words = line.split()
    if len(words) > 1 and words[-1].lower() == "share":
        return " ".join(words[:-1]), True
    return " ".join(words), False


def strip_mentions(text: str) -> str:
    """``"<@U0BOT> budget acme"`` -> ``"budget acme"`` (Slack sends mentions as ``<@U…>``)."""
    return " ".join(_MENTION.sub(" ", text).split())


def unescape(text: str) -> str:
    """Slack escapes &, < and > in text it sends us; the handlers want what the user typed."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def trouble_reply(message: str) -> Reply:
    return Reply(title="Slack trouble", summary=message, severity=Severity.ERROR, tone=Tone.RED)


# --- the units of work: run in a worker (a thread or a process) with that worker's Steward ---------


def first_time(steward: Steward, key: str) -> bool:
    """Record an idempotency key; False when it was seen (a retry, a replay, a replica)."""
    try:
        with steward.uow_factory() as uow:
            new = uow.receipts.record(key[:255], steward.clock.now())
            uow.commit()
            return new
    except Exception:
        # A broken receipt store must not silence Steward; acting twice beats never acting.
        log.exception("could not record receipt %s", key)
        return True


def receipt_and_link(steward: Steward, receipt: str | None, user_id: str) -> tuple[bool, bool | None]:
    """(first time?, Slack id already linked?) in one unit of work; linked is None when the look-up
    failed. A failure of the shared transaction falls back to one unit of work each, so a broken
    receipt store still acts and a failed look-up is still told to the user."""
    try:
        with steward.uow_factory() as uow:
            new = uow.receipts.record(receipt[:255], steward.clock.now()) if receipt else True
            linked = uow.people.by_slack_id(user_id) is not None
            uow.commit()
            return new, linked
    except Exception:
        log.exception("receipt and identity of Slack user %s failed together; trying each alone", user_id)
    new = first_time(steward, receipt) if receipt else True
    try:
        return new, SlackIdentity(steward.uow_factory).linked(user_id)
    except Exception:
        log.exception("identifying Slack user %s failed", user_id)
        return new, None


def link(steward: Steward, caller: Caller) -> None:
    """Link a Slack id to the person with the caller's email, in a transaction of its own: the command that
    follows may be refused (a member clicking Approve) and roll its own transaction back, and the link must
    survive it, or later notifications to them would find no Slack id. Refusals (not registered, another
    account already linked) are the handler's to tell; they change nothing here."""
    try:
        with steward.uow_factory() as uow:
            identify(uow, email=caller.email, slack_id=caller.slack_id, platform=Platform.SLACK)
            uow.commit()
    except StewardError:
        return
    except Exception:
        log.exception("linking Slack user %s failed", caller.slack_id)


def handle_line(steward: Steward, caller: Caller, line: str, how: _How) -> tuple[Reply, Rendered | None]:
    """The handler's Reply for a line, rendered to Block Kit when asked (in the worker, off the loop)."""
    if caller.email and caller.slack_id:  # not linked yet (a linked caller comes with the Slack id alone)
        link(steward, caller)
    reply = handle(steward.context(caller, Source.SLACK, channel=how.channel, is_direct=how.is_direct,
                                   permalink=how.permalink), line)
    return reply, (render(reply) if how.render else None)


def step(steward: Steward, receipt: str | None, user_id: str, line: str, how: _How) -> Any:
    """Receipt and identity, then, for a linked user, the handler and its rendering: one hop."""
    new, linked = receipt_and_link(steward, receipt, user_id)
    if not new:
        return _DUPLICATE
    if linked:
        return handle_line(steward, Caller(slack_id=user_id), line, how)
    return linked  # False: ask Slack for the email; None: the look-up failed


@dataclass
class Deps:
    """The collaborators the listeners need, built once per app."""

    steward: Steward
    identity: SlackIdentity
    work: Work  # where the work after an ack runs (``bot.work.work_for``)
    # Background tasks started after an ack; kept referenced so they are not garbage-collected mid-flight.
    tasks: set[asyncio.Task[Any]] = field(default_factory=set)
    _slots: asyncio.Semaphore | None = field(default=None, init=False, repr=False)
    _http: aiohttp.ClientSession | None = field(default=None, init=False, repr=False)

    async def respond(self, respond: AsyncRespond, message: dict[str, Any]) -> WebhookResponse:
        """What Bolt's ``respond(**message)`` does, over one shared HTTP session: Bolt opens a session
        and a connection (a TLS handshake, against Slack) per answer, on the event loop; py-spy put it
        at half the loop's time under the benchmark's flood, three times the acks themselves."""
        if respond.response_url is None:
            raise ValueError("respond is unsupported here as there is no response_url")
        if self._http is None or self._http.closed:
            self._http = aiohttp.ClientSession()
        client = AsyncWebhookClient(url=respond.response_url, proxy=respond.proxy, ssl=respond.ssl,
                                    session=self._http)
        return await client.send_dict(message)

    async def close(self, drain: float = DRAIN_SECONDS) -> None:
        """On server shutdown: let the work in flight finish (at most ``drain`` seconds: the acks are
        sent, the users wait for these answers), then close the shared HTTP session and the workers."""
        if self.tasks:
            _, pending = await asyncio.wait(set(self.tasks), timeout=drain)
            if pending:
                log.warning("shutting down: %d Slack command(s) still running or queued were dropped", len(pending))
                for task in pending:
                    task.cancel()
                await asyncio.wait(pending, timeout=1)
        if self._http is not None:
            await self._http.close()
        self.work.close()

    @property
    def slots(self) -> asyncio.Semaphore:
        """Commands running at once (each holds one slot for all its steps); the rest wait their turn."""
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.work.capacity)
        return self._slots

    async def offload(self, func: Callable[..., T], *args: Any) -> T:
        """``func(*args)`` in a worker thread of this process (for closures over this process's objects)."""
        return await self.work.offload(func, *args)

    def spawn(self, coro: Awaitable[Any]) -> None:
        held = _HELD.get()
        if held is not None:
            held.append(functools.partial(self._start, coro))
            return
        self._start(coro)

    def _start(self, coro: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(coro)
        self.tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[Any]) -> None:
        self.tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("background Slack work failed", exc_info=task.exception())

    async def first_time(self, key: str) -> bool:
        """Record an idempotency key in the database; False when it was seen (a retry, a replay, a replica).

        Slack retries events it thinks were lost and Bolt does not deduplicate, so this is what makes a
        retried event act once, across processes too (the database is shared).
        """
        try:
            return await self.work.run(first_time, key)
        except WorkerDied:
            log.exception("recording receipt %s failed with its worker", key)
            return True

    async def run(self, client: AsyncWebClient, user_id: str, line: str, *, channel: str | None,
                  is_direct: bool, permalink: str = "") -> Reply:
        """Run one command line as this Slack user; a Slack failure becomes a plain error Reply."""
        done = await self._run(client, user_id, line, None, _How(channel, is_direct, permalink, render=False))
        assert done is not None  # no receipt, never a duplicate
        return done[0]

    async def answer(self, client: AsyncWebClient, user_id: str, line: str, *, receipt: str, channel: str | None,
                     is_direct: bool) -> tuple[Reply, Rendered] | None:
        """``first_time(receipt)`` then ``run`` and ``render``, in one slot and (once the user's Slack id is
        linked) one hop into a worker; None when the receipt was seen before (a retry or a replay)."""
        done = await self._run(client, user_id, line, receipt, _How(channel, is_direct, "", render=True))
        if done is None:
            return None
        reply, rendered = done
        return reply, rendered if rendered is not None else render(reply)

    async def _run(self, client: AsyncWebClient, user_id: str, line: str, receipt: str | None,
                   how: _How) -> tuple[Reply, Rendered | None] | None:
        try:
            async with self.slots:
                outcome = await self.work.run(step, receipt, user_id, line, how)
            if outcome is _DUPLICATE:
                return None
            if isinstance(outcome, tuple):
                return outcome
            if outcome is None:  # the database, most likely: the user still gets an answer, the log the cause
                return error("Steward couldn't look you up just now; it has been logged. Try again in a moment.",
                             title="Steward hit an error"), None
            # Not linked yet: ask Slack for the email (once per person) without holding a slot meanwhile.
            try:
                caller = Caller(slack_id=user_id, email=await self.identity.email_of(client, user_id))
            except SlackTrouble as trouble:
                return trouble_reply(str(trouble)), None
            async with self.slots:
                return await self.work.run(handle_line, caller, line, how)
        except WorkerDied:
            log.exception("Slack line %r of %s was lost with its worker process", line, user_id)
            return error("Something broke while working on that; it has been logged. If it was a change, "
                         "check with `approvals` or `budget` whether it went through before trying again.",
                         title="Steward hit an error"), None


@dataclass(frozen=True)
class _How:
    """Where a line was said and whether to render its reply to Block Kit in the worker thread."""

    channel: str | None
    is_direct: bool
    permalink: str
    render: bool


async def safely(what: str, call: Callable[[], Awaitable[Any]], **context: Any) -> Any:
    """Run a Web API / response_url call, logging failures with their context instead of raising."""
    try:
        return await call()
    except SlackApiError as exc:
        log.error("Slack %s failed: %s %s", what, api_error(exc), context)
    except Exception:
        log.exception("Slack %s failed %s", what, context)
    return None


def logged(func: Callable[..., Awaitable[None]]) -> Callable[..., Awaitable[None]]:
    """Log the failure of work after an ack with its traceback (it runs in a task nobody awaits)."""

    @functools.wraps(func)
    async def wrapper(**kwargs: Any) -> None:
        try:
            await func(**kwargs)
        except Exception:
            log.exception("Slack work after the ack failed in %s", func.__name__)

    return wrapper
