"""The outbox gauges on /metrics follow a message from pending to sent (read from the database at scrape)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from prometheus_client.parser import text_string_to_metric_families

from bot.app import Steward
from bot.clock import FixedClock
from bot.delivery import Deliverer
from bot.metrics import allowed, exposition
from bot.settings import Settings
from domain.model import OutboxMessage
from handlers.reply import Reply
from storage.uow import SqlUnitOfWorkFactory
from tests.handlers.world import World


def gauges(steward: Steward) -> dict[str, float]:
    text = exposition(steward)[0].decode()
    found: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if s.name.startswith(("steward_outbox", "steward_database_up", "steward_deliveries")):
                label = s.labels.get("state") or s.labels.get("outcome") or ""
                found[f"{s.name}{':' + label if label else ''}"] = s.value
    return found


def test_the_outbox_gauges_follow_a_message_from_pending_to_sent(world: World, uow_factory: SqlUnitOfWorkFactory,
                                                                 deliverer: Deliverer) -> None:
    now = datetime.now(UTC)
    steward = Steward(Settings(), uow_factory, FixedClock(now))
    before = gauges(steward)
    assert before["steward_database_up"] == 1
    assert before["steward_outbox_messages:pending"] == 0
    with uow_factory() as uow:
        due = now - timedelta(minutes=3)
        uow.outbox.add(OutboxMessage(None, "metrics:1", "notification", Reply(title="hello").to_dict(), due, due,
                                     channel="C0ACMEWEB"))
        uow.commit()
    waiting = gauges(steward)
    assert waiting["steward_outbox_messages:pending"] == 1
    assert waiting["steward_outbox_messages:sent_last_hour"] == before["steward_outbox_messages:sent_last_hour"]
    assert 170 <= waiting["steward_outbox_oldest_pending_seconds"] < 3600  # fell due three minutes ago

    report = asyncio.run(deliverer.run_once(now))
    assert report.sent == 1
    sent = gauges(steward)
    assert sent["steward_outbox_messages:pending"] == 0
    assert sent["steward_outbox_messages:sent_last_hour"] == before["steward_outbox_messages:sent_last_hour"] + 1
    assert sent["steward_outbox_oldest_pending_seconds"] == 0
    assert sent["steward_deliveries_total:sent"] == before.get("steward_deliveries_total:sent", 0) + 1


def test_the_database_gauge_says_down_when_the_database_does_not_answer(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from storage.uow import build_uow_factory

    factory = build_uow_factory(f"sqlite:///{tmp_path / 'missing' / 'nowhere.db'}")  # its directory doesn't exist
    found = gauges(Steward(Settings(), factory, FixedClock(datetime.now(UTC))))
    assert found["steward_database_up"] == 0


def test_metrics_need_the_bearer_token_only_from_off_the_machine() -> None:
    assert allowed("127.0.0.1", None, "s3cret-token")
    assert allowed("::1", None, "s3cret-token")
    assert not allowed("10.0.0.7", None, "s3cret-token")
    assert not allowed("10.0.0.7", "Bearer wrong", "s3cret-token")
    assert allowed("10.0.0.7", "Bearer s3cret-token", "s3cret-token")
    assert allowed("10.0.0.7", None, None)  # no token configured: the port is the operator's to fence
