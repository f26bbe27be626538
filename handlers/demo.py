"""``steward demo``: a realistic agency to try Steward on, relative to today.

Three clients, seven projects each in a telling state, twelve people, three months of weekday hours,
expenses, status history, scope changes and allocations:

- ``acme-web``       healthy (green), with an approved and an absorbed scope change
- ``acme-app``       burning faster than time (amber): a heavy build phase up front
- ``acme-content``   a big scope change waiting for a decision
- ``globex-brand``   over budget (red) after absorbed revisions, status red
- ``globex-portal``  healthy budget but its last status is 8 working days old (stale)
- ``initech-data``   Leo joins next week while still on the app: over capacity next week
- ``initech-training`` a pending request that would put Jane over capacity

Invoices (``ar all``): Acme pays on time; Globex is 45 days late on INV-2001 with a promise to pay;
Initech is 95 days late on INV-3001 ($40,000) while the request on initech-training waits for approval.

The organisation goes through ``parse_org``/``apply_org`` like any organisation file; hours go in
with ``add_many``; the rest through the repositories. Everything is deterministic for a given
date (``random.Random`` with a fixed seed), and loading twice does nothing the second time.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from domain.budget import project_figures
from domain.capacity import monday
from domain.escalations import sweep
from domain.importing import apply_org, parse_org
from domain.model import (
    Allocation,
    AllocationState,
    AuditEvent,
    Expense,
    Person,
    Project,
    Rag,
    ScopeChange,
    ScopeState,
    Source,
    StatusUpdate,
    TimeEntry,
)
from domain.ports import ZERO, BurnTotals, Clock, ScopeTotals, UnitOfWork, UnitOfWorkFactory
from handlers.escalation_notices import notice_payload
from handlers.reply import Fact, Reply, Section, Severity

DEMO_SUBJECT = "demo"
DEMO_ACTION = "demo.loaded"
DEFAULT_TIMEZONE = "America/New_York"
SEED = 20261103
D = Decimal

# email prefix, name, role, capacity, cost rate, bill rate, platform
PEOPLE: tuple[tuple[str, str, str, int, int, int, str], ...] = (
    ("ada", "Ada Admin", "admin", 40, 60, 0, "slack"),
    ("dana", "Dana Director", "director", 40, 95, 180, "slack"),
    ("drew", "Drew Ellis", "director", 40, 95, 180, "teams"),
    ("mark", "Mark Manager", "manager", 40, 70, 150, "slack"),
    ("mia", "Mia Chen", "manager", 40, 70, 150, "teams"),
    ("jane", "Jane Designer", "member", 32, 60, 140, "slack"),
    ("leo", "Leo Park", "member", 40, 65, 150, "slack"),
    ("priya", "Priya Shah", "member", 40, 68, 155, "slack"),
    ("tom", "Tom Berg", "member", 40, 50, 120, "teams"),
    ("nina", "Nina Rossi", "member", 40, 62, 140, "slack"),
    ("sam", "Sam Okafor", "member", 40, 58, 130, "teams"),
    ("fiona", "Fiona Grant", "finance", 40, 55, 0, "slack"),
)

CLIENTS = (
    ("acme", "Acme Corp", ("acme corporation",), "dana"),
    ("globex", "Globex", ("globex corporation",), "drew"),
    ("initech", "Initech", (), "dana"),
)


@dataclass(frozen=True)
class DemoProject:
    key: str
    client: str
    name: str
    start: int  # days from today
    end: int
    manager: str
    team: tuple[tuple[str, float], ...]  # (person, usual hours a weekday)
    target: str  # healthy | burning | over
    channel: str
    early_factor: float = 1.0  # burn before the last four weeks, relative to now
    aliases: tuple[str, ...] = ()


PROJECTS = (
    DemoProject("acme-web", "acme", "Website Relaunch", -91, 70, "mark",
                (("jane", 4), ("tom", 1.5), ("mark", 1)), "healthy", "C0ACMEWEB", aliases=("acme website",)),
    DemoProject("acme-app", "acme", "Mobile App", -63, 49, "mark",
                (("leo", 4.5), ("priya", 3), ("mark", 0.5)), "burning", "C0ACMEAPP", early_factor=2.0),
    DemoProject("acme-content", "acme", "Content Hub", -42, 84, "mia",
                (("tom", 3), ("nina", 3), ("mia", 0.5)), "healthy", "C0ACMECONTENT"),
    DemoProject("globex-brand", "globex", "Brand Refresh", -77, 18, "mia",
                (("jane", 2), ("sam", 5), ("mia", 1)), "over", "C0GLOBEXBRAND", aliases=("globex rebrand",)),
    DemoProject("globex-portal", "globex", "Partner Portal", -56, 98, "mark",
                (("priya", 4.5), ("sam", 1.5), ("mark", 0.5)), "healthy", "C0GLOBEXPORTAL"),
    DemoProject("initech-data", "initech", "Data Platform", -35, 120, "mia",
                (("nina", 2.5), ("mia", 0.5)), "healthy", "C0INITECHDATA"),
    DemoProject("initech-training", "initech", "Training Programme", -14, 42, "mia",
                (("nina", 1.5), ("tom", 1)), "healthy", "C0INITECHTRAIN"),
)

NOTES = ("design review", "client call", "standup", "wireframes", "QA pass", "sprint planning", "copy edits",
         "build", "bug fixes", "workshop prep", "stakeholder interviews", "handover notes", "research")

# project, day offset, amount, description
EXPENSES = (
    ("acme-web", -70, "1250", "Stock photography licences"),
    ("acme-web", -20, "900", "User testing incentives"),
    ("acme-app", -45, "1600", "Test devices"),
    ("globex-brand", -40, "780", "Font licences"),
    ("globex-brand", -12, "2400", "Print proofs"),
    ("globex-portal", -40, "420", "Staging hosting"),
    ("globex-portal", -10, "420", "Staging hosting"),
    ("initech-data", -15, "1100", "Data warehouse credits"),
)

# project, state, description, impact hours, impact amount, flagged (working days ago), by, decided by, note
SCOPE: tuple[tuple[str, ScopeState, str, str | None, str | None, int, str, str | None, str], ...] = (
    ("acme-web", ScopeState.APPROVED, "Careers section with job board integration", "40", None, 30, "mark", "dana",
     "Change order CO-014 signed"),
    ("acme-web", ScopeState.ABSORBED, "Extra hero variant for the homepage", "6", None, 15, "jane", "dana",
     "Goodwill, no charge"),
    ("acme-content", ScopeState.FLAGGED, "Localised landing pages for 12 markets", "60", None, 3, "mia", None, ""),
    ("acme-app", ScopeState.FLAGGED, "Dark mode for the whole app", "16", None, 1, "mark", None, ""),
    ("globex-brand", ScopeState.ABSORBED, "Third round of logo revisions", "24", None, 25, "mia", "drew",
     "Absorbed to keep the launch date"),
    ("globex-brand", ScopeState.REJECTED, "Animated logo for social", None, "3500", 10, "sam", "drew",
     "Out of scope: quote separately"),
)

# project, [(working days ago, rag, note)], oldest first
STATUSES = (
    ("acme-web", ((21, "green", "Kick-off done, sitemap agreed"), (11, "green", "Designs approved, build started"),
                  (1, "green", "On track: templates 60% built"))),
    ("acme-app", ((25, "green", "Build phase under way"), (6, "amber", "Front-loaded build ran hot; watching burn"),
                  (1, "amber", "Still ahead of the burn plan; dark mode request pending"))),
    ("acme-content", ((12, "green", "Content model agreed"), (2, "green", "Migration scripts ready"))),
    ("globex-brand", ((30, "green", "Moodboards approved"), (12, "amber", "Third revision round requested"),
                      (1, "red", "Over budget after revisions; need a change order"))),
    ("globex-portal", ((28, "green", "Discovery complete"), (18, "green", "API contract signed off"),
                       (8, "green", "Integration on track"))),
    ("initech-data", ((14, "green", "Pipelines designed"), (3, "green", "First sources ingested"))),
    ("initech-training", ((2, "green", "Kick-off done; curriculum outline shared"),)),
)

# person, project, hours a week, from (None: project start; "next": next Monday), weeks (None: to the end)
APPROVED_ALLOCATIONS: tuple[tuple[str, str, int, str | None, int | None], ...] = (
    ("jane", "acme-web", 20, None, None), ("tom", "acme-web", 8, None, None), ("mark", "acme-web", 5, None, None),
    ("leo", "acme-app", 24, None, None), ("priya", "acme-app", 16, None, None), ("mark", "acme-app", 3, None, None),
    ("tom", "acme-content", 16, None, None), ("nina", "acme-content", 16, None, None),
    ("mia", "acme-content", 3, None, None),
    ("jane", "globex-brand", 10, None, None), ("sam", "globex-brand", 24, None, None),
    ("mia", "globex-brand", 5, None, None),
    ("priya", "globex-portal", 22, None, None), ("sam", "globex-portal", 8, None, None),
    ("mark", "globex-portal", 3, None, None),
    ("nina", "initech-data", 12, None, None), ("mia", "initech-data", 3, None, None),
    ("leo", "initech-data", 24, "next", None),  # Leo joins while still on acme-app: 48h of 40h next week
    ("nina", "initech-training", 8, None, None), ("tom", "initech-training", 8, None, None),
)
# Jane has 30h of 32h approved; this request would make it 46h.
# person, project, hours a week, from, weeks, requested by, working days ago
REQUESTED_ALLOCATIONS: tuple[tuple[str, str, int, str | None, int | None, str, int], ...] = (
    ("jane", "initech-training", 16, "next", 4, "mia", 1),
)


def _email(who: str) -> str:
    return f"{who}@example.com"


def working_days_ago(today: date, n: int) -> date:
    """The latest weekday before ``today`` with at least ``n`` weekdays after it up to and including today."""
    day = today - timedelta(days=1)
    while _weekdays_after(day, today) < n or day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def _weekdays_after(earlier: date, later: date) -> int:
    return sum(1 for i in range(1, (later - earlier).days + 1) if (earlier + timedelta(days=i)).weekday() < 5)


def _quarter(value: float) -> Decimal:
    return max(D("0.25"), (D(str(value)) * 4).quantize(D(1), rounding=ROUND_HALF_UP) / 4)


def _generate_hours(today: date) -> list[tuple[str, str, date, Decimal, str]]:
    """(person, project, day, hours, note) for every weekday before today, deterministic."""
    rng = random.Random(SEED)
    out = []
    for p in PROJECTS:
        start = today + timedelta(days=p.start)
        day = start
        while day < today:
            if day.weekday() < 5:
                recent = (today - day).days <= 27
                for who, usual in p.team:
                    if rng.random() < 0.12:  # a day off, a day on another thing
                        continue
                    factor = 1.0 if recent else p.early_factor
                    hours = _quarter(usual * factor * rng.choice((0.5, 0.75, 1, 1, 1, 1.25, 1.5)))
                    out.append((who, p.key, day, hours, rng.choice(NOTES)))
            day += timedelta(days=1)
    return out


def _round_budget(value: Decimal, rounding: str = ROUND_HALF_UP) -> Decimal:
    return max(D(500), (value / 500).quantize(D(1), rounding=rounding) * 500)


def _budget_for(p: DemoProject, burn: BurnTotals, scope: ScopeTotals, today: date) -> Decimal:
    """A budget that puts the project in its telling state, checked with the real budget rules."""
    start, end = today + timedelta(days=p.start), today + timedelta(days=p.end)

    def figures(budget: Decimal) -> Any:
        project = Project(None, p.key, p.name, 0, budget, start, end, budget_hours=_budget_hours(budget))
        return project_figures(project, burn, scope, today)

    if p.target == "over":
        return _round_budget(burn.burned / D("1.08"), ROUND_FLOOR)
    forecast = figures(D(1)).forecast
    if p.target == "healthy":
        factors = [D("1.10") + D("0.02") * i for i in range(40)]
        wanted = [lambda f: f.rag is Rag.GREEN and f.pct_burned <= f.pct_elapsed]
    else:  # burning faster than time, amber, not yet red
        factors = [D("1.05") - D("0.005") * i for i in range(60)]
        wanted = [lambda f: f.rag is Rag.AMBER and "burning faster than time" in f.reasons,
                  lambda f: f.rag is Rag.AMBER]
    for ok in wanted:
        for factor in factors:
            budget = _round_budget(forecast * factor)
            if ok(figures(budget)):
                return budget
    return _round_budget(forecast * D("1.2"))


def _budget_hours(budget: Decimal) -> Decimal:
    return max(D(10), (budget / 150 / 10).quantize(D(1), rounding=ROUND_HALF_UP) * 10)


def _burn(p: DemoProject, hours: Sequence[tuple[str, str, date, Decimal, str]], rates: dict[str, tuple[D, D]],
          today: date) -> BurnTotals:
    """What storage's ``totals`` will say for this project, computed here to choose its budget."""
    burned = burned_28d = cost = total_hours = expenses = ZERO
    window = today - timedelta(days=27)
    for who, key, day, h, _note in hours:
        if key != p.key or day > today:
            continue
        bill_rate, cost_rate = rates[who]
        burned += h * bill_rate
        cost += h * cost_rate
        total_hours += h
        if day >= window:
            burned_28d += h * bill_rate
    for key, offset, amount, _desc in EXPENSES:
        day = today + timedelta(days=offset)
        if key != p.key or day > today:
            continue
        burned += D(amount)
        cost += D(amount)
        expenses += D(amount)
        if day >= window:
            burned_28d += D(amount)
    return BurnTotals(burned, burned_28d, cost, total_hours, expenses)


