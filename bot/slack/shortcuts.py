"""The message shortcut "Flag as scope creep": any message becomes a scope change, linked to it."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack import views
from bot.slack.runtime import Deps, logged, unescape

log = logging.getLogger(__name__)

FLAG_SCOPE = "steward_flag_scope"  # callback_id, also in manifest.yml


def register(app: AsyncApp, deps: Deps) -> None:
    async def ack_shortcut(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        deps.spawn(work(body=body, client=client))

    async def flag_scope(body: dict[str, Any], client: AsyncWebClient) -> None:
        message = body.get("message") or {}
        channel = (body.get("channel") or {}).get("id") or ""
        user = (body.get("user") or {}).get("id") or ""
        ts = message.get("ts") or body.get("message_ts") or ""
        permalink = ""
        try:
            answer = await client.chat_getPermalink(channel=channel, message_ts=ts)
            permalink = answer.get("permalink") or ""
        except Exception as exc:  # the link is a nicety; the modal matters more, and the trigger expires in 3 s
            log.warning("chat.getPermalink failed for %s/%s: %r", channel, ts, exc)
        await views.open_modal(deps, client, "scope", body.get("trigger_id", ""), user=user, channel=channel,
                               description=unescape(message.get("text", "")), permalink=permalink)

    work = logged(flag_scope)
    app.shortcut(FLAG_SCOPE)(ack_shortcut)
