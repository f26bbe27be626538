"""Modals: ``/assign`` and ``/scope`` with no arguments, the "Flag as scope creep" shortcut, and the
Promise / Dispute buttons of an overdue invoice (``promise <invoice>`` / ``dispute <invoice>`` with nothing
after the number ask for the date or the reason in a modal).

A submission is turned into the same command line a user would type and run through the handlers.
Field problems go back on the field (``response_action: errors``): the obvious ones are checked here,
and the handler's own answer is awaited for up to ``SUBMIT_BUDGET`` seconds so that its refusal too
shows on the field that caused it. Slack closes a modal that has not been answered in 3 seconds, so
past the budget the modal closes and the answer arrives by direct message.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import re
from datetime import date
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.models.blocks import (
    DatePickerElement,
    ExternalDataSelectElement,
    InputBlock,
    Option,
    PlainTextInputElement,
    UserSelectElement,
)
from slack_sdk.models.views import View
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.blocks import MAX_VIEW_BLOCKS, cut, render, render_blocks
from bot.slack.identity import SlackTrouble
from bot.slack.runtime import Deps, safely
from domain.model import Project
from handlers.reply import Reply, Severity

log = logging.getLogger(__name__)

CALLBACK_PREFIX = "steward_modal:"
PROJECT_PICKER = "steward_project"
SUBMIT_BUDGET = 2.0  # seconds; leaves ~1 s of Slack's 3 for the network
_HOURS = re.compile(r"^\d+(?:\.\d+)?\s*(?:h|h/week|h/w|%)?$", re.IGNORECASE)
_IMPACT = re.compile(r"^\+?\s*(?:\d+(?:\.\d+)?\s*h|[$€£]?\s*\d[\d,]*(?:\.\d+)?)$", re.IGNORECASE)


def project_option(project: Project) -> Option:
    return Option(value=project.key, text=cut(f"{project.name} ({project.key})", 75))


def _projects(deps: Deps, query: str = "", channel: str | None = None) -> list[Project]:
    with deps.steward.uow_factory() as uow:
        if channel:
            return uow.projects.by_channel(channel)
        q = query.strip().lower()
        return [p for p in uow.projects.list() if not q or q in p.key.lower() or q in p.name.lower()
                or any(q in a.lower() for a in p.aliases)][:100]


def assign_modal(meta: dict[str, str]) -> View:
    return View(
        type="modal", callback_id=f"{CALLBACK_PREFIX}assign", title="Request an allocation",
        submit="Request", close="Cancel", private_metadata=json.dumps(meta),
        blocks=[
            InputBlock(block_id="person", label="Who", element=UserSelectElement(action_id="value")),
            InputBlock(block_id="project", label="Project", element=ExternalDataSelectElement(
                action_id=PROJECT_PICKER, placeholder="Type a project name or key", min_query_length=0)),
            InputBlock(block_id="hours", label="Hours per week", hint="e.g. 20 or 50%",
                       element=PlainTextInputElement(action_id="value", placeholder="20")),
            InputBlock(block_id="start", label="From", optional=True,
                       element=DatePickerElement(action_id="value")),
            InputBlock(block_id="end", label="Until", optional=True, hint="Empty: until the project ends",
                       element=DatePickerElement(action_id="value")),
        ],
    )


def scope_modal(meta: dict[str, str], *, description: str = "", project: Project | None = None) -> View:
    picker = ExternalDataSelectElement(action_id=PROJECT_PICKER, placeholder="Type a project name or key",
                                       min_query_length=0,
                                       initial_option=project_option(project) if project else None)
    return View(
        type="modal", callback_id=f"{CALLBACK_PREFIX}scope", title="Flag scope creep",
        submit="Flag", close="Cancel", private_metadata=json.dumps(meta),
        blocks=[
            InputBlock(block_id="project", label="Project", element=picker),
            InputBlock(block_id="description", label="What the client asked for",
                       element=PlainTextInputElement(action_id="value", multiline=True, max_length=2000,
                                                     initial_value=cut(description, 2000) or None)),
            InputBlock(block_id="impact", label="Impact", optional=True, hint="Hours (+8h) or money (+4500)",
                       element=PlainTextInputElement(action_id="value", placeholder="+8h")),
        ],
    )


async def open_modal(deps: Deps, client: AsyncWebClient, kind: str, trigger_id: str, *, user: str,
                     channel: str | None, description: str = "", permalink: str = "") -> None:
    meta = {"channel": channel or "", "permalink": permalink}
    if kind == "assign":
        view = assign_modal(meta)
    else:
        bound = await asyncio.to_thread(_projects, deps, "", channel) if channel else []
        view = scope_modal(meta, description=description, project=bound[0] if len(bound) == 1 else None)
    await safely("views.open", lambda: client.views_open(trigger_id=trigger_id, view=view), user=user, kind=kind)


# Invoice buttons whose line needs one more thing (a date, a reason): a modal asks for it.
INVOICE_MODAL = re.compile(r"^(promise|dispute)\s+(#?[A-Za-z0-9][A-Za-z0-9._/-]{0,63})$", re.IGNORECASE)


def invoice_modal(kind: str, number: str, meta: dict[str, str]) -> View:
    """``promise``: a date picker; ``dispute``: the reason. The invoice travels in the private metadata."""
    meta = {**meta, "invoice": number}
    if kind == "promise":
        field = InputBlock(block_id="date", label="Promised to pay by", element=DatePickerElement(action_id="value"))
        title, submit = "Promise to pay", "Record"
    else:
        field = InputBlock(block_id="reason", label="Why the client disputes it", element=PlainTextInputElement(
            action_id="value", multiline=True, max_length=1000, placeholder="wrong PO number"))
        title, submit = "Dispute an invoice", "Flag"
    return View(type="modal", callback_id=f"{CALLBACK_PREFIX}{kind}", title=title, submit=submit, close="Cancel",
                private_metadata=json.dumps(meta), blocks=[field])


async def open_invoice_modal(deps: Deps, client: AsyncWebClient, line: str, trigger_id: str, *, user: str,
                             channel: str | None) -> bool:
    """Open the promise / dispute modal when ``line`` is such a button's line; False when it is not."""
    m = INVOICE_MODAL.match(line.strip())
    if m is None or not trigger_id:
        return False
    view = invoice_modal(m[1].lower(), m[2].lstrip("#"), {"channel": channel or "", "permalink": ""})
    await safely("views.open", lambda: client.views_open(trigger_id=trigger_id, view=view), user=user,
                 kind=m[1].lower())
    return True


