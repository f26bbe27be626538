"""People who never wrote to the bot in Teams are reached through the roster of a team where the app is
installed: Steward reads the roster (paged) when it is added to a team, and creates the 1:1 chat when it has
something for a rostered person who has no personal chat with it yet."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from bot.delivery import Deliverer, DeliveryReport
from bot.settings import Settings
from bot.teams.adapter import build_adapter
from bot.teams.sender import TeamsSender
from domain.model import DeliveryState, Platform
from tests.handlers.world import NOW, World
from tests.support.fake_connector import FakeConnector
from tests.teams.conftest import BOT, DANA, MARK, MEMBERS, TENANT, TeamsServer


def prefer_teams(world: World, key: str) -> None:
    with world.uow_factory() as uow:
        person = uow.people.get(world.ids[key])
        assert person is not None
        uow.people.update(replace(person, platform=Platform.TEAMS))  # ``platform: teams`` in the file
        uow.commit()


def deliver(world: World) -> DeliveryReport:
    sender = TeamsSender(build_adapter(Settings()), "")
    return asyncio.run(Deliverer(world.uow_factory, {Platform.TEAMS: sender}).drain(NOW))


def test_installing_the_app_in_a_team_stores_its_roster_page_by_page(server: TeamsServer,
                                                                    connector: FakeConnector) -> None:
    assert server.install(MARK, kind="channel").status_code == 200
    assert len(connector.of("pagedmembers")) == 2  # four members, two a page
    with server.world.uow_factory() as uow:
        dana = uow.people.get(server.world.ids["dana"])
        assert dana is not None
        member = uow.roster.for_person(dana)
    assert member is not None and (member.user_id, member.tenant_id) == (DANA.id, TENANT)


def test_a_rostered_user_with_no_personal_chat_gets_the_approval_card_in_a_created_chat(
        server: TeamsServer, connector: FakeConnector) -> None:
    world = server.world
    prefer_teams(world, "dana")
    assert server.install(MARK, kind="channel").status_code == 200  # Dana never wrote to the bot
    connector.clear()
    request = world.say("assign jane acme-web 10h/week", who="mark@example.com")
    assert request.ok and request.subject
    aid = request.subject.split(":")[1]
    deliver(world)
    [create] = connector.of("create")
    assert [m["id"] for m in create.body["members"]] == [DANA.id]
    assert create.body["channelData"]["tenant"]["id"] == TENANT and create.body["tenantID"] == TENANT
    assert create.body["bot"]["id"] == BOT["id"]
    [card] = connector.messages(conversation_id=create.conversation_id)
    assert f"approve A{aid}" in card.card_text
    with world.uow_factory() as uow:
        ref = uow.conversations.personal(world.ids["dana"], Platform.TEAMS)
        rows = [m for m in uow.outbox.list(limit=50) if m.person_id == world.ids["dana"]]
    assert ref is not None and ref.conversation_id == create.conversation_id and ref.tenant_id == TENANT
    assert rows and all(m.state is DeliveryState.SENT for m in rows)
    connector.clear()
    assert world.say("status acme-web red the client walked", who="mark@example.com").ok
    from bot.scheduler import Duties

    Duties(world.uow_factory).sweep_escalations(NOW)
    deliver(world)
    assert connector.of("create") == []  # the chat is reused
    assert connector.messages(conversation_id=create.conversation_id)


def test_someone_on_no_roster_fails_visibly_with_the_reason(server: TeamsServer, connector: FakeConnector) -> None:
    world = server.world
    prefer_teams(world, "dana")
    for member in MEMBERS:
        connector.members.pop(member.id)
    assert server.install(MARK, kind="channel").status_code == 200  # an empty team
    world.say("assign jane acme-web 10h/week", who="mark@example.com")
    deliver(world)
    with world.uow_factory() as uow:
        [row] = [m for m in uow.outbox.list(limit=50) if m.person_id == world.ids["dana"]]
    assert row.state is DeliveryState.FAILED
    assert "no personal chat" in row.last_error and "roster of no team" in row.last_error
