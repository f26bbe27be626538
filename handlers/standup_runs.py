"""What the scheduler sends for stand-ups, and what an answer triggers: questions at each participant's
morning, one reminder, the channel's report, late answers as thread replies, blockers to the manager.

``run_standups(uow_factory, now)`` is a plain call with an explicit ``now`` (``bot.scheduler.Duties``
calls it on every tick): it queues whatever ``domain.standups`` says is due, one transaction per
stand-up, each message an outbox row whose key is unique per person per day (or channel per day), so
any number of replicas calling it at once queue each message once.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from domain import standups as su
from domain.identity import reachable_platform
from domain.model import AllocationState, OutboxMessage, Person, Project
from domain.ports import UnitOfWork, UnitOfWorkFactory
from domain.standups import Answer, StandupSetting
from domain.timeoff import Availability, load_availability
from handlers.base import format_hours
from handlers.reply import Action, Fact, Reply, Section, Tone

log = logging.getLogger(__name__)

QUESTIONS = ("What did you do since the last stand-up?", "What will you do today?", "Anything blocking you?")


@dataclass
class StandupTick:
    queued: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Crew:
    """A stand-up's people on one day: who is in it, who is away (and why), their clocks."""

    setting: StandupSetting
    projects: tuple[Project, ...]
    day: date
    people: dict[int, Person]
    members: tuple[int, ...]  # participants that day, away or not
    away: dict[int, str]
    zones: dict[int, str]

    @property
    def asked(self) -> list[int]:
        return [p for p in self.members if p not in self.away]


def previous_working_day(day: date) -> date:
    """The weekday before ``day`` ("yesterday" for a Monday is the Friday)."""
    day -= timedelta(days=1)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def crew(uow: UnitOfWork, setting: StandupSetting, day: date, org_timezone: str,
         availability: Availability | None = None) -> Crew:
    """Who a stand-up covers on ``day`` (a fixed number of statements however many people)."""
    projects = tuple(uow.projects.by_channel(setting.channel))
    ids = [p.id for p in projects if p.id is not None]
    allocations = uow.allocations.list(project_ids=ids, states=[AllocationState.APPROVED]) if ids else []
    joined = uow.standups.members([setting.id or 0]).get(setting.id or 0, set())
    people = uow.people.many({a.person_id for a in allocations} | joined)
    members = su.participants(ids, allocations, joined, day, {i: p.active for i, p in people.items()})
    avail = availability or load_availability(uow, members, day - timedelta(days=7), day + timedelta(days=1))
    zone = setting.zone(org_timezone)
    away = {pid: reason for pid in members if (reason := avail.away_reason(pid, day))}
    zones = {pid: avail.zone_of(pid, zone) for pid in members}
    return Crew(setting, projects, day, people, tuple(members), away, zones)


def run_standups(uow_factory: UnitOfWorkFactory, now: datetime) -> StandupTick:
    """Queue every stand-up question, reminder and report due at ``now`` that nobody queued yet."""
    tick = StandupTick()
    with uow_factory() as uow:
        settings = uow.standups.list_active()
    for setting in settings:
        try:
            with uow_factory() as uow:
                _queue(uow, setting, now, tick)
                uow.commit()
        except Exception:
            log.exception("stand-up %s (%s) could not be queued", setting.id, setting.channel)
    return tick


