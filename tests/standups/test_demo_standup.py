"""The demo's stand-up in acme-web's channel: participants in two timezones, one on holiday, one blocked."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.clock import FixedClock
from handlers.demo import load_demo
from storage.uow import SqlUnitOfWorkFactory
from tests.handlers.world import World

NOW = datetime(2026, 11, 17, 14, 0, tzinfo=ZoneInfo("America/New_York"))  # a Tuesday


def test_the_demo_channel_has_a_standup_in_two_timezones_with_one_away_and_one_blocked(
        uow_factory: SqlUnitOfWorkFactory) -> None:
    assert load_demo(uow_factory, FixedClock(NOW)).ok
    world = World(uow_factory, {}, NOW)
    reply = world.say("standup", who="mark@example.com", channel="C0ACMEWEB")
    assert reply.ok, reply.summary
    lines = {s.title: s.lines for s in reply.sections}
    participants = "\n".join(lines["Participants today"])
    assert "Jane Designer — asked 09:30 Europe/London — answered" in participants
    assert "Mark Manager — asked 09:30 America/New_York — no answer yet" in participants
    assert "Tom Berg — away (time off: on holiday in Lisbon)" in participants
    assert lines["Jane Designer"][2] == "Blocked: waiting on the client's brand assets for acme-web"
    with uow_factory() as uow:
        assert [b.text for b in uow.standups.open_blockers()] == ["waiting on the client's brand assets for acme-web"]
