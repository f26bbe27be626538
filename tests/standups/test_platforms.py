"""Answering on every platform: the Teams card's three fields and Execute button (valid Adaptive Card 1.5),
the Slack modal pre-filled from yesterday's hours, both turned into the same ``standup did …`` line."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from bot.slack.standup import answer_modal, line_from
from bot.teams.cards import command_from_data, render
from domain.model import Source, TimeEntry
from handlers.reply import Reply
from tests.handlers.world import World
from tests.standups.conftest import NY
from tests.teams.conftest import valid_card

MONDAY_0930 = datetime(2026, 11, 16, 9, 30, tzinfo=NY)


def question(world: World) -> Reply:
    with world.uow_factory() as uow:  # Mia logged 2.5 h on acme-web on Friday
        uow.entries.add(TimeEntry(None, world.ids["mia"], world.ids["acme-web"], date(2026, 11, 13), Decimal("2.5"),
                                  Decimal("150"), Decimal("70"), "sprint planning", Source.SHELL))
        uow.commit()
    reply = world.say("standup answer", who="mia@example.com", now=MONDAY_0930)
    assert reply.ok, reply.summary
    return reply


def test_the_teams_card_has_three_fields_prefilled_and_an_execute_submit(world: World) -> None:
    card = render(question(world))
    assert valid_card(card)
    inputs = [e for e in card["body"] if e.get("type") == "Input.Text"]
    assert [i["id"] for i in inputs] == ["standup_did", "standup_doing", "standup_blocked"]
    assert inputs[0]["value"] == "acme-web 2.5h: sprint planning"
    (submit,) = [a for a in card["actions"] if a["data"].get("form") == "standup"]
    assert submit["type"] == "Action.Execute"
    line = command_from_data({**submit["data"], "standup_did": "planning; review", "standup_doing": "build",
                              "standup_blocked": ""})
    assert line == "standup did planning, review; doing build; blocked nothing"
    assert world.say(line, who="mia@example.com", now=MONDAY_0930 + timedelta(minutes=5)).ok


def test_the_slack_modal_is_prefilled_and_its_submission_is_the_same_line(world: World) -> None:
    form = question(world).extra["standup_form"]
    view = answer_modal(form).to_dict()
    assert [b["block_id"] for b in view["blocks"]] == ["did", "doing", "blocked"]
    assert view["blocks"][0]["element"]["initial_value"] == "acme-web 2.5h: sprint planning"
    values = {"did": {"value": {"value": "wireframes +2h acme-web"}}, "doing": {"value": {"value": "checkout"}},
              "blocked": {"value": {"value": "waiting on assets"}}}
    assert line_from(values) == "standup did wireframes +2h acme-web; doing checkout; blocked waiting on assets"


def test_the_report_and_a_late_answer_render_as_valid_cards(world: World) -> None:
    from bot.scheduler import Duties
    from tests.standups.conftest import steps

    d = Duties(world.uow_factory)
    assert world.say("standup did a; doing b; blocked need access to acme-web staging", who="jane@example.com",
                     now=MONDAY_0930).ok
    for t in steps(MONDAY_0930, MONDAY_0930 + timedelta(hours=2, minutes=5)):
        d.queue_standups(t)
    with world.uow_factory() as uow:
        messages = uow.outbox.with_key_prefix("standup:")
    assert any(m.key.startswith("standup:report:") for m in messages)
    for m in messages:
        assert valid_card(render(Reply.from_dict(m.payload))), m.key
