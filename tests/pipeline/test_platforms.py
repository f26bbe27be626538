"""Every pipeline, forecast and renewal reply, and every alert, renders on every platform: text, Block Kit
within Slack's limits, and an Adaptive Card valid against the 1.5 schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.slack.blocks import render as render_blocks
from bot.teams.cards import MAX_CARD_BYTES
from bot.teams.cards import render as render_card
from bot.text import render as render_text
from domain.pipeline_alerts import pipeline_alerts
from handlers.pipeline_notices import alert_reply
from storage.uow import SqlUnitOfWorkFactory, build_uow_factory, ensure_schema
from tests.pipeline.example import NOW, Example, build
from tests.slack.test_blocks import assert_within_limits
from tests.teams.conftest import valid_card

LINES = [
    "pipeline", "pipeline me", "pipeline me next quarter", "pipeline acme 2026-Q4", "pipeline all", "pipeline dana",
    "pipeline nobody", "pipeline me 2026-Q9", "forecast", "forecast me 6 months", "forecast acme 2", "forecast 99",
    "forecast all", "renewals", "renewals all", "renewals me within 200 days", "renewals within soon",
    "renewal acme-web", "renewal acme-web maybe", "renewal beta-app end client moves in-house", "help pipeline",
    "help renewal",
]


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Example:
    path: Path = tmp_path_factory.mktemp("pipeline-platforms") / "steward.db"
    url = f"sqlite:///{path}"
    ensure_schema(url)
    return build(build_uow_factory(url))


@pytest.mark.parametrize("line", LINES)
def test_every_reply_renders_on_every_platform(example: Example, line: str) -> None:
    for who in ("dana@example.com", "fred@example.com", "jane@example.com", "ada@example.com"):
        reply = example.say(line, who=who)
        assert reply.title and render_text(reply)
        rendered = render_blocks(reply)
        assert_within_limits(rendered.blocks)
        assert rendered.text
        card = valid_card(render_card(reply))
        assert len(json.dumps(card).encode()) <= MAX_CARD_BYTES


def test_every_alert_renders_on_every_platform(uow_factory: SqlUnitOfWorkFactory) -> None:
    from datetime import timedelta

    build(uow_factory)
    kinds = set()
    with uow_factory() as uow:
        org = uow.organisation.get()
        for days in (0, 32, 46):
            for alert in pipeline_alerts(uow, NOW + timedelta(days=days), org, ("ada@example.com",)):
                kinds.add(alert.kind)
                reply = alert_reply(alert)
                assert_within_limits(render_blocks(reply).blocks)
                valid_card(render_card(reply))
                assert render_text(reply)
    assert kinds == {"commit_overdue", "pushed_twice", "renewal_reminder", "renewal_escalation"}
