"""The load generator for the slash-command benchmark: its own process, 127.0.0.1 only, bounded counts.

It hosts, on one event loop:

- a fake Slack Web API (``auth.test``, ``users.info``) for the server under test (``SLACK_API_URL``);
- the ``response_url`` sink, which notes when each answer arrives;
- an aiohttp client that posts signed ``/budget`` slash commands at a fixed concurrency.

Protocol (so the runner can start the server after the fake exists): the process prints
``READY <port>``, then reads one JSON job per line on stdin and prints one JSON result per line;
``{"quit": true}`` ends it. A job: ``url``, ``mode`` (``ack``: a worker sends its next request as soon
as the HTTP answer (the ack) is back; ``answer``: only once the answer reached ``response_url``, the
latency a user feels), ``concurrency``, ``requests``, ``text``, ``user``, ``expect`` (text every answer
must contain), ``drain`` (ack mode: also wait for every answer, seconds).

    python -m benchmarks.loadgen --secret S --user U0000003=dana@example.com
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import sys
import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import aiohttp
from aiohttp import web


def percentile(values: list[float], pct: float) -> float:
    """The ``pct`` percentile (nearest rank) of ``values``; 0.0 for none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def sign(secret: str, timestamp: str, body: str) -> str:
    """Slack's v0 request signature."""
    digest = hmac.new(secret.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return f"v0={digest}"


@dataclass
class Sink:
    """The fake Slack Web API and the response_url endpoint, with the answers' arrival times."""

    emails: dict[str, str]
    arrived: dict[str, float] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)
    waiting: dict[str, asyncio.Future[float]] = field(default_factory=dict)
    api_calls: dict[str, int] = field(default_factory=dict)

    async def api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        self.api_calls[method] = self.api_calls.get(method, 0) + 1
        if method == "auth.test":
            return web.json_response({"ok": True, "url": "https://bench.slack.com/", "team": "Bench", "user": "steward",
                                      "team_id": "T1", "user_id": "UBOT", "bot_id": "B1"})
        if method == "users.info":
            form = await request.post()
            user = str(form.get("user") or request.query.get("user", ""))
            email = self.emails.get(user)
            if email is None:
                return web.json_response({"ok": False, "error": "user_not_found"})
            return web.json_response({"ok": True, "user": {"id": user, "profile": {"email": email}}})
        return web.json_response({"ok": True})

    async def response(self, request: web.Request) -> web.Response:
        now = time.perf_counter()
        key = request.match_info["key"]
        raw = await request.read()
        self.arrived[key] = now
        try:
            payload = json.loads(raw)
            self.texts[key] = json.dumps(payload.get("blocks") or payload.get("text") or "")
        except ValueError:
            self.texts[key] = raw.decode(errors="replace")
        waiter = self.waiting.pop(key, None)
        if waiter is not None and not waiter.done():
            waiter.set_result(now)
        return web.Response(text="ok")


