"""The money charts and ``account``'s money panels in Teams: each card validates against the 1.5 schema, and
the picture rides inside it under 28 KB or beside it as an inline image (tests/charts/money_worked.py)."""

from __future__ import annotations

import json

import pytest

from bot.charts import DRAWER
from bot.clock import FixedClock
from bot.teams.bot import card_activity
from bot.teams.cards import MAX_CARD_WITH_IMAGE_BYTES, has_picture, render
from domain.model import Source
from handlers.context import Caller, Context
from handlers.dispatch import handle
from storage.uow import SqlUnitOfWorkFactory
from tests.charts.money_worked import money_world
from tests.handlers.world import NOW
from tests.teams.conftest import valid_card


@pytest.mark.parametrize("line", ["chart acme ar", "chart mine ar", "chart me pipeline", "account acme"])
def test_money_charts_and_the_account_make_valid_cards_with_their_picture(uow_factory: SqlUnitOfWorkFactory,
                                                                          line: str) -> None:
    money_world(uow_factory)
    ctx = Context(uow_factory=uow_factory, clock=FixedClock(NOW), caller=Caller(email="dana@example.com"),
                  source=Source.SHELL, is_direct=True, drawer=DRAWER)
    reply = handle(ctx, line)
    assert reply.ok and reply.attachment is not None
    card = valid_card(render(reply))
    text = json.dumps(card, ensure_ascii=False)
    if has_picture(card):
        assert len(json.dumps(card).encode()) < MAX_CARD_WITH_IMAGE_BYTES
    else:
        activity = card_activity(reply)
        assert [a.content_type for a in activity.attachments][1:] == ["image/png"]
    if line == "account acme":
        assert "Outstanding $13,500 · over 60 days 51.9% ($7,000)" in text and "Next renewal" in text
