"""Build the Bolt ``AsyncApp`` for one ``Steward`` and the aiohttp route that feeds it.

``process_before_response=True`` on purpose. In Bolt's default mode the HTTP answer waits for ``ack()``
by polling every 10 ms, and a listener that raises right after ``ack()`` overwrites the ack so Slack
sees "404 unhandled request" (measured, see DESIGN.md). With ``process_before_response=True`` the
answer is the ack itself (~1 ms), so every listener here is quick (an empty ack, or a modal's field
check bounded by ``views.SUBMIT_BUDGET``) and the slow work runs after the ack in an asyncio task the
listener starts itself (``Deps.spawn``, its failures logged by ``runtime.logged``). The same holds in
Socket Mode.

Not Bolt's lazy listeners: before answering, Bolt deep-copies the whole request (body, context, Web
API client) for every lazy function, ~0.2 ms of the ~0.3 ms Steward spent dispatching a slash command
(cProfile; the bare Bolt floor dispatches in ~0.07 ms), on the event loop, ahead of every ack. The
listener arguments the work needs are passed to the task as they are; nothing mutates them.
"""

from __future__ import annotations

import logging
import re
import time

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot import logs, metrics
from bot.app import Steward
from bot.drain import register
from bot.settings import ConfigError
from bot.slack import actions, commands, events, home, shortcuts, standup, views
from bot.slack.identity import SlackIdentity
from bot.slack.runtime import Deps, hold_spawned
from bot.work import work_for

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
APP_KEY: web.AppKey[AsyncApp] = web.AppKey("slack_app", AsyncApp)
RATE_LIMIT_RETRIES = 3


def web_client(token: str, api_url: str) -> AsyncWebClient:
    """The Web API client: ``SLACK_API_URL`` as base, 429s retried after ``Retry-After`` (slack_sdk
    retries no 429 by default), connection errors retried once."""
    return AsyncWebClient(
        token=token,
        base_url=api_url,
        retry_handlers=[AsyncConnectionErrorRetryHandler(),
                        AsyncRateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES)],
    )


def build_app(steward: Steward, deps: Deps | None = None) -> AsyncApp:
    """The Bolt app with every Steward listener; nothing connects to Slack until the first request."""
    settings = steward.settings
    if not settings.slack_bot_token:
        raise ConfigError("SLACK_BOT_TOKEN is required to serve Slack")
    if not settings.slack_signing_secret and not settings.slack_app_token:
        raise ConfigError("SLACK_SIGNING_SECRET is required when SLACK_BOT_TOKEN is set")
    app = AsyncApp(
        name="steward",
        signing_secret=settings.slack_signing_secret or "",
        # The client carries the token (Bolt ignores token= when it is given a client).
        client=web_client(settings.slack_bot_token, settings.slack_api_url),
        process_before_response=True,
        logger=logging.getLogger("bot.slack.bolt"),
    )
    deps = deps or Deps(steward=steward, identity=SlackIdentity(steward.uow_factory), work=work_for(steward))
    for module in (commands, actions, events, views, shortcuts, home, standup):
        module.register(app, deps)
    app.error(_on_error)
    return app


async def _on_error(error: Exception, body: dict, logger: logging.Logger) -> None:  # type: ignore[type-arg]
    logger.error("Slack listener failed (%s): %r", body.get("type") or body.get("command"), error, exc_info=error)


# ASCII digits only, and few of them: ``str.isdigit()`` accepts "²" and "①", which ``int()`` refuses (a 500),
# and a 5,000-digit number is no time at all.
_TIMESTAMP = re.compile(r"[0-9]{1,12}")


def _timestamp_ok(value: str | None) -> bool:
    return value is not None and _TIMESTAMP.fullmatch(value) is not None


def add_routes(web_app: web.Application, steward: Steward) -> None:
    """Route adder for ``bot.server.create_app``: ``POST /slack/events`` (Bolt's single request URL)."""
    deps = Deps(steward=steward, identity=SlackIdentity(steward.uow_factory), work=work_for(steward))
    bolt = build_app(steward, deps)
    web_app[APP_KEY] = bolt

    async def close(_: web.Application) -> None:
        await deps.close()

    web_app.on_cleanup.append(close)
    register(web_app, lambda: deps.tasks)

    async def slack_events(request: web.Request) -> web.Response:
        # Bolt's verification raises (500) on a non-numeric timestamp; a malformed request is the
        # sender's fault, so it gets 401 like any other request that fails verification.
        if not _timestamp_ok(request.headers.get("X-Slack-Request-Timestamp")):
            return web.json_response({"error": "invalid request timestamp"}, status=401)
        began = time.perf_counter()
        body = await request.text()
        bolt_request = AsyncBoltRequest(body=body, query=request.query_string,
                                        headers=dict(request.headers))  # type: ignore[arg-type]
        # The request's ids (never its text or headers) on every log line of it, the work after the ack too.
        with logs.request(platform="slack", **logs.slack_ids(body, request.content_type)), \
                hold_spawned() as held:
            try:
                try:
                    bolt_response = await bolt.async_dispatch(bolt_request)
                except Exception:
                    log.exception("Slack request failed")
                    return web.json_response({"error": "internal error"}, status=500)
                # Write the ack before the work after it starts competing with the loop for the GIL.
                response = await to_aiohttp_response(bolt_response)
                await response.prepare(request)
                await response.write_eof()
                metrics.slack_acked(time.perf_counter() - began)
                return response
            finally:
                for start in held:
                    start()

    web_app.router.add_post(EVENTS_PATH, slack_events)