def _scope_totals(key: str) -> ScopeTotals:
    approved = [s for s in SCOPE if s[0] == key and s[1] is ScopeState.APPROVED]
    return ScopeTotals(
        approved_amount=sum((D(s[4]) for s in approved if s[4]), ZERO),
        approved_hours=sum((D(s[3]) for s in approved if s[3]), ZERO),
    )


def organisation_file(today: date, timezone: str) -> dict[str, Any]:
    """The demo organisation as an organisation file (the mapping ``yaml.safe_load`` would give)."""
    hours = _generate_hours(today)
    rates = {who: (D(bill), D(cost)) for who, _n, _r, _c, cost, bill, _p in PEOPLE}
    clients = []
    for key, name, aliases, director in CLIENTS:
        projects = []
        for p in (p for p in PROJECTS if p.client == key):
            budget = _budget_for(p, _burn(p, hours, rates, today), _scope_totals(p.key), today)
            projects.append({
                "name": p.name, "key": p.key, "budget": str(budget), "budget_hours": str(_budget_hours(budget)),
                "start": (today + timedelta(days=p.start)).isoformat(),
                "end": (today + timedelta(days=p.end)).isoformat(),
                "manager": _email(p.manager), "channel": p.channel, "aliases": list(p.aliases),
            })
        clients.append({"name": name, "key": key, "aliases": list(aliases), "director": _email(director),
                        "projects": projects})
    return {
        "currency": "USD",
        "timezone": timezone,
        "people": [
            {"name": name, "email": _email(who), "role": role, "capacity_hours": cap, "cost_rate": cost,
             "bill_rate": bill, "platform": platform}
            for who, name, role, cap, cost, bill, platform in PEOPLE
        ],
        "clients": clients,
    }


