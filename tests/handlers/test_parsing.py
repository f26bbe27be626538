"""Reading dates, hours, impacts and weekly loads the way people type them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.errors import InvalidInput
from handlers.dispatch import split_command
from handlers.parsing import parse_date, parse_hours, parse_impact, parse_weekly, take_keyword_date

MONDAY = date(2026, 11, 23)  # a Monday
TZ = "America/New_York"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-03", date(2026, 11, 3)),
        ("today", MONDAY),
        ("yesterday", date(2026, 11, 22)),
        ("last friday", date(2026, 11, 20)),
        ("friday", date(2026, 11, 20)),
        ("next monday", date(2026, 11, 30)),
        ("last monday", date(2026, 11, 16)),
        ("1 Dec", date(2026, 12, 1)),
        ("3 days ago", date(2026, 11, 20)),
    ],
)
def test_dates_are_read_relative_to_today(text: str, expected: date) -> None:
    assert parse_date(text, MONDAY, TZ, example="x") == expected


def test_an_unreadable_date_says_so_with_an_example() -> None:
    with pytest.raises(InvalidInput) as err:
        parse_date("the blue moon", MONDAY, TZ, example="hours acme-web 2 on yesterday")
    assert "the blue moon" in str(err.value) and "Example: hours acme-web 2 on yesterday" in str(err.value)


@pytest.mark.parametrize(("text", "hours"), [("3", "3.00"), ("3.5", "3.50"), ("2h", "2.00"), ("1:30", "1.50")])
def test_hours_accept_decimals_suffixes_and_minutes(text: str, hours: str) -> None:
    assert parse_hours(text, example="x") == Decimal(hours)


@pytest.mark.parametrize("text", ["three", "1:75", "NaN", "inf", "2x"])
def test_hours_reject_what_is_not_a_number(text: str) -> None:
    with pytest.raises(InvalidInput):
        parse_hours(text, example="x")


def test_impacts_read_hours_and_money() -> None:
    assert parse_impact("+40h") is not None and parse_impact("+40h").hours == Decimal("40")  # type: ignore[union-attr]
    assert parse_impact("+$4,500").amount == Decimal("4500.00")  # type: ignore[union-attr]
    assert parse_impact("+4500").amount == Decimal("4500.00")  # type: ignore[union-attr]
    assert parse_impact("+4.5k").amount == Decimal("4500.00")  # type: ignore[union-attr]
    assert parse_impact("landing") is None
    assert parse_impact("+lots") is None


def test_weekly_load_reads_hours_per_week_and_percent_of_capacity() -> None:
    assert parse_weekly("20h/week", Decimal("40"), example="x") == Decimal("20.00")
    assert parse_weekly("20h", Decimal("40"), example="x") == Decimal("20.00")
    assert parse_weekly("50%", Decimal("32"), example="x") == Decimal("16.00")
    with pytest.raises(InvalidInput):
        parse_weekly("lots", Decimal("40"), example="x")


def test_keyword_dates_leave_the_note_in_place() -> None:
    day, rest = take_keyword_date(["on", "last", "friday", "design", "review"], "on", (), MONDAY, TZ, example="x")
    assert day == date(2026, 11, 20)
    assert rest == ["design", "review"]


def test_command_words_are_case_insensitive_and_drop_a_slash_or_mention() -> None:
    assert split_command("/Budget   acme") == ("budget", "acme")
    assert split_command("@steward status acme-web") == ("status", "acme-web")
