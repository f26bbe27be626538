"""``hours <project> <hours> [for <person>] [on <date>] [<note>]``: log time."""

from __future__ import annotations

from datetime import date

from domain import services
from domain.errors import InvalidInput, NotFound
from domain.model import Person, Role
from domain.ports import UnitOfWork
from handlers.base import format_hours, turn
from handlers.context import Context
from handlers.escalation_notices import BUDGET_RULES, after_change
from handlers.parsing import (
    HOUR_UNITS,
    date_like,
    parse_hours,
    resolve_person,
    split_name,
    take_keyword_date,
    take_leading_day,
)
from handlers.reply import Action, Fact, Reply, Severity

USAGE = "hours <project> <hours> [for <person>] [on <date>] [<note>]"
EXAMPLE = "hours acme-web 3.5 yesterday design review"


def handle(ctx: Context, args: str) -> Reply:
    with turn(ctx) as t:
        project, rest = split_name(args.split(), t.uow, example=EXAMPLE)
        if not rest:
            raise InvalidInput("How many hours?", example=EXAMPLE)
        hours = parse_hours(rest[0], example=EXAMPLE)
        after = rest[1:]
        if after and after[0].lower() in HOUR_UNITS:  # "2 hours", "2 hrs"
            after = after[1:]
        person, day, note = _who_when_what(t.uow, after, t.actor, t.today, t.org.timezone)
        undated = date_like(note.split())
        if undated is not None:
            raise InvalidInput(
                f"I can't tell which day “{undated}” is, so nothing was logged. Name the day: today, yesterday, "
                "last friday or a date like 2026-11-03 (today or earlier).", example=EXAMPLE)
        day = day or t.today
        entry = services.log_hours(t.uow, t.actor, person, project, day, hours, note, t.now, ctx.source, t.today)
        after_change(t, project.id, BUDGET_RULES)  # burn thresholds and forecast escalate now
        for_whom = "" if person.id == t.actor.id else f" for {person.name}"
        return Reply(
            title=f"Logged {format_hours(entry.hours)} on {project.name}{for_whom}",
            summary=entry.note,
            severity=Severity.SUCCESS,
            facts=(Fact("Date", f"{entry.day:%a %d %b %Y}"), Fact("Value", t.money(entry.hours * entry.bill_rate))),
            # A member can't see budgets: their button leads to what they may see, their timesheet.
            actions=(Action("Budget", f"budget {project.key}"),) if t.actor.role is not Role.MEMBER else
            (Action("Timesheet", "timesheet"), Action("Undo", "undo")),
            subject=f"project:{project.key}",
        )


def _who_when_what(uow: UnitOfWork, words: list[str], actor: Person, today: date,
                   timezone: str) -> tuple[Person, date | None, str]:
    """``[for <person>] [on <date>] [<note>]``, the two clauses in either order, then the note.

    Only where the grammar puts them: "prep for client demo" or "worked on homepage" are notes, not a
    person called "client" or a date called "homepage". A leading day that can't be anything else
    ("yesterday", "today", "last friday", "2026-11-30") is a date without its "on"."""
    person: Person | None = None
    day: date | None = None
    while words:
        first = words[0].lower()
        if first == "for" and person is None:
            if len(words) < 2:
                raise InvalidInput("“for” needs a person after it.", example="hours acme-web 2 for jane@example.com")
            person, used = _person(uow, words[1:3])
            words = words[1 + used:]
        elif first == "on" and day is None:
            day, words = take_keyword_date(words, "on", ("for",), today, timezone, example=EXAMPLE)
        elif day is None and (leading := take_leading_day(words, today)) is not None:
            day, words = leading
        else:
            break
    return person or actor, day, " ".join(words)


def _person(uow: UnitOfWork, words: list[str]) -> tuple[Person, int]:
    """A person named by one word (email, first name, mention) or two (full name)."""
    if len(words) > 1:
        try:
            return resolve_person(uow, " ".join(words[:2]), example=EXAMPLE), 2
        except (NotFound, InvalidInput):
            pass
    return resolve_person(uow, words[0], example="hours acme-web 2 for jane@example.com"), 1
