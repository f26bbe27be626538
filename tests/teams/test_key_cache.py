"""The Bot Framework key cache: kept as long as the keys say, refreshed in the background once stale, a failed
fetch tried again only after 30 s, and never a fetch on the event loop."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import pytest

from bot.teams import auth
from tests.support.fake_login import KID, FakeLogin


@pytest.fixture
def login() -> Iterator[FakeLogin]:
    fake = FakeLogin().start()
    yield fake
    fake.stop()


def test_keys_are_kept_as_long_as_the_key_endpoint_says(login: FakeLogin) -> None:
    cache = auth.KeyCache(login.metadata_url)
    for _ in range(3):
        assert asyncio.run(cache.get(KID)).public_key is not None
    assert login.hits == ["metadata", "keys"]
    assert cache.keys is not None and cache.keys.max_age == 86400


def test_stale_keys_are_used_while_a_refresh_runs_in_the_background(login: FakeLogin) -> None:
    cache = auth.KeyCache(login.metadata_url)
    asyncio.run(cache.get(KID))
    assert cache.keys is not None
    cache.keys.fetched_at -= 2 * cache.keys.max_age  # a day later
    cache.last_attempt -= 2 * cache.keys.max_age
    login.delay = 3.0
    started = time.monotonic()
    assert asyncio.run(cache.get(KID)).public_key is not None
    assert time.monotonic() - started < 0.5  # served from the cache, not after the 3 s fetch
    deadline = time.monotonic() + 10
    while cache.fetches < 2 or (cache._inflight is not None and not cache._inflight.done()):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert login.hits.count("keys") == 2 and time.monotonic() - cache.keys.fetched_at < 10


def test_a_failed_fetch_is_tried_again_after_30_seconds_and_then_works(login: FakeLogin) -> None:
    cache = auth.KeyCache(login.metadata_url)
    login.down = True
    for _ in range(3):
        with pytest.raises(auth.KeysUnavailable):
            asyncio.run(cache.get(KID))
    assert cache.fetches == 1
    login.down = False
    cache.last_attempt -= auth.RETRY_AFTER_FAILURE  # 30 s later
    assert asyncio.run(cache.get(KID)).public_key is not None
    assert cache.fetches == 2


def test_an_unknown_key_id_refreshes_at_most_once_every_30_seconds(login: FakeLogin) -> None:
    cache = auth.KeyCache(login.metadata_url)
    for _ in range(5):
        with pytest.raises(auth.UnknownSigningKey):
            asyncio.run(cache.get("forged"))
    assert cache.fetches == 1
