"""Buttons. Every Steward button carries its command line in ``value`` (``approve A12``); a click replays
that line through ``handlers.dispatch.handle`` with the clicker as the caller, so permissions and the
decide-once rule live in the domain, not here.

What the click changes: a decision (success, or "already decided") updates the original message in
place to show who decided and when; a refusal goes to the clicker alone and leaves the message as it
was; any other command (``budget acme-web``) answers the clicker in a new ephemeral message.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack import files, home, standup, views
from bot.slack.blocks import ACTION_PREFIX, escape
from bot.slack.runtime import Deps, logged, safely
from handlers.reply import Reply, Severity, command_subject
from handlers.reply import is_decision as is_decision_line

log = logging.getLogger(__name__)

ACTION_ID = re.compile(rf"^{re.escape(ACTION_PREFIX)}\d+$")


def is_decision(line: str, reply: Reply) -> bool:
    """A decision that was taken (or found already taken): the clicked message shows it."""
    return is_decision_line(line) and reply.severity in (Severity.SUCCESS, Severity.WARNING)


def dedupe_key(body: dict[str, Any], action: dict[str, Any]) -> str:
    """One click = one key; a replayed payload has the same one. A double click is two clicks (two
    action_ts): the domain decides once and the second sees "already decided"."""
    container = body.get("container") or {}
    where = container.get("message_ts") or container.get("view_id") or (body.get("view") or {}).get("id", "")
    user = (body.get("user") or {}).get("id", "")
    return f"action:{where}:{action.get('action_ts', '')}:{user}"


def updated_blocks(message: dict[str, Any], action: dict[str, Any], reply: Reply) -> list[dict[str, Any]] | None:
    """The original message with the clicked item's buttons replaced by the decision, or None when the
    whole message is about this one request (then the rendered decision replaces it all)."""
    blocks = list(message.get("blocks") or [])
    subject = command_subject(action.get("value", ""))
    others = [
        e for b in blocks if b.get("type") == "actions" for e in b.get("elements", [])
        if is_decision_line(e.get("value", "")) and command_subject(e.get("value", "")) != subject
    ]
    if not others:
        return None
    mark = ":white_check_mark:" if reply.severity is Severity.SUCCESS else ":information_source:"
    first_line = reply.summary.splitlines()[0] if reply.summary else ""
    note = {"type": "context", "elements": [
        {"type": "mrkdwn", "text": f"{mark} *{escape(reply.title)}* — {escape(first_line)}"[:3000]}]}
    out = []
    for b in blocks:
        if b.get("block_id") == action.get("block_id") and b.get("type") == "actions":
            out.append(note)
        else:
            out.append(b)
    return out


def register(app: AsyncApp, deps: Deps) -> None:
    async def ack_action(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient,
                         respond: AsyncRespond) -> None:
        await ack()
        if action.get("value") == standup.ANSWER_COMMAND and body.get("trigger_id"):  # the stand-up's modal
            user = (body.get("user") or {}).get("id", "")
            deps.spawn(standup.open_answer(deps, client, body["trigger_id"], user))
            return
        deps.spawn(work(body=body, action=action, client=client, respond=respond))

    async def run_action(body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient,
                         respond: AsyncRespond) -> None:
        user = (body.get("user") or {}).get("id", "")
        container = body.get("container") or {}
        channel = (body.get("channel") or {}).get("id") or container.get("channel_id")
        line = action.get("value", "")
        if await views.open_invoice_modal(deps, client, line, body.get("trigger_id", ""), user=user,
                                          channel=channel):
            return  # the Promise / Dispute button asks for the date or the reason first
        done = await deps.answer(client, user, line, receipt=dedupe_key(body, action), channel=channel,
                                 is_direct=bool(channel and channel[0] == "D"))
        if done is None:
            return
        reply, rendered = done
        if reply.attachment is not None:  # a click answers ephemerally or in a view: the file goes to the DM
            note = await files.deliver(client, reply.attachment, user=user, channel=channel, in_conversation=False)
            rendered = files.noted(rendered, note)

        if container.get("type") == "view":  # App Home or a modal: no message to update
            if body.get("view", {}).get("type") == "home":
                await home.publish(deps, client, user)
            dm = rendered.message(channel=user)
            await safely("chat.postMessage (button from a view)", lambda: client.chat_postMessage(**dm),
                         user=user, command=line)
            return
        if is_decision(line, reply):
            blocks = updated_blocks(body.get("message") or {}, action, reply)
            message = rendered.message(replace_original=True) if blocks is None else \
                {"text": rendered.text, "blocks": blocks, "replace_original": True}
            await safely("respond (decision)", lambda: deps.respond(respond, message), user=user, command=line)
            return
        # A refusal or an answer to a question: to the clicker only, the original stays as it was.
        message = rendered.message(response_type="ephemeral", replace_original=False)
        await safely("respond (button)", lambda: deps.respond(respond, message), user=user, command=line)

    work = logged(run_action)
    app.action(ACTION_ID)(ack_action)
