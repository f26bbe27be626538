"""The scope-creep watch over HTTP: a channel message event that reads like a new ask is acked at once
and queues a nudge for the project's manager, with the message's permalink; other lines cost nothing."""

from __future__ import annotations

import time

from domain.model import DeliveryState
from handlers.reply import Reply
from tests.slack.conftest import Server


def channel_message(server: Server, text: str, ts: str, user: str = "UJANE", **extra: str) -> int:
    return server.event({"type": "message", "channel_type": "channel", "user": user, "text": text,
                         "channel": "C0ACMEWEB", "ts": ts, "event_ts": ts, **extra}).status_code


def nudges(server: Server) -> list[tuple[int | None, Reply]]:
    with server.world.uow_factory() as uow:
        return [(m.person_id, Reply.from_dict(m.payload)) for m in uow.outbox.list([DeliveryState.PENDING])
                if m.key.startswith("watch:")]


def wait_for_nudges(server: Server, count: int, timeout: float = 10) -> list[tuple[int | None, Reply]]:
    deadline = time.monotonic() + timeout
    while len(found := nudges(server)) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    return found


def test_a_new_ask_in_a_project_channel_is_brought_to_its_manager(server: Server) -> None:
    assert channel_message(server, "Looks great! Can you also add a careers page?", "1700000001.000100") == 200
    [(person, reply)] = wait_for_nudges(server, 1)
    assert person == server.world.ids["mark"]
    assert "Jane Designer wrote in the project's channel" in reply.summary  # named via users.info
    [link] = server.fake.of("chat.getPermalink")
    assert link.body["channel"] == "C0ACMEWEB" and link.body["message_ts"] == "1700000001.000100"
    assert "https://fake.slack.com/archives/C0ACMEWEB/p1700000001000100" in reply.summary


def test_ordinary_lines_edits_and_bots_cost_no_call_and_queue_nothing(server: Server) -> None:
    assert channel_message(server, "Homepage is live, thanks all", "1700000002.000100") == 200
    assert channel_message(server, "Can you also add a blog?", "1700000002.000200", subtype="message_changed") == 200
    assert channel_message(server, "Can you also add a blog?", "1700000002.000300", bot_id="B9") == 200
    time.sleep(1.0)
    assert server.fake.of("chat.getPermalink") == [] and nudges(server) == []