def is_loaded(uow: UnitOfWork) -> bool:
    return any(e.action == DEMO_ACTION for e in uow.audit.list(subject=DEMO_SUBJECT, limit=5))


def load_demo(uow_factory: UnitOfWorkFactory, clock: Clock) -> Reply:
    """Load the demo organisation into an empty database; say so if it is already there."""
    now = clock.now()
    with uow_factory() as uow:
        if is_loaded(uow):
            return Reply(
                title="The demo organisation is already loaded",
                summary="Nothing changed. Try `steward shell --as dana@example.com`, then `budget acme`.",
                severity=Severity.INFO,
            )
        existing = uow.clients.list()
        if existing:
            return Reply(
                title="This database already holds an organisation",
                summary=(f"It has {len(existing)} client{'' if len(existing) == 1 else 's'} "
                         f"({', '.join(c.key for c in existing[:5])}); the demo "
                         "loads only into an empty database. Point DATABASE_URL at a new file, e.g. "
                         "`DATABASE_URL=sqlite:///demo.db steward demo`."),
                severity=Severity.ERROR,
            )
        org = uow.organisation.get()
        timezone = org.timezone if org.timezone != "UTC" else DEFAULT_TIMEZONE
        today = now.astimezone(ZoneInfo(timezone)).date()
        counts = _load(uow, now, today, timezone)
        # Open what the demo's data escalates now, so every escalation listed has an id and an Acknowledge
        # button from the first `escalations` (the scheduler's sweep would open the same ones).
        sweep(uow, now, uow.organisation.get(), payload=notice_payload, resend=False)
        uow.audit.add(AuditEvent(None, now, None, Source.SYSTEM, DEMO_ACTION, DEMO_SUBJECT,
                                 f"demo organisation for {today.isoformat()}: {counts['entries']} time entries"))
        uow.commit()
    states = (
        "acme-web — healthy, with an approved and an absorbed scope change",
        "acme-app — burning faster than time",
        "acme-content — a scope change waiting for a decision",
        "globex-brand — over budget, status red",
        "globex-portal — status stale (8 working days)",
        "initech-data — Leo Park over capacity next week",
        "initech-training — a request that would put Jane Designer over capacity",
        "ar all — Acme pays on time, Globex is 45 days late with a promise, Initech 95 days late (see approvals)",
        "pipeline me — Dana's quarter half met, a Commit deal past its close date; renewals — initech-training "
        "ends with no follow-on",
    )
    return Reply(
        title="Demo organisation loaded",
        summary=(f"{len(CLIENTS)} clients, {len(PROJECTS)} projects, {len(PEOPLE)} people and three months of "
                 f"hours, as of {today:%a %d %b %Y}. Try `steward shell --as dana@example.com`, then "
                 "`budget acme`, `approvals`, `escalations` or `digest now` (in channel C0ACMEWEB)."),
        facts=(
            Fact("Time entries", str(counts["entries"])),
            Fact("Expenses", str(counts["expenses"])),
            Fact("Status updates", str(counts["statuses"])),
            Fact("Scope changes", str(counts["scope"])),
            Fact("Allocations", str(counts["allocations"])),
            Fact("Invoices", str(counts["invoices"])),
            Fact("Opportunities", str(counts["opportunities"])),
        ),
        sections=(Section(title="What to look at", lines=states),),
        severity=Severity.SUCCESS,
    )


