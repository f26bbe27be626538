"""``ooo [for <person>] <from> [until <date>] [<note>]`` / ``ooo off [for <person>]`` / ``ooo`` (mine).

Time off keeps Steward quiet: no stand-up question or reminder, no personal digest, no escalation re-send
on those days; the stand-up report lists the person as away; capacity counts only the days left.
Managers and admins may set it for their people (``ooo for jane 2026-12-24 until 2027-01-01``).
"""

from __future__ import annotations

from datetime import timedelta

from domain.errors import Forbidden, InvalidInput
from domain.model import Person, Role
from domain.services import audit
from domain.timeoff import TimeOff, load_availability
from handlers.base import Turn, format_date, turn
from handlers.context import Context
from handlers.parsing import parse_date, resolve_person, take_keyword_date
from handlers.reply import Action, Reply, Section, Severity

USAGE = "ooo [for <person>] <from> [until <date>] [<note>] | ooo off [for <person>] | ooo"
EXAMPLE = "ooo 2026-12-24 until 2027-01-01 family in Lisbon"
MAX_DAYS = 366


def handle(ctx: Context, args: str) -> Reply:
    words = args.split()
    with turn(ctx) as t:
        person = t.actor
        off = bool(words) and words[0].lower() == "off"
        if off:
            words = words[1:]
        if len(words) >= 2 and words[0].lower() == "for":
            person = resolve_person(t.uow, words[1], example="ooo for jane@example.com 2026-12-24")
            words = words[2:]
            _check_may_set(t.actor, person)
        if off:
            return _cancel(t, person)
        if not words:
            return _list(t, person)
        return _add(t, person, words)


def _check_may_set(actor: Person, person: Person) -> None:
    if actor.id != person.id and actor.role not in (Role.ADMIN, Role.MANAGER, Role.DIRECTOR):
        raise Forbidden("Only managers, directors and admins can set time off for someone else.")


def _add(t: Turn, person: Person, words: list[str]) -> Reply:
    until, words = take_keyword_date(words, "until", (), t.today, t.org.timezone, example=EXAMPLE)
    if not words:
        raise InvalidInput("From when?", example=EXAMPLE)
    first, note_words = None, words
    # The first one to three words that read as a date are the start; the rest is the note.
    for n in (3, 2, 1):
        if len(words) < n:
            continue
        try:
            first = parse_date(" ".join(words[:n]), t.today, t.org.timezone, example=EXAMPLE)
        except InvalidInput:
            continue
        note_words = words[n:]
        break
    if first is None:
        raise InvalidInput(f"I can't read “{' '.join(words[:3])}” as the first day off.", example=EXAMPLE)
    last = until or first
    if last < first:
        raise InvalidInput(f"Time off ends ({last:%d %b %Y}) before it starts ({first:%d %b %Y}).", example=EXAMPLE)
    if (last - first).days > MAX_DAYS:
        raise InvalidInput("Time off can cover a year at most; set it in pieces.", example=EXAMPLE)
    if last < t.today:
        raise InvalidInput(f"{last:%a %d %b %Y} is in the past.", example=EXAMPLE)
    note = " ".join(note_words)[:500]
    saved = t.uow.calendars.add_time_off(TimeOff(None, person.id or 0, first, last, note, t.actor.id, t.now))
    audit(t.uow, t.actor, t.now, t.ctx.source, "ooo.set", f"person:{person.email}",
          f"{first.isoformat()}..{last.isoformat()}" + (f" {note}" if note else ""))
    days = (saved.last_day - saved.first_day).days + 1
    who = "You are" if person.id == t.actor.id else f"{person.name} is"
    return Reply(
        title=f"{who} away {format_date(first)}" + (f" – {format_date(last)}" if last != first else ""),
        summary=f"{days} day{'s' if days != 1 else ''}" + (f": {note}" if note else "")
        + ". No stand-up questions, reminders, personal digests or escalation re-sends on those days.",
        severity=Severity.SUCCESS, actions=(Action("Cancel", "ooo off" if person.id == t.actor.id else
                                                   f"ooo off for {person.email}", "danger"),),
    )


def _cancel(t: Turn, person: Person) -> Reply:
    changed = t.uow.calendars.cancel_time_off(person.id or 0, t.today)
    if not changed:
        return Reply(title="No time off to cancel", summary=f"Set some: `{EXAMPLE}`")
    audit(t.uow, t.actor, t.now, t.ctx.source, "ooo.cancelled", f"person:{person.email}", f"from {t.today}")
    return Reply(title="Time off cancelled", summary=f"From {format_date(t.today)} on, {person.name} is back.",
                 severity=Severity.SUCCESS)


def _list(t: Turn, person: Person) -> Reply:
    horizon = t.today + timedelta(days=MAX_DAYS)
    avail = load_availability(t.uow, [person.id or 0], t.today, horizon)
    periods = avail.time_off.get(person.id or 0, [])
    holidays = sorted((d, n) for c in {avail.country_of(person.id or 0)} if c
                      for d, n in avail.public.get(c, {}).items() if t.today <= d <= t.today + timedelta(days=90))
    holidays += [(d, "company holiday") for d in avail.org.holidays if t.today <= d <= t.today + timedelta(days=90)]
    sections = [Section(title="Time off", lines=tuple(
        f"{format_date(p.first_day)} – {format_date(p.last_day)}" + (f": {p.note}" if p.note else "")
        for p in periods) or ("none planned",))]
    if holidays:
        sections.append(Section(title="Holidays in the next 90 days", lines=tuple(
            f"{format_date(d)}: {n}" for d, n in sorted(holidays))))
    return Reply(title=f"Time off · {person.name}", sections=tuple(sections),
                 summary=f"Holiday calendar: {avail.country_of(person.id or 0) or 'none set'}; set time off: "
                 f"`{EXAMPLE}`")
