"""The stand-up's "Answer" button in Slack: a modal with three fields, "did" pre-filled with the hours and
notes the person logged yesterday; the submission becomes ``standup did …; doing …; blocked …`` and runs
through the handlers like a typed line (so replacing, hours logging and blockers behave the same)."""

from __future__ import annotations

import asyncio
import hashlib
import json
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.models.blocks import InputBlock, PlainTextInputElement
from slack_sdk.models.views import View
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.blocks import cut, render
from bot.slack.runtime import Deps, safely
from handlers.reply import Severity

ANSWER_COMMAND = "standup answer"
CALLBACK_ID = "steward_standup"
FIELDS = (("did", "What did you do since the last stand-up?"), ("doing", "What will you do today?"),
          ("blocked", "Anything blocking you?"))


def answer_modal(form: dict[str, str]) -> View:
    """Three fields; "blocked" may stay empty (nothing blocks)."""
    blocks = [
        InputBlock(block_id=name, label=label, optional=name == "blocked",
                   hint="Empty: nothing blocks you" if name == "blocked" else
                   ("Add +3h acme-web to log hours" if name == "did" else None),
                   element=PlainTextInputElement(action_id="value", multiline=True, max_length=1000,
                                                 initial_value=cut(form.get(name) or "", 1000) or None))
        for name, label in FIELDS
    ]
    return View(type="modal", callback_id=CALLBACK_ID, title="Stand-up", submit="Send", close="Cancel",
                private_metadata=json.dumps({"day": form.get("day", "")}), blocks=blocks)


def line_from(values: dict[str, Any]) -> str:
    """The command line a submitted modal stands for (``;`` inside a field would split it: made a comma)."""
    def value(block: str) -> str:
        text = ((values.get(block) or {}).get("value") or {}).get("value") or ""
        return " ".join(text.replace(";", ",").split())

    return f"standup did {value('did')}; doing {value('doing')}; blocked {value('blocked') or 'nothing'}"


async def open_answer(deps: Deps, client: AsyncWebClient, trigger_id: str, user: str) -> None:
    """Open the modal, pre-filled from the question the handler builds for this person today."""
    reply = await deps.run(client, user, ANSWER_COMMAND, channel=None, is_direct=True)
    form = dict(reply.extra.get("standup_form") or {})
    await safely("views.open (stand-up)", lambda: client.views_open(trigger_id=trigger_id, view=answer_modal(form)),
                 user=user)


def register(app: AsyncApp, deps: Deps) -> None:
    async def on_submit(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient) -> None:
        values = (view.get("state") or {}).get("values") or {}
        user = (body.get("user") or {}).get("id", "")
        line = line_from(values)
        digest = hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest()[:16]
        if not await deps.first_time(f"view:{view.get('id')}:{digest}"):
            await ack()
            return
        task = asyncio.ensure_future(deps.run(client, user, line, channel=None, is_direct=True))
        done, _ = await asyncio.wait({task}, timeout=2.0)
        if done and task.result().severity is Severity.ERROR:
            await ack(response_action="errors", errors={"did": cut(task.result().summary, 150)})
            return
        await ack()

        async def tell() -> None:
            reply = await task
            message = render(reply).message(channel=user)
            await safely("chat.postMessage (stand-up answer)", lambda: client.chat_postMessage(**message), user=user)

        deps.spawn(tell())

    app.view(CALLBACK_ID)(on_submit)