def _load(uow: UnitOfWork, now: datetime, today: date, timezone: str) -> dict[str, int]:
    tz = ZoneInfo(timezone)
    apply_org(uow, parse_org(organisation_file(today, timezone)), None, now)
    people: dict[str, Person] = {}
    for who, *_rest in PEOPLE:
        person = uow.people.by_email(_email(who))
        assert person is not None and person.id is not None
        people[who] = person
    projects = {p.key: p for p in uow.projects.list()}

    def at(day: date, hour: int) -> datetime:
        return datetime.combine(day, time(hour), tzinfo=tz)

    entries = [
        TimeEntry(None, people[who].id or 0, projects[key].id or 0, day, h, people[who].bill_rate,
                  people[who].cost_rate, note, Source.IMPORT, f"demo:{key}:{who}:{day.isoformat()}")
        for who, key, day, h, note in _generate_hours(today)
    ]
    added = uow.entries.add_many(entries)
    for key, offset, amount, description in EXPENSES:
        uow.entries.add_expense(Expense(None, projects[key].id or 0, today + timedelta(days=offset), D(amount),
                                        description))
    statuses = 0
    for key, history in STATUSES:
        project = projects[key]
        for ago, rag, note in history:
            uow.statuses.add(StatusUpdate(None, project.id or 0, Rag(rag), note, project.manager_id or 0,
                                          at(working_days_ago(today, ago), 10)))
            statuses += 1
    for key, state, description, impact_hours, impact_amount, ago, by, decider, note in SCOPE:
        flagged_at = at(working_days_ago(today, ago), 11)
        decided = state is not ScopeState.FLAGGED
        uow.scope.add(ScopeChange(
            None, projects[key].id or 0, description, D(impact_hours) if impact_hours else None,
            D(impact_amount) if impact_amount else None, state,
            people[by].id or 0, flagged_at,
            decided_by=people[decider].id if decided and decider else None,
            decided_at=flagged_at + timedelta(days=1) if decided else None,
            decision_note=note,
        ))
    next_monday = monday(today) + timedelta(days=7)
    allocations = 0
    directors = {key: people[director] for key, _name, _aliases, director in CLIENTS}
    client_of = {p.key: p.client for p in PROJECTS}
    for who, key, weekly, start, weeks in APPROVED_ALLOCATIONS:
        project = projects[key]
        begin = next_monday if start == "next" else project.start
        finish = project.end if weeks is None else begin + timedelta(weeks=weeks, days=-3)
        requested = at(working_days_ago(today, 4), 9) if start == "next" else at(project.start - timedelta(days=7), 9)
        uow.allocations.add(Allocation(
            None, people[who].id or 0, project.id or 0, D(weekly), begin, finish, AllocationState.APPROVED,
            project.manager_id or 0, requested, decided_by=directors[client_of[key]].id,
            decided_at=requested + timedelta(days=1), decision_note="",
        ))
        allocations += 1
    for who, key, weekly, start, weeks, by, ago in REQUESTED_ALLOCATIONS:
        project = projects[key]
        begin = next_monday if start == "next" else project.start
        finish = min(project.end, begin + timedelta(weeks=weeks or 0, days=-3)) if weeks else project.end
        uow.allocations.add(Allocation(
            None, people[who].id or 0, project.id or 0, D(weekly), begin, finish, AllocationState.REQUESTED,
            people[by].id or 0, at(working_days_ago(today, ago), 15),
        ))
        allocations += 1
    _load_standup(uow, people, projects, now, today, timezone)
    invoices = uow.invoices.add_many(demo_invoices(today, {k: (p.client_id, p.id) for k, p in projects.items()}))
    from handlers.demo_pipeline import load_pipeline_demo  # quota half met, a slipped deal

    opportunities = load_pipeline_demo(uow, now, today)
    return {"entries": added, "expenses": len(EXPENSES), "statuses": statuses, "scope": len(SCOPE),
            "allocations": allocations, "invoices": invoices, "opportunities": opportunities}


