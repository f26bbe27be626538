"""Who is this Teams user, and how do we reach this conversation again?

A Teams activity names its sender by a Teams user id (``29:…``) and, in Teams, the Azure AD object id
(``from.aadObjectId``). A person whose AAD object id is already stored needs no look-up. Otherwise the
Bot Framework member API (``TeamsInfo.get_member``: ``GET /v3/conversations/{id}/members/{userId}``)
gives the email or userPrincipalName, and ``domain.identity.identify`` stores the AAD object id on the
matching person, so the look-up happens once per person, not per message.

``remember`` also stores the conversation reference (personal chats with the person's id) and notes
Teams as where the person last talked to Steward, so approvals can find them here later.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.core.teams import TeamsInfo
from botbuilder.schema import Activity, ConversationReference
from msrest.exceptions import HttpOperationError

from bot.teams.adapter import activity_tenant
from domain.errors import NotRegistered
from domain.identity import identify
from domain.model import ConversationRef, Person, Platform
from domain.ports import Clock, UnitOfWorkFactory
from handlers.context import Caller

log = logging.getLogger(__name__)

PERSONAL = "personal"
CHANNEL = "channel"
GROUP_CHAT = "groupChat"


class TeamsTrouble(Exception):
    """The Bot Framework would not answer while a user waits: ``str()`` is what to tell them."""


@dataclass(frozen=True)
class Where:
    """The conversation an activity came from, as Steward sees it."""

    conversation_id: str  # where to post later: a channel's root id, not one thread of it
    kind: str  # personal | channel | groupChat
    reference: dict[str, Any]
    tenant_id: str | None = None

    @property
    def is_personal(self) -> bool:
        return self.kind == PERSONAL


def channel_data(activity: Activity) -> dict[str, Any]:
    data = activity.channel_data
    return data if isinstance(data, dict) else {}


def conversation_kind(activity: Activity) -> str:
    conversation = activity.conversation
    kind = getattr(conversation, "conversation_type", None) if conversation else None
    if kind in (PERSONAL, CHANNEL, GROUP_CHAT):
        return str(kind)
    if channel_data(activity).get("channel"):
        return CHANNEL
    if conversation is not None and getattr(conversation, "is_group", False):
        return GROUP_CHAT
    return PERSONAL  # the Emulator and 1:1 chats without a type


def root_conversation_id(activity: Activity) -> str:
    """``19:abc@thread.tacv2;messageid=123`` (one thread of a channel) -> ``19:abc@thread.tacv2``."""
    conversation_id = activity.conversation.id if activity.conversation else ""
    return (conversation_id or "").split(";messageid=", 1)[0]


def where(activity: Activity) -> Where:
    kind = conversation_kind(activity)
    root = root_conversation_id(activity)
    reference: ConversationReference = TurnContext.get_conversation_reference(activity)
    ref = reference.serialize()
    ref.pop("activityId", None)  # a new post later, not a reply to this message
    if kind == CHANNEL and isinstance(ref.get("conversation"), dict):
        ref["conversation"] = {**ref["conversation"], "id": root}
    return Where(root, kind, ref, activity_tenant(activity))


def remember(uow_factory: UnitOfWorkFactory, clock: Clock, caller: Caller, place: Where) -> Person | None:
    """Identify the caller (linking the AAD object id on first email match), note Teams as where they last
    talked, and store or refresh the conversation reference. Sync: call it in a thread.

    The reference is stored even for an unknown person (a channel stays reachable); a personal chat is
    tied to the person when we know who it is.
    """
    with uow_factory() as uow:
        person: Person | None = None
        if caller.teams_id or caller.email:
            try:
                person = identify(uow, email=caller.email, teams_id=caller.teams_id, platform=Platform.TEAMS,
                                  teams_tenant=caller.teams_tenant or place.tenant_id)
            except NotRegistered:
                person = None
        existing = uow.conversations.get(Platform.TEAMS, place.conversation_id)
        person_id = person.id if person is not None and place.is_personal else None
        if person_id is None and existing is not None and place.is_personal:
            person_id = existing.person_id
        uow.conversations.save(ConversationRef(
            id=None, platform=Platform.TEAMS, conversation_id=place.conversation_id, reference=place.reference,
            updated_at=clock.now(), person_id=person_id, is_personal=place.is_personal, tenant_id=place.tenant_id,
        ))
        uow.commit()
        return person


class TeamsIdentity:
    def __init__(self, uow_factory: UnitOfWorkFactory) -> None:
        self._uow_factory = uow_factory
        # Teams user id -> (email, AAD object id) from the member API; emails rarely change, a miss costs one call.
        self._members: dict[str, tuple[str | None, str | None]] = {}

    def _linked(self, aad_object_id: str) -> bool:
        with self._uow_factory() as uow:
            return uow.people.by_teams_id(aad_object_id) is not None

    async def member(self, turn_context: TurnContext, user_id: str) -> tuple[str | None, str | None]:
        """(email, AAD object id) of a conversation member; (None, None) when Teams does not know them."""
        if user_id in self._members:
            return self._members[user_id]
        activity = turn_context.activity
        if not isinstance(activity.channel_data, dict):
            activity.channel_data = {}  # TeamsInfo reads channelData as a dict (the Emulator sends none)
        try:
            account = await TeamsInfo.get_member(turn_context, user_id)
        except HttpOperationError as exc:
            status = getattr(exc.response, "status_code", None)
            log.warning("Teams member look-up failed for %s: HTTP %s", user_id, status)
            if status in (400, 403, 404):
                return None, None
            raise TeamsTrouble("Teams would not tell me who you are right now. Please try again in a minute.") \
                from exc
        except Exception as exc:  # network trouble: the user is waiting, say so
            log.warning("Teams member look-up failed for %s: %r", user_id, exc)
            raise TeamsTrouble("I couldn't reach Teams to look you up. Please try again in a minute.") from exc
        email = (account.email or account.user_principal_name or "").strip() or None
        found = (email, account.aad_object_id or None)
        if email:
            self._members[user_id] = found
        return found

    async def caller(self, turn_context: TurnContext) -> Caller:
        """The Caller for the activity's sender: the AAD object id alone once linked, else with the email."""
        sender = turn_context.activity.from_property
        user_id = getattr(sender, "id", None) or ""
        name = getattr(sender, "name", None)
        aad = getattr(sender, "aad_object_id", None) or None
        tenant = activity_tenant(turn_context.activity)
        if aad and await asyncio.to_thread(self._linked, aad):
            return Caller(teams_id=aad, display_name=name, teams_tenant=tenant)
        if not user_id:
            return Caller(teams_id=aad, display_name=name, teams_tenant=tenant)
        email, member_aad = await self.member(turn_context, user_id)
        return Caller(teams_id=aad or member_aad, email=email, display_name=name, teams_tenant=tenant)
