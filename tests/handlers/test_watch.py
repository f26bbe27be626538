"""The scope-creep watch: a new ask in a project's channel reaches the project's manager once, with a
button that flags it; ordinary lines and the deciders' own lines reach nobody."""

from __future__ import annotations

import pytest

from bot.clock import FixedClock
from domain.model import DeliveryState, ScopeState
from handlers.reply import Reply
from handlers.watch import watch_message
from tests.handlers.world import World, seed


@pytest.fixture
def world(uow_factory) -> World:  # type: ignore[no-untyped-def]
    return seed(uow_factory)


def watch(world: World, text: str, ts: str = "1700000000.000100", **kw: str) -> list[str]:
    return watch_message(world.uow_factory, FixedClock(world.now), channel=kw.pop("channel", "C0ACMEWEB"), text=text,
                         author_slack_id=kw.pop("user", "UCLIENT"), message_ts=ts,
                         permalink="https://fake.slack.com/archives/C0ACMEWEB/p1700000000000100", **kw)


def nudges(world: World) -> list[tuple[int | None, Reply]]:
    with world.uow_factory() as uow:
        return [(m.person_id, Reply.from_dict(m.payload)) for m in uow.outbox.list([DeliveryState.PENDING])
                if m.key.startswith("watch:")]


def test_a_new_ask_in_the_projects_channel_reaches_its_manager_once(world: World) -> None:
    queued = watch(world, "Great work! Can you also add a careers page?")
    assert queued == ["watch:C0ACMEWEB:1700000000.000100:acme-web"]
    assert watch(world, "Great work! Can you also add a careers page?") == []  # a retried event
    [(person, reply)] = nudges(world)
    assert person == world.ids["mark"]
    assert reply.title == "Possible scope creep on Website Relaunch"
    assert "“Great work! Can you also add a careers page?”" in reply.summary
    assert "https://fake.slack.com/archives/" in reply.summary
    assert reply.actions[0].command == "scope acme-web Great work! Can you also add a careers page?"


def test_the_button_flags_the_scope_change_for_the_director(world: World) -> None:
    watch(world, "could you also do the +2 landing pages")
    [(_, reply)] = nudges(world)
    flagged = world.say(reply.actions[0].command, who="mark@example.com")
    assert flagged.ok, flagged.summary
    with world.uow_factory() as uow:
        [change] = uow.scope.list([world.ids["acme-web"]], [ScopeState.FLAGGED])
    assert change.description == "could you also do the landing pages"


def test_ordinary_lines_other_channels_and_the_deciders_own_words_reach_nobody(world: World) -> None:
    assert watch(world, "Homepage looks great, thanks") == []
    assert watch(world, "Can you also add a blog?", channel="CRANDOM") == []  # no project there
    assert watch(world, "Can you also add a blog?", ts="2", user="", author_email="mark@example.com") == []
    assert watch(world, "Can you also add a blog?", ts="3", user="", author_email="dana@example.com") == []
    assert nudges(world) == []
