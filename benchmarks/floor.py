"""The framework floor for the slash-command benchmark: a bare Bolt app on Steward's server stack.

A ``slack_bolt.async_app.AsyncApp`` in the same mode as Steward (``process_before_response=True``, a bot
token whose ``auth.test`` goes to ``SLACK_API_URL``, the signing secret checked), answering ``/budget``
with fixed text in its ack, mounted the way ``steward serve`` mounts Steward: an aiohttp
``web.Application`` with ``POST /slack/events`` feeding ``AsyncBoltRequest`` to ``async_dispatch``,
served by ``web.AppRunner(access_log=None)`` and ``web.TCPSite``. No database, no lazy listener: what
is left is the cost of aiohttp + Bolt (signature check, parsing, middleware, listener matching).

    SLACK_SIGNING_SECRET=... SLACK_BOT_TOKEN=xoxb-... SLACK_API_URL=http://127.0.0.1:P/api/ \\
        python -m benchmarks.floor --port 3001
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import sys

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.web.async_client import AsyncWebClient

FIXED_TEXT = "Big Bench Corp: budget fine (fixed text from the floor app)"


def floor_app() -> web.Application:
    """The aiohttp application of the floor: ``/slack/events`` and ``/healthz``."""
    bolt = AsyncApp(
        signing_secret=os.environ["SLACK_SIGNING_SECRET"],
        client=AsyncWebClient(token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"]),
        process_before_response=True,
    )

    @bolt.command("/budget")
    async def budget(ack: AsyncAck) -> None:
        await ack(FIXED_TEXT)

    async def slack_events(request: web.Request) -> web.Response:
        body = await request.text()
        bolt_request = AsyncBoltRequest(body=body, query=request.query_string,
                                        headers=dict(request.headers))  # type: ignore[arg-type]
        return await to_aiohttp_response(await bolt.async_dispatch(bolt_request))

    async def healthz(request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    app = web.Application()
    app.router.add_post("/slack/events", slack_events)
    app.router.add_get("/healthz", healthz)
    return app


async def serve(host: str, port: int) -> None:
    runner = web.AppRunner(floor_app(), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.floor")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    asyncio.run(serve(args.host, args.port))
    return 0


if __name__ == "__main__":
    sys.exit(main())