async def run_job(job: dict[str, Any], sink: Sink, port: int, secret: str) -> dict[str, Any]:
    """Post ``requests`` signed slash commands at ``concurrency``; latencies in milliseconds."""
    url, mode = job["url"], job.get("mode", "ack")
    concurrency, total = int(job["concurrency"]), int(job["requests"])
    run = uuid.uuid4().hex[:8]
    acks: list[float] = []
    answers: list[float] = []
    sent: dict[str, float] = {}
    errors: list[str] = []
    counter = iter(range(total))
    loop = asyncio.get_running_loop()

    async def one(session: aiohttp.ClientSession, n: int) -> None:
        key = f"{run}-{n}"
        form = {"token": "x", "team_id": "T1", "team_domain": "bench", "channel_id": "CBENCHCMD",
                "channel_name": "bench", "user_id": job["user"], "user_name": "bench", "command": "/budget",
                "text": job["text"], "api_app_id": "A1", "response_url": f"http://127.0.0.1:{port}/response/{key}",
                "trigger_id": f"{run}.{n}"}
        body = urlencode(form)
        ts = str(int(time.time()))
        headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Slack-Request-Timestamp": ts,
                   "X-Slack-Signature": sign(secret, ts, body)}
        waiter: asyncio.Future[float] | None = None
        if mode == "answer":
            waiter = loop.create_future()
            sink.waiting[key] = waiter
        start = time.perf_counter()
        sent[key] = start
        async with session.post(url, data=body, headers=headers) as response:
            await response.read()
            acked = time.perf_counter()
            if response.status != 200:
                errors.append(f"HTTP {response.status}")
                sink.waiting.pop(key, None)
                return
        acks.append((acked - start) * 1000)
        if waiter is not None:
            try:
                arrived = await asyncio.wait_for(waiter, timeout=60)
            except TimeoutError:
                errors.append("no answer within 60 s")
                return
            answers.append((arrived - start) * 1000)

    async def worker(session: aiohttp.ClientSession) -> None:
        for n in counter:
            try:
                await one(session, n)
            except aiohttp.ClientError as exc:
                errors.append(type(exc).__name__)

    connector = aiohttp.TCPConnector(limit=concurrency)
    timeout = aiohttp.ClientTimeout(total=60)
    began = time.perf_counter()
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
    wall = time.perf_counter() - began
    result: dict[str, Any] = {
        "mode": mode, "concurrency": concurrency, "requests": total, "errors": len(errors),
        "error_kinds": sorted(set(errors))[:5], "wall_s": wall,
        "ack_p50_ms": percentile(acks, 50), "ack_p99_ms": percentile(acks, 99), "rps": len(acks) / wall if wall else 0,
    }
    if mode == "answer":
        result.update(answer_p50_ms=percentile(answers, 50), answer_p99_ms=percentile(answers, 99),
                      answers_per_s=len(answers) / wall if wall else 0)
    drain = float(job.get("drain", 0))
    if mode == "ack" and drain > 0:
        # Wait for every answer, but give up after ``drain`` seconds, or 10 s without a new answer (lost ones).
        deadline = time.perf_counter() + drain
        seen, quiet_since = -1, time.perf_counter()
        while time.perf_counter() < deadline:
            have = sum(1 for k in sent if k in sink.arrived)
            if have == len(sent):
                break
            if have != seen:
                seen, quiet_since = have, time.perf_counter()
            elif time.perf_counter() - quiet_since > 10:
                break
            await asyncio.sleep(0.05)
        got = [sink.arrived[k] - sent[k] for k in sent if k in sink.arrived]
        last = max((sink.arrived[k] for k in sent if k in sink.arrived), default=began)
        result.update(answered=len(got), answer_p50_ms=percentile([g * 1000 for g in got], 50),
                      answer_p99_ms=percentile([g * 1000 for g in got], 99),
                      answers_per_s=len(got) / (last - began) if got else 0.0)
    expect = job.get("expect")
    if expect:
        texts = [sink.texts.get(k, "") for k in sent if k in sink.arrived]
        result["answers_ok"] = sum(1 for t in texts if expect in t)
        result["sample_answer"] = (texts[0][:200] if texts else "")
    for k in sent:
        sink.arrived.pop(k, None)
        sink.texts.pop(k, None)
    return result


async def main_async(args: argparse.Namespace) -> None:
    emails = dict(pair.split("=", 1) for pair in args.user)
    sink = Sink(emails)
    app = web.Application(client_max_size=4 * 1024 * 1024)
    app.router.add_route("*", "/api/{method}", sink.api)
    app.router.add_post("/response/{key}", sink.response)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    print(f"READY {port}", flush=True)
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    try:
        while True:
            line = await reader.readline()
            if not line:
                break
            job = json.loads(line)
            if job.get("quit"):
                break
            result = await run_job(job, sink, port, args.secret)
            result["api_calls"] = dict(sink.api_calls)
            print(json.dumps(result), flush=True)
    finally:
        await runner.cleanup()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.loadgen")
    parser.add_argument("--secret", required=True, help="the signing secret of the server under test")
    parser.add_argument("--user", action="append", default=[], metavar="ID=EMAIL", help="users.info answers")
    asyncio.run(main_async(parser.parse_args(argv)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
