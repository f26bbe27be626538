"""The server over HTTP: health, request verification, slash commands, identity, slow work."""

from __future__ import annotations

import time

import requests

from bot.app import Steward
from bot.clock import FixedClock
from bot.server import create_app
from bot.settings import Settings
from storage.uow import build_uow_factory
from tests.handlers.world import NOW
from tests.slack.conftest import Server
from tests.support.serving import run_server


def test_healthz_answers_ok_when_the_database_answers(server: Server) -> None:
    answer = requests.get(f"{server.url}/healthz", timeout=5)
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok"}


def test_healthz_answers_503_with_the_reason_when_the_database_does_not(tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'missing-dir' / 'nope.db'}"
    steward = Steward(Settings(database_url=url), build_uow_factory(url), FixedClock(NOW))
    base, loop, thread = run_server(create_app(steward))
    try:
        answer = requests.get(f"{base}/healthz", timeout=10)
        assert answer.status_code == 503
        assert answer.json()["status"] == "error"
        assert "database" in answer.json()["reason"]
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)


def test_bad_signature_is_refused_with_401(server: Server) -> None:
    answer, _ = server.command("/budget", "acme-web", signature="v0=" + "0" * 64)
    assert answer.status_code == 401
    assert server.fake.of("response_url") == []


def test_a_six_minute_old_timestamp_is_refused_with_401(server: Server) -> None:
    answer, _ = server.command("/budget", "acme-web", timestamp=int(time.time()) - 6 * 60)
    assert answer.status_code == 401


def test_a_malformed_timestamp_gets_401_not_500(server: Server) -> None:
    answer, _ = server.command("/budget", "acme-web", timestamp="yesterday")
    assert answer.status_code == 401


def test_slash_command_is_acked_then_answered_ephemerally_through_response_url(server: Server) -> None:
    answer, key = server.command("/budget", "acme-web")
    assert answer.status_code == 200
    assert answer.text == ""  # the ack: Slack shows nothing and waits for the answer
    [posted] = server.fake.wait_for("response_url", where=lambda c: c.body["_key"] == key)
    body = posted.body
    assert body["response_type"] == "ephemeral"
    assert "Website Relaunch" in body["text"]
    assert body["blocks"][0]["type"] == "header"
    assert any(b["type"] == "section" and b.get("fields") for b in body["blocks"])
    # users.info was asked once, and the Slack id is now stored on Dana: no second lookup.
    assert len(server.fake.of("users.info")) == 1
    with server.world.uow_factory() as uow:
        dana = uow.people.by_slack_id("UDANA")
    assert dana is not None and dana.email == "dana@example.com"
    server.command("/budget", "acme")
    server.fake.wait_for("response_url", 2)
    assert len(server.fake.of("users.info")) == 1


def test_trailing_share_posts_to_the_channel(server: Server) -> None:
    _, key = server.command("/budget", "acme-web share")
    [posted] = server.fake.wait_for("response_url", where=lambda c: c.body["_key"] == key)
    assert posted.body["response_type"] == "in_channel"


def test_steward_command_takes_any_line_and_alone_shows_help(server: Server) -> None:
    _, first = server.command("/steward", "budget acme-web")
    _, second = server.command("/steward", "")
    server.fake.wait_for("response_url", 2)
    by_key = {c.body["_key"]: c.body for c in server.fake.of("response_url")}
    assert "Website Relaunch" in by_key[first]["text"]
    assert "Steward commands" in by_key[second]["text"]


def test_an_unknown_user_is_told_how_to_get_registered(server: Server) -> None:
    _, key = server.command("/budget", "acme", user="UNOBODY")
    [posted] = server.fake.wait_for("response_url", where=lambda c: c.body["_key"] == key)
    assert "not registered" in posted.body["text"]
    assert "Ada Admin" in posted.body["text"]  # whom to ask
    assert posted.body["response_type"] == "ephemeral"


def test_a_user_error_is_answered_plainly_and_never_shared(server: Server) -> None:
    _, key = server.command("/budget", "nonesuch share")
    [posted] = server.fake.wait_for("response_url", where=lambda c: c.body["_key"] == key)
    assert posted.body["response_type"] == "ephemeral"
    assert posted.body["text"].startswith("Error:")


def test_a_command_slower_than_3s_is_acked_at_once_and_answered_later(server: Server) -> None:
    server.fake.delays["users.info"] = 3.5  # the first lookup of a user is slow
    started = time.monotonic()
    answer, key = server.command("/budget", "acme-web")
    acked = time.monotonic() - started
    assert answer.status_code == 200 and acked < 1.0
    [posted] = server.fake.wait_for("response_url", timeout=15, where=lambda c: c.body["_key"] == key)
    assert time.monotonic() - started >= 3.5
    assert "Website Relaunch" in posted.body["text"]


def test_slack_api_trouble_is_told_to_the_user(server: Server) -> None:
    server.fake.fail["users.info"] = "missing_scope"
    _, key = server.command("/budget", "acme-web")
    [posted] = server.fake.wait_for("response_url", where=lambda c: c.body["_key"] == key)
    assert "missing_scope" in posted.body["text"]


def test_a_command_in_flight_when_the_server_stops_is_still_answered(server: Server) -> None:
    server.fake.delays["users.info"] = 1.0  # the answer is still being worked on when the stop comes
    answer, key = server.command("/budget", "acme-web")
    assert answer.status_code == 200
    assert server.loop is not None
    server.loop.call_soon_threadsafe(server.loop.stop)  # the server's shutdown: cleanup drains the work in flight
    [posted] = server.fake.wait_for("response_url", timeout=15, where=lambda c: c.body["_key"] == key)
    assert "Website Relaunch" in posted.body["text"]
