"""``steward check``: one ✓/✗ line per item with what to do; exit 1 on any ✗. Slack is the local fake."""

from __future__ import annotations

import io
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.check import manifest_scopes, run_check
from bot.settings import ConfigError, Settings
from domain.model import DigestSubscription, Platform
from storage.uow import build_uow_factory, ensure_schema
from tests.handlers.world import seed
from tests.support.fake_slack import FakeSlack

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)  # a Friday


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    slack = FakeSlack(oauth_scopes=",".join(sorted(manifest_scopes()))).start()
    yield slack
    slack.stop()


def check(settings: Settings, env: dict[str, str] | None = None) -> tuple[int, list[str]]:
    out = io.StringIO()
    code = run_check(settings, out=out, env=env or {}, now=lambda: NOW)
    return code, out.getvalue().splitlines()


def line(lines: list[str], item: str) -> str:
    [found] = [x for x in lines if x[2:].startswith(f"{item}:")]
    return found


def migrated(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'steward.db'}"
    ensure_schema(url)
    return url


def test_a_deployment_set_up_right_is_all_ticks_with_the_next_digest_runs(tmp_path: Path, fake: FakeSlack) -> None:
    url = migrated(tmp_path)
    world = seed(build_uow_factory(url))
    with world.uow_factory() as uow:
        uow.subscriptions.save(DigestSubscription(None, "C0ACMEWEB", Platform.SLACK, 9, 15, "Europe/London", True,
                                                  world.ids["dana"]))
        uow.commit()
    settings = Settings(database_url=url, slack_bot_token="xoxb-good", slack_signing_secret="s",
                        slack_api_url=fake.url)
    code, lines = check(settings)
    assert code == 0, lines
    assert all(x.startswith("✓ ") for x in lines) and len(lines) == 5
    assert "every scope of the manifest granted" in line(lines, "Slack")
    assert "C0ACMEWEB at 2026-12-07 09:15 Europe/London" in line(lines, "Scheduler")  # Friday noon: Monday next
    assert fake.of("auth.test")[0].headers.get("Authorization") == "Bearer xoxb-good"


def test_a_wrong_token_and_an_unmigrated_database_are_crosses_saying_what_to_do(tmp_path: Path,
                                                                                fake: FakeSlack) -> None:
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()  # a database file with no schema
    fake.fail["auth.test"] = "invalid_auth"
    settings = Settings(database_url=f"sqlite:///{empty}", slack_bot_token="xoxb-wrong", slack_signing_secret="s",
                        slack_api_url=fake.url)
    code, lines = check(settings)
    assert code == 1
    database, slack = line(lines, "Database"), line(lines, "Slack")
    assert database.startswith("✗ ") and "not migrated" in database and "steward db upgrade" in database
    assert slack.startswith("✗ ") and "invalid_auth" in slack and "SLACK_BOT_TOKEN" in slack
    assert line(lines, "Scheduler").startswith("✗ ")
    with sqlite3.connect(empty) as db:  # the check wrote nothing: still no tables
        assert db.execute("select count(*) from sqlite_master").fetchone() == (0,)


def test_missing_scopes_are_named_from_the_response_header(tmp_path: Path, fake: FakeSlack) -> None:
    fake.oauth_scopes = "chat:write,commands,users:read"
    settings = Settings(database_url=migrated(tmp_path), slack_bot_token="xoxb-x", slack_signing_secret="s",
                        slack_api_url=fake.url)
    code, lines = check(settings)
    assert code == 1
    slack = line(lines, "Slack")
    assert slack.startswith("✗ ") and "missing scopes:" in slack and "users:read.email" in slack
    assert "chat:write," not in slack.split("missing scopes:")[1]  # a granted scope is not listed


def test_inconsistent_teams_settings_and_a_bad_setting_are_crosses(tmp_path: Path) -> None:
    url = migrated(tmp_path)
    app = "3f2504e0-4f89-11d3-9a0c-0305e82c3301"
    tenant = "9b2d7c4e-1111-4a4a-8a8a-123456789abc"
    _, lines = check(Settings(database_url=url, microsoft_app_id=app, microsoft_app_password="p",
                              microsoft_app_tenant_id=tenant),
                     {"STEWARD_TEAMS_TENANTS": "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"})
    assert line(lines, "Teams").startswith("✗ ") and "not among STEWARD_TEAMS_TENANTS" in line(lines, "Teams")
    _, lines = check(Settings(database_url=url, microsoft_app_id="my-bot", microsoft_app_password="p"))
    assert line(lines, "Teams").startswith("✗ ") and "GUID" in line(lines, "Teams")
    code, lines = check(Settings(database_url=url, microsoft_app_id=app, microsoft_app_password="p",
                                 microsoft_app_tenant_id=tenant))
    assert code == 0 and f"single tenant {tenant}" in line(lines, "Teams")
    out = io.StringIO()
    assert run_check(None, ConfigError("STEWARD_LOG_FORMAT must be text or json"), out=out) == 1
    assert out.getvalue().startswith("✗ Settings: STEWARD_LOG_FORMAT")


def test_the_command_exits_1_on_a_malformed_setting_and_creates_no_database(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from bot.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'steward.db'}")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "not-a-bot-token")
    assert main(["check"]) == 1
    assert capsys.readouterr().out.startswith("✗ Settings: SLACK_BOT_TOKEN")
    monkeypatch.delenv("SLACK_BOT_TOKEN")
    assert main(["check"]) == 1
    assert "✗ Database: no SQLite file" in capsys.readouterr().out
    assert not (tmp_path / "steward.db").exists()
