"""Reading the words of a command line: names, people, dates, hours and money."""

from __future__ import annotations

import contextlib
import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import dateparser

from domain.errors import InvalidInput, NotFound
from domain.model import Client, Person, Project
from domain.ports import UnitOfWork

_SLACK_MENTION = re.compile(r"^<@([A-Z0-9]+)(?:\|[^>]*)?>$")
_MONEY = re.compile(r"^\+?(?P<cur>[$€£])?(?P<num>\d[\d,]*(?:\.\d{1,2})?)(?P<k>k)?(?P<cur2>[$€£])?$", re.IGNORECASE)
_HOURS = re.compile(r"^\+?(?P<num>\d+(?:\.\d+)?)\s*(?:h|hr|hrs|hour|hours)$", re.IGNORECASE)


def fold(text: str) -> str:
    return " ".join(text.lower().split())


@dataclass(frozen=True)
class Named:
    """A project or a client matched by name."""

    client: Client | None = None
    project: Project | None = None


def _keys_of(item: Client | Project) -> list[str]:
    return [item.key, item.name, *item.aliases]


def _suggest(word: str, options: Sequence[str], n: int = 3) -> list[str]:
    folded = {fold(o): o for o in options}
    close = difflib.get_close_matches(fold(word), list(folded), n=n, cutoff=0.5)
    starts = [o for f, o in folded.items() if f.startswith(fold(word)[:3])] if len(word) >= 3 else []
    return list(dict.fromkeys([folded[c] for c in close] + starts))[:n]


def resolve_named(uow: UnitOfWork, word: str, *, projects_only: bool = False, example: str) -> Named:
    """A client or project by key, name or alias, case-insensitively; closest matches on a miss."""
    target = fold(word)
    if not target:
        raise InvalidInput("Name a client or a project.", example=example)
    # Most lines name a key: one indexed look-up each, before reading every name and alias.
    if " " not in target:
        project = uow.projects.by_key(target)
        if project is not None:
            return Named(project=project)
        client = None if projects_only else uow.clients.by_key(target)
        if client is not None:
            return Named(client=client)
    projects = uow.projects.list()
    for p in projects:
        if target in (fold(k) for k in _keys_of(p)):
            return Named(project=p)
    clients = [] if projects_only else uow.clients.list()
    for c in clients:
        if target in (fold(k) for k in _keys_of(c)):
            return Named(client=c)
    options = [p.key for p in projects] + [c.key for c in clients]
    kind = "project" if projects_only else "client or project"
    raise NotFound(f"I don't know a {kind} called “{word}”.", _suggest(word, options), example=example)


def resolve_project(uow: UnitOfWork, word: str, example: str) -> Project:
    named = resolve_named(uow, word, projects_only=True, example=example)
    assert named.project is not None
    return named.project


def split_name(tokens: Sequence[str], uow: UnitOfWork, *, example: str) -> tuple[Project, list[str]]:
    """Match the longest run of leading tokens that names a project (names may have spaces)."""
    if not tokens:
        raise InvalidInput("Name a project.", example=example)
    # A first word that is a project key is taken as the project (keys are identifiers; names with
    # spaces are matched below by reading every name and alias).
    by_key = uow.projects.by_key(tokens[0])
    if by_key is not None:
        return by_key, list(tokens[1:])
    projects = uow.projects.list()
    table = {fold(k): p for p in projects for k in _keys_of(p)}
    for n in range(min(len(tokens), 6), 0, -1):
        candidate = fold(" ".join(tokens[:n]))
        if candidate in table:
            return table[candidate], list(tokens[n:])
    raise NotFound(f"I don't know a project called “{tokens[0]}”.", _suggest(tokens[0], [p.key for p in projects]),
                   example=example)


def resolve_person(uow: UnitOfWork, word: str, *, example: str) -> Person:
    """A person by email, name (full or first, when unique) or a Slack mention ``<@U123>``."""
    word = word.strip()
    mention = _SLACK_MENTION.match(word)
    if mention:
        person = uow.people.by_slack_id(mention.group(1))
        if person is None:
            raise NotFound("That Slack user isn't registered in Steward.", example=example)
        return person
    if "@" in word and not word.startswith("@"):
        person = uow.people.by_email(word)
        if person is not None:
            return person
    name = fold(word.lstrip("@"))
    people = [p for p in uow.people.list() if p.active]
    exact = [p for p in people if fold(p.name) == name or fold(p.email) == name]
    if len(exact) == 1:
        return exact[0]
    first = [p for p in people if fold(p.name).split(" ")[0] == name or fold(p.email).split("@")[0] == name]
    if len(first) == 1:
        return first[0]
    if len(first) > 1:
        raise InvalidInput(f"“{word}” could be {', '.join(p.email for p in first)}; use the email.", example=example)
    raise NotFound(f"I don't know anyone called “{word}”.", _suggest(word, [p.email for p in people]), example=example)


