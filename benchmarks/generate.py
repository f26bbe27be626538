"""A reproducible synthetic organisation for the benchmarks, loaded in bulk on SQLite or PostgreSQL.

At ``--scale 1.0``: 300 people, 200 clients, 1,000 projects, 1,000,000 time entries over the two years
ending ``--today``, 5,000 status updates, 2,000 allocations, plus 500 scope changes and 2,000 expenses so
that every aggregate has something to sum, and 20,000 invoices over the 200 clients (paid, open at every
age, a few void, draft, disputed, promised or in euros; drawn from their own random stream, so the rest of
the dataset is what it was before invoices existed). Every project is bound to its own channel and to ``CBENCH``
(the digest of 1,000 projects); the client ``bench-big`` has exactly ``--big-client-projects`` (20)
projects, for ``budget <client with 20 projects>``. Everyone has a Slack id already linked
(``U0000001``...), the steady state of a workspace where people have used Steward before.

The same ``--seed``, ``--scale`` and ``--today`` give the same rows on every database.

Loading is set-based: the small tables go in with Core ``insert()`` executemany on storage's own tables
(so values are encoded by storage's types), the time entries in chunks of ``CHUNK`` rows with
executemany on SQLite and ``COPY`` on PostgreSQL, in storage's representation (integer centihours and
cents, see ``storage/orm.py``). Nothing is inserted row by row.

    python -m benchmarks.generate --url sqlite:///bench.db --seed 42 --scale 1.0 --fresh
"""

from __future__ import annotations

import argparse
import logging
import random
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Engine, Table, column, func, insert, inspect, select, table, text
from sqlalchemy.engine import make_url

from benchmarks.pipeline_data import opportunity_rows, quota_rows
from domain.model import AllocationState, Organisation, Platform, Rag, Role, ScopeState, Source
from storage.migrate import upgrade
from storage.orm import (
    AllocationRow,
    ClientRow,
    ExpenseRow,
    InvoiceRow,
    OpportunityRow,
    PersonRow,
    ProjectChannelRow,
    ProjectRow,
    QuotaRow,
    ReceiptRow,
    ScopeChangeRow,
    StatusUpdateRow,
    TimeEntryRow,
)
from storage.uow import SqlUnitOfWorkFactory, build_uow_factory, make_engine

log = logging.getLogger("benchmarks.generate")

CHUNK = 20_000  # time entries per bulk statement / COPY batch
BIG_CLIENT_KEY = "bench-big"
DIGEST_CHANNEL = "CBENCH"  # bound to every project
TIMEZONE = "America/New_York"
YEARS_OF_HOURS = 2

# Counts at scale 1.0 (the organisation).
FULL = {
    "people": 300,
    "clients": 200,
    "projects": 1000,
    "entries": 1_000_000,
    "statuses": 5000,
    "allocations": 2000,
    "scope_changes": 500,
    "expenses": 2000,
    "invoices": 20_000,
    "opportunities": 10_000,  # issue 14
    "quotas": 40,
}

_FIRST = ("Ada", "Ben", "Cleo", "Dan", "Eva", "Finn", "Gus", "Hana", "Ivo", "Jade", "Kai", "Lena", "Milo", "Nora",
          "Omar", "Pia", "Quin", "Rosa", "Sami", "Tess", "Uma", "Vik", "Wren", "Xavi", "Yara", "Zed")
_LAST = ("Adler", "Brook", "Costa", "Diaz", "Ekberg", "Fox", "Grant", "Hale", "Ito", "Jensen", "Khan", "Lund",
         "Mori", "Nash", "Okoro", "Park", "Quist", "Reyes", "Silva", "Tan", "Ueda", "Vance", "Weiss", "Young")
_WORDS = ("Website", "App", "Brand", "Campaign", "Portal", "Rebrand", "Launch", "Retainer", "Audit", "Platform",
          "Intranet", "Shop", "Strategy", "Content", "Research", "Migration")
_NOTES = ("", "", "", "design review", "client call", "build", "QA", "workshop", "copy edits", "planning")
_HOURS = [Decimal(q) / 4 for q in range(2, 33)]  # 0.5h .. 8h in quarters
_RAGS = (Rag.GREEN,) * 6 + (Rag.AMBER,) * 3 + (Rag.RED,)


