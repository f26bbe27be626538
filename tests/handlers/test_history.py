"""``history``: who changed what, when (organisation timezone), from where, old → new for imports."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import yaml

from bot.clock import FixedClock
from domain.importing import apply_org, parse_org
from domain.model import Source
from handlers.context import Caller, Context
from handlers.dispatch import handle
from handlers.reply import Reply
from storage.uow import SqlUnitOfWorkFactory
from tests.handlers.world import NOW, World, seed

ORG = """
clients:
  - name: Acme Corp
    key: acme
    aliases: [acme corporation]
    director: dana@example.com
    projects:
      - {name: Website Relaunch, key: acme-web, budget: 12500, budget_hours: 100,
         start: 2026-11-01, end: 2026-11-30, manager: mark@example.com, channel: C0ACMEWEB}
"""


def say(world: World, line: str, who: str, source: Source, at: datetime = NOW) -> Reply:
    return handle(Context(world.uow_factory, FixedClock(at), Caller(email=who), source=source), line)


def lines(reply: Reply) -> list[str]:
    return [line for s in reply.sections for line in s.lines]


def test_history_shows_an_hours_entry_a_decision_and_an_import_change_with_actor_and_source(
        uow_factory: SqlUnitOfWorkFactory) -> None:
    world = seed(uow_factory)
    tz = ZoneInfo("America/New_York")
    assert say(world, "hours acme-web 2.5 design review", "jane@example.com", Source.SLACK,
               datetime(2026, 11, 13, 9, 5, tzinfo=tz)).ok
    assert say(world, "scope acme-web extra landing page +10h", "mark@example.com", Source.SHELL,
               datetime(2026, 11, 13, 10, 0, tzinfo=tz)).ok
    approved = say(world, "approve S1 change order", "dana@example.com", Source.TEAMS,
                   datetime(2026, 11, 13, 11, 30, tzinfo=tz))
    assert approved.ok, approved.summary
    with uow_factory() as uow:
        summary = apply_org(uow, parse_org(yaml.safe_load(ORG)), None, datetime(2026, 11, 14, 17, 0, tzinfo=tz))
        uow.commit()
    assert summary.updated["projects"] == 1

    reply = say(world, "history acme-web", "dana@example.com", Source.SHELL)
    assert reply.ok, reply.summary
    newest, approval, flagged, hours = lines(reply)[:4]
    assert newest == ("14 Nov 2026 17:00 · the organisation file via import · project updated: "
                      "budget: 10000 → 12500")
    assert approval.startswith("13 Nov 2026 11:30 · Dana Director via Teams · scope approved (S1)")
    assert flagged.startswith("13 Nov 2026 10:00 · Mark Manager via the shell · scope flagged (S1)")
    assert hours.startswith("13 Nov 2026 09:05 · Jane Designer via Slack · hours logged: 2.5h on 2026-11-13")
    assert "times in America/New_York" in reply.summary


def test_history_follows_the_budget_permission_and_a_person_sees_their_own(uow_factory: SqlUnitOfWorkFactory) -> None:
    world = seed(uow_factory)
    assert say(world, "hours acme-web 2", "jane@example.com", Source.SLACK).ok
    refused = say(world, "history acme-web", "jane@example.com", Source.SLACK)
    assert not refused.ok and "Dana Director" in refused.summary  # says who can
    own = say(world, "history jane@example.com", "jane@example.com", Source.SLACK)
    assert own.ok and any("Jane Designer via Slack · hours logged (acme-web): 2h on" in line for line in lines(own))
    assert not say(world, "history jane", "mark@example.com", Source.SHELL).ok
    assert say(world, "history jane", "fred@example.com", Source.SHELL).ok  # finance
    client = say(world, "history acme 5", "dana@example.com", Source.SHELL)
    assert client.ok and len(lines(client)) == 1


def test_history_of_something_unknown_or_a_bad_count_says_what_to_type(uow_factory: SqlUnitOfWorkFactory) -> None:
    world = seed(uow_factory)
    unknown = say(world, "history nothing-like-it", "dana@example.com", Source.SHELL)
    assert not unknown.ok and "history acme-web" in (unknown.summary + str(unknown.to_dict()))
    too_many = say(world, "history acme-web 500", "dana@example.com", Source.SHELL)
    assert not too_many.ok and "1 to 50" in too_many.summary


def test_fifty_changes_render_whole_on_slack_and_as_a_valid_teams_card(uow_factory: SqlUnitOfWorkFactory) -> None:
    import json
    import re

    from bot.slack.blocks import render_blocks
    from bot.teams.cards import render as card_render
    from tests.teams.conftest import card_errors

    world = seed(uow_factory)
    for n in range(55):
        assert say(world, f"status acme-web amber waiting on assets from the client, round {n}", "mark@example.com",
                   Source.SLACK).ok
    reply = say(world, "history acme-web 50", "dana@example.com", Source.SHELL)
    assert len(lines(reply)) == 50 and reply.summary.startswith("The latest 50")
    text = json.dumps([b.to_dict() for b in render_blocks(reply)], ensure_ascii=False)
    shown = {int(n) for n in re.findall(r"round (\d+)", text)}
    assert shown == set(range(5, 55)) and "…and" not in text  # the newest fifty, none cut
    assert card_errors(card_render(reply)) == []
