"""The ``steward`` command: exit codes, JSON replies, the pinned clock and loud settings errors."""

from __future__ import annotations

import json

import pytest

from bot.cli import main
from bot.settings import ConfigError, Settings


def test_say_prints_the_reply_and_exits_zero(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["say", "budget acme-web", "--as", "dana@example.com", "--now", "2026-11-15T12:00"])
    out = capsys.readouterr().out
    assert code == 0
    assert "Acme Corp · Website Relaunch (acme-web)" in out and "$5,000 (50.0%)" in out


def test_say_exits_one_on_a_user_error_with_the_message_on_stdout(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["say", "budget nowhere", "--as", "dana@example.com"])
    assert code == 1
    assert "I don't know a client or project called “nowhere”" in capsys.readouterr().out


def test_say_exits_two_on_a_usage_error(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["say", "budget acme"])  # --as is required
    assert exit_.value.code == 2
    assert main(["say", "budget acme", "--as", "dana@example.com", "--now", "not-a-date"]) == 2


def test_say_json_prints_the_reply_as_data(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["say", "budget acme-web", "--as", "dana@example.com", "--json", "--now", "2026-11-15T12:00"])
    reply = json.loads(capsys.readouterr().out)
    assert code == 0
    assert {"label": "Weekly burn", "value": "$1,125", "tone": "none"} in reply["facts"]
    assert reply["subject"] == "project:acme-web"


def test_the_pinned_clock_changes_today(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    main(["say", "budget acme-web", "--as", "dana@example.com", "--now", "2026-11-08"])
    assert "Time elapsed            26.7%" in capsys.readouterr().out


def test_db_upgrade_reports_the_database(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "upgrade"]) == 0
    assert "Database is up to date" in capsys.readouterr().out


def test_a_malformed_setting_stops_with_one_line_naming_it(db: str, monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("STEWARD_TIMEZONE", "Mars/Olympus")
    assert main(["say", "help", "--as", "dana@example.com"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "STEWARD_TIMEZONE" in err[0]


@pytest.mark.parametrize(
    ("env", "name"),
    [
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET"),
        ({"SLACK_BOT_TOKEN": "nope"}, "SLACK_BOT_TOKEN"),
        ({"MICROSOFT_APP_ID": "abc"}, "MICROSOFT_APP_PASSWORD"),
        ({"DATABASE_URL": "steward.db"}, "DATABASE_URL"),
        ({"STEWARD_ADMINS": "ada"}, "STEWARD_ADMINS"),
        ({"SLACK_API_URL": "ftp://x"}, "SLACK_API_URL"),
        ({"STEWARD_WORK_PROCESSES": "two"}, "STEWARD_WORK_PROCESSES"),
        ({"STEWARD_WORK_PROCESSES": "-1"}, "STEWARD_WORK_PROCESSES"),
        ({"STEWARD_WORK_PROCESSES": "65"}, "STEWARD_WORK_PROCESSES"),
    ],
)
def test_settings_fail_loudly_naming_the_setting(env: dict[str, str], name: str) -> None:
    with pytest.raises(ConfigError, match=name):
        Settings.from_env(env)


def test_settings_default_to_sqlite_in_the_working_directory() -> None:
    settings = Settings.from_env({})
    assert settings.database_url == "sqlite:///steward.db"
    assert Settings.from_env({"DATABASE_URL": "postgresql://u@h/db"}).database_url == "postgresql+psycopg://u@h/db"


def test_serve_runs_its_work_in_one_worker_process_unless_told_otherwise() -> None:
    assert Settings.from_env({}).work_processes == 1
    assert Settings.from_env({"STEWARD_WORK_PROCESSES": "0"}).work_processes == 0
    assert Settings.from_env({"STEWARD_WORK_PROCESSES": "4"}).work_processes == 4


def test_a_database_from_a_newer_steward_is_refused_in_one_line(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(db)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    code = main(["say", "budget acme-web", "--as", "dana@example.com"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1
    assert len(err) == 1 and "newer" in err[0]
