"""The roster of a Teams team or group chat where the app is installed, read when the app is installed there
or a member joins (``conversationUpdate``), so Steward can reach people who never wrote to the bot.

Read with the Bot Framework member API, paged (``TeamsInfo.get_paged_members``: ``GET
/v3/conversations/{team or chat}/pagedmembers``), at most ``MAX_PAGES`` pages of ``PAGE_SIZE``; each member is
stored with the tenant of the activity (the tenant a 1:1 chat with them is created in) and the conversation
it was read in (whose stored reference names the bot). ``bot/teams/sender.py`` creates the chat.
"""

from __future__ import annotations

import asyncio
import logging

from botbuilder.core import TurnContext
from botbuilder.core.teams import TeamsInfo

from bot.teams.adapter import activity_tenant
from bot.teams.identity import Where
from bot.teams.retry import retrying
from domain.model import Person
from domain.ports import Clock, UnitOfWorkFactory
from domain.reach import RosterMember

log = logging.getLogger(__name__)

PAGE_SIZE = 500  # the most the member API gives per page
MAX_PAGES = 100  # 50,000 members: a bound, not a limit anyone meets


async def read_roster(turn_context: TurnContext, place: Where, clock: Clock) -> list[RosterMember]:
    """Every member of the conversation's team (or chat), page by page; [] without a tenant."""
    activity = turn_context.activity
    tenant = activity_tenant(activity)
    if not tenant or not activity.service_url:
        return []
    if not isinstance(activity.channel_data, dict):
        activity.channel_data = {}  # TeamsInfo reads channelData as a dict
    now = clock.now()
    members: list[RosterMember] = []
    token: str | None = None
    for _ in range(MAX_PAGES):
        page = await retrying(lambda t=token: TeamsInfo.get_paged_members(turn_context, t, PAGE_SIZE),  # type: ignore[misc]
                              retries=3, budget=10.0)
        for m in page.members or []:
            if not m.id or not getattr(m, "aad_object_id", None):
                continue  # bots and accounts Teams gives no object id for
            email = (getattr(m, "email", None) or getattr(m, "user_principal_name", None) or "").strip() or None
            members.append(RosterMember(tenant_id=tenant, aad_object_id=m.aad_object_id, user_id=m.id,
                                        name=m.name or "", email=email, service_url=activity.service_url,
                                        team_id=place.conversation_id, updated_at=now))
        token = page.continuation_token
        if not token:
            break
    return members


def save_roster(uow_factory: UnitOfWorkFactory, members: list[RosterMember]) -> int:
    """Store the members read (sync: call in a thread)."""
    with uow_factory() as uow:
        written = uow.roster.save_many(members)
        uow.commit()
        return written


async def store_roster(uow_factory: UnitOfWorkFactory, clock: Clock, turn_context: TurnContext,
                       place: Where) -> int:
    """Read and store the roster; a failure is logged (the turn goes on: the roster is read again at the next
    install or join)."""
    try:
        members = await read_roster(turn_context, place, clock)
        written = await asyncio.to_thread(save_roster, uow_factory, members)
    except Exception as exc:
        log.warning("could not read the Teams roster of %s: %s: %s", place.conversation_id, type(exc).__name__,
                    str(exc)[:200])
        return 0
    log.info("Teams roster of %s: %d member(s) stored", place.conversation_id, written)
    return written


def rostered(uow_factory: UnitOfWorkFactory, person_id: int) -> tuple[Person, RosterMember] | None:
    """The person and their roster entry, if they are on the roster of a team where the app is installed."""
    with uow_factory() as uow:
        person = uow.people.get(person_id)
        if person is None:
            return None
        member = uow.roster.for_person(person)
        return (person, member) if member is not None else None
