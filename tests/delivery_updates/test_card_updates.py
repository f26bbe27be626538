"""A decision updates every copy of its card in place, on every platform, once.

When an allocation request or a scope change is decided (or an escalation acknowledged), each card
Steward sent about it (to each approver, on Slack or Teams, reminders and admin copies included) is
edited in place by the outbox deliverer: Slack ``chat.update`` on the message's channel and ts, Teams
``update_activity`` on the card's activity id. It then shows the decision (who, when) and no live
Approve / Reject / Acknowledge buttons. A card not sent yet is superseded instead of sent later.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from bot.delivery import Deliverer, DeliveryReport
from bot.scheduler import Duties
from bot.slack.sender import SlackSender
from bot.teams.sender import build_sender
from domain.model import DeliveryState, OutboxMessage, Platform, Role
from tests.handlers.world import NOW, World
from tests.support.fake_connector import FakeConnector
from tests.support.slack_history import HistorySlack
from tests.teams.conftest import DANA, TeamsServer, personal, valid_card

LATER = NOW + timedelta(minutes=2)  # past one delivery lease


def deliver(world: World, slack: HistorySlack, server: TeamsServer | None = None,
            at: datetime = NOW) -> DeliveryReport:
    """One pass of the real deliverer with the real senders (Teams too when a server runs)."""

    async def go() -> DeliveryReport:
        senders: dict[Platform, Any] = {Platform.SLACK: SlackSender("xoxb-test", slack.url, timeout=5)}
        if server is not None:
            senders[Platform.TEAMS] = build_sender(server.steward)
        return await Deliverer(world.uow_factory, senders).drain(at)

    return asyncio.run(go())


def row(world: World, key: str) -> OutboxMessage:
    with world.uow_factory() as uow:
        m = uow.outbox.by_key(key)
    assert m is not None, key
    return m


def updates(world: World) -> list[OutboxMessage]:
    with world.uow_factory() as uow:
        return sorted((m for m in uow.outbox.list(limit=1000) if m.kind == "update"), key=lambda m: m.key)


def request(world: World) -> int:
    reply = world.say("assign jane acme-web 10h/week", who="mark@example.com")
    assert reply.ok and reply.subject
    return int(reply.subject.split(":")[1])


def buttons(blocks: list[dict[str, Any]]) -> list[str]:
    return [e.get("value", "") for b in blocks if b.get("type") == "actions" for e in b.get("elements", [])]


def admins_decide_and_dana_is_in_teams(world: World) -> None:
    """Acme has no director: its admins decide, Ada (Slack) and Dana (an admin here, reached in Teams)."""
    with world.uow_factory() as uow:
        acme = uow.clients.get(world.ids["acme"])
        dana = uow.people.get(world.ids["dana"])
        assert acme is not None and dana is not None
        uow.clients.update(replace(acme, director_id=None))
        uow.people.update(replace(dana, role=Role.ADMIN, platform=None))
        uow.commit()


def cards_in_both(world: World, server: TeamsServer, connector: FakeConnector,
                  slack: HistorySlack) -> tuple[int, OutboxMessage, str]:
    """A request whose approval card went to Ada in Slack and to Dana in Teams: (id, Ada's row, Dana's
    Teams activity id)."""
    admins_decide_and_dana_is_in_teams(world)
    assert server.say("approvals", user=DANA).status_code == 200  # Dana talked to Steward in Teams
    connector.clear()
    aid = request(world)
    report = deliver(world, slack, server)
    assert (report.sent, report.failed) == (2, 0)
    [posted] = slack.of("chat.postMessage")
    assert posted.body["channel"] == "DUADA" and buttons(posted.body["blocks"]) == [f"approve A{aid}",
                                                                                   f"reject A{aid}"]
    [card] = connector.messages(conversation_id=personal(DANA))
    assert [a["data"]["command"] for a in valid_card(card.card)["actions"]] == [f"approve A{aid}", f"reject A{aid}"]
    return aid, row(world, f"notify:allocation:{aid}:requested:{world.ids['ada']}"), card.id


def test_approved_in_teams_the_copy_in_slack_is_updated_in_place(
        world: World, server: TeamsServer, connector: FakeConnector, slack: HistorySlack) -> None:
    aid, ada_card, activity_id = cards_in_both(world, server, connector, slack)

    clicked = server.execute({"command": f"approve A{aid}"}, user=DANA, reply_to=activity_id)
    assert "approved" in json.dumps(clicked.json()["value"])

    report = deliver(world, slack, server)
    assert (report.sent, report.updated, report.failed) == (2, 2, 0)  # Mark and Jane told; two cards updated
    [update] = slack.of("chat.update")
    channel, ts = ada_card.platform_ref.split(":")
    assert (update.body["channel"], update.body["ts"]) == (channel, ts)  # the same message, in place
    assert "approved by dana director" in update.body["text"].lower()
    assert buttons(update.body["blocks"]) == [] and "Dana Director" in json.dumps(update.body["blocks"])
    # Dana's own card (the one she clicked) is updated too, with the same decision.
    [teams_update] = connector.of("update", conversation_id=personal(DANA))
    assert teams_update.activity_id == activity_id
    card = valid_card(teams_update.card)
    assert "actions" not in card and "Approved by Dana Director" in teams_update.card_text
    assert len(slack.of("chat.postMessage")) == 3  # nothing was re-sent as a new message
    assert all(m.state is DeliveryState.SENT for m in updates(world))


def test_decided_twice_each_card_is_updated_once(
        world: World, server: TeamsServer, connector: FakeConnector, slack: HistorySlack) -> None:
    aid, _, activity_id = cards_in_both(world, server, connector, slack)
    server.execute({"command": f"approve A{aid}"}, user=DANA, reply_to=activity_id)
    deliver(world, slack, server)
    # A second click in Teams, Ada's click in Slack, a reject afterwards: the decision stands.
    again = server.execute({"command": f"approve A{aid}"}, user=DANA, reply_to=activity_id)
    assert "already" in json.dumps(again.json()["value"]).lower()
    assert "already" in world.say(f"approve A{aid}", who="ada@example.com").summary.lower()
    assert "already" in world.say(f"reject A{aid}", who="ada@example.com").summary.lower()
    assert deliver(world, slack, server).claimed == 0
    assert len(slack.of("chat.update")) == 1 and len(connector.of("update")) == 1
    ids = world.ids
    assert [m.key for m in updates(world)] == [
        f"update:notify:allocation:{aid}:requested:{ids['ada']}:approved",
        f"update:notify:allocation:{aid}:requested:{ids['dana']}:approved",
    ]


def test_a_card_not_sent_yet_is_superseded_not_sent_with_live_buttons(world: World, slack: HistorySlack) -> None:
    aid = request(world)  # Dana's card is queued, not delivered yet
    assert world.say(f"reject A{aid} not now").ok
    card = row(world, f"notify:allocation:{aid}:requested:{world.ids['dana']}")
    assert card.state is DeliveryState.FAILED and card.last_error == "superseded: decided before delivery"

    report = deliver(world, slack)
    assert (report.sent, report.retried, report.failed) == (2, 1, 0)  # the update waits one lease
    report = deliver(world, slack, at=LATER)
    assert (report.updated, report.failed) == (1, 0)
    assert card.key not in slack.posted_keys() and slack.of("chat.update") == []
    [update] = updates(world)
    assert update.state is DeliveryState.SENT and update.platform_ref == ""  # nothing to edit
    assert not any(f"approve A{aid}" in buttons(c.body["blocks"]) for c in slack.of("chat.postMessage"))


def test_a_card_being_sent_as_it_is_decided_is_updated_once_it_is_out(
        world: World, uow_factory: Any, slack: HistorySlack) -> None:
    aid = request(world)
    worker = Deliverer(uow_factory, {Platform.SLACK: SlackSender("xoxb-test", slack.url, timeout=5)})
    [claimed] = worker.claim(NOW)  # a worker has the card and is posting it...
    assert world.say(f"approve A{aid}").ok  # ...while Dana approves (from the shell, say)
    assert asyncio.run(worker.deliver(claimed, NOW)) == "sent"  # ...and the post goes through
    card = row(world, claimed.key)
    assert card.platform_ref

    report = deliver(world, slack)
    assert (report.sent, report.updated, report.failed) == (2, 1, 0)
    [update] = slack.of("chat.update")
    assert f"{update.body['channel']}:{update.body['ts']}" == card.platform_ref
    assert buttons(update.body["blocks"]) == []


def test_acknowledged_every_copy_sent_to_the_director_and_the_admins_is_updated(
        world: World, slack: HistorySlack) -> None:
    world.say("status acme-web red client blocked", who="mark@example.com")
    with world.uow_factory() as uow:
        [esc] = [e for e in uow.escalations.list_open() if e.rule == "status_red"]
    eid, dana, ada = esc.id, world.ids["dana"], world.ids["ada"]
    deliver(world, slack)
    day = NOW + timedelta(hours=24)
    Duties(world.uow_factory).sweep_escalations(day)  # nobody acknowledged: again, with the admins copied
    deliver(world, slack, at=day)
    keys = [f"escalation:{eid}:1:{dana}", f"escalation:{eid}:2:{dana}", f"escalation:{eid}:2:{ada}"]
    sent = {k: row(world, k) for k in keys}
    assert all(m.state is DeliveryState.SENT and m.platform_ref for m in sent.values())

    ack = world.say(f"ack E{eid}", now=day + timedelta(hours=1))
    assert ack.ok
    report = deliver(world, slack, at=day + timedelta(hours=1))
    assert (report.updated, report.failed) == (3, 0)
    edited = {f"{c.body['channel']}:{c.body['ts']}": c.body for c in slack.of("chat.update")}
    assert set(edited) == {m.platform_ref for m in sent.values()}
    for body in edited.values():
        assert "Acknowledged by Dana Director" in json.dumps(body["blocks"])
        assert buttons(body["blocks"]) == ["status acme-web"]  # the Acknowledge button is gone, the rest stays
    # A second acknowledgement (Ada's) changes nothing and updates nothing again.
    assert "Already acknowledged" in world.say(f"ack E{eid}", who="ada@example.com").summary
    assert deliver(world, slack, at=day + timedelta(hours=2)).claimed == 0


def test_a_decision_also_updates_the_escalation_cards_about_the_request(world: World, slack: HistorySlack) -> None:
    # Jane (32h) approved 20h/week on acme-app, then 20h/week requested on acme-web: over her capacity.
    booked = world.say("assign jane acme-app 20h/week", who="mia@example.com")
    assert world.say(f"approve A{(booked.subject or '').split(':')[1]}").ok
    reply = world.say("assign jane acme-web 20h/week", who="mark@example.com")
    aid = int((reply.subject or "").split(":")[1])
    deliver(world, slack)
    day = NOW + timedelta(hours=24)
    Duties(world.uow_factory).sweep_escalations(day)  # the over-capacity escalation, re-sent, admins copied
    deliver(world, slack, at=day)
    with world.uow_factory() as uow:
        copies = [m for m in uow.outbox.with_key_prefix("escalation:")
                  if any(a["command"] == f"approve A{aid}" for a in m.payload.get("actions", ()))]
    assert {m.person_id for m in copies} == {world.ids["dana"], world.ids["ada"]}

    assert world.say(f"reject A{aid} too much", now=day + timedelta(hours=1)).ok
    deliver(world, slack, at=day + timedelta(hours=1))
    edited = {f"{c.body['channel']}:{c.body['ts']}": c.body for c in slack.of("chat.update")}
    card = row(world, f"notify:allocation:{aid}:requested:{world.ids['dana']}")
    assert set(edited) == {card.platform_ref, *(row(world, m.key).platform_ref for m in copies)}
    for body in edited.values():
        assert buttons(body["blocks"]) == [] and "rejected by dana director" in body["text"].lower()


def test_a_scope_change_absorbed_updates_its_card(world: World, slack: HistorySlack) -> None:
    reply = world.say("scope acme-web extra landing page +8h", who="mark@example.com")
    sid = int((reply.subject or "").split(":")[1])
    deliver(world, slack)
    card = row(world, f"notify:scope:{sid}:flagged:{world.ids['dana']}")
    assert card.state is DeliveryState.SENT
    assert world.say(f"absorb S{sid} goodwill").ok
    report = deliver(world, slack)
    assert (report.updated, report.failed) == (1, 0)  # Dana's card updated (and Mark told)
    [update] = slack.of("chat.update")
    assert f"{update.body['channel']}:{update.body['ts']}" == card.platform_ref
    assert buttons(update.body["blocks"]) == [] and "absorbed" in update.body["text"]
