"""``digest`` / ``digest now`` / ``digest at <time> [<timezone>] [weekdays|daily]`` / ``digest off``.

The subscription belongs to the conversation the line is said in (a channel, or a DM for a
director's personal digest of their whole portfolio).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from domain import permissions
from domain.digests import DigestRun, occurrences
from domain.errors import InvalidInput, NotFound
from domain.model import DigestSubscription, Project, Rag, Role, Source
from domain.portfolio import Portfolio, load_portfolio
from domain.ports import UnitOfWork
from domain.receivables_service import may_see_receivables
from domain.services import audit
from handlers.ar import money_owed_section
from handlers.base import DATE_TIME_FORMAT, Turn, format_date, format_hours, plural, rag_word, turn, waiting_for
from handlers.context import Caller, Context
from handlers.reach import unreachable_section
from handlers.reply import Action, Fact, Reply, Section, Severity, Tone
from handlers.scope import impact_text
from handlers.tone import rag_tone, request_tone, worst_tone

USAGE = "digest | digest now | digest at <time> [<timezone>] [weekdays|daily] | digest off"
EXAMPLE = "digest at 09:15 Europe/London weekdays"
_TIME = re.compile(r"^(\d{1,2})(?::(\d{2}))?\s*(am|pm)?$", re.IGNORECASE)


def handle(ctx: Context, args: str) -> Reply:
    words = args.split()
    verb = words[0].lower() if words else ""
    with turn(ctx) as t:
        channel = ctx.channel or f"dm:{t.actor.email}"
        if verb == "":
            return _settings(t, channel)
        if verb == "now":
            sub = t.uow.subscriptions.for_channel(channel)
            previous = t.uow.digest_runs.previous(sub.id, t.today + timedelta(days=1)) if sub and sub.id else None
            return build_digest(t, channel, since=previous.due_at if previous else None,
                                previous_rags=previous.snapshot if previous else None)
        if verb == "off":
            return _off(t, channel)
        if verb == "at":
            return _subscribe(t, channel, words[1:])
        raise InvalidInput(f"“{verb}” is not a digest command.", example=EXAMPLE)


def _projects_for(t: Turn, channel: str) -> tuple[list[Project], str]:
    bound = t.uow.projects.by_channel(channel) if not channel.startswith("dm:") else []
    if bound:
        return bound, "this channel's projects"
    if t.actor.role in (Role.ADMIN, Role.FINANCE):
        return t.uow.projects.list(), "every project"
    clients = {c.id for c in t.uow.clients.list() if permissions.is_director_of(t.actor, c)}
    mine = [p for p in t.uow.projects.list() if p.client_id in clients or p.manager_id == t.actor.id]
    return mine, "your portfolio"


def _settings(t: Turn, channel: str) -> Reply:
    sub = t.uow.subscriptions.for_channel(channel)
    where = "your personal digest" if channel.startswith("dm:") else "this channel"
    if sub is None or not sub.active:
        bound = t.uow.projects.by_channel(channel) if not channel.startswith("dm:") else []
        covers = f" It would cover {', '.join(p.key for p in bound[:5])}." if bound else ""
        example = f"digest at 09:00 {t.org.timezone} weekdays"
        return Reply(title=f"No digest scheduled for {where}",
                     summary=f"Start one with `{example}` (a time, optionally a timezone and weekdays or daily), "
                             f"or see it now with `digest now`.{covers}",
                     actions=(Action("Post it now", "digest now"),))
    return Reply(
        title="Digest scheduled",
        summary=f"Every {'weekday' if sub.weekdays_only else 'day'} at {sub.hour:02d}:{sub.minute:02d} "
                f"{sub.timezone}. Next: {_next_send(t, sub)}.",
        actions=(Action("Post it now", "digest now"), Action("Stop", "digest off", "danger")),
    )


def _next_send(t: Turn, sub: DigestSubscription) -> str:
    """The next time this subscription sends, in its own timezone (named)."""
    upcoming = occurrences(sub.hour, sub.minute, sub.timezone, sub.weekdays_only, t.now, t.now + timedelta(days=8))
    if not upcoming:
        return "not within the next week"
    return upcoming[0].due_at.astimezone(ZoneInfo(sub.timezone)).strftime(DATE_TIME_FORMAT)


def _off(t: Turn, channel: str) -> Reply:
    sub = t.uow.subscriptions.for_channel(channel)
    if sub is None or not sub.active:
        return Reply(title="No digest to stop here", summary=f"Schedule one: `{EXAMPLE}`")
    t.uow.subscriptions.save(replace(sub, active=False))
    audit(t.uow, t.actor, t.now, t.ctx.source, "digest.stopped", f"channel:{channel}")
    return Reply(title="Digest stopped", summary="Start it again any time: `" + EXAMPLE + "`",
                 severity=Severity.SUCCESS)


def _subscribe(t: Turn, channel: str, words: list[str]) -> Reply:
    if not words:
        raise InvalidInput("At what time?", example=EXAMPLE)
    m = _TIME.match(words[0]) if len(words) < 2 or words[1].lower() not in ("am", "pm") else \
        _TIME.match(words[0] + words[1])
    if m and len(words) > 1 and words[1].lower() in ("am", "pm"):
        words = [words[0] + words[1], *words[2:]]
    if not m:
        raise InvalidInput(f"“{words[0]}” is not a time of day.", example=EXAMPLE)
    hour, minute = int(m.group(1)), int(m.group(2) or 0)
    if m.group(3):
        if not 1 <= hour <= 12:
            raise InvalidInput(f"“{words[0]}” is not a time of day.", example=EXAMPLE)
        hour = hour % 12 + (12 if m.group(3).lower() == "pm" else 0)
    if hour > 23 or minute > 59:
        raise InvalidInput(f"“{words[0]}” is not a time of day.", example=EXAMPLE)
    existing = t.uow.subscriptions.for_channel(channel)
    # Without a timezone, a change of time keeps the subscription's own (a London digest stays in London).
    zone = existing.timezone if existing is not None and existing.active else t.org.timezone
    weekdays_only = existing.weekdays_only if existing is not None and existing.active else True
    for word in words[1:]:
        low = word.lower()
        if low in ("weekdays", "weekday"):
            weekdays_only = True
        elif low in ("daily", "everyday", "every-day"):
            weekdays_only = False
        else:
            zone = _zone(word)
    personal = t.ctx.is_direct or t.ctx.channel is None
    if personal and t.actor.role not in (Role.DIRECTOR, Role.ADMIN, Role.MANAGER, Role.FINANCE):
        raise InvalidInput("Personal digests are for directors, managers and finance; subscribe in a "
                           "project channel instead.", example=EXAMPLE)
    sub = DigestSubscription(
        existing.id if existing else None, channel, t.ctx.platform, hour, minute, zone, weekdays_only,
        t.actor.id or 0, person_id=t.actor.id if channel.startswith("dm:") or t.ctx.is_direct else None,
    )
    t.uow.subscriptions.save(sub)
    audit(t.uow, t.actor, t.now, t.ctx.source, "digest.scheduled", f"channel:{channel}",
          f"{hour:02d}:{minute:02d} {zone} {'weekdays' if weekdays_only else 'daily'}")
    return Reply(
        title="Digest scheduled",
        summary=f"Every {'weekday' if weekdays_only else 'day'} at {hour:02d}:{minute:02d} {zone}. "
                f"Next: {_next_send(t, sub)}.",
        severity=Severity.SUCCESS,
        actions=(Action("Post it now", "digest now"),),
    )


# Abbreviations people type for a timezone: each is a fixed offset (or ambiguous), which would send the
# digest an hour off for half the year. Refused with the IANA name they most likely mean.
_ABBREVIATIONS = {
    "EST": "America/New_York", "EDT": "America/New_York", "CST": "America/Chicago", "CDT": "America/Chicago",
    "MST": "America/Denver", "MDT": "America/Denver", "PST": "America/Los_Angeles", "PDT": "America/Los_Angeles",
    "GMT": "Europe/London", "BST": "Europe/London", "WET": "Europe/Lisbon", "CET": "Europe/Paris",
    "CEST": "Europe/Paris", "MET": "Europe/Paris", "EET": "Europe/Athens", "EEST": "Europe/Athens",
    "IST": "Asia/Kolkata", "JST": "Asia/Tokyo", "AEST": "Australia/Sydney", "AEDT": "Australia/Sydney",
    "HST": "Pacific/Honolulu",
}


def _zone(word: str) -> str:
    if word.lower() in ("weekend", "weekends"):
        raise InvalidInput("Digests go out on weekdays or daily.", example=EXAMPLE)
    return parse_zone(word, "digest at 8:30")


def parse_zone(word: str, command: str) -> str:
    """An IANA timezone as typed in ``<command> <zone>`` (any case), its canonical name back.

    Fixed-offset abbreviations (EST, CET, UTC+2) are refused with the IANA name they most likely mean;
    anything else unknown is refused with an example built on ``command`` ("standup at 9:30")."""
    upper = word.upper()
    if upper in _ABBREVIATIONS or re.fullmatch(r"(?:UTC|GMT)?[+-]\d{1,2}(?::?\d{2})?", upper) \
            or upper.startswith("ETC/"):
        like = _ABBREVIATIONS.get(upper, "Europe/London")
        raise InvalidInput(f"“{word}” is a fixed offset, not a timezone: it would be an hour off for half the "
                           f"year. Use an IANA name such as {like}.", example=f"{command} {like}")
    if "/" not in word and upper != "UTC":
        raise InvalidInput(f"“{word}” is not a timezone (use an IANA name like America/New_York) nor weekdays/daily.",
                           example=f"{command} America/New_York")
    try:
        ZoneInfo(word)
        return word
    except (ZoneInfoNotFoundError, ValueError):
        pass
    folded = {z.lower(): z for z in available_timezones()}
    if word.lower() in folded:
        return folded[word.lower()]
    raise InvalidInput(f"“{word}” is not a timezone (use an IANA name) nor weekdays/daily.",
                       example=f"{command} America/New_York")


def build_digest(t: Turn, channel: str, *, since: datetime | None = None,
                 previous_rags: Mapping[str, str] | None = None, notes: Sequence[str] = ()) -> Reply:
    """The stand-up digest for a channel's projects, or a person's portfolio in a DM.

    ``since``: the previous digest's time ("status changes since"); ``previous_rags``: the budget RAG
    of each project then ("worsened since"); ``notes``: lines such as "this digest is late".
    """
    reply, _ = digest_and_snapshot(t, channel, since=since, previous_rags=previous_rags, notes=notes)
    return reply


def digest_and_snapshot(t: Turn, channel: str, *, since: datetime | None = None,
                        previous_rags: Mapping[str, str] | None = None,
                        notes: Sequence[str] = ()) -> tuple[Reply, dict[str, str]]:
    """``build_digest`` and the budget RAG of each project covered, to compare with next time."""
    projects, scope_words = _projects_for(t, channel)
    note_text = "".join(f"\n_{n}_" for n in notes)
    if not projects:
        return Reply(title="No projects here", summary="No project is linked to this channel yet: ask an admin to "
                     "link it to its project, or ask for your portfolio in a direct message." + note_text), {}
    portfolio = load_portfolio(t.uow, projects, t.org, t.today)
    sections = digest_sections(t, portfolio, since=since, previous_rags=previous_rags)
    if channel.startswith("dm:"):  # a person's own digest (never a team channel's): money owed over 30 days
        owed = money_owed_section(t, {v.client.id for v in portfolio.views if v.client.id is not None
                                      and may_see_receivables(t.actor, v.client)})
        if owed is not None:
            sections.append(owed)
    if (channel.startswith("dm:") or t.ctx.is_direct) and t.today.weekday() == 0 and t.actor.role is Role.DIRECTOR:
        from handlers.pipeline_notices import quarter_section  # Monday: the director's quarter first (issue 14)

        sections.insert(0, quarter_section(t))
    snapshot = {v.project.key: v.figures.rag.value for v in portfolio.views}
    counts = portfolio.rag_counts()
    summary = " · ".join(f"{counts.get(r, 0)} {rag_word(r).lower()}" for r in (Rag.RED, Rag.AMBER, Rag.GREEN))
    return Reply(
        title=f"Stand-up digest · {t.today:%a %d %b}",
        summary=f"{len(projects)} project{'s' if len(projects) != 1 else ''} ({scope_words}): {summary}"
        + ("" if sections else "\nA quiet day: nothing needs attention.") + note_text,
        sections=tuple(sections),
        tone=Tone.RED if counts.get(Rag.RED) else Tone.AMBER if counts.get(Rag.AMBER) else Tone.GREEN,
        footer="your personal digest" if channel.startswith("dm:") else "this channel's digest",
    ), snapshot


def digest_sections(t: Turn, pf: Portfolio, *, since: datetime | None = None,
                    previous_rags: Mapping[str, str] | None = None) -> list[Section]:
    sections: list[Section] = []
    if since is None:  # no previous digest: the last working day
        since = t.now - timedelta(days=1 if t.today.weekday() != 0 else 3)
    changed = [v for v in pf.views if v.status is not None and v.status.at >= since]
    if changed:
        sections.append(Section(title="Status changes", lines=tuple(
            f"[{rag_word(v.status.rag)}] {v.project.key}: {v.status.note}" for v in changed if v.status),
            actions=tuple(Action(f"Status {v.project.key}", f"status {v.project.key}") for v in changed[:3])))
    if previous_rags:
        worse = [v for v in pf.views if v.project.key in previous_rags
                 and v.figures.rag.rank > Rag(previous_rags[v.project.key]).rank]
        if worse:
            sections.append(Section(title="Budget RAG worsened since the previous digest",
                                    tone=worst_tone(rag_tone(v.figures.rag) for v in worse), lines=tuple(
                f"{v.project.key}: {rag_word(Rag(previous_rags[v.project.key]))} → {rag_word(v.figures.rag)}"
                for v in worse),
                actions=tuple(Action(f"Budget {v.project.key}", f"budget {v.project.key}") for v in worse[:3])))
    at_risk = [v for v in pf.views if v.figures.rag is not Rag.GREEN]
    if at_risk:
        sections.append(Section(title="Budgets at risk", tone=worst_tone(rag_tone(v.figures.rag) for v in at_risk),
                                lines=tuple(
            f"[{rag_word(v.figures.rag)}] {v.project.key}: {v.figures.pct_burned}% burned vs "
            f"{v.figures.pct_elapsed}% elapsed — {', '.join(v.figures.reasons)}"
            for v in sorted(at_risk, key=lambda v: -v.figures.rag.rank)),
            actions=tuple(Action(f"Budget {v.project.key}", f"budget {v.project.key}") for v in at_risk[:3])))
    stale = [v for v in pf.views if v.status_age_working_days is None
             or v.status_age_working_days > t.org.escalation.stale_status_days]
    if stale:
        sections.append(Section(title="No status for a while", tone=Tone.AMBER, lines=tuple(
            f"{v.project.key}: " + ("never" if v.status is None else
                                    plural(v.status_age_working_days or 0, "working day"))
            + (f" — {v.manager.name}" if v.manager else "") for v in stale),
            actions=tuple(Action(f"Status {v.project.key}", f"status {v.project.key}") for v in stale[:3])))
    if pf.open_scope:
        sections.append(Section(title="Open scope changes", lines=tuple(
            f"S{c.id} {p.key}: {c.description} (impact {impact_text(t, c, p)})"
            for c, p in pf.open_scope),
            actions=tuple(Action(f"Scope {p.key}", f"scope {p.key}") for p in
                          {p.key: p for _, p in pf.open_scope}.values())[:3]))
    if pf.waiting_allocations:
        sections.append(Section(title="Approvals waiting",
                                tone=worst_tone(request_tone(bool(over)) for *_, over in pf.waiting_allocations),
                                lines=tuple(
            f"A{a.id} {person.name} on {p.key}, {format_hours(a.hours_per_week)}/week — waiting "
            f"{waiting_for((t.now - a.requested_at).days)}" + (" (over capacity)" if over else "")
            for a, person, p, over in pf.waiting_allocations),
            actions=(Action("Open approvals", "approvals"),)))
    if pf.overloads:
        # Amber, as the "someone over capacity" escalation about the same people is.
        sections.append(Section(title="Over capacity this week and next", tone=Tone.AMBER, lines=tuple(
            f"{o.person.name}: {o.week.describe()}" for o in pf.overloads),
            actions=(Action("Open approvals", "approvals"),)))
    ending = [v for v in pf.views if t.today <= v.project.end <= t.today + timedelta(days=30)]
    if ending:
        sections.append(Section(title="Ending in the next 30 days", lines=tuple(
            f"{v.project.key}: ends {format_date(v.project.end)}"
            for v in sorted(ending, key=lambda v: v.project.end)),
            actions=tuple(Action(f"Budget {v.project.key}", f"budget {v.project.key}")
                          for v in sorted(ending, key=lambda v: v.project.end)[:3])))
    sections.extend(unreachable_section(t, since))  # admins only: who Steward could not deliver to
    return sections


def digest_facts(pf: Portfolio) -> tuple[Fact, ...]:
    counts = pf.rag_counts()
    return tuple(Fact(rag_word(r), str(counts.get(r, 0)), Tone(r.value)) for r in (Rag.RED, Rag.AMBER, Rag.GREEN))


def scheduled_digest(uow: UnitOfWork, sub: DigestSubscription, now: datetime, *, late: bool = False,
                     previous: DigestRun | None = None,
                     skipped: Sequence[DigestRun] = ()) -> tuple[Reply, dict[str, str]]:
    """A subscription's digest as the scheduler sends it, inside the caller's unit of work.

    It covers what its subscriber would see (the channel's projects, or the director's portfolio);
    "since" is the previous digest sent, and late or skipped occurrences are said in one line each.
    """
    org = uow.organisation.get()
    actor = uow.people.get(sub.person_id or sub.created_by)
    if actor is None:
        raise NotFound(f"the subscriber of digest {sub.id} no longer exists")
    today = now.astimezone(ZoneInfo(org.timezone)).date()
    ctx = Context(uow_factory=lambda: uow, clock=_Pinned(now), caller=Caller(email=actor.email),
                  source=Source.SYSTEM, platform=sub.platform, channel=sub.channel)
    t = Turn(ctx, uow, actor, org, now, today)
    notes = []
    if late:
        notes.append(f"This {sub.hour:02d}:{sub.minute:02d} digest is late: Steward was down at its time.")
    if skipped:
        days = ", ".join(f"{r.local_date:%a %d %b}" for r in skipped)
        notes.append(f"Digest skipped on {days} (Steward was down); changes since then are included here.")
    return digest_and_snapshot(t, sub.channel, since=previous.due_at if previous else None,
                               previous_rags=previous.snapshot if previous else None, notes=notes)


class _Pinned:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at
