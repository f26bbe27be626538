"""The Teams bot: an ``ActivityHandler`` that turns activities into command lines and Replies into cards.

Thin on purpose: what a message means is decided by ``handlers.dispatch.handle`` (the same as Slack and
the shell), who the sender is by ``bot.teams.identity``, what a card looks like by ``bot.teams.cards``.

- message (personal chat, group chat, or a channel post that @mentions the bot): the mention is stripped,
  the line runs through the handlers and the answer is an Adaptive Card in the same conversation;
- message with a ``value`` (an ``Action.Submit`` click from a client without Universal Actions): the
  button's command runs and a decision updates the card in place (``update_activity``);
- invoke ``adaptiveCard/action`` (``Action.Execute``): the command runs and the invoke answers with the
  refreshed card showing the decision; a refusal answers with a message and leaves the card as it was;
- conversationUpdate: the reference is stored and, when the bot itself was added, a welcome card is sent.

Every activity stores or refreshes the conversation reference (``bot.teams.identity.remember``).
"""

from __future__ import annotations

import asyncio
import hashlib
import html
import logging
import re
from dataclasses import dataclass, replace
from http import HTTPStatus
from typing import Any

from botbuilder.core import ActivityHandler, InvokeResponse, MessageFactory, TurnContext
from botbuilder.schema import Activity, ActivityTypes, Attachment, ChannelAccount

from bot.app import Steward
from bot.teams import cards
from bot.teams.identity import TeamsIdentity, TeamsTrouble, Where, remember, where
from bot.teams.retry import REPLY_BUDGET, retrying
from bot.teams.roster import store_roster
from bot.work import Work, WorkerDied, work_for
from domain.model import OutboxMessage, Platform, Source
from handlers.context import Caller, Context
from handlers.dispatch import handle
from handlers.reply import Reply, Severity, Tone, command_verb, is_decision

log = logging.getLogger(__name__)

_TAG = re.compile(r"<[^>]+>")
_AT = re.compile(r"<at[^>]*>(.*?)</at>", re.IGNORECASE | re.DOTALL)
MESSAGE_RESPONSE = "application/vnd.microsoft.activity.message"
ERROR_RESPONSE = "application/vnd.microsoft.error"


def card_attachment(card: dict[str, Any]) -> Attachment:
    return Attachment(content_type=cards.CARD_CONTENT_TYPE, content=card)


def card_activity(reply: Reply, *, origin: str | None = None, note: Reply | None = None) -> Activity:
    """A message carrying the reply's card; ``summary`` is the plain-text fallback (notifications, old clients)."""
    card = cards.render(reply, origin=origin, note=note)
    activity = MessageFactory.attachment(card_attachment(card))
    activity.summary = cards.fallback_text(reply)
    picture = reply.attachment
    if picture is not None and picture.is_image and not cards.has_picture(card):
        # Too big to ride inside the card: an inline image beside it (Teams shows data: URLs of images).
        activity.attachments.append(Attachment(content_type=picture.media_type, content_url=cards.data_url(picture),
                                               name=picture.filename))
    return activity


# Lines whose cards list several decisions and that only read: safe to run again to refresh a card.
REFRESHABLE = ("approvals", "escalations", "projects")


def origin_for(line: str, reply: Reply) -> str | None:
    """A card listing several decisions remembers the line that produced it, so a click can refresh the list."""
    if command_verb(line) not in REFRESHABLE:
        return None
    return line if len(cards.all_decision_subjects(reply)) > 1 else None


def command_text(activity: Activity) -> str:
    """The command line in a message: the bot's @mention removed, other mentions reduced to the name,
    Teams' HTML (``<p>``, ``&nbsp;``) reduced to text."""
    text = activity.text or ""
    recipient = activity.recipient.id if activity.recipient else None
    if recipient:
        text = TurnContext.remove_mention_text(activity, recipient) or ""
    for entity in activity.entities or []:  # the bot's mention, however the client spelled the name
        props = getattr(entity, "additional_properties", None) or {}
        if getattr(entity, "type", None) == "mention" and (props.get("mentioned") or {}).get("id") == recipient:
            mention = props.get("text") or ""
            if mention:
                text = text.replace(mention, " ")
    text = _AT.sub(lambda m: m.group(1), text)
    text = html.unescape(_TAG.sub(" ", text)).replace("\xa0", " ")
    return " ".join(text.split())


