"""End-to-end harness for Teams: the real aiohttp server (``bot.server.create_app``) with the real botbuilder
adapter on 127.0.0.1, a SQLite database seeded with the small test organisation, and a local fake Bot
Framework connector that records what the bot sends and answers member look-ups.

Activities are posted over HTTP exactly as the Bot Framework posts them, with ``serviceUrl`` pointing at the
fake. Nothing of botbuilder or Steward is mocked. Most tests run in Emulator mode (empty app id).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests

from bot.app import Steward
from bot.clock import FixedClock
from bot.server import RouteAdder, create_app
from bot.settings import Settings
from bot.teams.server import ENDPOINT_KEY, add_routes
from bot.work import Work
from storage.uow import build_uow_factory, ensure_schema
from tests.handlers.world import NOW, World, seed
from tests.support.fake_connector import FakeConnector, Member
from tests.support.serving import run_server

SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"
BOT = {"id": "28:steward-bot", "name": "Steward"}
TENANT = "tenant-1"

DANA = Member("29:dana", "Dana Director", "dana@example.com", "aad-dana")
MARK = Member("29:mark", "Mark Manager", "mark@example.com", "aad-mark")
JANE = Member("29:jane", "Jane Designer", None, "aad-jane", upn="jane@example.com")  # no email: the UPN
NOBODY = Member("29:nobody", "No Body", "nobody@example.com", "aad-nobody")
MEMBERS = (DANA, MARK, JANE, NOBODY)

CHANNEL = "19:acmeweb@thread.tacv2"
TEAM = "19:team@thread.tacv2"


def personal(member: Member) -> str:
    return f"a:personal-{member.id.split(':')[1]}"


@pytest.fixture
def connector() -> Iterator[FakeConnector]:
    fake = FakeConnector().start()
    for m in MEMBERS:
        fake.add(m)
    yield fake
    fake.stop()


@pytest.fixture
def world(tmp_path: Path) -> World:
    url = f"sqlite:///{tmp_path / 'steward.db'}"
    ensure_schema(url)
    w = seed(build_uow_factory(url))
    w.database_url = url  # type: ignore[attr-defined]
    return w


@dataclass
class TeamsServer:
    """The running server and helpers that post Bot Framework activities to it."""

    url: str
    connector: FakeConnector
    world: World
    steward: Steward
    loop: asyncio.AbstractEventLoop
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))  # type: ignore[type-arg]

    def activity(self, type: str = "message", *, user: Member = DANA, conversation: str | None = None,
                 kind: str = "personal", text: str | None = None, **extra: Any) -> dict[str, Any]:
        n = next(self._ids)
        conversation = conversation or (personal(user) if kind == "personal" else CHANNEL)
        body: dict[str, Any] = {
            "type": type,
            "id": f"f:{n}",
            "timestamp": datetime.now(UTC).isoformat(),
            "serviceUrl": self.connector.url,
            "channelId": "msteams",
            "from": {"id": user.id, "name": user.name, "aadObjectId": user.aad_object_id},
            "conversation": {"id": conversation, "conversationType": kind, "tenantId": TENANT,
                             **({"isGroup": True} if kind != "personal" else {})},
            "recipient": dict(BOT),
            "channelData": {"tenant": {"id": TENANT}},
            "locale": "en-US",
        }
        if kind == "channel":
            body["channelData"].update({"team": {"id": TEAM, "name": "Acme"},
                                        "channel": {"id": conversation.split(";")[0], "name": "acme-web"}})
        if text is not None:
            body["text"] = text
        body.update(extra)
        return body

    def post(self, activity: dict[str, Any] | str, *, headers: dict[str, str] | None = None,
             timeout: float = 20) -> requests.Response:
        data = activity if isinstance(activity, str) else json.dumps(activity)
        return requests.post(f"{self.url}/api/messages", data=data.encode(), timeout=timeout,
                             headers={"Content-Type": "application/json", **(headers or {})})

    def say(self, text: str, user: Member = DANA, **kw: Any) -> requests.Response:
        return self.post(self.activity(text=text, user=user, **kw))

    def mention(self, text: str, user: Member = DANA, conversation: str = CHANNEL) -> requests.Response:
        """A channel post that @mentions the bot, as Teams sends it."""
        return self.post(self.activity(
            text=f"<at>Steward</at> {text}", user=user, kind="channel", conversation=conversation,
            entities=[{"type": "mention", "text": "<at>Steward</at>", "mentioned": dict(BOT)}]))

    def execute(self, data: dict[str, Any], user: Member = DANA, conversation: str | None = None,
                kind: str = "personal", reply_to: str | None = None) -> requests.Response:
        """An ``Action.Execute`` click: invoke ``adaptiveCard/action``."""
        value = {"action": {"type": "Action.Execute", "verb": "steward", "data": data}, "trigger": "manual"}
        extra: dict[str, Any] = {"name": "adaptiveCard/action", "value": value}
        if reply_to:
            extra["replyToId"] = reply_to
        return self.post(self.activity("invoke", user=user, conversation=conversation, kind=kind, **extra))

    def submit(self, data: dict[str, Any], reply_to: str, user: Member = DANA,
               conversation: str | None = None, kind: str = "personal") -> requests.Response:
        """An ``Action.Submit`` click from a client without Universal Actions: a message with a value."""
        return self.post(self.activity(user=user, conversation=conversation, kind=kind, value=data,
                                       replyToId=reply_to))

    def install(self, user: Member = DANA, kind: str = "personal", conversation: str | None = None,
                members: list[dict[str, Any]] | None = None) -> requests.Response:
        """conversationUpdate with the bot among the members added (the app installed / added)."""
        return self.post(self.activity("conversationUpdate", user=user, kind=kind, conversation=conversation,
                                       membersAdded=members if members is not None else [dict(BOT)]))


def make_server(world: World, connector: FakeConnector, settings: Settings,
                adders: list[RouteAdder] | None = None,
                answer_within: float | None = None, work: Work | None = None,
                reply_budget: float | None = None) -> tuple[TeamsServer, threading.Thread]:
    steward = Steward(settings, world.uow_factory, FixedClock(NOW), work)
    app = create_app(steward, adders if adders is not None else [add_routes])
    if answer_within is not None:
        app[ENDPOINT_KEY].answer_within = answer_within
    if reply_budget is not None:
        app[ENDPOINT_KEY].bot.reply_budget = reply_budget
    url, loop, thread = run_server(app)
    return TeamsServer(url, connector, world, steward, loop), thread


@pytest.fixture
def server(connector: FakeConnector, world: World) -> Iterator[TeamsServer]:
    settings = Settings(database_url=world.database_url)  # type: ignore[attr-defined]
    srv, thread = make_server(world, connector, settings)
    yield srv
    srv.loop.call_soon_threadsafe(srv.loop.stop)
    thread.join(10)


@pytest.fixture
def card_schema() -> dict[str, Any]:
    return json.loads((SCHEMAS / "adaptive-card-1.5.json").read_text())  # type: ignore[no-any-return]


def card_errors(card: dict[str, Any]) -> list[str]:
    """Schema errors of a card (``msteams`` stripped first, per the schemas README); [] when valid."""
    from jsonschema import Draft6Validator

    from bot.teams.cards import without_msteams

    schema = json.loads((SCHEMAS / "adaptive-card-1.5.json").read_text())
    return [f"{e.message} @ {e.json_path}" for e in Draft6Validator(schema).iter_errors(without_msteams(card))]


def valid_card(card: dict[str, Any] | None) -> dict[str, Any]:
    assert card is not None, "no Adaptive Card attached"
    errors = card_errors(card)
    assert not errors, errors[:3]
    assert card["version"] == "1.5"
    return card
