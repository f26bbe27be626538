"""A local fake of the Slack Web API and of ``response_url``, recording every call.

It runs an aiohttp app on 127.0.0.1 (a random port) in its own thread and event loop, so tests
can point ``SLACK_API_URL`` at it and read what Steward sent. It answers the methods Steward
uses, can answer 429 with ``Retry-After`` a set number of times, and can be made slow per method.

It also plays Slack's side of Socket Mode: ``apps.connections.open`` hands out ``ws://…/link``, where
the fake says ``hello`` and then sends whatever envelopes a test gives ``socket_send``; every message
the app sends back (its acks) is recorded as a ``socket.ack`` call.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import WSMsgType, web

from tests.support.serving import run_server


@dataclass
class Call:
    """One request the fake received: the Web API method (or ``response_url``) and its parsed body."""

    method: str
    body: dict[str, Any]
    headers: dict[str, str]
    status: int = 200


@dataclass
class FakeSlack:
    """Start with ``start()``; ``url`` is the Web API base (``SLACK_API_URL``), ``response_url(key)`` a hook."""

    emails: dict[str, str] = field(default_factory=dict)  # Slack user id -> email for users.info
    timezones: dict[str, str] = field(default_factory=dict)  # Slack user id -> tz for users.info (optional)
    bot_user_id: str = "UBOT"
    calls: list[Call] = field(default_factory=list)
    rate_limit: dict[str, int] = field(default_factory=dict)  # method -> how many 429s before answering
    retry_after: int = 1
    delays: dict[str, float] = field(default_factory=dict)  # method -> seconds to wait before answering
    fail: dict[str, str] = field(default_factory=dict)  # method -> Slack error code to answer with ok=false
    oauth_scopes: str | None = None  # sent as the x-oauth-scopes header of every Web API answer, as Slack does
    host: str = "127.0.0.1"
    port: int = 0
    _loop: asyncio.AbstractEventLoop | None = None
    _thread: threading.Thread | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _ts: int = 0
    _sockets: list[web.WebSocketResponse] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/api/"

    def response_url(self, key: str = "r1") -> str:
        return f"http://{self.host}:{self.port}/response/{key}"

    # -- reading what was sent -------------------------------------------------------------------

    def of(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method and c.status == 200]

    def attempts(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 10.0,
                 where: Callable[[Call], bool] | None = None) -> list[Call]:
        """The answered calls of ``method`` once there are ``count`` of them; fails after ``timeout``."""
        deadline = time.monotonic() + timeout
        while True:
            found = [c for c in self.of(method) if where is None or where(c)]
            if len(found) >= count:
                return found
            if time.monotonic() > deadline:
                seen = [(c.method, c.status) for c in self.calls]
                raise AssertionError(f"expected {count} {method} call(s) within {timeout}s, got {len(found)}; "
                                     f"calls: {seen}")
            time.sleep(0.02)

    def socket_send(self, envelope: dict[str, Any], timeout: float = 10.0) -> None:
        """Send a Socket Mode envelope over the newest connection (waits for one to be open)."""
        deadline = time.monotonic() + timeout
        while not self._sockets:
            if time.monotonic() > deadline:
                raise AssertionError(f"no Socket Mode connection within {timeout}s; calls: "
                                     f"{[c.method for c in self.calls]}")
            time.sleep(0.05)
        assert self._loop is not None
        asyncio.run_coroutine_threadsafe(self._sockets[-1].send_json(envelope), self._loop).result(timeout)

    def clear(self) -> None:
        with self._lock:
            self.calls.clear()

    # -- the server ------------------------------------------------------------------------------

    def start(self) -> FakeSlack:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/response/{key}", self._response)
        app.router.add_get("/link", self._socket)
        app.router.add_post("/upload/{file_id}", self._upload)
        url, self._loop, self._thread = run_server(app, self.host, self.port, name="fake-slack")
        self.port = int(url.rsplit(":", 1)[1])
        return self

    def stop(self) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(10)

    async def _body(self, request: web.Request) -> dict[str, Any]:
        raw = await request.text()
        if request.content_type == "application/json":
            return json.loads(raw) if raw else {}
        body: dict[str, Any] = dict(parse_qsl(raw, keep_blank_values=True))
        for key in ("blocks", "view", "attachments", "metadata"):
            if isinstance(body.get(key), str):
                with contextlib.suppress(ValueError):
                    body[key] = json.loads(body[key])
        return body

    def _record(self, method: str, body: dict[str, Any], request: web.Request, status: int) -> None:
        with self._lock:
            self.calls.append(Call(method, body, dict(request.headers), status))

    async def _response(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        self._record("response_url", {**body, "_key": request.match_info["key"]}, request, 200)
        return web.Response(text="ok")

    async def _upload(self, request: web.Request) -> web.Response:
        """Step 2 of files_upload_v2: the file's bytes POSTed to the URL files.getUploadURLExternal gave
        (recorded as an ``upload`` call whose body has ``file_id`` and the raw ``content``)."""
        content = await request.read()
        file_id = request.match_info["file_id"]
        fail = "upload" in self.fail
        self._record("upload", {"file_id": file_id, "content": content}, request, 500 if fail else 200)
        if fail:
            return web.Response(status=500, text="upload failed")
        return web.Response(text=f"OK - {len(content)}")

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._record("socket.connect", {}, request, 200)
        await ws.send_json({"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A1"},
                            "debug_info": {"host": "fake", "approximate_connection_time": 18060}})
        self._sockets.append(ws)
        async for message in ws:
            if message.type == WSMsgType.TEXT:
                self._record("socket.ack", json.loads(message.data), request, 200)
        return ws

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        body = await self._body(request)
        body.update(dict(request.query))
        if isinstance(body.get("files"), str):  # files.completeUploadExternal: a JSON list, maybe in the query
            with contextlib.suppress(ValueError):
                body["files"] = json.loads(body["files"])
        with self._lock:
            left = self.rate_limit.get(method, 0)
            if left:
                self.rate_limit[method] = left - 1
        if left:
            self._record(method, body, request, 429)
            return web.json_response({"ok": False, "error": "ratelimited"}, status=429,
                                     headers={"Retry-After": str(self.retry_after)})
        delay = self.delays.get(method, 0.0)
        if delay:
            await asyncio.sleep(delay)
        self._record(method, body, request, 200)
        scopes = {"x-oauth-scopes": self.oauth_scopes} if self.oauth_scopes is not None else {}
        if method in self.fail:
            return web.json_response({"ok": False, "error": self.fail[method]}, headers=scopes)
        return web.json_response(self._answer(method, body), headers=scopes)

    def _answer(self, method: str, body: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            self._ts += 1
            ts = f"1700000000.{self._ts:06d}"
        if method == "auth.test":
            return {"ok": True, "url": "https://fake.slack.com/", "team": "Fake", "user": "steward",
                    "team_id": "T1", "user_id": self.bot_user_id, "bot_id": "B1"}
        if method == "users.info":
            user = body.get("user", "")
            email = self.emails.get(user)
            if email is None:
                return {"ok": False, "error": "user_not_found"}
            found = {"id": user, "name": email.split("@")[0], "real_name": email,
                     "profile": {"email": email, "real_name": email}}
            if user in self.timezones:
                found["tz"] = self.timezones[user]
            return {"ok": True, "user": found}
        if method in ("chat.postMessage", "chat.update"):
            return {"ok": True, "channel": body.get("channel", "C1"), "ts": body.get("ts") or ts,
                    "message": {"text": body.get("text", ""), "ts": ts}}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": ts}
        if method in ("views.open", "views.publish", "views.update", "views.push"):
            view = body.get("view") or {}
            if isinstance(view, str):
                view = json.loads(view)
            return {"ok": True, "view": {**view, "id": f"V{self._ts}", "hash": "h"}}
        if method == "chat.getPermalink":
            return {"ok": True, "channel": body.get("channel"),
                    "permalink": f"https://fake.slack.com/archives/{body.get('channel')}/p"
                                 f"{str(body.get('message_ts', '')).replace('.', '')}"}
        if method == "apps.connections.open":
            return {"ok": True, "url": f"ws://{self.host}:{self.port}/link"}
        if method == "conversations.open":
            return {"ok": True, "channel": {"id": "D" + str(body.get("users", "U"))}}
        if method == "users.lookupByEmail":
            wanted = str(body.get("email", "")).strip().lower()
            found = [uid for uid, email in self.emails.items() if email.lower() == wanted]
            if not found:
                return {"ok": False, "error": "users_not_found"}
            return {"ok": True, "user": {"id": found[0], "name": wanted.split("@")[0],
                                         "profile": {"email": self.emails[found[0]]}}}
        if method == "files.getUploadURLExternal":
            file_id = f"F{self._ts:06d}"
            return {"ok": True, "file_id": file_id, "upload_url": f"http://{self.host}:{self.port}/upload/{file_id}"}
        if method == "files.completeUploadExternal":
            shared = body.get("files") if isinstance(body.get("files"), list) else []
            return {"ok": True, "files": [{"id": f.get("id"), "title": f.get("title"), "name": f.get("title")}
                                          for f in shared]}
        return {"ok": True}