async def send(turn_context: TurnContext, activity: Activity) -> None:
    """Answer in the conversation, retrying Teams' throttling and busy answers (``bot.teams.retry``)."""
    await retrying(lambda: turn_context.send_activity(activity))


def reply_key(place: Where, activity_id: str) -> str:
    """The outbox key of the answer to one activity: once per activity, however often it is redelivered."""
    digest = hashlib.sha256(f"{place.conversation_id}\n{activity_id}".encode()).hexdigest()[:32]
    return f"teams-reply:{digest}"


def queue_reply(steward: Steward, place: Where, activity_id: str, reply: Reply) -> bool:
    """Hand an answer Teams would not take to the outbox: the deliverer posts it in the same conversation
    (its stored reference) like any notification, retrying for a quarter of an hour. Sync: call in a thread."""
    now = steward.clock.now()
    with steward.uow_factory() as uow:
        added = uow.outbox.add(OutboxMessage(
            id=None, key=reply_key(place, activity_id), kind="notification", payload=reply.to_dict(),
            created_at=now, due_at=now, channel=place.conversation_id, platform=Platform.TEAMS))
        uow.commit()
        return added


def message_response(text: str) -> InvokeResponse:
    return InvokeResponse(status=int(HTTPStatus.OK),
                          body={"statusCode": 200, "type": MESSAGE_RESPONSE, "value": text})


def card_response(card: dict[str, Any]) -> InvokeResponse:
    return InvokeResponse(status=int(HTTPStatus.OK),
                          body={"statusCode": 200, "type": cards.CARD_CONTENT_TYPE, "value": card})


def error_response(status: HTTPStatus, code: str, message: str) -> InvokeResponse:
    return InvokeResponse(status=int(status), body={
        "statusCode": int(status), "type": ERROR_RESPONSE, "value": {"code": code, "message": message}})


def trouble_reply(message: str) -> Reply:
    return Reply(title="Teams trouble", summary=message, severity=Severity.ERROR, tone=Tone.RED)


def context(steward: Steward, caller: Caller, place: Where) -> Context:
    """The handlers' context for a line said in Teams."""
    return steward.context(caller, Source.TEAMS, channel=place.conversation_id, is_direct=place.is_personal)


def handle_turn(steward: Steward, caller: Caller, place: Where, line: str) -> Reply:
    """A unit of work (``bot.work``): the handlers' Reply to a line, with the worker's own Steward."""
    return handle(context(steward, caller, place), line)


@dataclass
class Turn:
    """What one activity resolved to: who, where, and the context the handlers get."""

    caller: Caller | None
    place: Where
    context: Context | None
    trouble: str | None = None


