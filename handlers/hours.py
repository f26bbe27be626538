"""``hours <project> <hours> [for <person>] [on <date>] [<note>]``: log time."""

from __future__ import annotations

from domain import services
from domain.errors import InvalidInput, NotFound
from domain.model import Person
from domain.ports import UnitOfWork
from handlers.ack import BUDGET_RULES, after_change
from handlers.base import format_hours, turn
from handlers.context import Context
from handlers.parsing import parse_hours, resolve_person, split_name, take_keyword_date
from handlers.reply import Action, Fact, Reply, Severity

USAGE = "hours <project> <hours> [for <person>] [on <date>] [<note>]"
EXAMPLE = "hours acme-web 3.5 on yesterday design review"


def handle(ctx: Context, args: str) -> Reply:
    with turn(ctx) as t:
        project, rest = split_name(args.split(), t.uow, example=EXAMPLE)
        if not rest:
            raise InvalidInput("How many hours?", example=EXAMPLE)
        hours = parse_hours(rest[0], example=EXAMPLE)
        rest = rest[1:]
        day, rest = take_keyword_date(rest, "on", ("for",), t.today, t.org.timezone, example=EXAMPLE)
        person = t.actor
        lowered = [w.lower() for w in rest]
        if "for" in lowered:
            i = lowered.index("for")
            if i + 1 >= len(rest):
                raise InvalidInput("“for” needs a person after it.", example="hours acme-web 2 for jane@example.com")
            person, used = _person(t.uow, rest[i + 1:i + 3])
            rest = rest[:i] + rest[i + 1 + used:]
        day = day or t.today
        entry = services.log_hours(t.uow, t.actor, person, project, day, hours, " ".join(rest), t.now, ctx.source,
                                   t.today)
        after_change(t, project.id, BUDGET_RULES)  # burn thresholds and forecast escalate now
        for_whom = "" if person.id == t.actor.id else f" for {person.name}"
        return Reply(
            title=f"Logged {format_hours(entry.hours)} on {project.name}{for_whom}",
            summary=entry.note,
            severity=Severity.SUCCESS,
            facts=(Fact("Date", f"{entry.day:%a %d %b %Y}"), Fact("Value", t.money(entry.hours * entry.bill_rate))),
            actions=(Action("Budget", f"budget {project.key}"),),
            subject=f"project:{project.key}",
        )


def _person(uow: UnitOfWork, words: list[str]) -> tuple[Person, int]:
    """A person named by one word (email, first name, mention) or two (full name)."""
    if len(words) > 1:
        try:
            return resolve_person(uow, " ".join(words[:2]), example=EXAMPLE), 2
        except (NotFound, InvalidInput):
            pass
    return resolve_person(uow, words[0], example="hours acme-web 2 for jane@example.com"), 1
