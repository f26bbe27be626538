"""Approvals across platforms, end to end, in one ``steward serve`` application (Slack and Teams routes as
``bot.server.route_adders_for`` mounts them), with the real outbox deliverer and both real senders:

a manager requests an allocation with a Slack slash command; the director, who talked to Steward in Teams
before, gets the approval card through the fake Bot Framework connector; her ``adaptiveCard/action``
invoke approves it and answers with the updated card; the manager is told in Slack (fake Web API) and the
person allocated in Teams; a second approve changes nothing.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

import pytest
from slack_sdk.signature import SignatureVerifier

from bot.delivery import Deliverer, DeliveryReport
from bot.server import route_adders_for
from bot.settings import Settings
from bot.slack.sender import SlackSender
from bot.teams.sender import build_sender
from domain.model import AllocationState, DeliveryState, Platform
from tests.handlers.world import NOW, World
from tests.support.fake_connector import FakeConnector
from tests.support.fake_slack import FakeSlack
from tests.teams.conftest import DANA, JANE, TeamsServer, make_server, personal, valid_card

SECRET = "test-signing-secret"
SLACK_USERS = {"UMARK": "mark@example.com", "UDANA": "dana@example.com"}


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    fake = FakeSlack(emails=dict(SLACK_USERS)).start()
    yield fake
    fake.stop()


@pytest.fixture
def both(world: World, connector: FakeConnector, slack: FakeSlack) -> Iterator[TeamsServer]:
    # Dana and Jane have no preferred platform: they are reached where they last talked to Steward.
    with world.uow_factory() as uow:
        for key in ("dana", "jane"):
            person = uow.people.get(world.ids[key])
            assert person is not None
            uow.people.update(replace(person, platform=None))
        uow.commit()
    settings = Settings(database_url=world.database_url, slack_bot_token="xoxb-test",  # type: ignore[attr-defined]
                        slack_signing_secret=SECRET, slack_api_url=slack.url)
    adders = route_adders_for(settings)  # what `steward serve` mounts: Slack over HTTP, and Teams
    assert len(adders) == 2
    srv, thread = make_server(world, connector, settings, adders)
    yield srv
    srv.loop.call_soon_threadsafe(srv.loop.stop)
    thread.join(10)


def slash(server: TeamsServer, slack: FakeSlack, command: str, text: str, user: str = "UMARK") -> None:
    form = {"token": "x", "team_id": "T1", "team_domain": "fake", "channel_id": "C0ACMEWEB",
            "channel_name": "acme-web", "user_id": user, "user_name": user.lower(), "command": command,
            "text": text, "api_app_id": "A1", "response_url": slack.response_url("assign"),
            "trigger_id": f"trigger.{time.monotonic_ns()}"}
    body = urlencode(form)
    ts = str(int(time.time()))
    signature = SignatureVerifier(SECRET).generate_signature(timestamp=ts, body=body)
    import requests

    answer = requests.post(f"{server.url}/slack/events", data=body.encode(), timeout=10, headers={
        "Content-Type": "application/x-www-form-urlencoded", "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": signature})
    assert answer.status_code == 200


def deliver(server: TeamsServer, slack: FakeSlack) -> DeliveryReport:
    """One pass of the real outbox deliverer with both real senders, as the scheduler runs it."""

    async def go() -> DeliveryReport:
        senders = {Platform.SLACK: SlackSender("xoxb-test", slack.url, timeout=5),
                   Platform.TEAMS: build_sender(server.steward)}
        return await Deliverer(server.world.uow_factory, senders).drain(NOW)

    return asyncio.run(go())


def actions_of(card: dict[str, Any]) -> list[dict[str, Any]]:
    return list(card.get("actions", []))


def test_an_allocation_requested_in_slack_is_approved_in_teams(both: TeamsServer, connector: FakeConnector,
                                                               slack: FakeSlack) -> None:
    server = both
    # Dana and Jane talked to Steward in Teams before: that is where they are reachable.
    assert server.say("approvals", user=DANA).status_code == 200
    assert server.say("help", user=JANE).status_code == 200
    connector.clear()

    # Mark, in Slack: /assign jane acme-web 10h/week
    slash(server, slack, "/assign", "jane acme-web 10h/week")
    [answer] = slack.wait_for("response_url")
    assert "requested" in answer.body["text"].lower()
    with server.world.uow_factory() as uow:
        [allocation] = uow.allocations.list(states=[AllocationState.REQUESTED])
    aid = allocation.id

    # The deliverer sends Dana the approval card in her Teams personal chat.
    report = deliver(server, slack)
    assert report.sent >= 1 and report.failed == 0
    [approval] = connector.messages(conversation_id=personal(DANA))
    card = valid_card(approval.card)
    text = approval.card_text
    for expected in ("Jane Designer", "Website Relaunch", "10h", "Mark Manager", "capacity"):
        assert expected in text, expected
    approve, reject = actions_of(card)
    assert (approve["type"], approve["verb"], approve["data"]["command"]) == ("Action.Execute", "steward",
                                                                            f"approve A{aid}")
    assert reject["data"]["command"] == f"reject A{aid}" and approve["fallback"]["type"] == "Action.Submit"
    assert any(b["type"] == "Input.Text" and b["id"] == approve["data"]["input"] for b in card["body"])

    # Dana clicks Approve (with a comment): the invoke answers with the updated card.
    data = {**approve["data"], approve["data"]["input"]: "go ahead"}
    clicked = server.execute(data, user=DANA, reply_to=approval.id)
    assert clicked.status_code == 200
    body = clicked.json()
    assert body["type"] == "application/vnd.microsoft.card.adaptive"
    updated = valid_card(body["value"])
    updated_text = json.dumps(updated, ensure_ascii=False)
    assert "approved" in updated_text and "Dana Director" in updated_text and "go ahead" in updated_text
    assert "actions" not in updated
    with server.world.uow_factory() as uow:
        assert uow.allocations.get(aid).state is AllocationState.APPROVED  # type: ignore[union-attr,arg-type]

    # Mark is told in Slack, Jane in Teams.
    report = deliver(server, slack)
    assert report.failed == 0 and report.sent == 2
    [dm] = slack.wait_for("chat.postMessage")
    assert dm.body["channel"] == "DUMARK" and "approved" in dm.body["text"].lower()
    [told] = connector.messages(conversation_id=personal(JANE))
    assert "approved" in told.card_text

    # A second approve (another click, a replay) changes nothing and notifies nobody.
    again = server.execute({"command": f"approve A{aid}"}, user=DANA)
    assert "already" in json.dumps(again.json()["value"]).lower()
    assert deliver(server, slack).claimed == 0
    assert len(slack.of("chat.postMessage")) == 1
    with server.world.uow_factory() as uow:
        events = [e.action for e in uow.audit.list(subject=f"allocation:{aid}")]
        sent = uow.outbox.list(states=[DeliveryState.SENT])
    assert events.count("allocation.approved") == 1
    assert {m.key for m in sent} >= {f"notify:allocation:{aid}:requested:{server.world.ids['dana']}",
                                     f"notify:allocation:{aid}:approved:{server.world.ids['mark']}",
                                     f"notify:allocation:{aid}:approved:{server.world.ids['jane']}"}


def test_a_scope_change_flagged_in_slack_is_decided_in_teams(both: TeamsServer, connector: FakeConnector,
                                                             slack: FakeSlack) -> None:
    server = both
    assert server.say("approvals", user=DANA).status_code == 200
    connector.clear()
    slash(server, slack, "/scope", "acme-web extra landing page +8h")
    slack.wait_for("response_url")
    deliver(server, slack)
    [card_message] = connector.messages(conversation_id=personal(DANA))
    card = valid_card(card_message.card)
    commands = [a["data"]["command"].split()[0] for a in actions_of(card)]
    assert "approve" in commands and "reject" in commands
    reject = next(a for a in actions_of(card) if a["data"]["command"].startswith("reject"))
    clicked = server.execute({**reject["data"], reject["data"]["input"]: "not in this phase"}, user=DANA)
    assert "rejected" in json.dumps(clicked.json()["value"])
    deliver(server, slack)
    [dm] = slack.wait_for("chat.postMessage")
    assert "rejected" in dm.body["text"].lower()


def test_an_escalation_is_acknowledged_in_teams_once(both: TeamsServer, connector: FakeConnector,
                                                     slack: FakeSlack) -> None:
    server = both
    assert server.say("approvals", user=DANA).status_code == 200
    connector.clear()
    server.world.say("status acme-web red client blocked", who="mark@example.com")
    deliver(server, slack)
    [escalation] = connector.messages(conversation_id=personal(DANA))
    card = valid_card(escalation.card)
    assert card["body"][0]["style"] == "attention"  # red
    ack = next(a for a in actions_of(card) if a["title"] == "Acknowledge")
    assert ack["data"]["command"].startswith("ack E")
    clicked = server.execute(ack["data"], user=DANA)
    updated = valid_card(clicked.json()["value"])
    text = json.dumps(updated, ensure_ascii=False)
    assert "Acknowledged" in text and "Dana Director" in text
    assert [a["data"]["command"] for a in actions_of(updated)] == ["status acme-web"]  # still there
    again = server.execute(ack["data"], user=DANA)
    assert "Already acknowledged by Dana Director" in json.dumps(again.json()["value"], ensure_ascii=False)