class StewardTeamsBot(ActivityHandler):
    def __init__(self, steward: Steward, identity: TeamsIdentity) -> None:
        self.steward = steward
        self.identity = identity
        self.work: Work = work_for(steward)
        self.reply_budget = REPLY_BUDGET  # seconds a reply is retried before it goes to the outbox

    # -- shared plumbing ----------------------------------------------------------------------------

    async def first_time(self, activity: Activity) -> bool:
        """A redelivered activity (same id in the same conversation) acts once; the key lives in the database."""
        if not activity.id:
            return True
        key = f"teams:{activity.conversation.id if activity.conversation else ''}:{activity.id}"[:255]

        def record() -> bool:
            with self.steward.uow_factory() as uow:
                new = uow.receipts.record(key, self.steward.clock.now())
                uow.commit()
                return new

        try:
            return await asyncio.to_thread(record)
        except Exception:
            log.exception("could not record receipt %s", key)  # acting twice beats never acting
            return True

    async def resolve(self, turn_context: TurnContext) -> Turn:
        """Identify the sender, store the conversation reference, and build the handlers' Context."""
        activity = turn_context.activity
        place = where(activity)
        try:
            caller = await self.identity.caller(turn_context)
        except TeamsTrouble as trouble:
            return Turn(None, place, None, str(trouble))
        try:
            await asyncio.to_thread(remember, self.steward.uow_factory, self.steward.clock, caller, place)
        except Exception:  # a reference we failed to store must not cost the user their answer
            log.exception("could not store the Teams conversation reference for %s", place.conversation_id)
        return Turn(caller, place, context(self.steward, caller, place))

    async def run(self, turn: Turn, line: str) -> Reply:
        """The handlers' Reply, computed in a worker (a process of ``steward serve``'s, else a thread)."""
        if turn.context is None or turn.caller is None:
            return trouble_reply(turn.trouble or "Teams trouble")
        try:
            return await self.work.run(handle_turn, turn.caller, turn.place, line)
        except WorkerDied:
            log.exception("Teams line %r was lost with its worker process", line)
            return Reply(title="Steward hit an error", severity=Severity.ERROR, tone=Tone.RED,
                         summary="Something broke while working on that; it has been logged. If it was a change, "
                                 "check with `approvals` or `budget` whether it went through.")

    # -- messages -----------------------------------------------------------------------------------

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        if isinstance(activity.value, dict) and (activity.value.get("command") or activity.value.get("action")):
            await self.on_submit(turn_context)
            return
        if not await self.first_time(activity):
            return
        line = command_text(activity)
        turn = await self.resolve(turn_context)
        reply = await self.run(turn, line or "help")
        await self.answer(turn_context, turn, reply, origin_for(line, reply))

    async def answer(self, turn_context: TurnContext, turn: Turn, reply: Reply, origin: str | None = None) -> None:
        """Reply in the conversation. The activity is recorded as handled, so Teams redelivering it would
        bring no answer: a reply Teams still refuses after ``reply_budget`` seconds of retries goes to the
        outbox and is delivered like any notification."""
        activity = card_activity(reply, origin=origin)
        try:
            await retrying(lambda: turn_context.send_activity(activity), budget=self.reply_budget)
            return
        except Exception as exc:
            log.warning("Teams reply to %s not delivered (%s: %s); handing it to the outbox",
                        turn_context.activity.id, type(exc).__name__, str(exc)[:200])
        await asyncio.to_thread(queue_reply, self.steward, turn.place, turn_context.activity.id or "", reply)

    async def on_submit(self, turn_context: TurnContext) -> None:
        """``Action.Submit``: Teams posts the button's data as a message ``value``, replying to the card."""
        activity = turn_context.activity
        if not await self.first_time(activity):
            return
        data: dict[str, Any] = activity.value if isinstance(activity.value, dict) else {}
        line = cards.command_from_data(data)
        if not line:
            return
        turn = await self.resolve(turn_context)
        reply = await self.run(turn, line)
        if is_decision(line) and reply.severity in (Severity.SUCCESS, Severity.WARNING) \
                and activity.reply_to_id:
            updated = await self.decision_card(turn, data, reply)
            update = Activity(type=ActivityTypes.message, id=activity.reply_to_id,
                              attachments=[card_attachment(updated)], summary=cards.fallback_text(reply))
            try:
                await retrying(lambda: turn_context.update_activity(update))
                return
            except Exception:
                log.exception("could not update the card %s in place; answering with a new one",
                              activity.reply_to_id)
        await self.answer(turn_context, turn, reply)

    async def decision_card(self, turn: Turn, data: dict[str, Any], reply: Reply) -> dict[str, Any]:
        """The card after a decision: the decision itself, or (for a card listing several requests) the
        list again, refreshed, with the decision on top."""
        origin = data.get("origin") if isinstance(data.get("origin"), str) else None
        if origin and command_verb(origin) in REFRESHABLE:  # never replay a line that changes something
            refreshed = await self.run(turn, origin)
            if refreshed.ok:
                return cards.render(refreshed, origin=origin_for(origin, refreshed) or origin, note=reply)
        line = cards.command_from_data(data)
        kept = cards.remaining_actions(data, line)
        if kept:  # e.g. an escalation acknowledged: its Approve / Reject stay on the card
            reply = replace(reply, actions=tuple(reply.actions) + kept)
        return cards.render(reply)

    # -- Action.Execute (Universal Actions) ------------------------------------------------------------

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse | None:
        if turn_context.activity.name == "adaptiveCard/action":
            return await self.on_execute(turn_context)
        return await super().on_invoke_activity(turn_context)

    async def on_execute(self, turn_context: TurnContext) -> InvokeResponse:
        value = turn_context.activity.value
        action = value.get("action") if isinstance(value, dict) else None
        if not isinstance(action, dict):
            return error_response(HTTPStatus.BAD_REQUEST, "BadRequest", "Missing action property")
        if action.get("type") != "Action.Execute" or action.get("verb") not in (cards.VERB, None):
            return error_response(HTTPStatus.BAD_REQUEST, "NotSupported",
                                  f"The action '{action.get('type')}' / verb '{action.get('verb')}' is not supported.")
        raw = action.get("data")
        data: dict[str, Any] = raw if isinstance(raw, dict) else {}
        line = cards.command_from_data(data)
        if not line:
            return error_response(HTTPStatus.BAD_REQUEST, "BadRequest", "The action carries no command.")
        turn = await self.resolve(turn_context)
        reply = await self.run(turn, line)
        if is_decision(line) and reply.severity in (Severity.SUCCESS, Severity.WARNING):
            return card_response(await self.decision_card(turn, data, reply))
        if reply.ok:  # another command behind a button (help, budget…): answer in the conversation
            await turn_context.send_activity(card_activity(reply, origin=origin_for(line, reply)))
            return message_response(reply.title)
        # A refusal or a mistake: say so to the clicker, leave the card as it was.
        return message_response(cut_message(reply))

    # -- conversationUpdate / installationUpdate --------------------------------------------------------

    async def on_members_added_activity(self, members_added: list[ChannelAccount],
                                        turn_context: TurnContext) -> None:
        activity = turn_context.activity
        bot_id = activity.recipient.id if activity.recipient else None
        place = where(activity)
        await self.store_reference(turn_context, place)
        installed = any(m.id == bot_id for m in members_added)
        if not place.is_personal:  # the app installed in a team or chat, or someone joined: who can be reached
            await store_roster(self.steward.uow_factory, self.steward.clock, turn_context, place)
        if installed:
            card = cards.welcome_card(place.is_personal)
            welcome = MessageFactory.attachment(card_attachment(card))
            welcome.summary = card["fallbackText"]
            await send(turn_context, welcome)

    async def on_conversation_update_activity(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        if not activity.members_added:  # renames, members leaving: keep the reference fresh all the same
            await self.store_reference(turn_context, where(activity))
        await super().on_conversation_update_activity(turn_context)

    async def on_installation_update_add(self, turn_context: TurnContext) -> None:
        await self.store_reference(turn_context, where(turn_context.activity))

    async def store_reference(self, turn_context: TurnContext, place: Where) -> None:
        """Remember how to reach this conversation; in a personal chat, also who it is with."""
        caller = Caller()
        if place.is_personal:
            try:
                caller = await self.identity.caller(turn_context)
            except TeamsTrouble:
                caller = Caller()
        try:
            await asyncio.to_thread(remember, self.steward.uow_factory, self.steward.clock, caller, place)
        except Exception:
            log.exception("could not store the Teams conversation reference for %s", place.conversation_id)


def cut_message(reply: Reply) -> str:
    text = f"{reply.title}: {reply.summary}" if reply.summary else reply.title
    return cards.cut(text, 1000)
