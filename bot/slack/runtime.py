"""What every Slack listener shares: running a line through the handlers, dedupe, and answering.

Database work is synchronous SQLAlchemy, so it runs in a worker thread (``asyncio.to_thread``) and
never blocks the event loop that is acknowledging other requests.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.app import Steward
from bot.slack.identity import SlackIdentity, SlackTrouble, api_error
from domain.model import Platform, Source
from handlers.context import Context
from handlers.dispatch import handle
from handlers.reply import Reply, Severity, Tone, error

log = logging.getLogger(__name__)

_MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")


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


@dataclass
class Deps:
    """The collaborators the listeners need, built once per app."""

    steward: Steward
    identity: SlackIdentity
    # Background tasks started after an ack; kept referenced so they are not garbage-collected mid-flight.
    tasks: set[asyncio.Task[Any]] = field(default_factory=set)

    def spawn(self, coro: Awaitable[Any]) -> None:
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

        def record() -> bool:
            with self.steward.uow_factory() as uow:
                new = uow.receipts.record(key[:255], self.steward.clock.now())
                uow.commit()
                return new

        try:
            return await asyncio.to_thread(record)
        except Exception:
            # A broken receipt store must not silence Steward; acting twice beats never acting.
            log.exception("could not record receipt %s", key)
            return True

    def context(self, caller: Any, *, channel: str | None, is_direct: bool, permalink: str = "") -> Context:
        return Context(
            uow_factory=self.steward.uow_factory,
            clock=self.steward.clock,
            caller=caller,
            source=Source.SLACK,
            platform=Platform.SLACK,
            channel=channel,
            is_direct=is_direct,
            permalink=permalink,
        )

    async def run(self, client: AsyncWebClient, user_id: str, line: str, *, channel: str | None,
                  is_direct: bool, permalink: str = "") -> Reply:
        """Run one command line as this Slack user; a Slack failure becomes a plain error Reply."""
        try:
            caller = await self.identity.caller(client, user_id)
        except SlackTrouble as trouble:
            return trouble_reply(str(trouble))
        except Exception:  # the database, most likely: the user still gets an answer, the log the cause
            log.exception("identifying Slack user %s failed", user_id)
            return error("Steward couldn't look you up just now; it has been logged. Try again in a moment.",
                         title="Steward hit an error")
        ctx = self.context(caller, channel=channel, is_direct=is_direct, permalink=permalink)
        return await asyncio.to_thread(handle, ctx, line)


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
    """Log a lazy listener's failure with its traceback: Bolt logs only the message and drops the rest."""

    @functools.wraps(func)
    async def wrapper(**kwargs: Any) -> None:
        try:
            await func(**kwargs)
        except Exception:
            log.exception("Slack work after the ack failed in %s", func.__name__)

    return wrapper
