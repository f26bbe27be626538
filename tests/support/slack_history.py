"""The fake Slack Web API, plus what delivery needs: a conversation history that keeps each posted
message's metadata (``conversations.history``), and a switch that makes ``chat.postMessage`` record a
message (as Slack would have posted it) and then never answer, so a worker can be killed mid-send."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.support.fake_slack import FakeSlack


@dataclass
class HistorySlack(FakeSlack):
    hang_posts: int = 0  # the next N chat.postMessage calls are posted, recorded, and never answered
    hang_key: str = ""  # ...only those carrying this delivery key (empty: any)
    history: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def posted_keys(self) -> list[str]:
        """The delivery key of every message posted (chat.postMessage calls, answered or not)."""
        return [((c.body.get("metadata") or {}).get("event_payload") or {}).get("key", "")
                for c in self.attempts("chat.postMessage")]

    async def _api(self, request: web.Request) -> web.Response:
        if request.match_info["method"] == "chat.postMessage" and self.hang_posts > 0:
            body = await self._body(request)
            key = ((body.get("metadata") or {}).get("event_payload") or {}).get("key", "")
            if self.hang_key and key != self.hang_key:
                return await self._answered(request, body)
            self.hang_posts -= 1
            self._record("chat.postMessage", body, request, 200)
            self._answer("chat.postMessage", body)  # it is in the channel now
            await asyncio.sleep(3600)  # ...but the poster never hears back
        return await super()._api(request)

    async def _answered(self, request: web.Request, body: dict[str, Any]) -> web.Response:
        self._record("chat.postMessage", body, request, 200)
        return web.json_response(self._answer("chat.postMessage", body))

    def _answer(self, method: str, body: dict[str, Any]) -> dict[str, Any]:
        if method == "conversations.history":
            with self._lock:
                messages = list(reversed(self.history.get(str(body.get("channel")), [])))
            return {"ok": True, "messages": messages, "has_more": False}
        answer = super()._answer(method, body)
        if method == "chat.postMessage":
            with self._lock:
                self.history.setdefault(str(body.get("channel")), []).append(
                    {"type": "message", "ts": answer["ts"], "text": body.get("text", ""),
                     "metadata": body.get("metadata")})
        return answer
