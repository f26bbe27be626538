"""Serving an aiohttp application in a background thread for end-to-end tests (Slack and Teams)."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from aiohttp import web


def run_server(app: web.Application) -> tuple[str, asyncio.AbstractEventLoop, threading.Thread]:
    """Serve ``app`` on 127.0.0.1 (random port) in a thread with its own loop."""
    started = threading.Event()
    box: dict[str, Any] = {}

    def run() -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        runner = web.AppRunner(app)
        loop.run_until_complete(runner.setup())
        site = web.TCPSite(runner, "127.0.0.1", 0)
        loop.run_until_complete(site.start())
        box["port"] = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        box["loop"] = loop
        started.set()
        loop.run_forever()
        loop.run_until_complete(runner.cleanup())
        loop.close()

    thread = threading.Thread(target=run, name="steward-server", daemon=True)
    thread.start()
    assert started.wait(10), "server did not start"
    return f"http://127.0.0.1:{box['port']}", box["loop"], thread