# Beyond these a number is a typo or an attack ("1e309", a thousand digits), not a plan: refused with the
# usual message rather than an arithmetic error (Decimal's quantize overflows on huge values).
MAX_HOURS = Decimal("10000")
MAX_AMOUNT = Decimal("1000000000000")


def _sane(value: Decimal, limit: Decimal, text: str, what: str, example: str | None) -> Decimal:
    if not value.is_finite() or abs(value) > limit:
        raise InvalidInput(f"“{text[:40]}” is not {what} I can use (at most {limit:,}).", example=example)
    return value


_PLAIN_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def parse_hours(text: str, *, example: str) -> Decimal:
    """``3``, ``3.5``, ``3h``, ``3hrs``, ``1:30`` (hours:minutes).

    Only plain digits are numbers here: ``1e309``, ``nan`` and ``inf`` are refused like any other word
    (Decimal would read them, and a quantize of 1e309 raises instead of answering)."""
    raw = text.strip().lower()
    for unit in ("hours", "hour", "hrs", "hr", "h"):
        if raw.endswith(unit):
            raw = raw[: -len(unit)]
            break
    if ":" in raw:
        h, m = raw.split(":", 1)
        if not (h.isdigit() and m.isdigit() and len(m) == 2 and int(m) < 60):
            raise InvalidInput(f"“{text}” is not a number of hours.", example=example)
        return (Decimal(h) + Decimal(m) / 60).quantize(Decimal("0.01"))
    if not _PLAIN_NUMBER.fullmatch(raw) or len(raw) > 12:
        raise InvalidInput(f"“{text}” is not a number of hours.", example=example)
    return _sane(Decimal(raw), MAX_HOURS, text, "a number of hours", example).quantize(Decimal("0.01"))


HOUR_UNITS = frozenset({"h", "hr", "hrs", "hour", "hours"})


def is_hours(text: str) -> bool:
    return bool(re.fullmatch(r"\d+(?:\.\d+)?(?:h|hrs?|hours?)?|\d+:\d\d", text.strip().lower()))


@dataclass(frozen=True)
class Impact:
    hours: Decimal | None = None
    amount: Decimal | None = None


# Symbols people type for a currency; "$" is every dollar (the organisation has one currency).
_SYMBOL_CURRENCIES = {"$": ("USD", "AUD", "CAD", "NZD", "SGD", "HKD"), "€": ("EUR",), "£": ("GBP",),
                      "¥": ("JPY", "CNY")}
_IMPACT = re.compile(
    r"^(?P<plus>\+)?(?P<sym>[$€£¥])?(?P<num>\d[\d,]*(?:\.\d+)?)(?P<k>k)?(?P<sym2>[$€£¥])?"
    r"(?P<unit>h|hrs?|hours?|[a-z]{3})?$",
    re.IGNORECASE,
)
_CODE = re.compile(r"^[A-Za-z]{3}$")


