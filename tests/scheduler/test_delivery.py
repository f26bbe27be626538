"""The outbox: claimed by one worker at a time, posted once per key, retried with backoff, failures kept."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime, timedelta

from bot.delivery import Deliverer, outbox_table
from domain.model import DeliveryState, OutboxMessage, Platform
from handlers.reply import Reply
from storage.uow import SqlUnitOfWorkFactory
from tests.handlers.world import World
from tests.support.slack_history import HistorySlack

T0 = datetime(2026, 11, 16, 14, 0, tzinfo=UTC)


def queue(uow_factory: SqlUnitOfWorkFactory, key: str, *, channel: str | None = "C0ACMEWEB",
          person_id: int | None = None, at: datetime = T0) -> None:
    with uow_factory() as uow:
        assert uow.outbox.add(OutboxMessage(None, key, "notification", Reply(title=f"hello {key}").to_dict(), at, at,
                                            person_id=person_id, channel=channel,
                                            platform=Platform.SLACK if person_id else None))
        uow.commit()


def state(uow_factory: SqlUnitOfWorkFactory, key: str) -> OutboxMessage:
    with uow_factory() as uow:
        m = uow.outbox.by_key(key)
    assert m is not None
    return m


def test_two_claimers_at_once_never_share_a_row(world: World, uow_factory: SqlUnitOfWorkFactory) -> None:
    for n in range(40):
        queue(uow_factory, f"k{n}")
    d = Deliverer(uow_factory, {}, lease_seconds=60, batch=3)
    got: list[list[str]] = [[], []]
    start = threading.Barrier(2)

    def claimer(i: int) -> None:
        start.wait()
        while batch := d.claim(T0):
            got[i].extend(m.key for m in batch)

    threads = [threading.Thread(target=claimer, args=(i,)) for i in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not set(got[0]) & set(got[1])
    assert sorted(got[0] + got[1]) == sorted(f"k{n}" for n in range(40))


def test_a_message_is_posted_once_with_its_key_in_the_metadata(world: World, uow_factory: SqlUnitOfWorkFactory,
                                                                 slack: HistorySlack, deliverer: Deliverer) -> None:
    queue(uow_factory, "digest:1:2026-11-16")
    report = asyncio.run(deliverer.run_once(T0))
    assert (report.claimed, report.sent) == (1, 1)
    assert asyncio.run(deliverer.run_once(T0 + timedelta(hours=1))).claimed == 0
    assert slack.posted_keys() == ["digest:1:2026-11-16"]
    sent = state(uow_factory, "digest:1:2026-11-16")
    assert sent.state is DeliveryState.SENT and sent.platform_ref.startswith("C0ACMEWEB:1700000000.")
    post = slack.of("chat.postMessage")[0].body
    assert post["channel"] == "C0ACMEWEB" and post["blocks"][0]["type"] == "header"


def test_a_person_gets_it_in_their_direct_message(world: World, uow_factory: SqlUnitOfWorkFactory,
                                                   slack: HistorySlack, deliverer: Deliverer) -> None:
    queue(uow_factory, "escalation:1:1:2", channel=None, person_id=world.ids["dana"])
    asyncio.run(deliverer.run_once(T0))
    assert slack.of("conversations.open")[0].body["users"] == "UDANA"
    assert slack.of("chat.postMessage")[0].body["channel"] == "DUDANA"


def test_after_a_crash_mid_send_the_retry_finds_the_message_and_does_not_post_again(
        world: World, uow_factory: SqlUnitOfWorkFactory, slack: HistorySlack, deliverer: Deliverer) -> None:
    queue(uow_factory, "digest:1:2026-11-16")
    claimed = deliverer.claim(T0)  # worker A claims and posts...
    ref = asyncio.run(deliverer.senders[Platform.SLACK].send(claimed[0], claimed[0].payload, uow_factory))
    # ...and dies before recording it. Within the lease nobody else may touch the row:
    assert asyncio.run(deliverer.run_once(T0 + timedelta(seconds=30))).claimed == 0
    report = asyncio.run(deliverer.run_once(T0 + timedelta(seconds=61)))  # lease over: worker B
    assert (report.claimed, report.sent) == (1, 1)
    assert slack.posted_keys() == ["digest:1:2026-11-16"]  # posted once
    assert slack.of("conversations.history")  # B looked before posting
    after = state(uow_factory, "digest:1:2026-11-16")
    assert after.state is DeliveryState.SENT and after.platform_ref == ref and after.attempts == 2


def test_a_failed_send_is_retried_with_backoff_then_given_up_and_shown(
        world: World, uow_factory: SqlUnitOfWorkFactory, slack: HistorySlack, deliverer: Deliverer) -> None:
    slack.fail["chat.postMessage"] = "internal_error"
    queue(uow_factory, "notify:x")
    t = T0
    waits = []
    for _ in range(6):
        report = asyncio.run(deliverer.run_once(t))
        assert report.claimed == 1
        m = state(uow_factory, "notify:x")
        if m.state is DeliveryState.FAILED:
            break
        assert asyncio.run(deliverer.run_once(t + timedelta(seconds=1))).claimed == 0  # not before its time
        waits.append((m.due_at - t).total_seconds())
        t = m.due_at
    assert waits == [30, 60, 120, 240, 480]
    failed = state(uow_factory, "notify:x")
    assert failed.state is DeliveryState.FAILED and failed.attempts == 6 and "internal_error" in failed.last_error
    assert asyncio.run(deliverer.run_once(t + timedelta(days=1))).claimed == 0
    with uow_factory() as uow:
        table = outbox_table(uow.outbox.list([DeliveryState.PENDING, DeliveryState.FAILED]))
    assert "failed" in table and "notify:x" in table and "internal_error" in table


def test_a_permanent_error_gives_up_at_once(world: World, uow_factory: SqlUnitOfWorkFactory, slack: HistorySlack,
                                            deliverer: Deliverer) -> None:
    slack.fail["chat.postMessage"] = "channel_not_found"
    queue(uow_factory, "notify:y")
    assert asyncio.run(deliverer.run_once(T0)).failed == 1
    assert "channel_not_found" in state(uow_factory, "notify:y").last_error


def test_a_transient_failure_then_success_is_sent_once(world: World, uow_factory: SqlUnitOfWorkFactory,
                                                       slack: HistorySlack, deliverer: Deliverer) -> None:
    slack.fail["chat.postMessage"] = "internal_error"
    queue(uow_factory, "notify:z")
    asyncio.run(deliverer.run_once(T0))
    del slack.fail["chat.postMessage"]
    asyncio.run(deliverer.run_once(T0 + timedelta(seconds=30)))
    assert state(uow_factory, "notify:z").state is DeliveryState.SENT
    assert [c.status for c in slack.attempts("chat.postMessage")] == [200, 200]
