"""What every handler shares: one unit of work per turn, the caller as a person, today, formatting."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel.numbers import NumberPattern, get_currency_precision, parse_pattern

from domain.identity import identify
from domain.model import Organisation, Person, Rag
from domain.ports import UnitOfWork
from handlers import tone
from handlers.context import Context
from handlers.reply import Tone

# Symbols as an English reader expects them ("$", "€", "£", "¥", "A$"); one locale for every answer.
_LOCALE = "en_US"
# Told the id of each identified caller (``bot/logs.py`` puts it on the command's log lines).
ON_IDENTIFIED: list[Callable[[int], None]] = []


@dataclass(frozen=True)
class Turn:
    """One command's view of the world, inside one unit of work."""

    ctx: Context
    uow: UnitOfWork
    actor: Person
    org: Organisation
    now: datetime
    today: date

    def money(self, amount: Decimal, *, signed: bool = False, cents: bool | None = None) -> str:
        return format_money(amount, self.org.currency, signed=signed, cents=cents)


@contextmanager
def turn(ctx: Context) -> Iterator[Turn]:
    """Open a unit of work, identify the caller and commit when the handler finishes without error.

    An error rolls everything back, so a refused or malformed command writes nothing.
    """
    with ctx.uow_factory() as uow:
        org = uow.organisation.get()
        actor = identify(uow, email=ctx.caller.email, slack_id=ctx.caller.slack_id, teams_id=ctx.caller.teams_id,
                         platform=ctx.platform, teams_tenant=ctx.caller.teams_tenant)
        for note in ON_IDENTIFIED:
            note(actor.id or 0)
        now = ctx.clock.now()
        today = now.astimezone(ZoneInfo(org.timezone)).date()
        yield Turn(ctx, uow, actor, org, now, today)
        uow.commit()


def format_money(amount: Decimal, currency: str, *, signed: bool = False, cents: bool | None = None) -> str:
    """One money format everywhere, by Babel in the organisation's currency: ``$12,345``, ``$45.50``,
    ``-$1,200``, ``¥1,200`` (yen has no minor unit); ``+`` in front when ``signed``.

    Rounded half up to the currency's minor unit, as ``domain.budget.money`` rounds; a whole amount
    shows no cents. ``cents=False`` rounds to a whole unit (a chart axis), ``cents=True`` always shows them."""
    code = currency.upper()
    digits = get_currency_precision(code)
    if cents is False:
        digits = 0
    value = amount.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    whole = value == value.to_integral_value()
    pattern = "¤#,##0" if (whole and cents is not True) or digits == 0 else "¤#,##0." + "0" * digits
    text = _pattern(pattern).apply(abs(value), _locale(), currency=code, currency_digits=False)
    if value < 0:
        return f"-{text}"
    return f"+{text}" if signed else text


@cache
def _pattern(text: str) -> NumberPattern:
    # What babel.numbers.format_currency does with format=, parsed once: an answer formats dozens of amounts.
    return parse_pattern(text)


@cache
def _locale() -> Locale:
    return Locale.parse(_LOCALE)


def format_hours(hours: Decimal) -> str:
    return f"{hours.normalize():f}h" if hours == hours.to_integral_value() else f"{hours:.2f}".rstrip("0") + "h"


def format_pct(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


def format_date(day: date | None, empty: str = "—") -> str:
    return empty if day is None else f"{day:%a %d %b %Y}"


def rag_tone(rag: Rag) -> Tone:
    return tone.rag_tone(rag)


def rag_word(rag: Rag) -> str:
    return rag.value.capitalize()


DATE_TIME_FORMAT = "%a %d %b %Y %H:%M %Z"  # "Sun 15 Nov 2026 12:00 EST": one format, the timezone named


def format_when(t: Turn, at: datetime | None, empty: str = "—") -> str:
    """A moment in the organisation's timezone, in the one date-time format every answer uses."""
    return empty if at is None else at.astimezone(ZoneInfo(t.org.timezone)).strftime(DATE_TIME_FORMAT)


def plural(count: int, word: str, many: str | None = None) -> str:
    """``1 week``, ``3 weeks``, ``0 projects``; ``many`` for irregular plurals (``person``/``people``)."""
    return f"{count} {word if count == 1 else (many or word + 's')}"


def waiting_for(days: int) -> str:
    """How long something has waited, in words: "since today", "1 day", "3 days"."""
    return "since today" if days <= 0 else plural(days, "day")
