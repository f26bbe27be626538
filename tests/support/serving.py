"""Serving an aiohttp application in a background thread for end-to-end tests (Slack and Teams)."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from aiohttp import web


def run_server(
    app: web.Application, host: str = "127.0.0.1", port: int = 0, name: str = "steward-server"
) -> tuple[str, asyncio.AbstractEventLoop, threading.Thread]:
    """Serve ``app`` on ``host`` (a random port by default) in a thread with its own loop; stopping the
    loop (``loop.call_soon_threadsafe(loop.stop)``) cleans the server up and ends the thread."""
    started = threading.Event()
    box: dict[str, Any] = {}

    def run() -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        runner = web.AppRunner(app)
        loop.run_until_complete(runner.setup())
        site = web.TCPSite(runner, host, port)
        loop.run_until_complete(site.start())
        box["port"] = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        box["loop"] = loop
        started.set()
        loop.run_forever()
        loop.run_until_complete(runner.cleanup())
        loop.close()

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    if not started.wait(10):
        raise RuntimeError(f"{name} did not start")
    return f"http://{host}:{box['port']}", box["loop"], thread