def _invoice_line(kind: str, values: dict[str, Any], meta: dict[str, str]) -> tuple[str, dict[str, str]]:
    number = meta.get("invoice", "")
    if kind == "promise":
        day = _value(values, "date")
        return f"promise {number} {day or ''}".strip(), {} if day else {"date": "Pick the promised date."}
    reason = _safe_words(_value(values, "reason") or "")
    return f"dispute {number} {reason}".strip(), {} if reason else {"reason": "Say why it is disputed."}


def _value(values: dict[str, Any], block: str) -> Any:
    for element in (values.get(block) or {}).values():
        for key in ("selected_user", "selected_date", "value"):
            if element.get(key):
                return element[key]
        if element.get("selected_option"):
            return element["selected_option"]["value"]
    return None


def _safe_words(text: str) -> str:
    """Free text inside a command line: a word like ``+1`` would read as an impact, so it is spelled out."""
    return " ".join(("plus " + w[1:]) if w.startswith("+") else w for w in text.split())


async def line_for(deps: Deps, client: AsyncWebClient, kind: str,
                   values: dict[str, Any]) -> tuple[str, dict[str, str]]:
    """The command line a submission stands for, or the errors to show on its fields."""
    errors: dict[str, str] = {}
    project = _value(values, "project")
    if not project:
        errors["project"] = "Pick a project."
    if kind == "assign":
        hours = (_value(values, "hours") or "").strip()
        start, end = _value(values, "start"), _value(values, "end")
        if not _HOURS.match(hours):
            errors["hours"] = "Hours per week as a number (20) or a share of capacity (50%)."
        elif not hours.endswith(("%", "week", "/w")):
            hours = hours.rstrip("hH ") + "h/week"
        if start and end and date.fromisoformat(end) < date.fromisoformat(start):
            errors["end"] = "The end date is before the start date."
        person = ""
        try:
            person = await deps.identity.email_for_mention(client, _value(values, "person") or "") or ""
        except SlackTrouble as trouble:
            errors["person"] = str(trouble)[:150]
        if not person and "person" not in errors:
            errors["person"] = "Slack has no email for this person, so Steward can't tell who they are."
        line = f"assign {person} {project} {hours}" + (f" from {start}" if start else "") + \
            (f" until {end}" if end else "")
        return line, errors
    description = _safe_words(_value(values, "description") or "")
    impact = (_value(values, "impact") or "").strip()
    if not description:
        errors["description"] = "Say what the client asked for."
    if impact and not _IMPACT.match(impact):
        errors["impact"] = "Hours like +8h or an amount like +4500."
    elif impact and not impact.startswith("+"):
        impact = "+" + impact
    return f"scope {project} {description} {impact.replace(' ', '')}".strip(), errors


