"""What every handler shares: one unit of work per turn, the caller as a person, today, formatting."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from domain.identity import identify
from domain.model import Organisation, Person, Rag
from domain.ports import UnitOfWork
from handlers.context import Context
from handlers.reply import Tone

# Told the id of each identified caller (``bot/logs.py`` puts it on the command's log lines).
ON_IDENTIFIED: list[Callable[[int], None]] = []
_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "AUD": "A$", "CAD": "C$", "NZD": "NZ$", "JPY": "¥"}


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
                         platform=ctx.platform)
        for note in ON_IDENTIFIED:
            note(actor.id or 0)
        now = ctx.clock.now()
        today = now.astimezone(ZoneInfo(org.timezone)).date()
        yield Turn(ctx, uow, actor, org, now, today)
        uow.commit()


def format_money(amount: Decimal, currency: str, *, signed: bool = False, cents: bool | None = None) -> str:
    """``$12,345`` for big figures, ``$45.50`` for small ones; ``-$1,200`` when negative."""
    symbol = _SYMBOLS.get(currency.upper())
    show_cents = cents if cents is not None else abs(amount) < 1000 and amount != amount.to_integral_value()
    number = f"{abs(amount):,.2f}" if show_cents else f"{abs(amount):,.0f}"
    text = f"{symbol}{number}" if symbol else f"{number} {currency.upper()}"
    if amount < 0:
        return f"-{text}"
    return f"+{text}" if signed else text


def format_hours(hours: Decimal) -> str:
    return f"{hours.normalize():f}h" if hours == hours.to_integral_value() else f"{hours:.2f}".rstrip("0") + "h"


def format_pct(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


def format_date(day: date | None, empty: str = "—") -> str:
    return empty if day is None else f"{day:%a %d %b %Y}"


def rag_tone(rag: Rag) -> Tone:
    return Tone(rag.value)


def rag_word(rag: Rag) -> str:
    return rag.value.capitalize()
