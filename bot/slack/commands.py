"""Slash commands: ``/budget``, ``/status``, … and ``/steward <any line>``.

Each command is acknowledged at once with an empty 200 (Slack shows nothing and waits for us); the work
runs in a task started after the ack and answers through ``response_url``, so a slow database or a
slow Slack never turns into "operation_timeout" for the user. (A task of our own rather than a Bolt lazy
listener: see ``bot/slack/app.py``.)
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack import files, views
from bot.slack.runtime import Deps, logged, safely, split_share, unescape

log = logging.getLogger(__name__)

# The command words Slack knows as slash commands (also in manifest.yml); /steward takes any line.
SLASH_COMMANDS = ("budget", "status", "hours", "scope", "assign", "approvals", "digest", "escalations", "steward",
                  "standup", "ooo", "chart", "account", "report")
# Lines that, said with no arguments, open a modal instead of answering usage.
MODAL_LINES = ("assign", "scope")


def command_line(command: str, text: str) -> tuple[str, bool]:
    """``("/budget", "acme share")`` -> ``("budget acme", True)``; ``/steward`` alone is ``help``."""
    name = command.lstrip("/").lower()
    text, share = split_share(unescape(text or ""))
    if name == "steward":
        return (text or "help"), share
    return f"{name} {text}".strip(), share


def register(app: AsyncApp, deps: Deps) -> None:
    async def ack_command(ack: AsyncAck, command: dict[str, Any], client: AsyncWebClient,
                          respond: AsyncRespond) -> None:
        await ack()
        deps.spawn(work(command=command, client=client, respond=respond))

    async def run_command(command: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond) -> None:
        line, share = command_line(command.get("command", ""), command.get("text", ""))
        user, channel = command.get("user_id", ""), command.get("channel_id", "")
        if line in MODAL_LINES and command.get("trigger_id"):
            await views.open_modal(deps, client, line, command["trigger_id"], user=user, channel=channel)
            return
        # Slash commands are not retried by Slack, but a replayed request must not log hours twice.
        is_direct = channel.startswith("D") or command.get("channel_name") == "directmessage"
        done = await deps.answer(client, user, line, channel=channel, is_direct=is_direct,
                                 receipt=f"command:{command.get('trigger_id') or command.get('response_url')}")
        if done is None:
            return
        reply, rendered = done
        if reply.attachment is not None:  # an ephemeral answer can't carry it: the DM, unless shared
            note = await files.deliver(client, reply.attachment, user=user, channel=channel,
                                       in_conversation=share and reply.ok and not is_direct)
            rendered = files.noted(rendered, note)
        message = rendered.message(response_type="in_channel" if share and reply.ok else "ephemeral")
        await safely("respond (slash command)", lambda: deps.respond(respond, message), command=line, user=user)

    work = logged(run_command)
    for name in SLASH_COMMANDS:
        app.command(f"/{name}")(ack_command)
