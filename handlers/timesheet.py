"""``timesheet [me|team|<person>] [this week|last week|<date>]``: hours per day and project."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from domain import timesheets
from domain.model import Person
from handlers.base import Turn, format_hours, turn
from handlers.context import Context
from handlers.parsing import parse_date, resolve_person
from handlers.reply import Action, Fact, Reply, Section, Tone

USAGE = "timesheet [me|team|<person>] [this week|last week|<date>]"
EXAMPLE = "timesheet me last week"
MAX_TEAM = 40  # people listed in one message; the rest are counted


def handle(ctx: Context, args: str) -> Reply:
    with turn(ctx) as t:
        who, day = _parse(t, args.split())
        if who == "team":
            return _team(t, timesheets.team_of(t.uow, t.actor), day)
        person = t.actor if who == "me" else resolve_person(t.uow, who, example=EXAMPLE)
        timesheets.check_see(t.actor, person)
        [week] = timesheets.weeks(t.uow, [person], day)
        return _one(t, week)


def _parse(t: Turn, words: list[str]) -> tuple[str, date]:
    """``[me|team|<person>] [this week|last week|<date>]``, either part optional."""
    lowered = [w.lower() for w in words]
    day = t.today
    for n in (2, 1):
        tail = " ".join(lowered[-n:]) if len(lowered) >= n else ""
        if tail in ("this week", "last week"):
            day = t.today - timedelta(days=7 if tail == "last week" else 0)
            words = words[:-n]
            break
    else:
        if words and (len(words) > 1 or words[0].lower() not in ("me", "team")) and _datey(words[-1]):
            day = parse_date(words[-1], t.today, t.org.timezone, example=EXAMPLE)
            words = words[:-1]
    who = " ".join(words).strip() or "me"
    return (who.lower() if who.lower() in ("me", "team") else who), day


def _datey(word: str) -> bool:
    return word[:1].isdigit() or word.lower() in ("today", "yesterday", "monday", "tuesday", "wednesday",
                                                  "thursday", "friday", "saturday", "sunday")


def _span(first: date) -> str:
    return f"week of {first:%a %d %b %Y}"


def _one(t: Turn, week: timesheets.Week) -> Reply:
    names = {p.id: p.key for p in t.uow.projects.list()}  # one statement, however many projects
    days = []
    for i in range(7):
        d = week.first + timedelta(days=i)
        cells = [(names.get(pid, "?"), h) for (pid, day), h in sorted(week.hours.items()) if day == d]
        if cells or (i < 5 and d <= t.today):
            total = sum((h for _, h in cells), Decimal(0))
            detail = ", ".join(f"{key} {format_hours(h)}" for key, h in cells) or "nothing logged"
            days.append(f"{d:%a %d %b}: {format_hours(total)} — {detail}" if cells else f"{d:%a %d %b}: {detail}")
    per_project: dict[int, Decimal] = {}
    for (pid, _), h in week.hours.items():
        per_project[pid] = per_project.get(pid, Decimal(0)) + h
    project_lines = tuple(f"{names.get(pid, '?')}: {format_hours(h)}" for pid, h in sorted(per_project.items()))
    capacity = week.person.capacity_hours
    over = week.total > capacity
    whose = "Your" if week.person.id == t.actor.id else f"{week.person.name}'s"
    return Reply(
        title=f"{whose} timesheet · {_span(week.first)}",
        facts=(Fact("Total", f"{format_hours(week.total)} of {format_hours(capacity)} capacity",
                    Tone.AMBER if over else Tone.NONE),),
        sections=(Section(title="Per day", lines=tuple(days)),
                  *((Section(title="Per project", lines=project_lines),) if project_lines else ())),
        actions=(Action("Last week", f"timesheet {_who(t, week.person)} last week"),),
        subject=f"person:{week.person.email}",
    )


def _who(t: Turn, person: Person) -> str:
    return "me" if person.id == t.actor.id else person.email


def _team(t: Turn, people: list[Person], day: date) -> Reply:
    weeks = timesheets.weeks(t.uow, people[:MAX_TEAM], day)
    lines, quiet = [], []
    for w in weeks:
        missing = w.days_without_hours(t.today)
        lines.append(f"{w.person.name}: {format_hours(w.total)} of {format_hours(w.person.capacity_hours)}"
                     + (f" · nothing on {', '.join(f'{d:%a}' for d in missing)}" if missing else ""))
        if missing:
            quiet.append(w.person.name)
    first = weeks[0].first if weeks else day - timedelta(days=day.weekday())
    more = f" (and {len(people) - MAX_TEAM} more)" if len(people) > MAX_TEAM else ""
    count = len(people)
    return Reply(
        title=f"Team timesheet · {_span(first)}",
        summary=(f"{count} {'person' if count == 1 else 'people'}{more}; "
                 + (f"nothing logged on a working day: {', '.join(quiet)}." if quiet else
                    "everyone logged something on every working day so far.")) if people else
        "No one is allocated to the projects you manage or direct.",
        sections=(Section(title="Hours this week" if day >= t.today - timedelta(days=t.today.weekday())
                          else "Hours", lines=tuple(lines), tone=Tone.AMBER if quiet else Tone.NONE),) if lines else (),
        actions=(Action("Last week", "timesheet team last week"),),
    )
