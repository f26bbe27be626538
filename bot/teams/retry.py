"""Teams throttles a bot at about 7 messages a second per conversation and answers 429 (sometimes 412,
502 or 504): retry those with exponential backoff, honouring ``Retry-After``, a bounded number of times."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from msrest.exceptions import HttpOperationError

log = logging.getLogger(__name__)

RETRY_STATUSES = (412, 429, 502, 504)
T = TypeVar("T")


def status_of(exc: BaseException) -> int | None:
    response = getattr(exc, "response", None)
    return getattr(response, "status_code", None)


def retry_after(exc: BaseException) -> float | None:
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None) or {}
    value = headers.get("Retry-After") if hasattr(headers, "get") else None
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


async def retrying(call: Callable[[], Awaitable[T]], *, retries: int = 3, backoff: float = 0.5,
                   max_wait: float = 10.0) -> T:
    attempt = 0
    while True:
        try:
            return await call()
        except HttpOperationError as exc:
            status = status_of(exc)
            if status not in RETRY_STATUSES or attempt >= retries:
                raise
            wait = min(retry_after(exc) or backoff * 2 ** attempt, max_wait)
            attempt += 1
            log.warning("Teams answered %s; retry %s/%s in %.1fs", status, attempt, retries, wait)
            await asyncio.sleep(wait)
