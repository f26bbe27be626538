"""End-to-end harness: the real aiohttp server with the real Bolt app on 127.0.0.1, a SQLite database
seeded with the small test organisation, and a local fake Slack Web API that records every call.

Requests are signed exactly as Slack signs them (v0 HMAC-SHA256 of ``v0:{ts}:{body}``) and posted over
HTTP; nothing of Bolt or Steward is mocked.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pytest
import requests
from slack_sdk.signature import SignatureVerifier

from bot.app import Steward
from bot.clock import FixedClock
from bot.server import create_app
from bot.settings import Settings
from bot.slack.app import add_routes
from storage.uow import build_uow_factory, ensure_schema
from tests.handlers.world import NOW, World, seed
from tests.support.fake_slack import FakeSlack
from tests.support.serving import run_server

SECRET = "test-signing-secret"
USERS = {
    "UADA": "ada@example.com",
    "UDANA": "dana@example.com",
    "UDREW": "drew@example.com",
    "UMARK": "mark@example.com",
    "UJANE": "jane@example.com",
    "UNOBODY": "nobody@example.com",
}


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    slack = FakeSlack(emails=dict(USERS)).start()
    yield slack
    slack.stop()


@pytest.fixture
def world(tmp_path) -> World:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'steward.db'}"
    ensure_schema(url)
    w = seed(build_uow_factory(url))
    w.database_url = url  # type: ignore[attr-defined]
    return w


@dataclass
class Server:
    """The running server and helpers that post signed Slack requests to it."""

    url: str
    fake: FakeSlack
    world: World
    steward: Steward
    secret: str = SECRET
    _n: int = 0
    loop: asyncio.AbstractEventLoop | None = None  # the server's: stopping it shuts the server down

    def signed_post(self, body: str, content_type: str, *, timestamp: int | str | None = None,
                    signature: str | None = None, headers: dict[str, str] | None = None) -> requests.Response:
        ts = str(int(time.time()) if timestamp is None else timestamp)
        sig = signature or SignatureVerifier(self.secret).generate_signature(timestamp=ts, body=body)
        return requests.post(f"{self.url}/slack/events", data=body.encode(), timeout=10, headers={
            "Content-Type": content_type, "X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sig,
            **(headers or {})})

    def next_id(self) -> int:
        self._n += 1
        return self._n

    def command(self, command: str, text: str, user: str = "UDANA", channel: str = "C0ACMEWEB",
                **kw: Any) -> tuple[requests.Response, str]:
        n = self.next_id()
        key = f"cmd{n}"
        form = {"token": "x", "team_id": "T1", "team_domain": "fake", "channel_id": channel,
                "channel_name": "acme-web", "user_id": user, "user_name": user.lower(), "command": command,
                "text": text, "api_app_id": "A1", "response_url": self.fake.response_url(key),
                "trigger_id": f"trigger.{n}"}
        return self.signed_post(urlencode(form), "application/x-www-form-urlencoded", **kw), key

    def interactive(self, payload: dict[str, Any], **kw: Any) -> requests.Response:
        return self.signed_post(urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded",
                                **kw)

    def event(self, event: dict[str, Any], event_id: str | None = None, **kw: Any) -> requests.Response:
        body = {"token": "x", "team_id": "T1", "api_app_id": "A1", "type": "event_callback",
                "event_id": event_id or f"Ev{self.next_id()}", "event_time": int(time.time()),
                "authorizations": [{"team_id": "T1", "user_id": "UBOT", "is_bot": True}], "event": event}
        return self.signed_post(json.dumps(body), "application/json", **kw)

    def click(self, value: str, user: str = "UDANA", *, message: dict[str, Any] | None = None,
              action_ts: str | None = None, key: str = "click", container: dict[str, Any] | None = None,
              view: dict[str, Any] | None = None, **kw: Any) -> requests.Response:
        message = message or {"ts": "1700000000.000100", "blocks": [], "text": ""}
        payload = {
            "type": "block_actions", "team": {"id": "T1"}, "user": {"id": user}, "api_app_id": "A1",
            "token": "x", "trigger_id": f"trigger.{self.next_id()}",
            "container": container or {"type": "message", "message_ts": message["ts"],
                                       "channel_id": "C0ACMEWEB", "is_ephemeral": False},
            "channel": {"id": "C0ACMEWEB"}, "message": message,
            "response_url": self.fake.response_url(key),
            "actions": [{"type": "button", "action_id": "steward:1", "block_id": "b1", "value": value,
                         "action_ts": action_ts or f"1700000001.{self.next_id():06d}"}],
        }
        if view is not None:  # a click in App Home or a modal: no message, no response_url
            payload["view"] = view
            del payload["message"], payload["response_url"], payload["channel"]
        return self.interactive(payload, **kw)


@pytest.fixture
def server(fake: FakeSlack, world: World) -> Iterator[Server]:
    settings = Settings(database_url=world.database_url, slack_bot_token="xoxb-test",  # type: ignore[attr-defined]
                        slack_signing_secret=SECRET, slack_api_url=fake.url)
    steward = Steward(settings, world.uow_factory, FixedClock(NOW))
    url, loop, thread = run_server(create_app(steward, [add_routes]))
    yield Server(url, fake, world, steward, loop=loop)
    with contextlib.suppress(RuntimeError):  # a test may have shut the server down already
        loop.call_soon_threadsafe(loop.stop)
    thread.join(10)
