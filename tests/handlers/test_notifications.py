"""Approvals reach the decider, and outcomes reach the requester, through the outbox — once."""

from __future__ import annotations

import pytest

from domain.model import DeliveryState, Platform
from handlers.reply import Reply
from tests.handlers.world import World, seed


@pytest.fixture
def world(uow_factory) -> World:  # type: ignore[no-untyped-def]
    return seed(uow_factory)


def queued(world: World) -> dict[str, tuple[int | None, Platform | None, Reply]]:
    with world.uow_factory() as uow:
        return {m.key: (m.person_id, m.platform, Reply.from_dict(m.payload))
                for m in uow.outbox.list([DeliveryState.PENDING])}


def test_an_allocation_request_sends_the_director_an_approval_card(world: World) -> None:
    aid = world.say("assign jane acme-web 10h/week", who="mark@example.com").subject.split(":")[1]  # type: ignore[union-attr]
    messages = queued(world)
    key = f"notify:allocation:{aid}:requested:{world.ids['dana']}"
    assert list(messages) == [key]
    person, platform, card = messages[key]
    assert person == world.ids["dana"] and platform is Platform.SLACK
    assert card.title == f"Approve Jane Designer on Website Relaunch? (A{aid})"
    assert [a.command for a in card.actions] == [f"approve A{aid}", f"reject A{aid}"]


def test_the_decision_is_told_to_the_requester_and_the_person_once(world: World) -> None:
    aid = world.say("assign jane acme-web 10h/week", who="mark@example.com").subject.split(":")[1]  # type: ignore[union-attr]
    world.say(f"approve A{aid} welcome aboard")
    world.say(f"approve A{aid}")  # a second click changes nothing and tells nobody again
    messages = queued(world)
    told = {k: v for k, v in messages.items() if ":approved:" in k}
    assert sorted(p for p, _, _ in told.values()) == sorted([world.ids["mark"], world.ids["jane"]])
    for _, _, reply in told.values():
        assert reply.title == f"Allocation A{aid} approved" and reply.actions == ()


def test_the_person_who_asks_is_not_notified_of_their_own_request(world: World) -> None:
    world.say("assign jane acme-web 10h/week", who="dana@example.com")
    assert queued(world) == {}


def test_scope_creep_goes_to_the_director_and_the_decision_back_to_who_flagged_it(world: World) -> None:
    sid = world.say("scope acme-web extra page +8h", who="mark@example.com").subject.split(":")[1]  # type: ignore[union-attr]
    assert list(queued(world)) == [f"notify:scope:{sid}:flagged:{world.ids['dana']}"]
    world.say(f"absorb S{sid} goodwill")
    person, _, reply = queued(world)[f"notify:scope:{sid}:absorbed:{world.ids['mark']}"]
    assert person == world.ids["mark"] and reply.title == f"Scope change S{sid} absorbed"


def test_a_refused_request_queues_nothing(world: World) -> None:
    world.say("assign mark acme-web 10h/week", who="jane@example.com")
    assert queued(world) == {}


def test_talking_to_steward_records_the_platform(world: World) -> None:
    from dataclasses import replace

    from bot.clock import FixedClock
    from domain.model import Source
    from handlers.context import Caller, Context
    from handlers.dispatch import handle

    ctx = Context(world.uow_factory, FixedClock(world.now), Caller(email="fred@example.com", teams_id="aad-fred"),
                  Source.TEAMS, Platform.TEAMS)
    assert handle(ctx, "approvals").ok
    with world.uow_factory() as uow:
        fred = uow.people.by_email("fred@example.com")
        assert fred is not None
        uow.people.update(replace(fred, platform=None))
        uow.commit()
    with world.uow_factory() as uow:
        fred = uow.people.by_teams_id("aad-fred")
    assert fred is not None and fred.last_platform is Platform.TEAMS and fred.reachable_on is Platform.TEAMS


def test_a_reply_survives_the_outbox_round_trip() -> None:
    from handlers.reply import Action, Fact, Section, Severity, Tone

    reply = Reply("T", "s", (Fact("a", "1", Tone.RED),), (Section("x", ("l",), (Fact("b", "2"),),
                  (Action("Go", "approve A1", "primary", "Sure?"),), Tone.AMBER),),
                  (Action("Budget", "budget acme"),), Severity.WARNING, Tone.GREEN, "f", "allocation:1")
    import json

    assert Reply.from_dict(json.loads(json.dumps(reply.to_dict()))) == reply


def prefer_teams(world: World, name: str, slack_id: str | None) -> None:
    from dataclasses import replace

    with world.uow_factory() as uow:
        person = uow.people.get(world.ids[name])
        assert person is not None
        uow.people.update(replace(person, platform=Platform.TEAMS, slack_id=slack_id))
        uow.commit()


def open_teams_chat(world: World, name: str) -> None:
    from domain.model import ConversationRef

    with world.uow_factory() as uow:
        uow.conversations.save(ConversationRef(None, Platform.TEAMS, f"a:personal-{name}", {"conversation": {}},
                                               world.now, world.ids[name], True))
        uow.commit()


def test_a_director_who_prefers_teams_but_never_opened_it_gets_the_card_on_slack(world: World) -> None:
    prefer_teams(world, "dana", slack_id="UDANA")
    world.say("assign jane acme-web 10h/week", who="mark@example.com")
    [(person, platform, _)] = queued(world).values()
    assert person == world.ids["dana"] and platform is Platform.SLACK


def test_once_the_director_has_a_teams_chat_the_card_goes_to_teams(world: World) -> None:
    prefer_teams(world, "dana", slack_id="UDANA")
    open_teams_chat(world, "dana")
    world.say("assign jane acme-web 10h/week", who="mark@example.com")
    [(_, platform, _)] = queued(world).values()
    assert platform is Platform.TEAMS


def test_reachable_nowhere_the_card_still_goes_to_the_preferred_platform_and_fails_visibly(world: World) -> None:
    prefer_teams(world, "dana", slack_id=None)
    world.say("assign jane acme-web 10h/week", who="mark@example.com")
    [(_, platform, _)] = queued(world).values()
    assert platform is Platform.TEAMS


def test_someone_switched_off_is_not_sent_the_outcome(world: World) -> None:
    from dataclasses import replace

    aid = world.say("assign jane acme-web 10h/week", who="mark@example.com").subject.split(":")[1]  # type: ignore[union-attr]
    with world.uow_factory() as uow:
        jane = uow.people.get(world.ids["jane"])
        assert jane is not None
        uow.people.update(replace(jane, active=False))
        uow.commit()
    world.say(f"approve A{aid}")
    told = {p for k, (p, _, _) in queued(world).items() if ":approved:" in k}
    assert told == {world.ids["mark"]}
