"""What a new director saw through ``steward say``, line by line (issue 12, "What was seen"): each is
now recorded as echoed, refused with an example, or worded and coloured consistently."""

from __future__ import annotations

import re

import pytest

from bot.cli import main

NOW = "2026-11-15T12:00"


def say(capsys: pytest.CaptureFixture[str], line: str, who: str = "dana@example.com", *extra: str) -> tuple[int, str]:
    code = main(["say", line, "--as", who, "--now", NOW, *extra])
    return code, capsys.readouterr().out


def test_scope_in_hours_is_recorded_and_echoed_as_hours(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = say(capsys, "scope acme-web translation +40 hours", "mark@example.com")
    assert code == 0 and "Impact      +40h ≈ $4,000" in out and "$40" not in out.replace("$4,000", "")


@pytest.mark.parametrize("line", ["hours acme-web 2 in two weeks", "hours acme-web 2 on next friday",
                                  "hours acme-web 2 on tomorrow", "hours acme-web 2 on 2025-01-01"])
def test_hours_on_a_day_not_understood_or_not_allowed_exit_one(db: str, capsys: pytest.CaptureFixture[str],
                                                                line: str) -> None:
    code, out = say(capsys, line, "mark@example.com")
    assert code == 1 and out.startswith("✖ ") and "Example: `hours acme-web 3.5 yesterday design review`" in out


def test_an_allocation_above_the_whole_week_exits_one(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = say(capsys, "assign jane acme-web 150%", "mark@example.com")
    assert code == 1 and "100%" in out


def test_a_spent_project_says_when_it_ran_out_and_the_client_names_it(db: str,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    _, project = say(capsys, "budget acme-app")
    assert "Ran out on              Mon 09 Nov 2026" in project and "Runs out on" not in project
    _, client = say(capsys, "budget acme")
    # The facts are aligned to the longest label, which other facts (receivables) may lengthen.
    assert "Red: acme-app is over budget" in client
    assert re.search(r"Earliest run-out +Mon 09 Nov 2026 \(acme-app\)", client)


def test_errors_carry_no_rag_badge_and_a_mistyped_command_gets_a_did_you_mean(
        db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = say(capsys, "budgte acme")
    assert code == 1 and out.splitlines()[0] == "✖ Unknown command" and "RED" not in out
    assert "Did you mean `budget acme`?" in out


def test_the_rag_word_is_said_once(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    _, out = say(capsys, "budget acme-web")
    assert out.lower().count("green") == 1


def test_a_request_over_capacity_is_a_warning_not_red(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    say(capsys, "assign jane acme-app 20h/week until 2026-11-29", "mia@example.com")
    say(capsys, "approve A2")
    code, out = say(capsys, "assign jane acme-web 20h/week until 2026-11-29", "mark@example.com")
    assert code == 0 and out.startswith("⚠ Allocation A3 requested") and "RED" not in out and "■" not in out


def test_digest_timezones_abbreviations_are_refused(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = say(capsys, "digest at 9am EST", "dana@example.com", "--channel", "C0ACMEWEB")
    assert code == 1 and "America/New_York" in out


def test_undo_and_timesheet_work_from_the_shell(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    say(capsys, "hours acme-web 2 yesterday", "mark@example.com")
    code, out = say(capsys, "undo", "mark@example.com")
    assert code == 0 and "Reverted your 2h on Website Relaunch, Sat 14 Nov." in out
    code, out = say(capsys, "timesheet jane", "mark@example.com")
    assert code == 0 and "Jane Designer's timesheet · week of Mon 09 Nov 2026" in out and "37h of 32h" in out


def test_outbox_names_people_and_shows_superseded_cards_apart(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    say(capsys, "assign jane acme-web 10h/week", "mark@example.com")  # a card to Dana
    say(capsys, "approve A2")  # decided before delivery: the card is superseded
    assert main(["outbox"]) == 0
    out = capsys.readouterr().out
    assert "person " not in out and "Dana Director" in out
    superseded = [line for line in out.splitlines() if line.startswith("superseded")]
    assert superseded and all("failed" not in line for line in superseded)
