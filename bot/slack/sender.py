"""Posting outbox messages to Slack (``chat.postMessage``), at most once per outbox key; editing them in
place (``chat.update``) when what they asked for is decided.

Every message carries ``metadata`` ``{"event_type": "steward_delivery", "event_payload": {"key": …}}``.
When a row is claimed again after a crash or a timeout (``attempts`` > 1), the conversation's recent
history is read first (``conversations.history`` with ``include_all_metadata``) and a message already
carrying the key is taken as the delivery, instead of posting a second time. That needs the
``channels:history`` / ``groups:history`` / ``im:history`` scopes; without them the check is skipped
(logged) and Steward posts: a rare duplicate beats a lost digest.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from bot.delivery import PermanentError, thread_parent
from bot.slack.blocks import render
from domain.model import OutboxMessage, Person
from domain.ports import UnitOfWorkFactory
from handlers.reply import Reply

log = logging.getLogger(__name__)

EVENT_TYPE = "steward_delivery"
# Errors no retry will cure: the message is given up at once and shown as failed.
PERMANENT = {"channel_not_found", "not_in_channel", "is_archived", "user_not_found", "invalid_auth",
             "account_inactive", "token_revoked", "no_permission", "missing_scope", "cannot_dm_bot",
             "user_disabled", "invalid_blocks", "msg_too_long"}
# chat.update: the message is gone or no longer Steward's to edit.
UPDATE_PERMANENT = {"message_not_found", "cant_update_message", "edit_window_closed"}


class SlackDeliveryError(Exception):
    """A Slack error worth retrying (rate limits past the retry handler, Slack's own trouble)."""


class SlackSender:
    def __init__(self, token: str, base_url: str = "https://slack.com/api/", *, timeout: int = 20) -> None:
        # The timeout stays well under the deliverer's lease, so a slow post cannot outlive its claim.
        self.client = AsyncWebClient(token=token, base_url=base_url, timeout=timeout)
        self.client.retry_handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=2))

    async def target(self, message: OutboxMessage, uow_factory: UnitOfWorkFactory) -> str:
        """The conversation id: the row's channel, or the person's DM with Steward. Someone who never talked
        to Steward in Slack is looked up by email first (``users.lookupByEmail``) and their Slack id stored."""
        if message.channel and not message.channel.startswith("dm:"):
            return message.channel
        person = None
        if message.person_id is not None:
            with uow_factory() as uow:
                person = uow.people.get(message.person_id)
        if person is None:
            raise PermanentError(f"no Slack user to send {message.key} to (person {message.person_id})")
        slack_id = person.slack_id or await self.look_up(person, uow_factory)
        # The DM's channel id (D…): conversations.history needs it, a user id would not do.
        opened = await self._call("conversations.open", self.client.conversations_open(users=slack_id))
        return str(opened["channel"]["id"])

    async def look_up(self, person: Person, uow_factory: UnitOfWorkFactory) -> str:
        """The Slack id of the workspace member with the person's email, stored on the person; an email Slack
        does not know is a ``PermanentError`` saying so."""
        try:
            answer = await self.client.users_lookupByEmail(email=person.email)
        except SlackApiError as exc:
            error = str(exc.response.get("error", ""))
            if error in ("users_not_found", "user_not_found"):
                raise PermanentError(f"Slack knows no user with the email {person.email} (users.lookupByEmail: "
                                     f"{error}): add them to the workspace or fix their email") from exc
            if error in PERMANENT:
                raise PermanentError(f"Slack users.lookupByEmail: {error}") from exc
            raise SlackDeliveryError(f"Slack users.lookupByEmail: {error or exc.response.status_code}") from exc
        slack_id = str((answer.get("user") or {}).get("id") or "")
        if not slack_id:
            raise PermanentError(f"Slack returned no user for {person.email}")
        with uow_factory() as uow:
            taken = uow.people.by_slack_id(slack_id)
            current = uow.people.get(person.id or 0)
            if taken is not None and taken.id != person.id:
                raise PermanentError(f"the Slack user {slack_id} with the email {person.email} is linked to "
                                     f"{taken.email}; ask an admin")
            if current is not None and not current.slack_id:
                uow.people.update(replace(current, slack_id=slack_id))
                uow.commit()
                log.info("Slack: %s found by email as %s", person.email, slack_id)
            elif current is not None and current.slack_id:
                slack_id = current.slack_id  # linked meanwhile (they talked to Steward): keep that link
        return slack_id

    async def already_posted(self, channel: str, key: str) -> str | None:
        """The ts of a message in ``channel`` that carries ``key``, if Slack has one."""
        try:
            history = await self.client.conversations_history(channel=channel, limit=100, include_all_metadata=True)
        except SlackApiError as exc:
            log.warning("cannot check %s for %s before re-sending (%s): posting", channel, key,
                        exc.response.get("error"))
            return None
        for m in history.get("messages") or []:
            meta = m.get("metadata") or {}
            if meta.get("event_type") == EVENT_TYPE and (meta.get("event_payload") or {}).get("key") == key:
                return str(m.get("ts"))
        return None

    async def send(self, message: OutboxMessage, reply: dict[str, Any], uow_factory: UnitOfWorkFactory) -> str:
        channel = await self.target(message, uow_factory)
        if message.attempts > 1:  # an earlier attempt may have reached Slack before its worker died
            ts = await self.already_posted(channel, message.key)
            if ts is not None:
                log.info("%s was already posted (%s:%s): not posting again", message.key, channel, ts)
                return f"{channel}:{ts}"
        rendered = render(Reply.from_dict(reply))
        thread_ts: str | None = None
        parent = await asyncio.to_thread(thread_parent, message, reply, uow_factory)  # a late answer: in the thread
        if parent:
            channel, _, thread_ts = parent.partition(":")
        posted = await self._call("chat.postMessage", self.client.chat_postMessage(
            channel=channel, text=rendered.text, blocks=rendered.blocks, unfurl_links=False,
            metadata={"event_type": EVENT_TYPE, "event_payload": {"key": message.key}}, thread_ts=thread_ts,
        ))
        return f"{posted['channel']}:{posted['ts']}"

    async def update_message(self, original: OutboxMessage, reply: dict[str, Any],
                             uow_factory: UnitOfWorkFactory) -> None:
        """Edit the message ``original`` was posted as (``platform_ref`` ``channel:ts``) with ``chat.update``."""
        channel, _, ts = original.platform_ref.partition(":")
        if not channel or not ts:
            raise PermanentError(f"{original.key} has no Slack channel:ts to update ({original.platform_ref!r})")
        rendered = render(Reply.from_dict(reply))
        await self._call("chat.update", self.client.chat_update(
            channel=channel, ts=ts, text=rendered.text, blocks=rendered.blocks,
            metadata={"event_type": EVENT_TYPE, "event_payload": {"key": original.key}},
        ), permanent=PERMANENT | UPDATE_PERMANENT)

    async def _call(self, what: str, call: Any, permanent: set[str] = PERMANENT) -> Any:
        try:
            return await call
        except SlackApiError as exc:
            error = str(exc.response.get("error", ""))
            if error in permanent:
                raise PermanentError(f"Slack {what}: {error}") from exc
            raise SlackDeliveryError(f"Slack {what}: {error or exc.response.status_code}") from exc
