"""``POST /api/messages``: the Bot Framework endpoint, mounted by ``bot.server`` in ``steward serve``.

The route calls ``adapter.process_activity`` itself instead of ``CloudAdapter.process``: in botbuilder
4.17.1 ``process`` serializes an invoke's body twice and answers 500 to every ``Action.Execute`` (see
DESIGN, "Framework traps"). Here the ``InvokeResponse`` body is serialized once.

Authentication (when ``MICROSOFT_APP_ID`` is set):
- no ``Authorization`` header, a header that is not ``Bearer <JWT>``, or a token that does not even
  decode as a JWT: 401 here, before botbuilder. botbuilder would raise ``jwt.DecodeError`` (a 500) on a
  malformed token, and nothing malformed ever reaches its OpenID metadata fetch;
- a well-formed token is validated by botbuilder (issuer, then signature against the Bot Framework's
  OpenID keys, fetched and cached off the event loop by ``bot.teams.auth``) *before* the turn runs, so
  that every failure of validation, whatever botbuilder raises (``PermissionError``, ``jwt`` errors,
  the bare ``Exception`` of ``alg: none``), is a 401 with one log line, and keys that cannot be had are a
  503 (the channel retries); a failure of the turn itself stays a 500;
- the activity's tenant must be one this bot serves (``MICROSOFT_APP_TENANT_ID`` for a single-tenant bot,
  else ``STEWARD_TEAMS_TENANTS``): any other gets 403 and nothing is read or written.

Teams waits 15 seconds for an answer. A turn still running after ``ANSWER_WITHIN`` seconds goes on in
the background (its reply is posted when ready) and the request is answered at once.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
from collections.abc import Mapping
from typing import Any

import jwt
from aiohttp import web
from botbuilder.core import InvokeResponse, serializer_helper
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity, ActivityTypes
from msrest.serialization import Model

from bot import logs
from bot.app import Steward
from bot.drain import register
from bot.teams import auth as teams_auth
from bot.teams.adapter import accepted_tenants, activity_tenant, build_adapter, emulator_mode
from bot.teams.bot import MESSAGE_RESPONSE, StewardTeamsBot
from bot.teams.identity import TeamsIdentity

log = logging.getLogger(__name__)

MESSAGES_PATH = "/api/messages"
ANSWER_WITHIN = 12.0  # seconds; Teams gives up at 15
MAX_BODY = 1_000_000  # bytes; an activity is a few KB (Teams messages are at most ~100 KB)
ADAPTER_KEY: web.AppKey[CloudAdapter] = web.AppKey("teams_adapter", CloudAdapter)
BOT_KEY: web.AppKey[StewardTeamsBot] = web.AppKey("teams_bot", StewardTeamsBot)


def well_formed_bearer(header: str) -> bool:
    """``Bearer <a JWT that decodes, with an issuer>``; says nothing about whether it is valid."""
    scheme, _, token = header.strip().partition(" ")
    if scheme != "Bearer" or not token.strip():
        return False
    try:
        jwt.get_unverified_header(token.strip())
        claims = jwt.decode(token.strip(), options={"verify_signature": False})
    except jwt.PyJWTError:
        return False
    return isinstance(claims, dict) and isinstance(claims.get("iss"), str)


# Headers a reverse proxy adds: a request carrying one did not come straight from this machine.
PROXY_HEADERS = ("Forwarded", "X-Forwarded-For", "X-Real-IP")


def from_this_machine(remote: str | None, headers: Mapping[str, str]) -> bool:
    """A request straight from this machine: a loopback peer and no proxy's forwarding headers.

    Emulator mode (``MICROSOFT_APP_ID`` empty) checks no token, and the caller's identity comes from the
    activity and its ``serviceUrl``, both the sender's to choose: served to anyone, anyone could act as
    any director. The Bot Framework Emulator runs beside the server, so that is all this mode admits."""
    if any(h in headers for h in PROXY_HEADERS):
        return False
    try:
        return remote is not None and ipaddress.ip_address(remote.split("%")[0]).is_loopback
    except ValueError:
        return False


def unauthorized(reason: str) -> web.Response:
    return web.json_response({"error": "unauthorized", "reason": reason}, status=401)


def invoke_body(invoke: InvokeResponse) -> Any:
    body = invoke.body
    if isinstance(body, Model):
        return serializer_helper(body)
    return body


class Endpoint:
    def __init__(self, steward: Steward, adapter: CloudAdapter, bot: StewardTeamsBot) -> None:
        self.steward = steward
        self.adapter = adapter
        self.bot = bot
        self.auth = not emulator_mode(steward.settings)
        self.tenants = accepted_tenants(steward.settings)
        self.answer_within = ANSWER_WITHIN
        self.tasks: set[asyncio.Task[Any]] = set()  # turns still running after their request was answered
        self.turns: set[asyncio.Task[Any]] = set()  # every turn in flight (what a shutdown waits for)

    def _done(self, task: asyncio.Task[Any]) -> None:
        self.tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("Teams turn failed after the answer", exc_info=task.exception())

    async def messages(self, request: web.Request) -> web.Response:
        if "application/json" not in (request.content_type or ""):
            return web.json_response({"error": "expected application/json"}, status=415)
        if (request.content_length or 0) > MAX_BODY:
            return web.json_response({"error": "activity too large"}, status=413)
        auth_header = request.headers.get("Authorization", "")
        if not self.auth and not from_this_machine(request.remote, request.headers):
            return web.json_response({"error": "forbidden", "reason": (
                "Teams is not configured (MICROSOFT_APP_ID is empty): only the Bot Framework Emulator on this "
                "machine may use /api/messages")}, status=403)
        if self.auth and not well_formed_bearer(auth_header):
            return unauthorized("missing or malformed bearer token")
        try:
            body = json.loads(await request.text())
        except ValueError:
            return web.json_response({"error": "the body is not JSON"}, status=400)
        if not isinstance(body, dict):
            return web.json_response({"error": "the body is not an activity"}, status=400)
        try:
            activity: Activity = Activity().deserialize(body)
        except Exception:
            return web.json_response({"error": "the body is not an activity"}, status=400)
        if not activity.type or not activity.service_url or activity.conversation is None:
            return web.json_response({"error": "an activity needs type, serviceUrl and conversation"}, status=400)

        logs.bind(platform="teams", teams_activity_id=activity.id)  # this request's task; its turn inherits it
        authenticated: Any = auth_header
        if self.auth:
            try:
                authenticated = await self.adapter.bot_framework_authentication.authenticate_request(
                    activity, auth_header)
            except teams_auth.KeysUnavailable as exc:
                log.warning("Teams request not checked (503): %s", exc)
                return web.json_response({"error": "unavailable", "reason": "cannot check tokens right now"},
                                         status=503, headers={"Retry-After": "30"})
            except Exception as exc:  # botbuilder raises PermissionError, jwt errors, or bare Exceptions
                log.warning("Teams request refused (401): %s: %s", type(exc).__name__, str(exc)[:200])
                return unauthorized("the token was not accepted")
        if self.tenants is not None:
            tenant = activity_tenant(activity)
            if tenant not in self.tenants:
                log.warning("Teams request refused (403): tenant %r is not served by this bot", (tenant or "")[:64])
                return web.json_response({"error": "forbidden", "reason": "this tenant is not served by this bot"},
                                         status=403)
        task = asyncio.ensure_future(self.adapter.process_activity(authenticated, activity, self.bot.on_turn))
        self.turns.add(task)
        task.add_done_callback(self.turns.discard)
        try:
            invoke = await asyncio.wait_for(asyncio.shield(task), self.answer_within)
        except TimeoutError:
            self.tasks.add(task)
            task.add_done_callback(self._done)
            log.warning("Teams %s still running after %ss; answering now, the reply follows",
                        activity.type, self.answer_within)
            if activity.type == ActivityTypes.invoke:
                return web.json_response({"statusCode": 200, "type": MESSAGE_RESPONSE,
                                          "value": "Still working on it; the result will follow here."})
            return web.Response(status=202)
        except (PermissionError, jwt.PyJWTError) as exc:
            log.warning("Teams request refused: %s", exc)
            return unauthorized("the token was not accepted")
        except Exception:
            log.exception("Teams activity failed (%s)", activity.type)
            return web.json_response({"error": "internal error"}, status=500)
        if invoke is not None:
            return web.json_response(invoke_body(invoke), status=invoke.status or 200)
        return web.Response(status=200)


ENDPOINT_KEY: web.AppKey[Endpoint] = web.AppKey("teams_endpoint", Endpoint)


def build_endpoint(steward: Steward) -> Endpoint:
    """The adapter and the bot for one Steward. No ``on_turn_error``: a failed turn raises into the route,
    which logs it once and answers 500."""
    teams_auth.install()
    adapter = build_adapter(steward.settings)
    bot = StewardTeamsBot(steward, TeamsIdentity(steward.uow_factory))
    return Endpoint(steward, adapter, bot)


def add_routes(app: web.Application, steward: Steward) -> None:
    """Route adder for ``bot.server.create_app``: ``POST /api/messages``."""
    endpoint = build_endpoint(steward)
    app[ADAPTER_KEY] = endpoint.adapter
    app[BOT_KEY] = endpoint.bot
    app[ENDPOINT_KEY] = endpoint
    app.router.add_post(MESSAGES_PATH, endpoint.messages)
    register(app, lambda: endpoint.turns)  # a shutdown lets the turns in flight finish
