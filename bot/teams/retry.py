"""Retrying what the Bot Framework connector refuses for a moment, with tenacity.

Teams throttles a bot at about 7 messages a second per conversation and answers 429 with ``Retry-After``;
the connector also answers 412 (a conflicting concurrent update), 500, 502, 503 and 504 when it is busy,
and a connection may fail outright. Those are retried with exponential backoff and jitter (``Retry-After``
honoured when given, never more than ``max_wait`` at a time) for at most ``budget`` seconds (about 20 s for
a reply: past that the answer goes to the outbox, see ``bot/teams/bot.py``) or ``retries`` retries. Anything
else (400, 401, 403, 404) is raised at once: no retry would cure it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from msrest.exceptions import ClientRequestError, HttpOperationError
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt, stop_before_delay
from tenacity.wait import wait_base, wait_exponential_jitter

log = logging.getLogger(__name__)

RETRY_STATUSES = (412, 429, 500, 502, 503, 504)
REPLY_BUDGET = 20.0  # seconds a reply keeps being retried before it goes to the outbox
T = TypeVar("T")


def status_of(exc: BaseException) -> int | None:
    response = getattr(exc, "response", None)
    return getattr(response, "status_code", None)


def retry_after(exc: BaseException) -> float | None:
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None) or {}
    value = headers.get("Retry-After") if hasattr(headers, "get") else None
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


def transient(exc: BaseException) -> bool:
    """Worth another try: a status the connector uses for "not now", or no answer at all."""
    if isinstance(exc, HttpOperationError):
        return status_of(exc) in RETRY_STATUSES
    return isinstance(exc, ClientRequestError)


class _RetryAfterOrBackoff(wait_base):
    """``Retry-After`` when the connector gives one, else exponential backoff with jitter; capped."""

    def __init__(self, backoff: float, max_wait: float) -> None:
        self.backoff = wait_exponential_jitter(multiplier=backoff, max=max_wait, jitter=backoff)
        self.max_wait = max_wait

    def __call__(self, retry_state: RetryCallState) -> float:
        outcome = retry_state.outcome
        exc = outcome.exception() if outcome is not None else None
        asked = retry_after(exc) if exc is not None else None
        return min(asked if asked is not None else self.backoff(retry_state), self.max_wait)


def _log_retry(retry_state: RetryCallState) -> None:
    outcome = retry_state.outcome
    exc = outcome.exception() if outcome is not None else None
    wait = retry_state.next_action.sleep if retry_state.next_action else 0.0
    log.warning("Teams answered %s; retry %d in %.1fs", status_of(exc) if exc else "?",
                retry_state.attempt_number, wait)


async def retrying(call: Callable[[], Awaitable[T]], *, retries: int = 8, backoff: float = 0.5,
                   max_wait: float = 10.0, budget: float = REPLY_BUDGET) -> T:
    """``await call()``, retried on transient connector errors (see the module docstring); the last error is
    raised when ``retries`` retries or ``budget`` seconds are spent."""
    retryer = AsyncRetrying(
        retry=retry_if_exception(transient),
        wait=_RetryAfterOrBackoff(backoff, max_wait),
        stop=stop_after_attempt(retries + 1) | stop_before_delay(budget),
        before_sleep=_log_retry,
        reraise=True,
    )
    async for attempt in retryer:
        with attempt:
            return await call()
    raise AssertionError("unreachable: tenacity re-raises the last error")  # pragma: no cover