def field_for(kind: str, reply: Reply) -> str:
    """Which field a handler's refusal belongs on, judged from its words."""
    if kind in ("promise", "dispute"):
        return "date" if kind == "promise" else "reason"
    words = reply.summary.split("\nExample")[0].lower()  # judge the complaint, not the example after it
    if reply.title == "Not found" and "project" in words:
        return "project"
    if kind == "assign":
        for needle, block in (("project", "project"), ("date", "start"), ("hours", "hours"), ("%", "hours"),
                              ("person", "person"), ("who", "person")):
            if needle in words:
                return block
        return "person"
    if "impact" in words or "+" in words:
        return "impact"
    if kind == "scope" and reply.title == "Not found":
        return "project"
    return "project" if "project" in words or "did you mean" in words else "description"


def result_view(reply: Reply) -> dict[str, Any]:
    blocks = [b.to_dict() for b in render_blocks(reply, max_blocks=MAX_VIEW_BLOCKS)]
    # Buttons inside a modal would act on a view that is about to close: the decision is taken in chat.
    blocks = [b for b in blocks if b.get("type") != "actions"]
    return View(type="modal", title="Steward", close="Done", blocks=blocks).to_dict()


def register(app: AsyncApp, deps: Deps) -> None:
    async def on_submit(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient) -> None:
        kind = view.get("callback_id", "").removeprefix(CALLBACK_PREFIX)
        values = (view.get("state") or {}).get("values") or {}
        meta = json.loads(view.get("private_metadata") or "{}")
        user = (body.get("user") or {}).get("id", "")
        if kind in ("promise", "dispute"):
            line, errors = _invoice_line(kind, values, meta)
        else:
            line, errors = await line_for(deps, client, kind, values)
        if errors:
            await ack(response_action="errors", errors=errors)
            return
        # A replayed submission has the same view and values: act once. A corrected one differs.
        digest = hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest()[:16]
        if not await deps.first_time(f"view:{view.get('id')}:{digest}"):
            await ack()
            return
        task = asyncio.ensure_future(deps.run(client, user, line, channel=meta.get("channel") or None,
                                              is_direct=False, permalink=meta.get("permalink", "")))
        done, _ = await asyncio.wait({task}, timeout=SUBMIT_BUDGET)
        if not done:
            await ack()  # close now; the answer follows by DM
            deps.spawn(_answer_later(task, client, user))
            return
        reply = task.result()
        if reply.severity is Severity.ERROR:
            await ack(response_action="errors", errors={field_for(kind, reply): cut(reply.summary, 150)})
            return
        await ack(response_action="update", view=result_view(reply))
        # The modal is private; also leave the result where the user can find it again (their DM).
        message = render(reply).message(channel=user)
        deps.spawn(safely("chat.postMessage (modal result)", lambda: client.chat_postMessage(**message), user=user))

    async def _answer_later(task: asyncio.Future[Reply], client: AsyncWebClient, user: str) -> None:
        reply = await task
        message = render(reply).message(channel=user)
        await safely("chat.postMessage (late modal result)", lambda: client.chat_postMessage(**message), user=user)

    async def project_options(ack: AsyncAck, payload: dict[str, Any]) -> None:
        projects = await asyncio.to_thread(_projects, deps, payload.get("value", ""))
        await ack(options=[project_option(p).to_dict() for p in projects])

    app.view(re.compile(rf"^{CALLBACK_PREFIX}"))(on_submit)
    app.options(PROJECT_PICKER)(project_options)