@dataclass(frozen=True)
class Counts:
    """How many of each thing to make."""

    people: int
    clients: int
    projects: int
    entries: int
    statuses: int
    allocations: int
    scope_changes: int
    expenses: int
    big_client_projects: int
    invoices: int = 0
    opportunities: int = 0
    quotas: int = 0

    @classmethod
    def at_scale(cls, scale: float, big_client_projects: int = 20) -> Counts:
        """The issue's organisation times ``scale``, never so small that a kind of row disappears."""
        def n(key: str, least: int) -> int:
            return max(least, round(FULL[key] * scale))

        projects = n("projects", big_client_projects + 1)
        clients = min(n("clients", 2), projects - big_client_projects + 1)
        return cls(
            people=n("people", 12), clients=clients, projects=projects, entries=n("entries", projects),
            statuses=n("statuses", projects), allocations=n("allocations", 4), scope_changes=n("scope_changes", 2),
            expenses=n("expenses", 2), big_client_projects=big_client_projects, invoices=n("invoices", 4),
            opportunities=n("opportunities", 20), quotas=n("quotas", 2),
        )


@dataclass
class Dataset:
    """What was generated, and the handles the benchmarks need."""

    url: str
    seed: int
    scale: float
    today: date
    counts: Counts
    big_client_key: str = BIG_CLIENT_KEY
    big_director_email: str = ""
    big_director_slack_id: str = ""
    admin_email: str = ""
    finance_email: str = ""
    sample_project_key: str = ""
    digest_channel: str = DIGEST_CHANNEL
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def marker(self) -> str:
        return dataset_marker(self.seed, self.scale, self.today, self.counts.big_client_projects)


def dataset_marker(seed: int, scale: float, today: date, big_client_projects: int = 20) -> str:
    """The receipt key left in a database once a dataset is fully loaded (lets a run reuse it)."""
    # ":invoices": a database kept from before the invoices were generated is regenerated, not reused.
    return (f"bench:dataset:seed={seed}:scale={scale:g}:today={today.isoformat()}:big={big_client_projects}"
            ":invoices:pipeline=1")


def default_today() -> date:
    """Today in the generated organisation's timezone (what a running ``steward serve`` calls today)."""
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo(TIMEZONE)).date()


def _t(model: Any) -> Table:
    return cast(Table, model.__table__)


def _weekdays(start: date, end: date) -> list[date]:
    days = []
    d = start
    while d <= end:
        if d.weekday() < 5:
            days.append(d)
        d += timedelta(days=1)
    return days


def _instant(day: date, rnd: random.Random) -> datetime:
    return datetime(day.year, day.month, day.day, 13, 0, tzinfo=UTC) + timedelta(minutes=rnd.randrange(0, 8 * 60))


# --- the organisation in memory -------------------------------------------------------------------


@dataclass
class _Plan:
    people: list[dict[str, Any]]
    clients: list[dict[str, Any]]
    projects: list[dict[str, Any]]
    channels: list[dict[str, Any]]
    teams: dict[int, list[int]]  # project id -> people who log time on it
    entries_per_project: dict[int, int]
    bill: dict[int, Decimal]
    cost: dict[int, Decimal]


