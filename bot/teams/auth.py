"""Bot Framework token validation that fails closed and never blocks the event loop.

botbuilder 4.17 validates a token against the OpenID keys of the Bot Framework (``_OpenIdMetadata`` in
``botframework.connector.auth.jwt_token_extractor``). Measured here (DESIGN, "Framework traps"), it:

- fetches the metadata and the keys with synchronous ``requests``, no timeout, on the event loop: a key
  endpoint answering in 3 s froze ``/healthz`` and Slack for 3 s per fetch;
- does not remember a failed fetch: every forged token triggered another blocking fetch;
- raises ``IndexError`` for a key id it does not know, and a bare ``Exception`` for ``alg: none``.

``install()`` replaces botbuilder's metadata object (``JwtTokenExtractor.get_open_id_metadata``, the one
place every validator gets it from) with a ``KeyCache`` per metadata URL:

- fetching runs in a thread of its own with a timeout (``FETCH_TIMEOUT`` per request, ``FETCH_BUDGET`` in
  all); concurrent requests share one fetch in flight; the loop only awaits it;
- keys are kept as long as the key endpoint's ``Cache-Control: max-age`` says (a day when it says nothing),
  and once older are still used while a refresh runs in the background;
- a failed fetch is not tried again for ``RETRY_AFTER_FAILURE`` seconds: meanwhile a request that needs
  keys that were never fetched gets ``KeysUnavailable`` (the endpoint answers 503; the channel retries);
- a key id not among the keys is ``UnknownSigningKey`` (a ``PermissionError``: 401); it triggers one
  refresh (key rotation) if none ran in the last ``RETRY_AFTER_FAILURE`` seconds.

The endpoint (``bot/teams/server.py``) authenticates before the turn runs and maps every failure of
validation to 401 with one log line, ``KeysUnavailable`` to 503.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import requests
from botframework.connector.auth.jwt_token_extractor import JwtTokenExtractor, _OpenIdConfig
from jwt.algorithms import RSAAlgorithm

log = logging.getLogger(__name__)

FETCH_TIMEOUT = 5.0  # seconds per HTTP request (connect, then each read)
FETCH_BUDGET = 8.0  # seconds a request waits for a fetch in all (metadata + keys)
RETRY_AFTER_FAILURE = 30.0  # seconds between two fetches after a failure (or for an unknown key id)
DEFAULT_MAX_AGE = 24 * 3600.0  # seconds; botbuilder refreshed daily
MIN_MAX_AGE = 300.0
_MAX_AGE = re.compile(r"max-age=(\d{1,9})")

# One thread fetches for every cache: fetches are rare, and a stuck one must not pile up threads.
_FETCHER = ThreadPoolExecutor(max_workers=2, thread_name_prefix="teams-keys")


class KeysUnavailable(Exception):  # noqa: N818 - a state, named as the endpoint says it
    """The signing keys could not be fetched and none are cached: the request cannot be checked (503)."""


class UnknownSigningKey(PermissionError):
    """The token names a key id the Bot Framework does not publish (or none): not ours to trust (401)."""


@dataclass
class _Keys:
    by_id: dict[str, dict[str, Any]]
    fetched_at: float
    max_age: float


def _max_age(headers: Any) -> float:
    match = _MAX_AGE.search(str(headers.get("Cache-Control") or ""))
    if not match:
        return DEFAULT_MAX_AGE
    return max(MIN_MAX_AGE, float(match.group(1)))


def fetch_keys(metadata_url: str, timeout: float = FETCH_TIMEOUT) -> _Keys:
    """The OpenID metadata, then its ``jwks_uri``: the keys by id (blocking; runs in ``_FETCHER``)."""
    metadata = requests.get(metadata_url, timeout=timeout)
    metadata.raise_for_status()
    jwks_uri = metadata.json()["jwks_uri"]
    answer = requests.get(jwks_uri, timeout=timeout)
    answer.raise_for_status()
    keys = answer.json()["keys"]
    by_id = {str(k["kid"]): k for k in keys if isinstance(k, dict) and k.get("kid")}
    return _Keys(by_id, time.monotonic(), _max_age(answer.headers))


@dataclass
class KeyCache:
    """What botbuilder's ``_OpenIdMetadata`` offers (``await get(key_id)`` -> ``_OpenIdConfig``), cached and
    fetched off the event loop. Shared by every event loop of the process (a fetch is a thread's future)."""

    url: str
    keys: _Keys | None = None
    failed_at: float | None = None
    last_attempt: float = field(default=-1e18)
    fetches: int = 0
    _inflight: Future[_Keys] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _start_fetch(self) -> Future[_Keys]:
        with self._lock:
            if self._inflight is not None and not self._inflight.done():
                return self._inflight
            self.last_attempt = time.monotonic()
            self.fetches += 1
            future = _FETCHER.submit(fetch_keys, self.url)
            future.add_done_callback(self._fetched)
            self._inflight = future
            return future

    def _fetched(self, future: Future[_Keys]) -> None:
        try:
            keys = future.result()
        except Exception as exc:
            with self._lock:
                self.failed_at = time.monotonic()
            log.warning("Teams: could not fetch the Bot Framework signing keys from %s: %s", self.url,
                        type(exc).__name__ if not str(exc) else f"{type(exc).__name__}: {str(exc)[:200]}")
            return
        with self._lock:
            self.keys, self.failed_at = keys, None

    def _may_fetch(self) -> bool:
        return time.monotonic() - self.last_attempt >= RETRY_AFTER_FAILURE

    async def _fetch(self) -> None:
        future = self._start_fetch()
        try:
            await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(future)), FETCH_BUDGET)
        except Exception:  # logged by ``_fetched``; the caller looks at what is cached now
            return

    async def get(self, key_id: str | None) -> _OpenIdConfig:
        keys = self.keys
        if keys is None:
            if self.failed_at is not None and not self._may_fetch():
                raise KeysUnavailable("the Bot Framework signing keys could not be fetched (retrying in "
                                      f"{RETRY_AFTER_FAILURE - (time.monotonic() - self.last_attempt):.0f} s)")
            await self._fetch()
            keys = self.keys
            if keys is None:
                raise KeysUnavailable("the Bot Framework signing keys could not be fetched")
        elif time.monotonic() - keys.fetched_at > keys.max_age and self._may_fetch():
            self._start_fetch()  # stale: use what we have, refresh in the background
        if not key_id:
            raise UnknownSigningKey("the token names no signing key (kid)")
        key = keys.by_id.get(key_id)
        if key is None and self._may_fetch():  # perhaps the keys rotated: look once more
            await self._fetch()
            key = (self.keys or keys).by_id.get(key_id)
        if key is None:
            raise UnknownSigningKey(f"the token's signing key {key_id[:64]!r} is not a Bot Framework key")
        try:
            public_key = RSAAlgorithm.from_jwk(json.dumps(key))
        except Exception as exc:
            raise UnknownSigningKey(f"the signing key {key_id[:64]!r} is not a usable RSA key") from exc
        return _OpenIdConfig(public_key, key.get("endorsements", []))


_CACHES: dict[str, KeyCache] = {}
_CACHES_LOCK = threading.Lock()


def cache_for(url: str) -> KeyCache:
    """The process's key cache for one OpenID metadata URL."""
    with _CACHES_LOCK:
        cache = _CACHES.get(url)
        if cache is None:
            cache = _CACHES[url] = KeyCache(url)
        return cache


def install() -> None:
    """Make every botbuilder token validator use ``cache_for`` (idempotent)."""
    JwtTokenExtractor.get_open_id_metadata = staticmethod(cache_for)  # type: ignore[method-assign,assignment]
