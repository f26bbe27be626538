"""A small organisation a reader can check by hand, seeded through the repositories.

Today is Sunday 15 Nov 2026 (America/New_York). acme-web: budget 10,000 over 1-30 Nov, 100 budget
hours, entries by Jane at bill 100 / cost 60 per the worked example in tests/domain/test_budget_numbers.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from bot.clock import FixedClock
from domain.model import (
    Allocation,
    AllocationState,
    Client,
    Expense,
    Organisation,
    Person,
    Platform,
    Project,
    Role,
    Source,
    TimeEntry,
)
from domain.ports import UnitOfWorkFactory
from handlers.context import Caller, Context
from handlers.dispatch import handle
from handlers.reply import Reply

D = Decimal
TZ = "America/New_York"
NOW = datetime(2026, 11, 15, 12, 0, tzinfo=ZoneInfo(TZ))
TODAY = date(2026, 11, 15)


@dataclass
class World:
    uow_factory: UnitOfWorkFactory
    ids: dict[str, int]
    now: datetime = NOW

    def say(self, line: str, who: str = "dana@example.com", channel: str | None = None,
            now: datetime | None = None, **caller: str) -> Reply:
        ctx = Context(
            uow_factory=self.uow_factory,
            clock=FixedClock(now or self.now),
            caller=Caller(email=who, **caller),
            source=Source.SHELL,
            channel=channel,
            is_direct=channel is None,
        )
        return handle(ctx, line)


def fact(reply: Reply, label: str) -> str:
    for f in reply.facts:
        if f.label == label:
            return f.value
    raise AssertionError(f"no fact {label!r} in {[f.label for f in reply.facts]}")


PEOPLE = [
    ("ada", "Ada Admin", Role.ADMIN, "40", "0", "0"),
    ("dana", "Dana Director", Role.DIRECTOR, "40", "95", "180"),
    ("drew", "Drew Director", Role.DIRECTOR, "40", "95", "180"),
    ("mark", "Mark Manager", Role.MANAGER, "40", "70", "150"),
    ("mia", "Mia Manager", Role.MANAGER, "40", "70", "150"),
    ("jane", "Jane Designer", Role.MEMBER, "32", "60", "100"),
    ("fred", "Fred Finance", Role.FINANCE, "40", "50", "0"),
]


def seed(uow_factory: UnitOfWorkFactory, extra_projects: int = 0, entries_per_project: int = 0) -> World:
    ids: dict[str, int] = {}
    with uow_factory() as uow:
        uow.organisation.save(Organisation(currency="USD", timezone=TZ))
        for key, name, role, cap, cost, bill in PEOPLE:
            p = uow.people.add(Person(None, name, f"{key}@example.com", role, D(cap), D(cost), D(bill),
                                      platform=Platform.SLACK))
            ids[key] = p.id or 0
        acme = uow.clients.add(Client(None, "acme", "Acme Corp", ids["dana"], ("acme corporation",)))
        globex = uow.clients.add(Client(None, "globex", "Globex", ids["drew"]))
        ids["acme"], ids["globex"] = acme.id or 0, globex.id or 0
        web = uow.projects.add(Project(None, "acme-web", "Website Relaunch", ids["acme"], D("10000"),
                                       date(2026, 11, 1), date(2026, 11, 30), ids["mark"], D("100"),
                                       ("C0ACMEWEB",)))
        app = uow.projects.add(Project(None, "acme-app", "Mobile App", ids["acme"], D("4000"),
                                       date(2026, 10, 1), date(2026, 12, 31), ids["mia"]))
        brand = uow.projects.add(Project(None, "globex-brand", "Brand Refresh", ids["globex"], D("20000"),
                                         date(2026, 9, 1), date(2027, 2, 28), ids["mia"]))
        ids["acme-web"], ids["acme-app"], ids["globex-brand"] = web.id or 0, app.id or 0, brand.id or 0
        jane = ids["jane"]
        entries = [
            (date(2026, 10, 15), "5"), (date(2026, 11, 2), "10"), (date(2026, 11, 10), "20"),
            (date(2026, 11, 14), "10"), (date(2026, 11, 20), "8"),
        ]
        uow.entries.add_many([
            TimeEntry(None, jane, ids["acme-web"], day, D(h), D("100"), D("60"), "", Source.IMPORT)
            for day, h in entries
        ])
        uow.entries.add_expense(Expense(None, ids["acme-web"], date(2026, 11, 5), D("500"), "stock photos"))
        # acme-app: 4,200 burned of 4,000 -> over budget, red.
        uow.entries.add_many([
            TimeEntry(None, jane, ids["acme-app"], date(2026, 11, d), D("7"), D("100"), D("60"), "", Source.IMPORT)
            for d in (2, 3, 4, 5, 6, 9)
        ])
        # Jane worked on acme-web earlier this month under an allocation that has ended: a member logs
        # hours only on projects they are (or were) allocated to.
        uow.allocations.add(Allocation(None, jane, ids["acme-web"], D("10"), date(2026, 10, 1), date(2026, 11, 8),
                                       AllocationState.APPROVED, ids["mark"], NOW, ids["dana"], NOW))
        for n in range(extra_projects):
            extra = uow.projects.add(Project(None, f"acme-x{n}", f"Extra {n}", ids["acme"], D("1000"),
                                             date(2026, 11, 1), date(2026, 12, 31), ids["mark"]))
            uow.entries.add_many([
                TimeEntry(None, jane, extra.id or 0, date(2026, 11, 1 + e % 14), D("1"), D("100"), D("60"), "",
                          Source.IMPORT)
                for e in range(entries_per_project)
            ])
        uow.commit()
    return World(uow_factory, ids)