def _queue(uow: UnitOfWork, setting: StandupSetting, now: datetime, tick: StandupTick) -> None:
    org = uow.organisation.get()
    for day in su.candidate_days(now):
        if not setting.runs_on(day):
            continue
        team = crew(uow, setting, day, org.timezone)
        if not team.members:
            continue
        # Questions: at the stand-up's time on each participant's own clock, on their local ``day``.
        for pid in team.asked:
            due = su.ask_at(setting, day, team.zones[pid])
            if not su.due_in_window(due, now, setting.updated_at):
                continue
            key = su.ask_key(pid, day)
            if uow.outbox.by_key(key) is None and _dm(uow, team.people[pid], key, "standup",
                                                     question(uow, team.people[pid], day, team), now):
                tick.queued.append(key)
        report_due = su.report_at(setting, day, org.timezone)
        remind_due = su.reminder_at(setting, day, org.timezone)
        if remind_due is not None and su.due_in_window(remind_due, now, setting.updated_at):
            answers = uow.standups.answers(team.asked, [day])
            for pid in team.asked:
                if (pid, day) in answers or uow.outbox.by_key(su.ask_key(pid, day)) is None:
                    continue  # answered, or not asked yet (their morning comes later)
                key = su.remind_key(pid, day)
                if _dm(uow, team.people[pid], key, "standup", reminder(day, report_due, team.zones[pid]), now):
                    tick.queued.append(key)
        if su.due_in_window(report_due, now, setting.updated_at):
            key = su.report_key(setting.id or 0, day)
            if uow.outbox.by_key(key) is None and uow.outbox.add(OutboxMessage(
                    id=None, key=key, kind="standup", payload=report(uow, team, now).to_dict(), created_at=now,
                    due_at=now, channel=setting.channel, platform=setting.platform)):
                tick.queued.append(key)


def _dm(uow: UnitOfWork, person: Person, key: str, kind: str, reply: Reply, now: datetime) -> bool:
    platform = reachable_platform(uow, person)
    if platform is None or not person.active:
        return False
    return uow.outbox.add(OutboxMessage(id=None, key=key, kind=kind, payload=reply.to_dict(), created_at=now,
                                        due_at=now, person_id=person.id, platform=platform))


# -- what the messages say --------------------------------------------------------------------------------


def logged_on(uow: UnitOfWork, person_id: int, day: date) -> list[tuple[Project, Decimal, str]]:
    """What the person logged on ``day``: project, hours, notes (for the pre-filled answer)."""
    by_project = uow.entries.hours_by_project(person_id, day, day)
    if not by_project:
        return []
    out = []
    for pid, hours in sorted(by_project.items()):  # a person logs on a handful of projects a day
        project = uow.projects.get(pid)
        if project is None:
            continue
        notes = [e.note for e in uow.entries.list(pid, since=day) if e.person_id == person_id and e.day == day
                 and e.note and not e.note.startswith("stand-up: ")]
        out.append((project, hours, "; ".join(dict.fromkeys(notes))))
    return out


def prefill(uow: UnitOfWork, person_id: int, day: date) -> str:
    """The "did" field pre-filled from yesterday's hours: ``acme-web 3h: design review``."""
    return "; ".join(f"{p.key} {format_hours(h)}" + (f": {note}" if note else "")
                     for p, h, note in logged_on(uow, person_id, previous_working_day(day)))


def question(uow: UnitOfWork, person: Person, day: date, team: Crew | None = None) -> Reply:
    """The morning DM: three questions, yesterday's hours, an Answer button (Slack: a modal; Teams: the
    card's own fields) and the line to type anywhere."""
    did = prefill(uow, person.id or 0, day)
    where = ", ".join(p.key for p in team.projects) if team else ""
    first = person.name.split()[0] if person.name else ""
    return Reply(
        title=f"Stand-up · {day:%a %d %b}" + (f" · {where}" if where else ""),
        summary=f"Good morning{', ' + first if first else ''}! " + " ".join(f"{i}. {q}" for i, q in
                                                                              enumerate(QUESTIONS, 1))
        + f"\nAnswer with the button, or type `{su.ANSWER_EXAMPLE}`.",
        facts=(Fact("Logged yesterday", did),) if did else (),
        actions=(Action("Answer", "standup answer", "primary"),),
        footer=f"stand-up {day.isoformat()}",
        extra={"standup_form": {"day": day.isoformat(), "did": did, "doing": "", "blocked": ""}},
    )


