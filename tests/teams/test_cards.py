"""The Adaptive Card renderer: every reply Steward gives renders to a card that passes the 1.5 schema,
within Teams' size limit, with the command lines intact."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.teams.cards import (
    MAX_CARD_BYTES,
    command_from_data,
    render,
    welcome_card,
)
from handlers.reply import Action, Fact, Reply, Section, Severity, Tone
from storage.uow import build_uow_factory, ensure_schema
from tests.handlers.world import World, seed
from tests.teams.conftest import valid_card

LINES = [
    "help", "help assign", "budget acme", "budget acme-web", "budget nope", "status acme-web",
    "status acme-web amber waiting on assets", "hours acme-web 2 yesterday review", "scope acme-web",
    "scope acme-web extra landing page +8h", "assign jane acme-web 30h/week", "approvals", "escalations",
    "projects", "digest", "digest at 9:00 weekdays", "approve A999", "reject", "ack E1", "frobnicate",
]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    path: Path = tmp_path_factory.mktemp("cards") / "steward.db"
    url = f"sqlite:///{path}"
    ensure_schema(url)
    return seed(build_uow_factory(url))


@pytest.mark.parametrize("line", LINES)
def test_every_reply_renders_a_valid_card(world: World, line: str) -> None:
    for who in ("dana@example.com", "mark@example.com", "jane@example.com", "nobody@example.com"):
        reply = world.say(line, who=who, channel="19:acmeweb@thread.tacv2")
        card = valid_card(render(reply))
        assert len(json.dumps(card).encode()) <= MAX_CARD_BYTES
        assert card["fallbackText"]


def test_the_welcome_cards_are_valid() -> None:
    valid_card(welcome_card(True))
    assert "@Steward" in json.dumps(valid_card(welcome_card(False)))


def test_a_huge_reply_is_cut_to_fit_and_says_so() -> None:
    sections = tuple(Section(title=f"Project {i}", lines=tuple(f"line {j} " * 20 for j in range(40)),
                             facts=(Fact("Burned", "$1", Tone.RED),), tone=Tone.AMBER,
                             actions=(Action("Approve", f"approve A{i}", "primary"),))
                     for i in range(300))
    card = valid_card(render(Reply(title="Everything", summary="x" * 5000, sections=sections)))
    text = json.dumps(card)
    assert len(text.encode()) <= MAX_CARD_BYTES
    assert "more items not shown here" in text


def test_rag_is_colour_and_words() -> None:
    card = valid_card(render(Reply(title="acme-app", tone=Tone.RED, facts=(Fact("RAG", "Red", Tone.RED),
                                                                           Fact("Burned", "$4,200", Tone.AMBER)),
                                   sections=(Section(title="Watch", lines=("over budget",), tone=Tone.GREEN),))))
    assert card["body"][0]["style"] == "attention"
    assert card["body"][0]["items"][1]["color"] == "Attention" and "Red" in card["body"][0]["items"][1]["text"]
    facts = next(b for b in card["body"] if b["type"] == "FactSet")["facts"]
    assert facts[0]["value"] == "🔴 Red" and facts[1]["value"] == "🟠 $4,200"  # a mark: the word is said once
    section = next(b for b in card["body"] if b["type"] == "Container" and b.get("separator"))
    assert section["style"] == "good"


def test_errors_are_attention_cards() -> None:
    card = valid_card(render(Reply(title="That didn't work", summary="bad", severity=Severity.ERROR, tone=Tone.RED)))
    assert card["body"][0]["style"] == "attention"
    assert card["fallbackText"].startswith("Error: ")


def test_decision_buttons_carry_a_comment_field() -> None:
    reply = Reply(title="A1", actions=(Action("Approve", "approve A1", "primary"),
                                       Action("Reject", "reject A1", "danger", confirm="Sure?"),
                                       Action("Budget", "budget acme-web")))
    card = valid_card(render(reply))
    approve, reject, budget = card["actions"]
    assert approve["style"] == "positive" and reject["style"] == "destructive" and "style" not in budget
    assert approve["data"]["input"] == reject["data"]["input"] == "comment-a1"
    [field] = [b for b in card["body"] if b["type"] == "Input.Text"]
    assert field["id"] == "comment-a1"
    assert "input" not in budget["data"]


@pytest.mark.parametrize(("data", "line"), [
    ({"command": "approve A1"}, "approve A1"),
    ({"command": "approve A1", "input": "comment-a1", "comment-a1": "  ok  for now "}, "approve A1 ok for now"),
    ({"command": "reject S2", "comment": "no budget"}, "reject S2 no budget"),
    ({"command": "approve A1 already noted", "comment": "extra"}, "approve A1 already noted"),
    ({"command": "budget acme", "comment": "approve A1"}, "budget acme"),
    ({"command": "approve A1", "input": "comment-a1", "comment-a1": ""}, "approve A1"),
    ({"command": ""}, ""),
    ({}, ""),
    ("approve A1", ""),
    ({"command": 12}, "12"),
])
def test_the_command_a_click_carries(data: object, line: str) -> None:
    assert command_from_data(data) == line