def _impact_word(word: str, unit: str | None, currency: str, example: str) -> Impact:
    """One impact: ``word`` matched ``_IMPACT``; ``unit`` is the following word when it is a unit."""
    m = _IMPACT.match(word)
    assert m is not None
    text_unit = (m.group("unit") or unit or "").lower()
    number = m.group("num").replace(",", "")
    if "," in m.group("num") and not re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?", m.group("num")):
        raise InvalidInput(f"“{word}” is not a number I can read.", example=example)
    value = _sane(Decimal(number), MAX_AMOUNT, word, "an amount", example)
    symbol = m.group("sym") or m.group("sym2")
    if text_unit in HOUR_UNITS:
        _sane(value, MAX_HOURS, word, "a number of hours", example)
        if symbol or m.group("k"):
            raise InvalidInput(f"“{word}” mixes hours and money: say +40h or +$4,500.", example=example)
        return Impact(hours=value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
    if text_unit and text_unit.upper() != currency.upper():
        said = f"{word} {unit}" if unit else word
        raise InvalidInput(f"“{said}”: this organisation's budgets are in {currency}; give the impact in "
                           f"{currency} or in hours.", example=example)
    if symbol and currency.upper() not in _SYMBOL_CURRENCIES.get(symbol, ()):
        raise InvalidInput(f"“{word}”: this organisation's budgets are in {currency}; give the impact in "
                           f"{currency} or in hours.", example=example)
    if m.group("k"):
        value *= 1000
    return Impact(amount=value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def take_impacts(tokens: Sequence[str], currency: str, *, example: str) -> tuple[list[str], Impact]:
    """Pull the impacts out of a scope line; the other words are the description.

    Hours: ``+40h``, ``+40 h``, ``+40 hours``, ``+40 hrs``, ``40 hours``. Money: ``+$4,500``, ``+$4.5k``,
    ``+4500 USD``, the organisation's symbol or code; a bare ``+4500`` is money (DESIGN). A word that
    starts with ``+`` and a digit but reads as neither is refused, never kept in the description."""
    words: list[str] = []
    hours: Decimal | None = None
    amount: Decimal | None = None
    i = 0
    while i < len(tokens):
        word = tokens[i]
        plus = word.startswith("+")
        m = _IMPACT.match(word)
        if m is None:
            if plus and len(word) > 1 and (any(c.isdigit() for c in word) or word[1:].lower() in ("inf", "nan")):
                raise InvalidInput(f"“{word}” is not an impact: use +40h, +4500 or +$4,500.", example=example)
            words.append(word)
            i += 1
            continue
        inline = (m.group("unit") or "").lower()
        following = tokens[i + 1] if i + 1 < len(tokens) else ""
        next_unit = following.lower() if not inline and (
            following.lower() in HOUR_UNITS or following.upper() == currency.upper()
            or (_CODE.match(following) is not None and following.isupper())
        ) else ""
        unit = inline or next_unit
        if not plus and unit not in HOUR_UNITS:
            words.append(word)  # "2 pages", "2026": a number in the description, not an impact
            i += 1
            continue
        impact = _impact_word(word, next_unit or None, currency, example)
        if impact.hours is not None:
            hours = (hours or Decimal(0)) + impact.hours
        else:
            amount = (amount or Decimal(0)) + (impact.amount or Decimal(0))
        i += 2 if next_unit else 1
    return words, Impact(hours=hours, amount=amount)


def parse_impact(text: str, currency: str = "USD") -> Impact | None:
    """``+40h``, ``+$4,500``, ``+4500``, ``+4.5k``: None if the word is not an impact."""
    word = text.strip()
    if not word.startswith("+") or not _IMPACT.match(word):
        return None
    try:
        return _impact_word(word, None, currency, "scope acme-web extra page +40h")
    except InvalidInput:
        return None


def parse_weekly(text: str, capacity: Decimal, *, example: str) -> Decimal:
    """``20h/week``, ``20h/w``, ``20h``, ``50%`` (of the person's capacity)."""
    word = text.strip().lower()
    pct = re.fullmatch(r"(\d+(?:\.\d+)?)%", word)
    if pct:
        value = Decimal(pct.group(1))
        if value <= 0:
            raise InvalidInput(f"{word} is not a sensible share of a week.", example=example)
        if value > 100:
            raise InvalidInput(f"{word} is more than the person's whole week; 100% is the most one allocation "
                               "can take.", example=example)
        return (capacity * value / 100).quantize(Decimal("0.01"))
    m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(?:h|hrs?|hours?)?(?:\s*/\s*(?:w|wk|week))?", word)
    if not m or len(m.group(1)) > 12:
        raise InvalidInput(f"“{text}” is not hours per week or a percentage.", example=example)
    return _sane(Decimal(m.group(1)), MAX_HOURS, text, "hours per week", example).quantize(Decimal("0.01"))


def parse_date(text: str, today: date, timezone: str, *, example: str) -> date:
    """Free-text dates relative to ``today`` in the organisation's timezone: ISO, "yesterday",
    "last friday", "next monday", "1 Dec"."""
    words = fold(text)
    if not words:
        raise InvalidInput("Give a date.", example=example)
    try:
        return date.fromisoformat(words)
    except ValueError:
        pass
    simple = {"today": 0, "yesterday": -1, "tomorrow": 1}
    if words in simple:
        return today + timedelta(days=simple[words])
    weekday = _relative_weekday(words, today)
    if weekday is not None:
        return weekday
    base = datetime.combine(today, time(12, 0), tzinfo=ZoneInfo(timezone))
    parsed = dateparser.parse(
        words,
        languages=["en"],
        settings={
            "RELATIVE_BASE": base.replace(tzinfo=None),
            "PREFER_DATES_FROM": "current_period",
            "DATE_ORDER": "DMY",
            "STRICT_PARSING": False,
            "REQUIRE_PARTS": [],
        },
    )
    if parsed is None:
        raise InvalidInput(f"I can't read “{text}” as a date.", example=example)
    return parsed.date()


_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


def _relative_weekday(words: str, today: date) -> date | None:
    """"last friday" = the most recent Friday before today; "next monday" = the first after today;
    "friday" = this week's (dateparser reads these inconsistently, so they are done here)."""
    parts = words.split()
    if len(parts) == 2 and parts[0] in ("last", "next", "this") and parts[1] in _WEEKDAYS:
        target = _WEEKDAYS.index(parts[1])
        if parts[0] == "last":
            back = (today.weekday() - target) % 7 or 7
            return today - timedelta(days=back)
        if parts[0] == "next":
            ahead = (target - today.weekday()) % 7 or 7
            return today + timedelta(days=ahead)
        return today + timedelta(days=target - today.weekday())
    if len(parts) == 1 and parts[0] in _WEEKDAYS:
        # A bare weekday means the most recent one (today included): people log time after the fact.
        back = (today.weekday() - _WEEKDAYS.index(parts[0])) % 7
        return today - timedelta(days=back)
    return None


def take_leading_day(tokens: list[str], today: date) -> tuple[date, list[str]] | None:
    """A day at the front of ``tokens`` that can only be a day: "today", "yesterday", an ISO date, or
    "last|this <weekday>" (a bare weekday or dateparser's guesses could as well start a note)."""
    if not tokens:
        return None
    first = tokens[0].lower()
    if first in ("today", "yesterday", "tomorrow"):
        return today + timedelta(days={"yesterday": -1, "today": 0, "tomorrow": 1}[first]), tokens[1:]
    with contextlib.suppress(ValueError):
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", first):
            return date.fromisoformat(first), tokens[1:]
    if len(tokens) > 1 and first in ("last", "this", "next"):
        day = _relative_weekday(f"{first} {tokens[1].lower()}", today)
        if day is not None:
            return day, tokens[2:]
    return None


# Words dateparser skips over ("monday about" reads as Monday): a run of date words never ends in one.
_FILLERS = frozenset({"about", "at", "and", "for", "in", "of", "the", "to", "with", "re", "on"})


def take_keyword_date(tokens: list[str], keyword: str, stops: Sequence[str], today: date, timezone: str, *,
                      example: str, max_words: int = 3) -> tuple[date | None, list[str]]:
    """Pull ``<keyword> <date words>`` out of tokens; the date runs until the next stop word."""
    lowered = [t.lower() for t in tokens]
    if keyword not in lowered:
        return None, tokens
    i = lowered.index(keyword)
    j = i + 1
    while j < len(tokens) and lowered[j] not in stops and j - i <= max_words:
        j += 1
    words = tokens[i + 1:j]
    if not words:
        raise InvalidInput(f"“{keyword}” needs a date after it.", example=example)
    # Try the longest run of words that reads as a date, leaving the rest (a note) in place.
    for n in range(len(words), 0, -1):
        if n > 1 and words[n - 1].lower() in _FILLERS:
            continue
        try:
            day = parse_date(" ".join(words[:n]), today, timezone, example=example)
        except InvalidInput:
            continue
        return day, tokens[:i] + tokens[i + 1 + n:]
    raise InvalidInput(f"I can't read “{' '.join(words)}” as a date.", example=example)


_NUMBER_WORDS = r"(?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|few|couple(?: of)?|several)"
_UNITS = r"(?:days?|weeks?|months?|years?|fortnights?|mins?|minutes?|hours?|hrs?)"
_DATE_LIKE = re.compile(
    rf"^(?:(?:in|within|after|for the next) {_NUMBER_WORDS} {_UNITS}\b"
    rf"|{_NUMBER_WORDS} {_UNITS} (?:ago|from now|later)\b"
    r"|(?:next|last|this|coming) (?:week|month|year|weekend|time)\b"
    r"|(?:the )?day (?:before|after)\b"
    r"|(?:tonight|someday|sometime|soon|later|earlier|tmrw|tmr|tomorow|yday|yesterdy|ystrdy)\b"
    r"|\d{1,4}[-/.]\d{1,2}(?:[-/.]\d{1,4})?\b)",
    re.IGNORECASE,
)


def date_like(words: Sequence[str]) -> str | None:
    """The leading words of a note that read like a date nobody understood ("in two weeks", "someday",
    "next week", "11/03"): None when the note is just a note. A date that is guessed at or kept as a
    note would log time on the wrong day without saying so."""
    m = _DATE_LIKE.match(" ".join(words))
    return m.group(0) if m else None