def reminder(day: date, report_due: datetime, zone: str) -> Reply:
    from zoneinfo import ZoneInfo

    at = report_due.astimezone(ZoneInfo(zone))
    return Reply(title=f"Stand-up reminder · {day:%a %d %b}",
                 summary=f"The report goes out at {at:%H:%M} your time; your answer isn't in yet.",
                 actions=(Action("Answer", "standup answer", "primary"),),
                 extra={"standup_form": {"day": day.isoformat(), "did": "", "doing": "", "blocked": ""}})


def answer_lines(answer: Answer) -> tuple[str, ...]:
    return (f"Did: {answer.did}", f"Doing: {answer.doing}",
            f"Blocked: {answer.blocked}" if answer.blocked else "Blocked: nothing")


def report(uow: UnitOfWork, team: Crew, now: datetime) -> Reply:
    """The channel's report: blockers first, each answer with yesterday's hours, who hasn't answered (or
    only how many, when quiet), who is away, and who is asked later (their morning is still to come)."""
    s, day = team.setting, team.day
    answers = uow.standups.answers(team.asked, [day])
    blockers = [(pid, a) for pid in team.asked if (a := answers.get((pid, day))) and a.blocked]
    sections: list[Section] = []
    if blockers:
        sections.append(Section(title="Blockers", tone=Tone.RED, lines=tuple(
            f"{team.people[pid].name}: {a.blocked}" for pid, a in blockers)))
    later: list[str] = []
    missing: list[str] = []
    for pid in team.asked:
        a = answers.get((pid, day))
        if a is None:
            (later if su.ask_at(s, day, team.zones[pid]) > now else missing).append(team.people[pid].name)
            continue
        hours = logged_on(uow, pid, previous_working_day(day))
        extra = (f"Logged yesterday: {', '.join(f'{p.key} {format_hours(h)}' for p, h, _ in hours)}",) if hours \
            else ()
        sections.append(Section(title=team.people[pid].name, lines=answer_lines(a) + extra,
                                tone=Tone.RED if a.blocked else Tone.NONE))
    if missing:
        lines = (f"{len(missing)} {'person has' if len(missing) == 1 else 'people have'} no answer yet",) \
            if s.quiet else tuple(f"{n}: no answer yet" for n in missing)
        sections.append(Section(title="No answer yet", lines=lines))
    if later:
        sections.append(Section(title="Asked later today (their morning)", lines=tuple(later)))
    if team.away:
        sections.append(Section(title="Away", lines=tuple(
            f"{team.people[pid].name} ({reason})" for pid, reason in team.away.items())))
    answered = sum(1 for pid in team.asked if (pid, day) in answers)
    return Reply(
        title=f"Stand-up · {', '.join(p.key for p in team.projects) or s.channel} · {day:%a %d %b}",
        summary=f"{answered} of {len(team.asked)} answered"
        + (f" · {len(blockers)} blocker{'s' if len(blockers) != 1 else ''}" if blockers else "")
        + (f" · {len(team.away)} away" if team.away else ""),
        sections=tuple(sections),
        tone=Tone.RED if blockers else Tone.NONE,
        footer=f"stand-up report for {s.channel}",
        extra={"standup_report": {"setting": s.id, "day": day.isoformat()}},
    )


def late_reply(person: Person, answer: Answer, report_key: str) -> Reply:
    """An answer that came after the report: posted in the report's thread (Slack) or conversation (Teams)."""
    return Reply(title=f"Late answer · {person.name}", sections=(Section(lines=answer_lines(answer)),),
                 tone=Tone.RED if answer.blocked else Tone.NONE,
                 extra={"thread": {"key": report_key}})


def settings_of_person(uow: UnitOfWork, person_id: int, day: date, org_timezone: str) -> list[Crew]:
    """The stand-ups ``person_id`` is in on ``day``."""
    return [team for s in uow.standups.list_active() if s.runs_on(day)
            for team in [crew(uow, s, day, org_timezone)] if person_id in team.members]


def names(people: Sequence[Person]) -> str:
    return ", ".join(p.name for p in people)