def _load_standup(uow: UnitOfWork, people: dict[str, Person], projects: dict[str, Project], now: datetime,
                  today: date, timezone: str) -> None:
    """acme-web's channel runs a stand-up at 09:30 on each participant's clock: Jane in London (GB holidays),
    Tom and Mark in New York (US holidays); Tom is on holiday this week, Jane answered and is blocked."""
    from domain.standups import BLOCKER_DEADLINE, Answer, Blocker, StandupSetting
    from domain.timeoff import OrgCalendar, PersonCalendar, TimeOff, load_availability

    uow.calendars.save_org(OrgCalendar("US", ()))
    uow.calendars.save_person(PersonCalendar(people["jane"].id or 0, "Europe/London", None, "GB"))
    web = projects["acme-web"]
    uow.standups.save(StandupSetting(None, "C0ACMEWEB", None, 9, 30, None, True, web.manager_id or 0,
                                     now - timedelta(days=1)))
    uow.calendars.add_time_off(TimeOff(None, people["tom"].id or 0, today, today + timedelta(days=4),
                                       "on holiday in Lisbon", people["tom"].id, now))
    jane = people["jane"].id or 0
    blocked = "waiting on the client's brand assets for acme-web"
    uow.standups.answer(Answer(None, jane, today, "homepage wireframes, design review", "checkout flow", blocked, now))
    deadline_day = load_availability(uow, [web.manager_id or 0], today, today + timedelta(days=14)).next_working_day(
        web.manager_id or 0, today)
    uow.standups.raise_blocker(Blocker(None, jane, web.id or 0, today, blocked, now,
                                       datetime.combine(deadline_day, BLOCKER_DEADLINE, ZoneInfo(timezone))))


