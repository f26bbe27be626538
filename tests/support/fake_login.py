"""A local stand-in for the Bot Framework's OpenID metadata and signing keys, and a token signer.

botbuilder validates a channel's token against the keys published at
``https://login.botframework.com/v1/.well-known/openidconfiguration`` (then its ``jwks_uri``); tests point
``ChannelValidation.open_id_metadata_endpoint`` at ``FakeLogin.metadata_url`` instead. The fake signs
tokens with its own RSA key (``token(...)``), publishes that key under ``KID``, and can be made slow or
broken (``delay``, ``down``); every request it answered is counted in ``hits``.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import jwt
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from tests.support.serving import run_server

KID = "fake-bot-framework-key"
ISSUER = "https://api.botframework.com"


def _new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class FakeLogin:
    delay: float = 0.0  # seconds before the keys answer
    down: bool = False  # answer 503 to everything
    endorsements: tuple[str, ...] = ("msteams",)
    hits: list[str] = field(default_factory=list)  # "metadata" | "keys", in order
    key: rsa.RSAPrivateKey = field(default_factory=_new_key)
    url: str = ""
    _loop: asyncio.AbstractEventLoop | None = None
    _thread: threading.Thread | None = None

    @property
    def metadata_url(self) -> str:
        return f"{self.url}/v1/.well-known/openidconfiguration"

    def start(self) -> FakeLogin:
        app = web.Application()
        app.router.add_get("/v1/.well-known/openidconfiguration", self._metadata)
        app.router.add_get("/v1/.well-known/keys", self._keys)
        self.url, self._loop, self._thread = run_server(app, name="fake-login")
        return self

    def stop(self) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(10)

    def token(self, app_id: str, service_url: str, *, kid: str | None = KID, key: Any = None,
              algorithm: str = "RS256", issuer: str = ISSUER, expires_in: int = 600, **claims: Any) -> str:
        """A Bot Framework channel token: signed with the published key unless told otherwise."""
        now = int(time.time())
        payload = {"iss": issuer, "aud": app_id, "serviceurl": service_url, "nbf": now - 10, "iat": now - 10,
                   "exp": now + expires_in, **claims}
        headers = {"kid": kid} if kid is not None else {}
        return jwt.encode(payload, key if key is not None else self.key, algorithm=algorithm, headers=headers)

    async def _metadata(self, request: web.Request) -> web.Response:
        self.hits.append("metadata")
        if self.down:
            return web.Response(status=503, text="down")
        return web.json_response({"issuer": ISSUER, "jwks_uri": f"{self.url}/v1/.well-known/keys",
                                  "id_token_signing_alg_values_supported": ["RS256"]})

    async def _keys(self, request: web.Request) -> web.Response:
        self.hits.append("keys")
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.down:
            return web.Response(status=503, text="down")
        jwk = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        jwk.update({"kid": KID, "use": "sig", "endorsements": list(self.endorsements)})
        return web.json_response({"keys": [jwk]}, headers={"Cache-Control": "public, max-age=86400"})
