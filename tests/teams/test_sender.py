"""Proactive sends through stored conversation references, against the fake connector."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.settings import Settings
from bot.teams.adapter import build_adapter
from bot.teams.sender import NotReachable, TeamsSender
from domain.model import OutboxMessage, Platform
from handlers.reply import Action, Fact, Reply, Tone
from tests.handlers.world import NOW
from tests.support.fake_connector import FakeConnector
from tests.teams.conftest import CHANNEL, DANA, TeamsServer, personal, valid_card

CARD = Reply(title="Approve Jane Designer on Website Relaunch? (A7)", summary="Requested by Mark Manager.",
             facts=(Fact("Hours per week", "10h"), Fact("Capacity", "Over", Tone.RED)),
             actions=(Action("Approve", "approve A7", "primary"), Action("Reject", "reject A7", "danger")))


def message(**kw: Any) -> OutboxMessage:
    return OutboxMessage(id=1, key="notify:allocation:7:requested:2", kind="notification", payload=CARD.to_dict(),
                         created_at=NOW, due_at=NOW, platform=Platform.TEAMS, **kw)


def sender(**kw: Any) -> TeamsSender:
    return TeamsSender(build_adapter(Settings()), "", **kw)


def send(server: TeamsServer, msg: OutboxMessage, **kw: Any) -> str:
    async def go() -> str:
        return await sender(**kw).send(msg, msg.payload, server.world.uow_factory)

    return asyncio.run(go())


def test_a_person_gets_the_card_in_their_personal_chat(server: TeamsServer, connector: FakeConnector) -> None:
    server.install(DANA)  # Dana installed the app: her personal chat is stored
    connector.clear()
    sent_id = send(server, message(person_id=server.world.ids["dana"]))
    [posted] = connector.messages()
    assert posted.conversation_id == personal(DANA) and sent_id == posted.id
    card = valid_card(posted.card)
    assert "A7" in posted.card_text
    assert [a["data"]["command"] for a in card["actions"]] == ["approve A7", "reject A7"]
    assert any(b["type"] == "Input.Text" for b in card["body"])  # the optional comment
    assert posted.body["recipient"]["id"] == DANA.id


def test_a_channel_gets_the_card_in_the_channel(server: TeamsServer, connector: FakeConnector) -> None:
    server.mention("help", conversation=f"{CHANNEL};messageid=42")
    connector.clear()
    send(server, message(channel=CHANNEL))
    [posted] = connector.messages()
    assert posted.conversation_id == CHANNEL  # a new post in the channel, not in the old thread


def test_someone_never_seen_in_teams_is_not_reachable(server: TeamsServer) -> None:
    with pytest.raises(NotReachable, match="Mark Manager"):
        send(server, message(person_id=server.world.ids["mark"]))
    with pytest.raises(NotReachable, match="never added"):
        send(server, message(channel="19:unknown@thread.tacv2"))


def test_throttled_sends_are_retried(server: TeamsServer, connector: FakeConnector) -> None:
    server.install(DANA)
    connector.clear()
    connector.retry_after = 0
    connector.rate_limit.update({"send": 2, "reply": 2})
    send(server, message(person_id=server.world.ids["dana"]), backoff=0.01)
    assert len(connector.messages()) == 1
    assert sum(1 for c in connector.calls if c.status == 429) == 2


def test_throttling_beyond_the_retries_raises(server: TeamsServer, connector: FakeConnector) -> None:
    server.install(DANA)
    connector.retry_after = 0
    connector.rate_limit.update({"send": 9, "reply": 9})
    with pytest.raises(Exception):  # noqa: B017 - the deliverer retries it later
        send(server, message(person_id=server.world.ids["dana"]), backoff=0.01, retries=1)


def test_a_card_is_updated_in_place(server: TeamsServer, connector: FakeConnector) -> None:
    server.install(DANA)
    with server.world.uow_factory() as uow:
        ref = uow.conversations.personal(server.world.ids["dana"], Platform.TEAMS)
    assert ref is not None
    done = Reply(title="Allocation A7 approved", summary="Approved by Dana Director")
    asyncio.run(sender().update(ref.reference, "1:99", done))
    [update] = connector.of("update")
    assert update.activity_id == "1:99" and "approved" in update.card_text
    valid_card(update.card)


def test_the_scheduler_builds_a_teams_sender() -> None:
    from bot.scheduler import build_senders

    senders = build_senders(Settings())
    assert isinstance(senders[Platform.TEAMS], TeamsSender)
