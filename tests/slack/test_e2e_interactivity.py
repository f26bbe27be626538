"""Buttons, events, dedupe and rate limits, end to end over HTTP against the fake Slack Web API."""

from __future__ import annotations

import threading
import time

from bot.slack.blocks import render
from domain.model import AllocationState, ScopeState
from tests.slack.conftest import Server


def request_allocation(server: Server) -> int:
    reply = server.world.say("assign jane acme-web 10h/week", who="mark@example.com")
    assert reply.subject and reply.subject.startswith("allocation:"), reply
    return int(reply.subject.split(":")[1])


def flag_scope(server: Server) -> int:
    reply = server.world.say("scope acme-web extra landing page +8h", who="mark@example.com")
    assert reply.subject and reply.subject.startswith("scope:"), reply
    return int(reply.subject.split(":")[1])


def settle(seconds: float = 0.8) -> None:
    """Give a (wrongly) repeated action time to show up before asserting it did not."""
    time.sleep(seconds)


def test_approve_button_decides_and_updates_the_message_in_place(server: Server) -> None:
    aid = request_allocation(server)
    answer = server.click(f"approve A{aid}", key="approve")
    assert answer.status_code == 200
    [posted] = server.fake.wait_for("response_url")
    assert posted.body["replace_original"] is True
    assert "approved" in posted.body["text"].lower()
    assert "Dana Director" in posted.body["text"]  # by whom (and when, in the summary)
    assert not any(b["type"] == "actions" for b in posted.body["blocks"])  # no buttons left to click
    with server.world.uow_factory() as uow:
        assert uow.allocations.get(aid).state is AllocationState.APPROVED  # type: ignore[union-attr]


