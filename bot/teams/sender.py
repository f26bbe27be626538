"""The Teams side of proactive delivery: an outbox message becomes an Adaptive Card in a stored conversation.

``bot/delivery.py`` (the outbox deliverer) claims a row and calls ``TeamsSender.send(message, reply,
uow_factory)``; this module decides where it goes and sends it:

- ``message.person_id``: the person's most recent personal chat with the bot
  (``uow.conversations.personal(person_id, Platform.TEAMS)``);
- ``message.channel``: that channel's or group chat's stored reference (``uow.conversations.get``).

It sends with ``adapter.continue_conversation`` and the stored reference, and returns the activity id
Teams gave the message (the outbox's ``platform_ref``). Teams throttles a bot at about 7 messages a second
per conversation: 429 (and 412, 502, 504) are retried with backoff, honouring ``Retry-After``. Nowhere to
send (``NotReachable``), a conversation Teams does not know (404) or a bot blocked or removed (403) is a
``PermanentError``: the deliverer gives up at once. Anything else raises for the deliverer to retry later.

At most once per outbox key, as far as Teams allows: the activity id is stored on the row (``set_ref``) as
soon as Teams answers, and a row claimed again after a crash that already has one is not posted again.
A bot cannot read a Teams chat's history, so a crash between Teams' answer and ``set_ref`` can still
post twice: a rare duplicate beats a lost approval.

``update_message(original, reply, uow_factory)`` edits a card sent earlier (an approval card once the
request is decided): ``update_activity`` with the stored activity id, in the conversation it was sent to.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from typing import Any, TypeVar

from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity, ActivityTypes, ChannelAccount, ConversationParameters, ConversationReference
from msrest.exceptions import HttpOperationError

from bot.app import Steward
from bot.delivery import PermanentError, thread_parent
from bot.settings import Settings
from bot.teams import cards
from bot.teams.adapter import build_adapter
from bot.teams.bot import card_activity, card_attachment
from bot.teams.retry import retrying, status_of
from bot.teams.roster import rostered
from domain.model import ConversationRef, OutboxMessage, Person, Platform
from domain.ports import UnitOfWorkFactory
from domain.reach import RosterMember
from handlers.reply import Reply

log = logging.getLogger(__name__)

PERMANENT_STATUSES = (400, 403, 404)
T = TypeVar("T")


class NotReachable(PermanentError):
    """No stored Teams conversation for this person or channel (they never talked to the bot in Teams, or
    the app is not installed there): ``str()`` says which."""


class TeamsSender:
    platform = Platform.TEAMS

    def __init__(self, adapter: CloudAdapter, app_id: str = "", *, retries: int = 3, backoff: float = 0.5,
                 max_wait: float = 10.0) -> None:
        self.adapter = adapter
        self.app_id = app_id
        self.retries = retries
        self.backoff = backoff
        self.max_wait = max_wait

    @classmethod
    def from_settings(cls, settings: Settings) -> TeamsSender:
        """A sender with its own adapter, from ``MICROSOFT_APP_*`` (what ``bot.scheduler.build_senders`` calls)."""
        return cls(build_adapter(settings), settings.microsoft_app_id)

    # -- the deliverer's interface --------------------------------------------------------------

    async def send(self, message: OutboxMessage, reply: Mapping[str, Any], uow_factory: UnitOfWorkFactory) -> str:
        """Send one outbox message as a card; the Teams activity id of the sent message."""
        if message.attempts > 1 and message.platform_ref:  # an earlier attempt got through before its worker died
            log.info("%s was already posted (%s): not posting again", message.key, message.platform_ref)
            return message.platform_ref
        try:
            ref = await asyncio.to_thread(self.route, message, uow_factory)
        except NotReachable as missing:
            if message.person_id is None:
                raise
            found = await asyncio.to_thread(rostered, uow_factory, message.person_id)
            if found is None:
                raise NotReachable(f"{missing}, and is on the roster of no team where the app is installed") \
                    from None
            ref = await self.open_chat(*found, uow_factory)
        # A late stand-up answer: a reply to the report's activity, in the same conversation.
        parent = await asyncio.to_thread(thread_parent, message, reply, uow_factory)
        try:
            if parent:
                sent = await self.send_reply_to(ref.reference, card_activity(Reply.from_dict(dict(reply))), parent)
            else:
                sent = await self.send_reply(ref, Reply.from_dict(dict(reply)))
        except HttpOperationError as exc:
            if status_of(exc) in PERMANENT_STATUSES:
                raise PermanentError(f"Teams answered {status_of(exc)} for {ref.conversation_id}: {exc}") from exc
            raise
        if message.id is not None and sent:
            await asyncio.to_thread(self._remember, uow_factory, message.id, sent)
        return sent

    async def update_message(self, original: OutboxMessage, reply: Mapping[str, Any],
                             uow_factory: UnitOfWorkFactory) -> None:
        """Replace the card ``original`` was sent as (its activity id, ``platform_ref``) in the conversation
        it went to, with this reply's card."""
        ref = await asyncio.to_thread(self.route, original, uow_factory)
        try:
            await self.update(ref.reference, original.platform_ref, Reply.from_dict(dict(reply)))
        except HttpOperationError as exc:
            if status_of(exc) in PERMANENT_STATUSES:
                raise PermanentError(f"Teams answered {status_of(exc)} updating {original.platform_ref} in "
                                     f"{ref.conversation_id}: {exc}") from exc
            raise

    @staticmethod
    def _remember(uow_factory: UnitOfWorkFactory, message_id: int, platform_ref: str) -> None:
        try:
            with uow_factory() as uow:
                uow.outbox.set_ref(message_id, platform_ref)
                uow.commit()
        except Exception:  # the deliverer's mark_sent comes next; this only narrows the crash window
            log.exception("could not store the Teams activity id of outbox message %s", message_id)

    @staticmethod
    def route(message: OutboxMessage, uow_factory: UnitOfWorkFactory) -> ConversationRef:
        """Where a message goes: the person's personal chat, or the channel's stored conversation."""
        with uow_factory() as uow:
            if message.person_id is not None:
                ref = uow.conversations.personal(message.person_id, Platform.TEAMS)
                if ref is None:
                    person = uow.people.get(message.person_id)
                    who = f"{person.name} ({person.email})" if person else f"person {message.person_id}"
                    raise NotReachable(f"{who} has no personal chat with Steward in Teams yet: they need to "
                                       "install the app or message the bot once")
                return ref
            if message.channel:
                ref = uow.conversations.get(Platform.TEAMS, message.channel)
                if ref is None:
                    raise NotReachable(f"Steward was never added to the Teams conversation {message.channel}")
                return ref
        raise NotReachable(f"outbox message {message.key} names neither a person nor a channel")

    # -- a 1:1 chat with someone on a team's roster ----------------------------------------------

    async def open_chat(self, person: Person, member: RosterMember, uow_factory: UnitOfWorkFactory) -> ConversationRef:
        """Create the personal chat with a rostered person (``create_conversation`` with their Teams user id,
        in their tenant) and store its reference as theirs, so the next message needs no new chat."""
        bot = await asyncio.to_thread(self._bot_account, uow_factory, member)
        params = ConversationParameters(
            is_group=False, bot=ChannelAccount(**bot), tenant_id=member.tenant_id,
            members=[ChannelAccount(id=member.user_id, name=member.name, aad_object_id=member.aad_object_id)],
            channel_data={"tenant": {"id": member.tenant_id}})
        created: dict[str, str] = {}

        async def note(turn_context: TurnContext) -> None:
            created["id"] = turn_context.activity.conversation.id if turn_context.activity.conversation else ""

        try:
            await self._retrying(lambda: self.adapter.create_conversation(
                self.app_id, note, params, "msteams", member.service_url, None))
        except HttpOperationError as exc:
            if status_of(exc) in PERMANENT_STATUSES:
                raise PermanentError(f"Teams would not open a chat with {person.email} ({status_of(exc)}): "
                                     f"{exc}") from exc
            raise
        if not created.get("id"):
            raise PermanentError(f"Teams opened no chat with {person.email}")
        reference = {"bot": bot, "user": {"id": member.user_id, "name": member.name,
                                          "aadObjectId": member.aad_object_id},
                     "conversation": {"id": created["id"], "conversationType": "personal",
                                      "tenantId": member.tenant_id},
                     "channelId": "msteams", "serviceUrl": member.service_url}
        ref = ConversationRef(id=None, platform=Platform.TEAMS, conversation_id=created["id"], reference=reference,
                              updated_at=datetime.now(UTC), person_id=person.id, is_personal=True,
                              tenant_id=member.tenant_id)
        await asyncio.to_thread(self._store, uow_factory, ref)
        log.info("Teams: opened a personal chat with %s (from the roster of %s)", person.email, member.team_id)
        return ref

    def _bot_account(self, uow_factory: UnitOfWorkFactory, member: RosterMember) -> dict[str, str]:
        """The bot's account as Teams knows it: from the conversation the roster was read in, else ``28:<app id>``."""
        with uow_factory() as uow:
            seen = uow.conversations.get(Platform.TEAMS, member.team_id)
        bot = (seen.reference.get("bot") if seen else None) or {}
        if isinstance(bot, dict) and bot.get("id"):
            return {"id": str(bot["id"]), "name": str(bot.get("name") or "Steward")}
        return {"id": f"28:{self.app_id}", "name": "Steward"}

    @staticmethod
    def _store(uow_factory: UnitOfWorkFactory, ref: ConversationRef) -> None:
        with uow_factory() as uow:
            uow.conversations.save(ref)
            uow.commit()

    # -- sending --------------------------------------------------------------------------------

    async def send_reply(self, ref: ConversationRef, reply: Reply) -> str:
        return await self.send_activity(ref.reference, card_activity(reply))

    async def send_activity(self, reference: Mapping[str, Any], activity: Activity) -> str:
        conversation = ConversationReference().deserialize(dict(reference))
        sent: dict[str, str] = {}

        async def post(turn_context: TurnContext) -> None:
            response = await turn_context.send_activity(activity)
            sent["id"] = (response.id if response else "") or ""

        await self._retrying(lambda: self.adapter.continue_conversation(conversation, post, bot_app_id=self.app_id))
        return sent.get("id", "")

    async def send_reply_to(self, reference: Mapping[str, Any], activity: Activity, parent_id: str) -> str:
        """Post ``activity`` as a reply to the activity ``parent_id`` in the referenced conversation.

        ``TurnContext.send_activity`` would make it a reply to the proactive turn's own (made-up) activity id,
        so the delivery information is applied here and the adapter sends it as it stands."""
        conversation = ConversationReference().deserialize(dict(reference))
        sent: dict[str, str] = {}

        async def post(turn_context: TurnContext) -> None:
            TurnContext.apply_conversation_reference(activity, turn_context.activity.get_conversation_reference())
            activity.reply_to_id = parent_id
            responses = await turn_context.adapter.send_activities(turn_context, [activity])
            sent["id"] = (responses[0].id if responses and responses[0] else "") or ""

        await self._retrying(lambda: self.adapter.continue_conversation(conversation, post, bot_app_id=self.app_id))
        return sent.get("id", "")

    async def update(self, reference: Mapping[str, Any], activity_id: str, reply: Reply) -> None:
        """Replace a card sent earlier (``activity_id``) with this reply's card."""
        conversation = ConversationReference().deserialize(dict(reference))
        card = cards.render(reply)

        async def put(turn_context: TurnContext) -> None:
            update = Activity(type=ActivityTypes.message, id=activity_id, attachments=[card_attachment(card)],
                              summary=cards.fallback_text(reply))
            await turn_context.update_activity(update)

        await self._retrying(lambda: self.adapter.continue_conversation(conversation, put, bot_app_id=self.app_id))

    async def _retrying(self, call: Callable[[], Awaitable[T]]) -> T:
        return await retrying(call, retries=self.retries, backoff=self.backoff, max_wait=self.max_wait)


def build_sender(steward: Steward) -> TeamsSender:
    """A sender with its own adapter (the worker process has no web server)."""
    return TeamsSender.from_settings(steward.settings)
