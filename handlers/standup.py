"""``standup …``: a channel's stand-up settings, answering it, and acting on blockers.

- ``standup`` (settings, participants, today's answers) / ``standup at <time> [weekdays|daily] [<timezone>]``
  / ``standup off`` / ``standup report at <time>`` / ``standup reminder <minutes>|off`` /
  ``standup quiet|named`` / ``standup join|leave`` — said in a channel bound to projects;
- ``standup did <…>; doing <…>; blocked <…|nothing>`` — anywhere (a DM usually); a second answer the same
  day replaces the first; ``+3h acme-web`` inside "did" logs the hours (echoed);
- ``standup answer`` — the three questions with the form (what the Answer button shows where no modal);
- ``standup handle B7`` / ``standup escalate B7`` — the blocker DM's buttons.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from domain import permissions, services
from domain import standups as su
from domain.errors import Forbidden, InvalidInput, NotFound
from domain.model import OutboxMessage, Person, Project, Role
from domain.standups import Answer, Blocker, StandupSetting
from domain.timeoff import load_availability
from handlers.base import Turn, format_hours, turn
from handlers.context import Context
from handlers.digest import parse_zone
from handlers.escalation_notices import after_change
from handlers.notify import notify
from handlers.parsing import resolve_project
from handlers.reply import Action, Fact, Reply, Section, Severity, Tone
from handlers.standup_runs import (
    Crew,
    answer_lines,
    crew,
    late_reply,
    previous_working_day,
    question,
    settings_of_person,
)

USAGE = ("standup | standup at <time> [weekdays|daily] [<timezone>] | standup off | standup report at <time> | "
         "standup reminder <minutes>|off | standup quiet|named | standup join|leave | "
         "standup did …; doing …; blocked …|nothing")
EXAMPLE = "standup at 9:30 weekdays"
_TIME = re.compile(r"^(\d{1,2})(?::(\d{2}))?\s*(am|pm)?$", re.IGNORECASE)
_BLOCKER = re.compile(r"^b?(\d+)$", re.IGNORECASE)


def handle(ctx: Context, args: str) -> Reply:
    verb, _, rest = args.strip().partition(" ")
    low = verb.lower().rstrip(":")
    with turn(ctx) as t:
        if low in ("did", "doing", "blocked"):
            return answer(t, args)
        if low == "answer":
            return question(t.uow, t.actor, _my_day(t))
        if low in ("handle", "escalate"):
            return _blocker(t, low, rest)
        channel = ctx.channel
        if channel is None or ctx.is_direct:
            if low == "":
                return _mine(t)
            raise InvalidInput("Stand-ups belong to a project channel: say this in the channel.", example=EXAMPLE)
        if low == "":
            return _show(t, channel)
        if low == "at":
            return _schedule(t, channel, rest.split())
        setting = t.uow.standups.for_channel(channel)
        if setting is None or not setting.active:
            raise InvalidInput("This channel has no stand-up yet.", example=EXAMPLE)
        if low == "off":
            _check_manage(t, channel)
            t.uow.standups.save(replace(setting, active=False, updated_at=t.now))
            _audit(t, "standup.stopped", channel)
            return Reply(title="Stand-up stopped", summary=f"Start it again: `{EXAMPLE}`", severity=Severity.SUCCESS)
        if low == "report":
            words = rest.split()
            if not words or words[0].lower() != "at" or len(words) < 2:
                raise InvalidInput("At what time should the report go out?", example="standup report at 11:30")
            hour, minute = _time(" ".join(words[1:]), "standup report at 11:30")
            return _saved(t, replace(setting, report_hour=hour, report_minute=minute, updated_at=t.now),
                          f"report at {hour:02d}:{minute:02d}")
        if low in ("reminder", "remind"):
            return _saved(t, replace(setting, reminder_minutes=_reminder(rest), updated_at=t.now),
                          f"reminder {rest.strip() or 'set'}")
        if low in ("quiet", "named"):
            return _saved(t, replace(setting, quiet=low == "quiet"), "quiet" if low == "quiet" else "named")
        if low in ("join", "leave"):
            changed = (t.uow.standups.join if low == "join" else t.uow.standups.leave)(setting.id or 0, t.actor.id or 0)
            _audit(t, f"standup.{low}", channel)
            title = ("You're in this stand-up" if low == "join" else "You left this stand-up") if changed else \
                ("You were already in it" if low == "join" else "You weren't in it (allocations decide the rest)")
            return Reply(title=title, severity=Severity.SUCCESS)
        raise InvalidInput(f"“{verb}” is not a stand-up command.", example=EXAMPLE)


def _my_day(t: Turn) -> date:
    avail = load_availability(t.uow, [t.actor.id or 0], t.today, t.today)
    return su.local_day(t.now, avail.zone_of(t.actor.id or 0, t.org.timezone))


def _audit(t: Turn, action: str, channel: str, detail: str = "") -> None:
    services.audit(t.uow, t.actor, t.now, t.ctx.source, action, f"channel:{channel}", detail)


def _check_manage(t: Turn, channel: str) -> list[Project]:
    projects = t.uow.projects.by_channel(channel)
    if not projects:
        raise InvalidInput("This channel is not bound to a project: add `channel:` to a project in the "
                           "organisation file.", example=EXAMPLE)
    if t.actor.role is Role.ADMIN:
        return projects
    clients = {c.id: c for c in t.uow.clients.list()}
    if any(p.manager_id == t.actor.id or (clients.get(p.client_id) and
                                          permissions.is_director_of(t.actor, clients[p.client_id]))
           for p in projects):
        return projects
    raise Forbidden("Only the project's manager, the client's director or an admin can change its stand-up.")


def _time(text: str, example: str) -> tuple[int, int]:
    m = _TIME.match(text.replace(" ", ""))
    if not m:
        raise InvalidInput(f"“{text}” is not a time of day.", example=example)
    hour, minute = int(m.group(1)), int(m.group(2) or 0)
    if m.group(3):
        if not 1 <= hour <= 12:
            raise InvalidInput(f"“{text}” is not a time of day.", example=example)
        hour = hour % 12 + (12 if m.group(3).lower() == "pm" else 0)
    if hour > 23 or minute > 59:
        raise InvalidInput(f"“{text}” is not a time of day.", example=example)
    return hour, minute


def _zone(word: str) -> str:
    return parse_zone(word, "standup at 9:30 weekdays")


def _reminder(text: str) -> int | None:
    word = text.strip().lower().removesuffix("minutes").removesuffix("min").removesuffix("m").strip()
    if word in ("off", "none", "no"):
        return None
    if not word.isdigit() or not 1 <= int(word) <= 600:
        raise InvalidInput(f"“{text.strip()}” is not a number of minutes before the report (or off).",
                           example="standup reminder 30")
    return int(word)


def _schedule(t: Turn, channel: str, words: list[str]) -> Reply:
    _check_manage(t, channel)
    if not words:
        raise InvalidInput("At what time?", example=EXAMPLE)
    if len(words) > 1 and words[1].lower() in ("am", "pm"):
        words = [words[0] + words[1], *words[2:]]
    hour, minute = _time(words[0], EXAMPLE)
    zone: str | None = None
    weekdays = True
    for word in words[1:]:
        low = word.lower()
        if low in ("weekdays", "weekday"):
            weekdays = True
        elif low in ("daily", "everyday"):
            weekdays = False
        else:
            zone = _zone(word)
    existing = t.uow.standups.for_channel(channel)
    setting = StandupSetting(existing.id if existing else None, channel, t.ctx.platform, hour, minute, zone, weekdays,
                             t.actor.id or 0, t.now)
    if existing is not None:  # keep the report time, reminder and quiet choices
        setting = replace(setting, report_hour=existing.report_hour, report_minute=existing.report_minute,
                          reminder_minutes=existing.reminder_minutes, quiet=existing.quiet)
    return _saved(t, setting, f"{hour:02d}:{minute:02d} {'weekdays' if weekdays else 'daily'}"
                  + (f" {zone}" if zone else ""), title="Stand-up scheduled")


def _saved(t: Turn, setting: StandupSetting, detail: str, title: str = "Stand-up updated") -> Reply:
    _check_manage(t, setting.channel)
    saved = t.uow.standups.save(setting)
    _audit(t, "standup.scheduled", setting.channel, detail)
    rh, rm = saved.report_time()
    zone = saved.zone(t.org.timezone)
    return Reply(
        title=title,
        summary=f"Each participant is asked at {saved.hour:02d}:{saved.minute:02d} on their own clock, every "
        f"{'working day' if saved.weekdays_only else 'day'}; the report goes out at {rh:02d}:{rm:02d} {zone}"
        + (f", with a reminder {saved.reminder_minutes} minutes before" if saved.reminder_minutes else
           ", without a reminder") + (" (quiet: no names of who hasn't answered)" if saved.quiet else "") + ".",
        severity=Severity.SUCCESS, actions=(Action("Show", "standup"),),
    )


def _show(t: Turn, channel: str) -> Reply:
    setting = t.uow.standups.for_channel(channel)
    if setting is None or not setting.active:
        return Reply(title="No stand-up here yet", summary=f"Start one: `{EXAMPLE}`")
    day = t.today
    team = crew(t.uow, setting, day, t.org.timezone)
    answers = t.uow.standups.answers(team.asked, [day])
    rh, rm = setting.report_time()
    lines = []
    for pid in team.members:
        person = team.people[pid]
        if pid in team.away:
            lines.append(f"{person.name} — away ({team.away[pid]})")
            continue
        at = su.ask_at(setting, day, team.zones[pid]).astimezone(ZoneInfo(team.zones[pid]))
        state = "answered" if (pid, day) in answers else "no answer yet"
        lines.append(f"{person.name} — asked {at:%H:%M} {team.zones[pid]} — {state}")
    sections = [Section(title="Participants today", lines=tuple(lines) or ("nobody is allocated today",))]
    for pid in team.asked:
        a = answers.get((pid, day))
        if a is not None:
            sections.append(Section(title=team.people[pid].name, lines=answer_lines(a),
                                    tone=Tone.RED if a.blocked else Tone.NONE))
    return Reply(
        title=f"Stand-up · {', '.join(p.key for p in team.projects)}",
        summary=f"{setting.hour:02d}:{setting.minute:02d} on each participant's clock, "
        f"{'weekdays' if setting.weekdays_only else 'daily'}; report {rh:02d}:{rm:02d} {setting.zone(t.org.timezone)}"
        + (f"; reminder {setting.reminder_minutes} min before" if setting.reminder_minutes else "; no reminder")
        + ("; quiet" if setting.quiet else ""),
        facts=(Fact("Answered", f"{len([p for p in team.asked if (p, day) in answers])} of {len(team.asked)}"),
               Fact("Away", str(len(team.away)))),
        sections=tuple(sections),
        actions=(Action("Answer", "standup answer", "primary"), Action("Stop", "standup off", "danger")),
    )


def _mine(t: Turn) -> Reply:
    day = _my_day(t)
    teams = settings_of_person(t.uow, t.actor.id or 0, day, t.org.timezone)
    mine = t.uow.standups.answers([t.actor.id or 0], [day]).get((t.actor.id or 0, day))
    lines = tuple(f"{', '.join(p.key for p in team.projects)} ({team.setting.channel})" for team in teams)
    return Reply(title=f"Your stand-ups · {day:%a %d %b}",
                 summary="Your answer today:\n" + "\n".join(answer_lines(mine)) if mine else "No answer yet today.",
                 sections=(Section(title="You're in", lines=lines or ("no stand-up today",)),),
                 actions=(Action("Answer", "standup answer", "primary"),))


# -- answering ----------------------------------------------------------------------------------------


def answer(t: Turn, text: str) -> Reply:
    """Store today's answer (replacing an earlier one), log ``+3h project`` hours, route a blocker to the
    manager, and add the answer to any report already posted."""
    parsed = su.parse_answer(text)
    me = t.actor
    day = _my_day(t)
    logged: list[str] = []
    yesterday = previous_working_day(day)
    for note in parsed.hours:
        project = resolve_project(t.uow, note.project, example=su.ANSWER_EXAMPLE)
        entry = services.log_hours(t.uow, me, me, project, yesterday, note.hours, f"stand-up: {parsed.did}"[:500],
                                   t.now, t.ctx.source, t.today)
        after_change(t, project.id, ("burn", "forecast"))
        logged.append(f"{format_hours(entry.hours)} on {project.key} for {entry.day:%a %d %b}")
    saved = t.uow.standups.answer(Answer(None, me.id or 0, day, parsed.did, parsed.doing, parsed.blocked, t.now))
    teams = settings_of_person(t.uow, me.id or 0, day, t.org.timezone)
    routed = _route_blocker(t, saved, teams) if parsed.blocked else []
    if not parsed.blocked:
        t.uow.standups.clear_blocker(me.id or 0, day, t.now, me.id or 0)
    late = 0
    for team in teams:
        key = su.report_key(team.setting.id or 0, day)
        if t.uow.outbox.by_key(key) is not None:
            late += t.uow.outbox.add(OutboxMessage(
                id=None, key=su.late_key(team.setting.id or 0, day, me.id or 0, saved.version), kind="standup",
                payload=late_reply(me, saved, key).to_dict(), created_at=t.now, due_at=t.now,
                channel=team.setting.channel, platform=team.setting.platform))
    services.audit(t.uow, me, t.now, t.ctx.source, "standup.answered", f"person:{me.email}",
                   f"{day.isoformat()} v{saved.version}" + (" blocked" if parsed.blocked else ""))
    facts = [Fact("Day", f"{day:%a %d %b}")]
    facts += [Fact("Hours logged", line) for line in logged]
    if routed:
        facts.append(Fact("Blocker sent to", ", ".join(p.name for p in routed), Tone.AMBER))
    if late:
        facts.append(Fact("Report", "already posted: your answer was added to it"))
    return Reply(
        title="Stand-up answer " + ("replaced" if saved.version > 1 else "saved"),
        summary="\n".join(answer_lines(saved)),
        facts=tuple(facts), severity=Severity.SUCCESS,
    )


def _route_blocker(t: Turn, saved: Answer, teams: list[Crew]) -> list[Person]:
    """The blocker goes to the manager of the project it names (else the person's first stand-up project);
    a manager away today is skipped for the client's director. Escalates after the manager's next working day."""
    me = t.actor
    candidates = [(p.id or 0, p.key) for team in teams for p in team.projects]
    if not candidates:
        allocated = t.uow.allocations.list(person_id=me.id)
        ids = {a.project_id for a in allocated if a.start <= saved.local_date <= a.end}
        candidates = [(p.id or 0, p.key) for p in t.uow.projects.list() if p.id in ids]
    pid = su.pick_project(saved.blocked, candidates)
    if pid is None:
        return []
    project = t.uow.projects.get(pid)
    assert project is not None
    client = t.uow.clients.get(project.client_id)
    targets = [i for i in (project.manager_id, client.director_id if client else None) if i is not None]
    people = t.uow.people.many(targets)
    avail = load_availability(t.uow, targets, saved.local_date, saved.local_date + timedelta(days=14))
    manager = people.get(project.manager_id) if project.manager_id else None
    decider = (manager.id if manager else (client.director_id if client else me.id)) or 0
    deadline_day = avail.next_working_day(decider, saved.local_date)
    deadline = datetime.combine(deadline_day, su.BLOCKER_DEADLINE, ZoneInfo(t.org.timezone))
    blocker = t.uow.standups.raise_blocker(Blocker(None, me.id or 0, pid, saved.local_date, saved.blocked, t.now,
                                                   deadline))
    recipients = [p for p in (manager,) if p is not None and avail.away_reason(p.id or 0, t.today) is None]
    if not recipients and client and client.director_id in people:
        recipients = [people[client.director_id]]
    reply = Reply(
        title=f"Blocker · {me.name} · {project.key}",
        summary=f"{saved.blocked}\nFrom {me.name}'s stand-up, {saved.local_date:%a %d %b}. If nobody handles it by "
        f"{deadline:%a %d %b %H:%M}, it goes to the client's director.",
        tone=Tone.AMBER,
        actions=(Action("I'll handle it", f"standup handle B{blocker.id}", "primary"),
                 Action("Escalate", f"standup escalate B{blocker.id}", "danger")),
        subject=f"blocker:{blocker.id}",
    )
    sent = []
    for person in recipients:
        if notify(t, person, f"{su.blocker_key(blocker.id or 0, person.id or 0)}:{saved.version}", reply):
            sent.append(person)
    return sent


def _blocker(t: Turn, verb: str, rest: str) -> Reply:
    m = _BLOCKER.match(rest.strip())
    if not m:
        raise InvalidInput("Which blocker?", example=f"standup {verb} B7")
    blocker = t.uow.standups.blocker(int(m.group(1)))
    if blocker is None:
        raise NotFound(f"There is no blocker B{m.group(1)}.", example=f"standup {verb} B7")
    project = t.uow.projects.get(blocker.project_id)
    client = t.uow.clients.get(project.client_id) if project else None
    if project is None or client is None:
        raise NotFound(f"Blocker B{blocker.id}'s project is gone.")
    if not (t.actor.role is Role.ADMIN or t.actor.id in (project.manager_id, client.director_id)):
        raise Forbidden("Only the project's manager, the client's director or an admin can act on a blocker.")
    if verb == "handle":
        if not t.uow.standups.handle_blocker(blocker.id or 0, t.actor.id or 0, t.now):
            who = t.uow.people.get(blocker.handled_by) if blocker.handled_by else None
            return Reply(title=f"Blocker B{blocker.id} already handled",
                         summary=f"by {who.name if who else 'someone'}", severity=Severity.WARNING)
        after_change(t, project.id, ("standup_blocker",))  # an escalation about it closes itself
        services.audit(t.uow, t.actor, t.now, t.ctx.source, "blocker.handled", f"blocker:{blocker.id}")
        return Reply(title=f"Blocker B{blocker.id}: you're handling it", summary=blocker.text,
                     severity=Severity.SUCCESS, subject=f"blocker:{blocker.id}")
    if not t.uow.standups.escalate_blocker(blocker.id or 0, t.now):
        return Reply(title=f"Blocker B{blocker.id} is already handled or escalated", severity=Severity.WARNING)
    after_change(t, project.id, ("standup_blocker",))
    services.audit(t.uow, t.actor, t.now, t.ctx.source, "blocker.escalated", f"blocker:{blocker.id}")
    return Reply(title=f"Blocker B{blocker.id} escalated", summary=f"Sent to {client.name}'s director.",
                 severity=Severity.SUCCESS, subject=f"blocker:{blocker.id}")
