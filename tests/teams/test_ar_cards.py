"""Money owed on Teams: an overdue invoice's Promise and Dispute buttons carry a date / reason typed on the
card (Adaptive Cards have no modal here), and the line they run includes it."""

from __future__ import annotations

from bot.teams.cards import command_from_data, render
from handlers.reply import Action, Reply, Section
from tests.teams.conftest import valid_card


def card() -> dict:  # type: ignore[type-arg]
    return valid_card(render(Reply(title="Acme Corp — receivables", sections=(Section(
        title="A-8 · 90 days overdue", lines=("$1,000 owed",),
        actions=(Action("Chase", "chase A-8", "primary"), Action("Promise", "promise A-8"),
                 Action("Dispute", "dispute A-8", "danger"))),))))


def test_promise_and_dispute_get_a_date_and_a_reason_input_on_the_card() -> None:
    items = card()["body"][-1]["items"]
    inputs = {i["id"]: i for i in items if i["type"].startswith("Input.")}
    assert inputs["promise-a-8"]["type"] == "Input.Date"
    assert inputs["dispute-a-8"]["type"] == "Input.Text"
    buttons = {a["title"]: a["data"] for a in items[-1]["actions"]}
    assert buttons["Promise"]["input"] == "promise-a-8" and "input" not in buttons["Chase"]


def test_the_typed_date_or_reason_completes_the_line() -> None:
    assert command_from_data({"command": "promise A-8", "input": "promise-a-8", "promise-a-8": "2026-11-27"}) \
        == "promise A-8 2026-11-27"
    assert command_from_data({"command": "dispute A-8", "input": "dispute-a-8", "dispute-a-8": "hours  not agreed"}) \
        == "dispute A-8 hours not agreed"
    assert command_from_data({"command": "chase A-8", "comment": "ignored"}) == "chase A-8"
    assert command_from_data({"command": "promise A-8", "input": "promise-a-8"}) == "promise A-8"  # asks when
