"""A local fake of the Bot Framework connector (the ``serviceUrl`` Teams gives a bot), recording every call.

It runs an aiohttp app on 127.0.0.1 (a random port) in its own thread and event loop. Activities posted
to ``/api/messages`` carry ``serviceUrl = fake.url``, so everything the bot sends comes here:

- ``POST /v3/conversations/{id}/activities`` (a new message; proactive) and ``.../activities/{replyTo}``
  (a reply): recorded as ``send`` / ``reply``, answered with a new activity id;
- ``PUT /v3/conversations/{id}/activities/{activityId}`` (a card updated in place): recorded as ``update``;
- ``GET /v3/conversations/{id}/members/{userId}``: the configured member (email, userPrincipalName,
  aadObjectId), or 404 ``MemberNotFoundInConversation``;
- ``GET /v3/conversations/{id}/pagedmembers``: every configured member, ``page_cap`` a page at most, with a
  continuation token (recorded as ``pagedmembers``);
- ``POST /v3/conversations``: creates a conversation.

It can answer 429 with ``Retry-After`` a set number of times per kind of call, or a given sequence of
error statuses per kind (``failures["reply"] = [429, 412, 502, 504]``) before answering.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.support.serving import run_server


@dataclass(frozen=True)
class Member:
    id: str  # the Teams user id (29:…)
    name: str
    email: str | None
    aad_object_id: str
    upn: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "name": self.name, "aadObjectId": self.aad_object_id,
                               "givenName": self.name.split()[0], "surname": self.name.split()[-1],
                               "tenantId": "tenant-1", "userRole": "user"}
        if self.email:
            out["email"] = self.email
        if self.upn or self.email:
            out["userPrincipalName"] = self.upn or self.email
        return out


@dataclass
class Call:
    """One request the fake received."""

    kind: str  # send | reply | update | member | create
    conversation_id: str
    activity_id: str | None
    body: dict[str, Any]
    headers: dict[str, str]
    status: int = 200
    id: str = ""  # the activity id the fake gave a sent message

    @property
    def card(self) -> dict[str, Any] | None:
        """The first Adaptive Card attached to a sent or updated activity."""
        for attachment in self.body.get("attachments") or []:
            if attachment.get("contentType") == "application/vnd.microsoft.card.adaptive":
                return attachment.get("content")  # type: ignore[no-any-return]
        return None

    @property
    def card_text(self) -> str:
        """Every text of the card, flattened, for assertions."""
        return json.dumps(self.card or {}, ensure_ascii=False)


@dataclass
class FakeConnector:
    members: dict[str, Member] = field(default_factory=dict)  # Teams user id -> member
    calls: list[Call] = field(default_factory=list)
    rate_limit: dict[str, int] = field(default_factory=dict)  # kind -> how many 429s before answering
    retry_after: int = 1
    delays: dict[str, float] = field(default_factory=dict)  # kind -> seconds to wait before answering
    failures: dict[str, list[int]] = field(default_factory=dict)  # kind -> statuses to answer first, in order
    page_cap: int = 2  # members per page of pagedmembers, whatever the page size asked (to exercise paging)
    host: str = "127.0.0.1"
    port: int = 0
    _loop: asyncio.AbstractEventLoop | None = None
    _thread: threading.Thread | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))  # type: ignore[type-arg]

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/"

    def add(self, member: Member) -> None:
        with self._lock:
            self.members[member.id] = member

    # -- reading what was sent -------------------------------------------------------------------

    def of(self, *kinds: str, conversation_id: str | None = None) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.kind in kinds and c.status == 200
                    and (conversation_id is None or c.conversation_id == conversation_id)]

    def messages(self, conversation_id: str | None = None) -> list[Call]:
        """Messages the bot posted (new ones and replies), oldest first."""
        return self.of("send", "reply", conversation_id=conversation_id)

    def wait_for(self, *kinds: str, count: int = 1, timeout: float = 10.0,
                 where: Callable[[Call], bool] | None = None) -> list[Call]:
        deadline = time.monotonic() + timeout
        while True:
            found = [c for c in self.of(*kinds) if where is None or where(c)]
            if len(found) >= count:
                return found
            if time.monotonic() > deadline:
                seen = [(c.kind, c.conversation_id, c.status) for c in self.calls]
                raise AssertionError(f"expected {count} {kinds} call(s) within {timeout}s, got {len(found)}; "
                                     f"calls: {seen}")
            time.sleep(0.02)

    def clear(self) -> None:
        with self._lock:
            self.calls.clear()

    # -- the server ------------------------------------------------------------------------------

    def start(self) -> FakeConnector:
        app = web.Application()
        app.router.add_post("/v3/conversations", self._create)
        app.router.add_post("/v3/conversations/{cid}/activities", self._send)
        app.router.add_post("/v3/conversations/{cid}/activities/{aid}", self._send)
        app.router.add_put("/v3/conversations/{cid}/activities/{aid}", self._update)
        app.router.add_get("/v3/conversations/{cid}/members/{uid}", self._member)
        app.router.add_get("/v3/conversations/{cid}/pagedmembers", self._paged)
        url, self._loop, self._thread = run_server(app, self.host, self.port, name="fake-connector")
        self.port = int(url.rsplit(":", 1)[1])
        return self

    def stop(self) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(10)

    def _limited(self, kind: str) -> bool:
        with self._lock:
            left = self.rate_limit.get(kind, 0)
            if left:
                self.rate_limit[kind] = left - 1
        return bool(left)

    def _failure(self, kind: str) -> int | None:
        with self._lock:
            queue = self.failures.get(kind)
            return queue.pop(0) if queue else None

    def _failed(self, status: int) -> web.Response:
        if status == 429:
            return self._too_many()
        return web.json_response({"error": {"code": "ServiceError", "message": f"fake {status}"}}, status=status)

    def _record(self, call: Call) -> Call:
        with self._lock:
            self.calls.append(call)
        return call

    async def _json(self, request: web.Request) -> dict[str, Any]:
        raw = await request.text()
        return json.loads(raw) if raw else {}

    def _too_many(self) -> web.Response:
        return web.json_response({"error": {"code": "ThrottledRequest", "message": "slow down"}}, status=429,
                                 headers={"Retry-After": str(self.retry_after)})

    async def _send(self, request: web.Request) -> web.Response:
        cid, aid = request.match_info["cid"], request.match_info.get("aid")
        body = await self._json(request)
        kind = "reply" if aid else "send"
        failure = self._failure(kind)
        if failure is not None:
            self._record(Call(kind, cid, aid, body, dict(request.headers), failure))
            return self._failed(failure)
        if self._limited(kind):
            self._record(Call(kind, cid, aid, body, dict(request.headers), 429))
            return self._too_many()
        new_id = f"1:{next(self._ids)}"
        self._record(Call(kind, cid, aid, body, dict(request.headers), 200, new_id))
        return web.json_response({"id": new_id})

    async def _update(self, request: web.Request) -> web.Response:
        cid, aid = request.match_info["cid"], request.match_info["aid"]
        body = await self._json(request)
        if self._limited("update"):
            self._record(Call("update", cid, aid, body, dict(request.headers), 429))
            return self._too_many()
        self._record(Call("update", cid, aid, body, dict(request.headers), 200, aid))
        return web.json_response({"id": aid})

    async def _member(self, request: web.Request) -> web.Response:
        cid, uid = request.match_info["cid"], request.match_info["uid"]
        if self.delays.get("member"):
            await asyncio.sleep(self.delays["member"])
        member = self.members.get(uid)
        self._record(Call("member", cid, uid, {}, dict(request.headers), 200 if member else 404))
        if member is None:
            return web.json_response({"error": {"code": "MemberNotFoundInConversation",
                                                 "message": "The member is not in this conversation"}},
                                     status=404)
        return web.json_response(member.to_json())

    async def _create(self, request: web.Request) -> web.Response:
        body = await self._json(request)
        cid = f"a:created-{next(self._ids)}"
        self._record(Call("create", cid, None, body, dict(request.headers)))
        return web.json_response({"id": cid, "activityId": f"1:{next(self._ids)}", "serviceUrl": self.url})

    async def _paged(self, request: web.Request) -> web.Response:
        cid = request.match_info["cid"]
        start = int(request.query.get("continuationToken") or 0)
        size = min(int(request.query.get("pageSize") or self.page_cap), self.page_cap)
        with self._lock:
            everyone = list(self.members.values())
        page = everyone[start:start + size]
        self._record(Call("pagedmembers", cid, None, {"start": start, "size": size}, dict(request.headers)))
        body: dict[str, Any] = {"members": [m.to_json() for m in page]}
        if start + size < len(everyone):
            body["continuationToken"] = str(start + size)
        return web.json_response(body)
