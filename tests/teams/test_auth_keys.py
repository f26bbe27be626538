"""With auth on, Teams tokens are checked against the Bot Framework keys, fetched off the event loop.

A local stand-in (``tests/support/fake_login.py``) publishes the OpenID metadata and one signing key on
127.0.0.1, and signs tokens with it; botbuilder's channel validation is pointed at it. Every forged token
gets 401 with one log line, keys that cannot be had give 503 (never 500), a slow key endpoint does not
hold up ``/healthz``, and only the configured tenants are served.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from typing import Any

import jwt
import pytest
import requests
from botframework.connector.auth import ChannelValidation
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import text

from bot.settings import ConfigError, Settings
from tests.handlers.world import World
from tests.support.fake_connector import FakeConnector
from tests.support.fake_login import KID, FakeLogin
from tests.teams.conftest import DANA, TeamsServer, make_server

APP_ID = "00000000-0000-0000-0000-0000000000b2"
TENANT = "tenant-1"


@pytest.fixture
def login(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeLogin]:
    fake = FakeLogin().start()
    monkeypatch.setattr(ChannelValidation, "open_id_metadata_endpoint", fake.metadata_url)
    yield fake
    fake.stop()


def secured_server(world: World, connector: FakeConnector, **settings: Any) -> tuple[TeamsServer, threading.Thread]:
    config = Settings(database_url=world.database_url, microsoft_app_id=APP_ID,  # type: ignore[attr-defined]
                      microsoft_app_password="not-a-real-secret", **settings)
    return make_server(world, connector, config)


@pytest.fixture
def single(login: FakeLogin, connector: FakeConnector, world: World) -> Iterator[TeamsServer]:
    srv, thread = secured_server(world, connector, microsoft_app_tenant_id=TENANT)
    yield srv
    srv.loop.call_soon_threadsafe(srv.loop.stop)
    thread.join(10)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def leave(server: TeamsServer, tenant: str = TENANT) -> dict[str, Any]:
    """A conversationUpdate (a member left): acted on without calling the connector, it stores the reference."""
    activity = server.activity("conversationUpdate", membersRemoved=[{"id": "29:someone"}])
    activity["conversation"]["tenantId"] = tenant
    activity["channelData"] = {"tenant": {"id": tenant}}
    return activity


def count(world: World, table: str) -> int:
    with world.uow_factory() as uow:
        return int(uow.session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())  # type: ignore[attr-defined]


def test_a_token_signed_with_a_published_key_is_accepted(single: TeamsServer, login: FakeLogin) -> None:
    answer = single.post(leave(single), headers=bearer(login.token(APP_ID, single.connector.url)))
    assert answer.status_code == 200, answer.text
    assert count(single.world, "conversations") == 1
    assert login.hits == ["metadata", "keys"]


def _other_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


FORGERIES = {
    "unknown key id": lambda login, url: login.token(APP_ID, url, kid="not-published", key=_other_key()),
    "no key id": lambda login, url: login.token(APP_ID, url, kid=None),
    "published key id, another key": lambda login, url: login.token(APP_ID, url, key=_other_key()),
    "alg none": lambda login, url: jwt.encode({"iss": "https://api.botframework.com", "aud": APP_ID,
                                               "serviceurl": url, "exp": int(time.time()) + 600}, None,
                                              algorithm="none", headers={"kid": KID}),
    "HS256 with the key id": lambda login, url: login.token(APP_ID, url, key="x" * 40, algorithm="HS256"),
    "expired": lambda login, url: login.token(APP_ID, url, expires_in=-3600),
    "wrong audience": lambda login, url: login.token("another-app", url),
    "wrong issuer": lambda login, url: login.token(APP_ID, url, issuer="https://evil.example/"),
    "wrong serviceUrl": lambda login, url: login.token(APP_ID, "http://127.0.0.1:9/evil/"),
}


@pytest.mark.parametrize("kind", sorted(FORGERIES))
def test_every_forged_token_gets_401_with_one_log_line(single: TeamsServer, login: FakeLogin, kind: str,
                                                       caplog: pytest.LogCaptureFixture) -> None:
    token = FORGERIES[kind](login, single.connector.url)
    with caplog.at_level(logging.WARNING):
        answer = single.post(leave(single), headers=bearer(token))
    assert answer.status_code == 401, answer.text
    refusals = [r for r in caplog.records if r.name == "bot.teams.server"]
    assert len(refusals) == 1 and "401" in refusals[0].getMessage()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert all(r.exc_info is None for r in caplog.records)
    assert count(single.world, "conversations") == 0


def test_keys_that_cannot_be_fetched_give_503_and_are_not_fetched_again_at_once(
        single: TeamsServer, login: FakeLogin) -> None:
    login.down = True
    for _ in range(3):
        answer = single.post(leave(single), headers=bearer(login.token(APP_ID, single.connector.url)))
        assert answer.status_code == 503, answer.text
    assert login.hits == ["metadata"]  # one failed fetch; the next ones wait out the 30 s
    assert count(single.world, "conversations") == 0


def test_healthz_answers_while_the_key_endpoint_is_slow(single: TeamsServer, login: FakeLogin) -> None:
    login.delay = 3.0
    answers: list[requests.Response] = []
    token = login.token(APP_ID, single.connector.url)
    slow = threading.Thread(target=lambda: answers.append(single.post(leave(single), headers=bearer(token))))
    slow.start()
    deadline = time.monotonic() + 5
    while "keys" not in login.hits and time.monotonic() < deadline:  # the fetch is under way
        time.sleep(0.01)
    assert "keys" in login.hits
    started = time.monotonic()
    health = requests.get(f"{single.url}/healthz", timeout=5)
    took = time.monotonic() - started
    assert health.status_code == 200 and took < 0.5, took
    slow.join(10)
    assert [a.status_code for a in answers] == [200]


def test_a_single_tenant_bot_refuses_another_tenant_and_writes_nothing(
        single: TeamsServer, login: FakeLogin, connector: FakeConnector) -> None:
    before = {t: count(single.world, t) for t in ("conversations", "receipts", "status_updates", "audit_events")}
    token = login.token(APP_ID, single.connector.url)
    activity = single.activity(text="status acme-web red the client walked", user=DANA)
    activity["conversation"]["tenantId"] = "tenant-evil"
    activity["channelData"] = {"tenant": {"id": "tenant-evil"}}
    answer = single.post(activity, headers=bearer(token))
    assert answer.status_code == 403
    assert connector.calls == []  # not even a member look-up
    assert {t: count(single.world, t) for t in before} == before
    with single.world.uow_factory() as uow:
        dana = uow.people.by_email("dana@example.com")
    assert dana is not None and dana.teams_id is None


def test_a_multi_tenant_bot_serves_the_listed_tenants_only(login: FakeLogin, connector: FakeConnector,
                                                           world: World) -> None:
    srv, thread = secured_server(world, connector, teams_tenants=("tenant-1", "tenant-2"))
    try:
        token = login.token(APP_ID, connector.url)
        assert srv.post(leave(srv, "tenant-2"), headers=bearer(token)).status_code == 200
        assert srv.post(leave(srv, "tenant-3"), headers=bearer(token)).status_code == 403
        assert count(world, "conversations") == 1
    finally:
        srv.loop.call_soon_threadsafe(srv.loop.stop)
        thread.join(10)


def test_start_up_needs_a_tenant_setting_when_auth_is_on() -> None:
    env = {"MICROSOFT_APP_ID": APP_ID, "MICROSOFT_APP_PASSWORD": "x"}
    with pytest.raises(ConfigError, match="MICROSOFT_APP_TENANT_ID .* or STEWARD_TEAMS_TENANTS"):
        Settings.from_env(env)
    assert Settings.from_env({**env, "MICROSOFT_APP_TENANT_ID": "t1"}).microsoft_app_tenant_id == "t1"
    assert Settings.from_env({**env, "STEWARD_TEAMS_TENANTS": "t1, t2"}).teams_tenants == ("t1", "t2")
