"""People imported from the organisation file who never talked to Steward in Slack are still reached: the
Slack sender looks them up by email (``users.lookupByEmail``), stores their Slack id and sends; an email
Slack does not know fails the row with that reason, visible in ``steward outbox``."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import replace

import pytest

from bot.delivery import Deliverer, outbox_table
from bot.scheduler import Duties
from bot.slack.sender import SlackSender
from domain.model import DeliveryState, Platform
from storage.uow import SqlUnitOfWorkFactory
from tests.handlers.world import NOW, World, seed
from tests.support.slack_history import HistorySlack

WORKSPACE = {"UDANA": "Dana@Example.com", "UMARK": "mark@example.com"}  # nobody else is in the workspace


@pytest.fixture
def world(uow_factory: SqlUnitOfWorkFactory) -> World:
    w = seed(uow_factory)  # nobody has a Slack id yet: the file was imported, nobody typed anything
    with w.uow_factory() as uow:
        for person in uow.people.list():
            uow.people.update(replace(person, platform=None))
        uow.commit()
    return w


@pytest.fixture
def slack() -> Iterator[HistorySlack]:
    fake = HistorySlack(emails=dict(WORKSPACE)).start()
    yield fake
    fake.stop()


def deliver(world: World, slack: HistorySlack) -> None:
    deliverer = Deliverer(world.uow_factory, {Platform.SLACK: SlackSender("xoxb-test", slack.url, timeout=5)})
    asyncio.run(deliverer.drain(NOW))


def test_a_director_with_no_slack_id_gets_the_red_status_escalation(world: World, slack: HistorySlack) -> None:
    assert world.say("status acme-web red the client walked out", who="mark@example.com").ok
    Duties(world.uow_factory).sweep_escalations(NOW)
    with world.uow_factory() as uow:
        queued = [m for m in uow.outbox.list(limit=100) if m.kind == "escalation"
                  and m.person_id == world.ids["dana"]]
    assert queued, "no escalation was queued for the director"
    deliver(world, slack)
    assert [c.body["email"] for c in slack.of("users.lookupByEmail")][:1] == ["dana@example.com"]
    posts = [c for c in slack.of("chat.postMessage") if c.body["channel"] == "DUDANA"]
    assert posts and "acme-web" in str(posts[0].body["blocks"]).lower() + posts[0].body["text"].lower()
    with world.uow_factory() as uow:
        dana = uow.people.get(world.ids["dana"])
        assert dana is not None and dana.slack_id == "UDANA"  # stored: no second look-up
        assert all(m.state is DeliveryState.SENT for m in uow.outbox.list(limit=100)
                   if m.person_id == world.ids["dana"])
    slack.clear()
    assert world.say("status acme-app red still over", who="mia@example.com").ok
    Duties(world.uow_factory).sweep_escalations(NOW)
    deliver(world, slack)
    assert [c for c in slack.of("chat.postMessage") if c.body["channel"] == "DUDANA"]
    assert not [c for c in slack.of("users.lookupByEmail") if c.body["email"] == "dana@example.com"]


def test_an_email_slack_does_not_know_fails_the_row_with_the_reason(world: World, slack: HistorySlack) -> None:
    # Drew (globex's director) is not in the workspace.
    assert world.say("status globex-brand red stuck", who="mia@example.com").ok
    Duties(world.uow_factory).sweep_escalations(NOW)
    deliver(world, slack)
    with world.uow_factory() as uow:
        drew = [m for m in uow.outbox.list(limit=100) if m.person_id == world.ids["drew"]]
        table = outbox_table(uow.outbox.list([DeliveryState.FAILED]))
    assert drew and all(m.state is DeliveryState.FAILED for m in drew)
    assert all("Slack knows no user with the email drew@example.com" in m.last_error for m in drew)
    assert "Slack knows no user with the email drew@example.com (users.lookupByEmail: users_not_found)" in table
    assert not [c for c in slack.of("chat.postMessage") if c.body["channel"] == "DUDREW"]


def test_the_admins_next_digest_lists_the_people_steward_cannot_reach(world: World, slack: HistorySlack) -> None:
    assert world.say("status globex-brand red stuck", who="mia@example.com").ok
    Duties(world.uow_factory).sweep_escalations(NOW)
    deliver(world, slack)
    digest = world.say("digest now", who="ada@example.com")
    [section] = [s for s in digest.sections if s.title == "People Steward cannot reach"]
    assert len(section.lines) == 1 and section.lines[0].startswith("Drew Director (drew@example.com): ")
    assert "Slack knows no user" in section.lines[0]
    dana_digest = world.say("digest now", who="dana@example.com")  # not an admin: not hers to fix
    assert all(s.title != "People Steward cannot reach" for s in dana_digest.sections)
