"""No Teams answer is lost: a reply the connector refuses for a moment is retried (429 with Retry-After,
412, 500, 502, 503, 504) and, if Teams still refuses it after the reply budget, delivered from the outbox."""

from __future__ import annotations

import asyncio
import time

from bot.delivery import Deliverer
from bot.settings import Settings
from bot.teams.adapter import build_adapter
from bot.teams.sender import TeamsSender
from domain.model import DeliveryState, OutboxMessage, Platform
from tests.handlers.world import NOW, World
from tests.support.fake_connector import FakeConnector
from tests.teams.conftest import DANA, TeamsServer, make_server, personal


def test_429_412_502_504_on_one_reply_still_deliver_it_exactly_once(server: TeamsServer,
                                                                   connector: FakeConnector) -> None:
    connector.retry_after = 1
    connector.failures["reply"] = [429, 412, 502, 504]
    started = time.monotonic()
    assert server.say("budget acme-web").status_code == 200
    assert time.monotonic() - started < 12  # answered within Teams' 15 s
    [reply] = connector.messages()
    assert "Website Relaunch" in reply.card_text
    assert [c.status for c in connector.calls if c.kind == "reply"] == [429, 412, 502, 504, 200]
    with server.world.uow_factory() as uow:
        assert [m for m in uow.outbox.list(limit=50) if m.key.startswith("teams-reply:")] == []


def test_a_reply_teams_keeps_refusing_goes_to_the_outbox_and_is_delivered_once(
        world: World, connector: FakeConnector) -> None:
    srv, thread = make_server(world, connector, Settings(database_url=world.database_url),  # type: ignore[attr-defined]
                              reply_budget=1.0)
    try:
        connector.retry_after = 0
        connector.failures["reply"] = [503] * 100
        assert srv.say("budget acme-web").status_code == 200
        assert connector.messages() == []
        with world.uow_factory() as uow:
            [queued] = [m for m in uow.outbox.list(limit=50) if m.key.startswith("teams-reply:")]
        assert queued.channel == personal(DANA) and queued.platform is Platform.TEAMS
        assert srv.post(srv.activity(text="budget acme-web", id="f:1")).status_code == 200  # a redelivery
        assert [m.key for m in outbox(world)] == [queued.key]  # acts once: no second answer queued
        connector.failures["reply"] = []  # Teams takes messages again
        sender = TeamsSender(build_adapter(Settings()), "")
        report = asyncio.run(Deliverer(world.uow_factory, {Platform.TEAMS: sender}).drain(NOW))
        assert report.sent == 1
        [delivered] = connector.messages()
        assert delivered.conversation_id == personal(DANA) and "Website Relaunch" in delivered.card_text
        with world.uow_factory() as uow:
            again = uow.outbox.by_key(queued.key)
        assert again is not None and again.state is DeliveryState.SENT
    finally:
        srv.loop.call_soon_threadsafe(srv.loop.stop)
        thread.join(10)


def outbox(world: World) -> list[OutboxMessage]:
    with world.uow_factory() as uow:
        return [m for m in uow.outbox.list(limit=50) if m.key.startswith("teams-reply:")]
