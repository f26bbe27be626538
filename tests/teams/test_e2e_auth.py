"""With ``MICROSOFT_APP_ID`` set, requests without a valid Bot Framework token get 401, and nothing is sent.

No network is touched: malformed headers are refused before botbuilder, and a well-formed token from an
issuer the Bot Framework does not use is refused by botbuilder before any OpenID metadata fetch.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import jwt
import pytest

from bot.settings import Settings
from bot.teams.adapter import bot_config, emulator_mode
from tests.handlers.world import World
from tests.support.fake_connector import FakeConnector
from tests.teams.conftest import TeamsServer, make_server

APP_ID = "00000000-0000-0000-0000-0000000000a1"


@pytest.fixture(params=["multi-tenant", "single-tenant"])
def secured(request: pytest.FixtureRequest, connector: FakeConnector, world: World) -> Iterator[TeamsServer]:
    tenant = "11111111-2222-3333-4444-555555555555" if request.param == "single-tenant" else ""
    settings = Settings(database_url=world.database_url, microsoft_app_id=APP_ID,  # type: ignore[attr-defined]
                        microsoft_app_password="not-a-real-secret", microsoft_app_tenant_id=tenant)
    srv, thread = make_server(world, connector, settings)
    yield srv
    srv.loop.call_soon_threadsafe(srv.loop.stop)
    thread.join(10)


def forged(issuer: str) -> str:
    now = int(time.time())
    return jwt.encode({"iss": issuer, "aud": APP_ID, "serviceurl": "http://127.0.0.1/", "nbf": now - 10,
                       "exp": now + 600}, "attacker-key-that-is-long-enough-for-hs256", algorithm="HS256")


@pytest.mark.parametrize("header", [
    None,
    "",
    "Bearer",
    "Bearer not-a-jwt",
    "Bearer a.b.c",
    "Basic dXNlcjpwYXNz",
    "bearer " + forged("https://api.botframework.com"),  # the scheme is case-sensitive in botbuilder too
])
def test_missing_or_malformed_tokens_get_401(secured: TeamsServer, connector: FakeConnector,
                                             header: str | None) -> None:
    headers = {} if header is None else {"Authorization": header}
    started = time.monotonic()
    answer = secured.post(secured.activity(text="budget acme-web"), headers=headers)
    assert answer.status_code == 401
    assert time.monotonic() - started < 3
    assert connector.calls == []


def test_a_token_from_a_foreign_issuer_gets_401(secured: TeamsServer, connector: FakeConnector) -> None:
    answer = secured.post(secured.activity(text="budget acme-web"),
                          headers={"Authorization": f"Bearer {forged('https://evil.example/')}"})
    assert answer.status_code == 401
    assert connector.calls == []


def test_an_invoke_without_a_token_gets_401(secured: TeamsServer, connector: FakeConnector) -> None:
    answer = secured.execute({"command": "approve A1"})
    assert answer.status_code == 401
    assert connector.calls == []


def test_settings_choose_the_app_type() -> None:
    assert emulator_mode(Settings())
    assert bot_config(Settings(microsoft_app_id=APP_ID, microsoft_app_password="x")).APP_TYPE == "MultiTenant"
    single = bot_config(Settings(microsoft_app_id=APP_ID, microsoft_app_password="x", microsoft_app_tenant_id="t1"))
    assert (single.APP_TYPE, single.APP_TENANTID) == ("SingleTenant", "t1")
    assert not emulator_mode(Settings(microsoft_app_id=APP_ID, microsoft_app_password="x"))


def test_emulator_mode_is_warned_about(caplog: pytest.LogCaptureFixture, world: World,
                                       connector: FakeConnector) -> None:
    settings = Settings(database_url=world.database_url)  # type: ignore[attr-defined]
    with caplog.at_level("WARNING"):
        srv, thread = make_server(world, connector, settings)
    try:
        assert any("Emulator mode" in r.getMessage() and r.levelname == "WARNING" for r in caplog.records)
        assert srv.say("help").status_code == 200
    finally:
        srv.loop.call_soon_threadsafe(srv.loop.stop)
        thread.join(10)


@pytest.mark.parametrize(
    ("remote", "headers", "allowed"),
    [
        ("127.0.0.1", {}, True),
        ("::1", {}, True),
        ("10.0.0.7", {}, False),
        ("203.0.113.9", {}, False),
        ("127.0.0.1", {"X-Forwarded-For": "203.0.113.9"}, False),  # a reverse proxy on this machine
        ("127.0.0.1", {"Forwarded": "for=203.0.113.9"}, False),
        (None, {}, False),
    ],
)
def test_emulator_mode_admits_only_requests_straight_from_this_machine(remote: str | None, headers: dict[str, str],
                                                                       allowed: bool) -> None:
    from bot.teams.server import from_this_machine

    assert from_this_machine(remote, headers) is allowed


def test_emulator_mode_refuses_a_proxied_request_and_acts_on_nothing(server: TeamsServer,
                                                                     connector: FakeConnector) -> None:
    before = server.world.say("budget acme-web").facts
    answer = server.post(server.activity(text="hours acme-web 5"), headers={"X-Forwarded-For": "203.0.113.9"})
    assert answer.status_code == 403 and "MICROSOFT_APP_ID" in answer.json()["reason"]
    assert server.world.say("budget acme-web").facts == before
    assert connector.calls == []
