"""Events API: mentions (``@Steward budget acme``), direct messages, the App Home tab opening, and the
scope-creep watch over the channels Steward is in (``handlers/watch.py``).

Slack retries an event it thinks was lost (``X-Slack-Retry-Num``) and Bolt runs the listener again,
so every event is recorded by ``event_id`` in the database before it acts: a retry, or the same event
reaching a second replica, finds the id and does nothing.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.app import Steward
from bot.slack import files, home
from bot.slack.identity import SlackTrouble
from bot.slack.runtime import Deps, logged, safely, split_share, strip_mentions, unescape
from bot.work import WorkerDied
from domain.scope_watch import scope_creep_phrase
from handlers.watch import watch_message

log = logging.getLogger(__name__)


def event_key(body: dict[str, Any]) -> str:
    event = body.get("event") or {}
    return f"event:{body.get('event_id') or event.get('event_ts') or event.get('ts')}"


def watch_step(steward: Steward, channel: str, text: str, user: str, ts: str, permalink: str,
               email: str | None) -> list[str]:
    """A unit of work (``bot.work``): the scope-creep watch for one channel message."""
    return watch_message(steward.uow_factory, steward.clock, channel=channel, text=text, author_slack_id=user,
                         message_ts=ts, permalink=permalink, author_email=email)


def register(app: AsyncApp, deps: Deps) -> None:
    def ack_then(work: Callable[..., Awaitable[None]]) -> Callable[..., Awaitable[None]]:
        logged_work = logged(work)

        async def ack_event(ack: AsyncAck, body: dict[str, Any], event: dict[str, Any],
                            client: AsyncWebClient) -> None:
            await ack()
            deps.spawn(logged_work(body=body, event=event, client=client))

        return ack_event

    async def on_mention(body: dict[str, Any], event: dict[str, Any], client: AsyncWebClient) -> None:
        line, share = split_share(strip_mentions(unescape(event.get("text", ""))))
        user, channel = event.get("user", ""), event.get("channel", "")
        done = await deps.answer(client, user, line or "help", receipt=event_key(body), channel=channel,
                                 is_direct=False)
        if done is None:
            return
        reply, rendered = done
        thread = {"thread_ts": event["thread_ts"]} if event.get("thread_ts") else {}
        if reply.attachment is not None:
            note = await files.deliver(client, reply.attachment, user=user, channel=channel,
                                       in_conversation=share and reply.ok, thread_ts=event.get("thread_ts"))
            rendered = files.noted(rendered, note)
        if share and reply.ok:
            message = rendered.message(channel=channel, **thread)
            await safely("chat.postMessage (mention)", lambda: client.chat_postMessage(**message),
                         channel=channel, line=line)
        else:
            message = rendered.message(channel=channel, user=user, **thread)
            await safely("chat.postEphemeral (mention)", lambda: client.chat_postEphemeral(**message),
                         channel=channel, line=line)

    async def on_message(body: dict[str, Any], event: dict[str, Any], client: AsyncWebClient) -> None:
        # Only what a person typed: no edits, joins, bot echoes (our own replies).
        if event.get("subtype") or event.get("bot_id"):
            return
        if event.get("channel_type") in ("channel", "group"):
            await watch(event, client)
            return
        if event.get("channel_type") != "im":
            return
        line, _ = split_share(strip_mentions(unescape(event.get("text", ""))))
        user, channel = event.get("user", ""), event.get("channel", "")
        done = await deps.answer(client, user, line or "help", receipt=event_key(body), channel=channel,
                                 is_direct=True)
        if done is None:
            return
        reply, rendered = done
        if reply.attachment is not None:  # a DM with Steward: the file goes right here
            note = await files.deliver(client, reply.attachment, user=user, channel=channel, in_conversation=True)
            rendered = files.noted(rendered, note)
        message = rendered.message(channel=channel)
        await safely("chat.postMessage (DM)", lambda: client.chat_postMessage(**message), channel=channel, line=line)

    async def watch(event: dict[str, Any], client: AsyncWebClient) -> None:
        """A line in a channel: most are nothing to Steward (decided here, on the loop, without a query);
        one that reads like a new ask goes to the worker, which tells the project's manager once."""
        text = strip_mentions(unescape(event.get("text", "")))
        if not text.strip() or scope_creep_phrase(text) is None:
            return
        channel, user, ts = event.get("channel", ""), event.get("user", ""), event.get("ts", "")
        link = await safely("chat.getPermalink (watch)",
                            lambda: client.chat_getPermalink(channel=channel, message_ts=ts), channel=channel)
        permalink = str(link.get("permalink") or "") if link else ""
        email = None
        with contextlib.suppress(SlackTrouble):
            email = await deps.identity.email_of(client, user) if user else None
        try:
            async with deps.slots:
                queued = await deps.work.run(watch_step, channel, text, user, ts, permalink, email)
        except WorkerDied:
            log.exception("scope-creep watch lost with its worker (channel %s, ts %s)", channel, ts)
            return
        if queued:
            log.info("scope-creep watch: %s", ", ".join(queued))

    async def on_home_opened(body: dict[str, Any], event: dict[str, Any], client: AsyncWebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        await home.publish(deps, client, event.get("user", ""))

    app.event("app_mention")(ack_then(on_mention))
    app.event("message")(ack_then(on_message))
    app.event("app_home_opened")(ack_then(on_home_opened))
