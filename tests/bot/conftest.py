"""A seeded SQLite database that ``steward`` commands in these tests read through ``DATABASE_URL``."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage.uow import build_uow_factory, ensure_schema
from tests.handlers.world import seed


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "MICROSOFT_APP_ID",
                 "STEWARD_TIMEZONE", "STEWARD_ADMINS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", url)
    ensure_schema(url)
    seed(build_uow_factory(url))
    return url