def _plan(counts: Counts, today: date, rnd: random.Random) -> _Plan:
    n_people = counts.people
    directors = max(2, n_people // 15)
    managers = max(2, n_people // 6)
    people: list[dict[str, Any]] = []
    bill: dict[int, Decimal] = {}
    cost: dict[int, Decimal] = {}
    for pid in range(1, n_people + 1):
        if pid == 1:
            role = Role.ADMIN
        elif pid == 2:
            role = Role.FINANCE
        elif pid < 3 + directors:
            role = Role.DIRECTOR
        elif pid < 3 + directors + managers:
            role = Role.MANAGER
        else:
            role = Role.MEMBER
        first, last = _FIRST[pid % len(_FIRST)], _LAST[(pid // len(_FIRST)) % len(_LAST)]
        email = "admin@example.com" if pid == 1 else f"{first.lower()}.{last.lower()}{pid}@example.com"
        b = Decimal(rnd.randrange(80, 260, 5))
        c = (b * Decimal(rnd.randrange(40, 65)) / 100).quantize(Decimal(1))
        bill[pid], cost[pid] = b, c
        people.append({
            "id": pid, "name": f"{first} {last}", "email": email, "email_key": email, "role": role.value,
            "capacity_hours": Decimal(rnd.choice((40, 40, 40, 32, 24))), "cost_rate": c, "bill_rate": b,
            "platform": Platform.SLACK.value, "slack_id": f"U{pid:07d}", "teams_id": None, "active": True,
        })
    director_ids = [p["id"] for p in people if p["role"] == Role.DIRECTOR.value]
    manager_ids = [p["id"] for p in people if p["role"] == Role.MANAGER.value]
    worker_ids = [p["id"] for p in people if p["role"] in (Role.MEMBER.value, Role.MANAGER.value)]

    clients = []
    for cid in range(1, counts.clients + 1):
        key = BIG_CLIENT_KEY if cid == 1 else f"client-{cid:03d}"
        name = "Big Bench Corp" if cid == 1 else f"{_LAST[cid % len(_LAST)]} {_WORDS[cid % len(_WORDS)]} {cid}"
        clients.append({"id": cid, "key": key, "name": name, "director_id": director_ids[(cid - 1) % len(director_ids)],
                        "aliases": [f"client {cid}"]})

    first_day = today - timedelta(days=365 * YEARS_OF_HOURS)
    projects, channels = [], []
    teams: dict[int, list[int]] = {}
    weights: dict[int, float] = {}
    for pid in range(1, counts.projects + 1):
        if pid <= counts.big_client_projects:
            client_id = 1
            start = today - timedelta(days=rnd.randrange(30, 330))  # the big client's projects are all running
            end = today + timedelta(days=rnd.randrange(30, 240))
        else:
            client_id = 2 + (pid - counts.big_client_projects - 1) % (counts.clients - 1)
            start = first_day + timedelta(days=rnd.randrange(-60, 365 * YEARS_OF_HOURS + 30))
            end = start + timedelta(days=rnd.randrange(60, 540))
        team = rnd.sample(worker_ids, k=min(len(worker_ids), rnd.randrange(3, 9)))
        teams[pid] = team
        active = _weekdays(max(start, first_day), min(end, today))
        weights[pid] = len(active) * rnd.uniform(0.5, 2.0)
        projects.append({
            "id": pid, "key": f"p{pid:04d}", "name": f"{_WORDS[pid % len(_WORDS)]} {pid}", "client_id": client_id,
            "budget": Decimal(0), "start_day": start, "end_day": end, "manager_id": manager_ids[pid % len(manager_ids)],
            "budget_hours": None, "aliases": [f"project {pid}"],
        })
        channels.append({"project_id": pid, "channel": f"C{pid:07d}", "position": 0})
        channels.append({"project_id": pid, "channel": DIGEST_CHANNEL, "position": 1})

    # Spread the entries over the projects in proportion to their working days so far (exactly the total).
    total_weight = sum(weights.values()) or 1.0
    per_project = {pid: int(counts.entries * w / total_weight) for pid, w in weights.items()}
    short = counts.entries - sum(per_project.values())
    running = [pid for pid, w in weights.items() if w > 0] or list(weights)
    for pid in rnd.choices(running, k=short):
        per_project[pid] += 1
    for p in projects:
        days_so_far = len(_weekdays(max(p["start_day"], first_day), min(p["end_day"], today)))
        days_total = max(1, len(_weekdays(p["start_day"], p["end_day"])))
        mean_rate = sum(bill[i] for i in teams[p["id"]]) / len(teams[p["id"]])
        burned = Decimal(per_project[p["id"]]) * Decimal("4.25") * mean_rate
        if days_so_far:
            full = burned * days_total / days_so_far
        else:  # not started: a plan of about four entries a working day
            full = Decimal(days_total * 4) * Decimal("4.25") * mean_rate
        budget = (full * Decimal(rnd.uniform(0.75, 1.35))).quantize(Decimal(1000))
        p["budget"] = max(Decimal(5000), budget)
        if rnd.random() < 0.6:
            p["budget_hours"] = (p["budget"] / mean_rate).quantize(Decimal(1))
    return _Plan(people, clients, projects, channels, teams, per_project, bill, cost)


def _entry_rows(plan: _Plan, counts: Counts, today: date, rnd: random.Random,
                sqlite: bool) -> Iterator[list[tuple[Any, ...]]]:
    """Time entries in chunks, week by week across all projects (as they would be logged: by time)."""
    first_day = today - timedelta(days=365 * YEARS_OF_HOURS)
    by_week: dict[date, list[tuple[int, int, date, date]]] = {}
    for p in plan.projects:
        pid, n = p["id"], plan.entries_per_project[p["id"]]
        lo, hi = max(p["start_day"], first_day), min(p["end_day"], today)
        if n == 0 or lo > hi:
            continue
        first_monday = lo - timedelta(days=lo.weekday())
        weeks = [first_monday + timedelta(days=7 * i) for i in range((hi - first_monday).days // 7 + 1)]
        base, extra = divmod(n, len(weeks))
        lucky = set(rnd.sample(range(len(weeks)), extra))
        for i, monday in enumerate(weeks):
            k = base + (1 if i in lucky else 0)
            if k:
                by_week.setdefault(monday, []).append((pid, k, lo, hi))
    hours_units = [int(h * 100) for h in _HOURS]
    bill = {pid: int(r * 100) for pid, r in plan.bill.items()}
    cost = {pid: int(r * 100) for pid, r in plan.cost.items()}
    chunk: list[tuple[Any, ...]] = []
    for monday in sorted(by_week):
        for pid, k, lo, hi in by_week[monday]:
            days = [d for d in (monday + timedelta(days=i) for i in range(7)) if lo <= d <= hi]
            weekdays = [d for d in days if d.weekday() < 5] or days
            team = plan.teams[pid]
            for _ in range(k):
                person = team[rnd.randrange(len(team))]
                day = weekdays[rnd.randrange(len(weekdays))]
                chunk.append((person, pid, day.isoformat() if sqlite else day, hours_units[rnd.randrange(31)],
                              bill[person], cost[person], _NOTES[rnd.randrange(len(_NOTES))], Source.IMPORT.value))
                if len(chunk) >= CHUNK:
                    yield chunk
                    chunk = []
    if chunk:
        yield chunk


def _statuses(plan: _Plan, counts: Counts, today: date, rnd: random.Random) -> list[dict[str, Any]]:
    first_day = today - timedelta(days=365 * YEARS_OF_HOURS)
    rows = []
    projects = plan.projects
    for n in range(counts.statuses):
        p = projects[n % len(projects)]
        lo, hi = max(p["start_day"], first_day), min(p["end_day"], today)
        if lo > hi:
            lo = hi = min(today, max(first_day, p["start_day"] - timedelta(days=7)))
        day = lo + timedelta(days=rnd.randrange((hi - lo).days + 1))
        rows.append({"project_id": p["id"], "rag": rnd.choice(_RAGS).value, "note": rnd.choice(
            ("on track", "waiting on assets", "client feedback late", "scope questions", "tight on budget",
             "launch slipped a week")), "author_id": p["manager_id"], "at": _instant(day, rnd)})
    rows.sort(key=lambda r: r["at"])
    return rows


def _allocations(plan: _Plan, counts: Counts, today: date, rnd: random.Random) -> list[dict[str, Any]]:
    live = [p for p in plan.projects if p["end_day"] >= today - timedelta(days=30)] or plan.projects
    rows = []
    for _ in range(counts.allocations):
        p = rnd.choice(live)
        person = rnd.choice(plan.teams[p["id"]])
        start = max(p["start_day"], today - timedelta(days=rnd.randrange(0, 120)))
        end = min(p["end_day"], start + timedelta(days=rnd.randrange(14, 180)))
        if end < start:
            end = start
        roll = rnd.random()
        state = (AllocationState.APPROVED if roll < 0.85 else AllocationState.REQUESTED if roll < 0.95
                 else AllocationState.REJECTED)
        asked = _instant(today - timedelta(days=rnd.randrange(1, 20)), rnd)
        decided = state is not AllocationState.REQUESTED
        hours = Decimal(rnd.choice((4, 8, 12, 16, 20)))
        rows.append({"person_id": person, "project_id": p["id"], "hours_per_week": hours,
                     "start_day": start, "end_day": end, "state": state.value, "requested_by": p["manager_id"],
                     "requested_at": asked, "decided_by": 1 if decided else None,
                     "decided_at": asked + timedelta(hours=5) if decided else None, "decision_note": ""})
    rows.sort(key=lambda r: r["requested_at"])
    return rows


def _scope_changes(plan: _Plan, counts: Counts, today: date, rnd: random.Random) -> list[dict[str, Any]]:
    rows = []
    for _ in range(counts.scope_changes):
        p = rnd.choice(plan.projects)
        roll = rnd.random()
        state = (ScopeState.FLAGGED if roll < 0.4 else ScopeState.APPROVED if roll < 0.8
                 else ScopeState.ABSORBED if roll < 0.9 else ScopeState.REJECTED)
        at = _instant(today - timedelta(days=rnd.randrange(1, 200)), rnd)
        by_hours = p["budget_hours"] is not None and rnd.random() < 0.5
        decided = state is not ScopeState.FLAGGED
        rows.append({"project_id": p["id"], "description": rnd.choice(("extra landing page", "another language",
                     "more revisions", "new integration")),
                     "impact_hours": Decimal(rnd.randrange(4, 80)) if by_hours else None,
                     "impact_amount": None if by_hours else Decimal(rnd.randrange(500, 20000, 250)),
                     "state": state.value, "flagged_by": p["manager_id"], "flagged_at": at,
                     "decided_by": 1 if decided else None, "decided_at": at + timedelta(days=1) if decided else None,
                     "decision_note": "", "link": ""})
    return rows


def _expenses(plan: _Plan, counts: Counts, today: date, rnd: random.Random) -> list[dict[str, Any]]:
    rows = []
    for _ in range(counts.expenses):
        p = rnd.choice(plan.projects)
        lo, hi = p["start_day"], min(p["end_day"], today)
        day = lo if hi < lo else lo + timedelta(days=rnd.randrange((hi - lo).days + 1))
        rows.append({"project_id": p["id"], "day": day, "amount": Decimal(rnd.randrange(2000, 500000)) / 100,
                     "description": rnd.choice(("stock photos", "travel", "fonts", "hosting", "printing"))})
    return rows


def _invoices(plan: _Plan, counts: Counts, today: date, rnd: random.Random) -> list[dict[str, Any]]:
    """Invoices spread over every project (so over every client), issued in the last 400 days."""
    rows = []
    for n in range(counts.invoices):
        p = plan.projects[n % len(plan.projects)]
        issued = today - timedelta(days=rnd.randrange(0, 400))
        due = issued + timedelta(days=rnd.choice((14, 30, 30, 45)))
        amount = Decimal(rnd.randrange(50_000, 4_000_000)) / 100
        roll = rnd.random()
        state, paid = "open", Decimal(0)
        if roll < 0.02:
            state = "void"
        elif roll < 0.05:
            state = "draft"
        elif due < today and roll < 0.75:
            state, paid = "paid", amount
        elif roll < 0.85:
            paid = (amount * Decimal(rnd.randrange(10, 90)) / 100).quantize(Decimal("0.01"))
        credit = rnd.random() < 0.02
        rows.append({
            "number": f"B-{n + 1:06d}", "number_key": f"B-{n + 1:06d}", "client_id": p["client_id"],
            "project_id": None if rnd.random() < 0.1 else p["id"], "issued": issued, "due": due,
            "currency": "EUR" if rnd.random() < 0.03 else "USD", "amount": -amount if credit else amount,
            "paid": -paid if credit else paid, "state": state,
            "promised_on": today + timedelta(days=rnd.randrange(-10, 20)) if state == "open" and rnd.random() < 0.05
            else None, "disputed": state == "open" and rnd.random() < 0.02, "dispute_reason": "",
            "last_chased_at": None, "contact": "",
        })
    for r in rows:
        if r["disputed"]:
            r["dispute_reason"] = "client queries the hours"
    return rows


# --- loading --------------------------------------------------------------------------------------


def _entries_table() -> Any:
    """``time_entries`` without storage's type conversions: the generator writes the stored units itself."""
    return table("time_entries", column("person_id"), column("project_id"), column("day"), column("hours"),
                 column("bill_rate"), column("cost_rate"), column("note"), column("source"))


_ENTRY_COLUMNS = ("person_id", "project_id", "day", "hours", "bill_rate", "cost_rate", "note", "source")


def _load_entries(engine: Engine, chunks: Iterator[list[tuple[Any, ...]]]) -> int:
    loaded = 0
    if engine.dialect.name == "postgresql":
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()
            columns = ", ".join(_ENTRY_COLUMNS)
            for rows in chunks:
                with cursor.copy(f"COPY time_entries ({columns}) FROM STDIN") as copy:  # type: ignore[attr-defined]
                    for row in rows:
                        copy.write_row(row)
                loaded += len(rows)
            raw.commit()
        finally:
            raw.close()
        return loaded
    stmt = insert(_entries_table())
    with engine.begin() as conn:
        for rows in chunks:
            conn.execute(stmt, [dict(zip(_ENTRY_COLUMNS, r, strict=True)) for r in rows])
            loaded += len(rows)
    return loaded


def reset_database(url: str) -> None:
    """Make ``url`` an empty, migrated Steward database: delete a SQLite file, drop every table on a server."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        from pathlib import Path

        if parsed.database and parsed.database != ":memory:":
            for suffix in ("", "-wal", "-shm"):
                Path(parsed.database + suffix).unlink(missing_ok=True)
    else:
        engine = make_engine(url)
        try:
            with engine.begin() as conn:
                for name in inspect(conn).get_table_names():
                    conn.execute(text(f'DROP TABLE IF EXISTS "{name}" CASCADE'))
        finally:
            engine.dispose()
    upgrade(url)


def has_dataset(url: str, marker: str) -> bool:
    """True when ``url`` holds a complete dataset with this marker."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            if "receipts" not in inspect(conn).get_table_names():
                return False
            return conn.execute(select(ReceiptRow.key).where(ReceiptRow.key == marker)).first() is not None
    finally:
        engine.dispose()


def generate(url: str, *, seed: int = 42, scale: float = 1.0, today: date | None = None,
             big_client_projects: int = 20, uow_factory: SqlUnitOfWorkFactory | None = None) -> Dataset:
    """Load the organisation into the (migrated, empty) database at ``url``; returns what it made.

    ``uow_factory`` lets tests load through an engine they already hold (an in-memory database).
    """
    today = today or default_today()
    counts = Counts.at_scale(scale, big_client_projects)
    rnd = random.Random(seed)
    factory = uow_factory or build_uow_factory(url)
    engine = factory.engine
    data = Dataset(url, seed, scale, today, counts)
    t0 = time.perf_counter()
    with factory() as uow:
        if uow.projects.list():  # cheap enough on an empty database; refuses to mix two organisations
            raise SystemExit(f"{make_url(url).render_as_string(hide_password=True)} already has projects; "
                             "use --fresh to start over")
        uow.organisation.save(Organisation(currency="USD", timezone=TIMEZONE))
        uow.commit()
    plan = _plan(counts, today, rnd)
    with engine.begin() as conn:
        conn.execute(insert(_t(PersonRow)), plan.people)
        conn.execute(insert(_t(ClientRow)), plan.clients)
        conn.execute(insert(_t(ProjectRow)), plan.projects)
        conn.execute(insert(_t(ProjectChannelRow)), plan.channels)
    data.seconds["organisation"] = time.perf_counter() - t0
    t1 = time.perf_counter()
    loaded = _load_entries(engine, _entry_rows(plan, counts, today, rnd, engine.dialect.name == "sqlite"))
    assert loaded == counts.entries, (loaded, counts.entries)
    data.seconds["entries"] = time.perf_counter() - t1
    t2 = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(insert(_t(StatusUpdateRow)), _statuses(plan, counts, today, rnd))
        conn.execute(insert(_t(AllocationRow)), _allocations(plan, counts, today, rnd))
        conn.execute(insert(_t(ScopeChangeRow)), _scope_changes(plan, counts, today, rnd))
        conn.execute(insert(_t(ExpenseRow)), _expenses(plan, counts, today, rnd))
        if counts.invoices:  # their own stream: the rows above are the same with or without invoices
            conn.execute(insert(_t(InvoiceRow)), _invoices(plan, counts, today, random.Random(seed + 13)))
        conn.execute(insert(_t(OpportunityRow)), opportunity_rows(plan.people, plan.clients, counts.opportunities,
                                                                  today, seed))
        conn.execute(insert(_t(QuotaRow)), quota_rows(plan.people, counts.quotas, today))
        if engine.dialect.name == "postgresql":
            # Ids were given explicitly: move the sequences past them so Steward's own inserts don't collide.
            for name in ("people", "clients", "projects", "opportunities"):
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                                  f"(SELECT coalesce(max(id), 1) FROM {name}))"))
        conn.execute(insert(_t(ReceiptRow)).values(key=data.marker, at=datetime.now(UTC)))
    data.seconds["rest"] = time.perf_counter() - t2
    t_rollup = time.perf_counter()
    with factory() as uow:  # the bulk paths above bypass the repository: build the burn rollup in one go
        uow.entries.rebuild_rollup()
        uow.commit()
    data.seconds["rollup"] = time.perf_counter() - t_rollup
    t3 = time.perf_counter()
    if engine.dialect.name == "postgresql":
        # What autovacuum does to a table after a bulk load; without it the first plans are made blind.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for loaded_table in ("people", "clients", "projects", "project_channels", "time_entries",
                                 "status_updates", "allocations", "scope_changes", "expenses", "burn_months",
                                 "invoices", "opportunities", "quotas"):
                conn.execute(text(f"VACUUM ANALYZE {loaded_table}"))
    data.seconds["analyze"] = time.perf_counter() - t3
    describe(data, factory)
    if uow_factory is None:
        factory.dispose()
    return data


def describe(data: Dataset, factory: SqlUnitOfWorkFactory) -> Dataset:
    """Fill in the handles the benchmarks use (the big client's director, a sample project, the admin)."""
    with factory() as uow:
        client = next(c for c in uow.clients.list() if c.key == data.big_client_key)
        director = uow.people.get(client.director_id or 0)
        assert director is not None
        data.big_director_email, data.big_director_slack_id = director.email, director.slack_id or ""
        data.admin_email = next(p.email for p in uow.people.list() if p.role is Role.ADMIN)
        data.finance_email = next(p.email for p in uow.people.list() if p.role is Role.FINANCE)
        data.sample_project_key = uow.projects.list(client.id)[0].key
    with factory.engine.connect() as conn:
        entries = conn.execute(select(func.count()).select_from(_t(TimeEntryRow))).scalar_one()
        projects = conn.execute(select(func.count()).select_from(_t(ProjectRow))).scalar_one()
    if entries != data.counts.entries or projects != data.counts.projects:
        raise RuntimeError(f"unexpected dataset: {entries} entries, {projects} projects")
    return data


def ensure_dataset(url: str, *, seed: int, scale: float, today: date, big_client_projects: int = 20,
                   fresh: bool = False) -> tuple[Dataset, bool]:
    """The dataset at ``url``, generated unless an identical one is already there. True when generated."""
    marker = dataset_marker(seed, scale, today, big_client_projects)
    if not fresh:
        upgrade(url)  # a no-op at head; brings a kept benchmark database up to newer migrations
        if has_dataset(url, marker):
            factory = build_uow_factory(url)
            try:
                data = Dataset(url, seed, scale, today, Counts.at_scale(scale, big_client_projects))
                return describe(data, factory), False
            finally:
                factory.dispose()
    reset_database(url)
    return generate(url, seed=seed, scale=scale, today=today, big_client_projects=big_client_projects), True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.generate", description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="database URL (sqlite:///file.db or postgresql+psycopg://...)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 1,000 projects and 1,000,000 entries")
    parser.add_argument("--today", type=date.fromisoformat, default=None,
                        help="the last day of the two years of hours (default: today in the organisation's timezone)")
    parser.add_argument("--big-client-projects", type=int, default=20)
    parser.add_argument("--fresh", action="store_true", help="drop everything in the database first")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    today = args.today or default_today()
    if args.fresh:
        reset_database(args.url)
    else:
        upgrade(args.url)
    data = generate(args.url, seed=args.seed, scale=args.scale, today=today,
                    big_client_projects=args.big_client_projects)
    c = data.counts
    took = ", ".join(f"{k} {v:.1f}s" for k, v in data.seconds.items() if k != "rows")
    print(f"generated {c.people} people, {c.clients} clients, {c.projects} projects, {c.entries:,} time entries, "
          f"{c.statuses} status updates, {c.allocations} allocations, {c.scope_changes} scope changes, "
          f"{c.expenses} expenses, {c.invoices:,} invoices (seed {data.seed}, today {data.today}); {took}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