# number, project, issued (days from today), due (days from today), amount, paid, promised (days from today)
INVOICES: tuple[tuple[str, str, int, int, str, str, int | None], ...] = (
    ("INV-1001", "acme-web", -75, -45, "24000", "24000", None),  # Acme pays on time
    ("INV-1002", "acme-web", -40, -10, "18500", "18500", None),
    ("INV-1003", "acme-app", -10, 20, "16000", "0", None),
    ("INV-2001", "globex-brand", -75, -45, "12400", "0", 5),  # 45 days late, promised in 5 days
    ("INV-2002", "globex-portal", -20, 10, "6000", "0", None),
    ("INV-3001", "initech-data", -125, -95, "40000", "0", None),  # 95 days late; initech-training waits
    ("INV-3002", "initech-data", -20, 10, "9500", "0", None),
)


def demo_invoices(today: date, projects: dict[str, tuple[int, int | None]]) -> list[Any]:
    from domain.receivables import Invoice, InvoiceState

    out = []
    for number, key, issued, due, amount, paid, promised in INVOICES:
        client_id, project_id = projects[key]
        out.append(Invoice(None, number, client_id, today + timedelta(days=issued), today + timedelta(days=due),
                           D(amount), "USD", D(paid), InvoiceState.PAID if paid == amount else InvoiceState.OPEN,
                           project_id, promised_on=today + timedelta(days=promised) if promised is not None else None))
    return out