def test_a_double_clicked_approve_decides_once(server: Server) -> None:
    aid = request_allocation(server)
    threads = [threading.Thread(target=server.click, args=(f"approve A{aid}",), kwargs={"key": f"c{i}"})
               for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    posts = server.fake.wait_for("response_url", 2)
    assert all(p.body["replace_original"] is True for p in posts)  # both see the decision in place
    assert sum("already" in p.body["text"].lower() for p in posts) == 1
    with server.world.uow_factory() as uow:
        events = [e for e in uow.audit.list(subject=f"allocation:{aid}") if e.action.startswith("allocation.")]
    assert [e.action for e in events].count("allocation.approved") == 1


def test_a_second_approver_sees_the_decision_already_taken(server: Server) -> None:
    sid = flag_scope(server)
    server.click(f"reject S{sid}", user="UDANA", key="first")
    server.fake.wait_for("response_url")
    server.click(f"approve S{sid}", user="UADA", key="second")
    second = server.fake.wait_for("response_url", 2)[-1]
    assert second.body["_key"] == "second"
    assert "already" in second.body["text"].lower()
    with server.world.uow_factory() as uow:
        assert uow.scope.get(sid).state is ScopeState.REJECTED  # type: ignore[union-attr]


def test_a_replayed_click_payload_acts_once(server: Server) -> None:
    aid = request_allocation(server)
    for _ in range(2):
        assert server.click(f"approve A{aid}", action_ts="1700000009.000001", key="same").status_code == 200
    server.fake.wait_for("response_url")
    settle()
    assert len(server.fake.of("response_url")) == 1


def test_someone_not_allowed_to_decide_is_refused_privately_and_the_message_stays(server: Server) -> None:
    aid = request_allocation(server)
    server.click(f"approve A{aid}", user="UJANE")
    [posted] = server.fake.wait_for("response_url")
    assert posted.body["replace_original"] is False
    assert posted.body["response_type"] == "ephemeral"
    assert posted.body["text"].startswith("Error:")
    with server.world.uow_factory() as uow:
        assert uow.allocations.get(aid).state is AllocationState.REQUESTED  # type: ignore[union-attr]


def test_deciding_one_item_of_a_list_keeps_the_others(server: Server) -> None:
    aid, sid = request_allocation(server), flag_scope(server)
    message = {"ts": "1700000000.000300", **render(server.world.say("approvals")).message()}
    for i, b in enumerate(message["blocks"]):  # Slack gives every block an id; the click names its block
        clicked = any(e.get("value") == f"approve A{aid}" for e in b.get("elements", []))
        b["block_id"] = "b1" if clicked else f"x{i}"
    server.click(f"approve A{aid}", message=message, key="list")
    [posted] = server.fake.wait_for("response_url")
    assert posted.body["replace_original"] is True
    values = [e["value"] for b in posted.body["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert f"approve S{sid}" in values and f"approve A{aid}" not in values
    assert any(b["type"] == "context" and f"A{aid}" in b["elements"][0]["text"] for b in posted.body["blocks"])


def test_a_mention_answers_the_same_line_privately(server: Server) -> None:
    server.event({"type": "app_mention", "user": "UDANA", "text": "<@UBOT> budget acme-web", "channel": "C0ACMEWEB",
                  "ts": "1700000000.000400", "event_ts": "1700000000.000400"})
    [call] = server.fake.wait_for("chat.postEphemeral")
    assert call.body["user"] == "UDANA" and call.body["channel"] == "C0ACMEWEB"
    assert "Website Relaunch" in call.body["text"]


def test_a_mention_with_share_posts_to_the_channel(server: Server) -> None:
    server.event({"type": "app_mention", "user": "UDANA", "text": "<@UBOT> budget acme-web share",
                  "channel": "C0ACMEWEB", "ts": "1700000000.000500", "event_ts": "1700000000.000500"})
    [call] = server.fake.wait_for("chat.postMessage")
    assert call.body["channel"] == "C0ACMEWEB"


def test_a_direct_message_takes_the_same_lines(server: Server) -> None:
    server.event({"type": "message", "channel_type": "im", "user": "UDANA", "text": "budget acme-web",
                  "channel": "D123", "ts": "1700000000.000600", "event_ts": "1700000000.000600"})
    [call] = server.fake.wait_for("chat.postMessage")
    assert call.body["channel"] == "D123" and "Website Relaunch" in call.body["text"]
    # our own reply echoed back as a bot message is ignored
    server.event({"type": "message", "channel_type": "im", "bot_id": "B1", "text": "Website Relaunch",
                  "channel": "D123", "ts": "1700000000.000700", "event_ts": "1700000000.000700"})
    settle(0.5)
    assert len(server.fake.of("chat.postMessage")) == 1


def test_a_retried_event_with_the_same_event_id_acts_once(server: Server) -> None:
    event = {"type": "app_mention", "user": "UDANA", "text": "<@UBOT> hours acme-web 2 review", "channel": "C0ACMEWEB",
             "ts": "1700000000.000800", "event_ts": "1700000000.000800"}
    assert server.event(event, event_id="Ev0RETRY").status_code == 200
    assert server.event(event, event_id="Ev0RETRY",
                        headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}).status_code == 200
    server.fake.wait_for("chat.postEphemeral")
    settle()
    assert len(server.fake.of("chat.postEphemeral")) == 1
    with server.world.uow_factory() as uow:
        notes = [e.note for e in uow.entries.list(server.world.ids["acme-web"]) if e.note == "review"]
    assert len(notes) == 1  # the hours were logged once


def test_a_429_from_the_web_api_is_retried_and_the_message_arrives(server: Server) -> None:
    server.fake.rate_limit["chat.postEphemeral"] = 1
    server.fake.retry_after = 1
    server.event({"type": "app_mention", "user": "UDANA", "text": "<@UBOT> budget acme-web", "channel": "C0ACMEWEB",
                  "ts": "1700000000.000900", "event_ts": "1700000000.000900"})
    [call] = server.fake.wait_for("chat.postEphemeral", timeout=10)
    attempts = server.fake.attempts("chat.postEphemeral")
    assert [a.status for a in attempts] == [429, 200]
    assert "Website Relaunch" in call.body["text"]
