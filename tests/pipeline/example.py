"""The worked example of issue 14, small enough to check by hand (see tests/pipeline/test_worked_example.py).

Today is Sunday 15 Nov 2026 (America/New_York); fiscal quarters are calendar quarters, so 2026-Q4 is
1 Oct – 31 Dec 2026. Dana directs Acme (Salesforce calls it "Acme Corporation") and Beta; Sam sells.

Deals (Salesforce report, then two generic re-imports that push "Acme mobile" twice):
| deal              | stage         | amount | prob | category  | close       | counts as             |
| Acme phase 1      | Closed Won    | 50,000 | 100  | Closed    | 20 Oct 2026 | closed won            |
| Acme lost bid     | Closed Lost   | 30,000 |   0  | Omitted   |  1 Nov 2026 | nowhere (lost)        |
| Acme retainer     | Negotiation   | 40,000 |  80  | Commit    | 10 Nov 2026 | commit, past close    |
| Acme mobile       | Proposal      | 20,000 | (50) | (Best Case)| 25 Nov → 5 Dec → 15 Dec | best case, pushed twice |
| Acme SEO          | Qualification | 10,000 | (20) | Pipeline  | 20 Dec 2026 | pipeline              |
| Acme side project | Prospecting   |  5,000 |  10  | Omitted   |  1 Dec 2026 | omitted, listed apart |
| Acme 2027         | Qualification | 60,000 |  25  | Pipeline  | 15 Jan 2027 | next quarter          |
(bracketed: from the organisation file's stage table, the report left them empty)

Q4 for Dana: closed won 50,000; commit 40,000; best case 20,000; pipeline 10,000; open pipeline 70,000;
weighted 40,000×0.8 + 20,000×0.5 + 10,000×0.2 = 44,000; quota 100,000; gap 50,000; coverage 70,000 ÷
50,000 = 1.4×; at risk 2 (retainer past its close date, mobile pushed twice).

Forecast, 3 months. acme-web: budget 12,000; burned 2,200 (10h × 100 on 15 Oct, 10h × 100 on 2 Nov, a 200
expense on 5 Nov; 5h on 20 Nov is after today and burns nothing yet); Jane (bill 100) approved 20h/week from
16 Nov 2026 to 31 Jan 2027 = 400 a working day.
- Nov: recognised 1,200 (2 Nov entry + expense); scheduled 11 working days (16–30 Nov) × 400 = 4,400;
  weighted 0 (nothing open closed Aug–Oct); total 5,600; target 100,000 ÷ 3 = 33,333.33.
- Dec: scheduled 23 × 400 = 9,200, capped at 12,000 − 2,200 − 4,400 = 5,400; weighted 32,000 ÷ 3 =
  10,666.67 (the retainer, closing Nov, spread Dec–Feb); total 16,066.67; target 33,333.33.
- Jan: scheduled 0 (the cap is spent); weighted (32,000 + 10,000 + 2,000) ÷ 3 = 14,666.67; total 14,666.67;
  target 90,000 ÷ 3 = 30,000.

Renewals: acme-web ends 28 Feb 2027 with 90 days' notice: deadline 30 Nov 2026 (15 days left), follow-on
"Acme 2027" (60,000, closes within 60 days of the end). beta-app ends 31 Dec 2026, no notice period:
deadline 31 Dec 2026 (46 days left), no follow-on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.clock import FixedClock
from domain.model import Allocation, AllocationState, Expense, Source, TimeEntry
from domain.ports import UnitOfWorkFactory
from handlers.context import Caller, Context
from handlers.dispatch import handle
from handlers.imports import import_org_file
from handlers.opportunity_imports import import_opportunities_file
from handlers.reply import Reply

D = Decimal
TZ = ZoneInfo("America/New_York")
NOW = datetime(2026, 11, 15, 12, 0, tzinfo=TZ)

ORG = """
currency: USD
timezone: America/New_York
fiscal_year_start_month: 1
people:
  - {name: Ada Admin, email: ada@example.com, role: admin}
  - {name: Dana Director, email: dana@example.com, role: director, bill_rate: 180, cost_rate: 95}
  - {name: Sam Seller, email: sam@example.com, role: member}
  - {name: Jane Designer, email: jane@example.com, role: member, bill_rate: 100, cost_rate: 60}
  - {name: Fred Finance, email: fred@example.com, role: finance}
  - {name: Drew Director, email: drew@example.com, role: director}
quotas:
  - {email: dana@example.com, period: 2026-Q4, amount: 100000}
  - {email: dana@example.com, period: 2027-Q1, amount: 90000}
pipeline:
  delivery_months: 3
  stages:
    - {name: Negotiation, probability: 80, category: Commit}
    - {name: Proposal, probability: 50, category: Best Case}
    - {name: Qualification, probability: 20}
clients:
  - name: Acme Corp
    key: acme
    director: dana@example.com
    crm_names: [Acme Corporation]
    projects:
      - {name: Website Relaunch, key: acme-web, budget: 12000, start: 2026-09-01, end: 2027-02-28,
         renewal: {notice_days: 90}}
  - name: Beta Ltd
    key: beta
    director: dana@example.com
    projects:
      - {name: Beta App, key: beta-app, budget: 5000, start: 2026-06-01, end: 2026-12-31}
  - name: Globex
    key: globex
    director: drew@example.com
    projects:
      - {name: Globex Brand, key: globex-brand, budget: 8000, start: 2026-09-01, end: 2027-06-30}
"""

SALESFORCE_CSV = (Path(__file__).parent.parent / "data" / "opportunities-salesforce.csv").read_text()


def push_csv(close: str) -> str:
    """A generic file that moves "Acme mobile" to ``close`` and changes nothing else."""
    return ("id,name,client,owner,stage,amount,probability,close_date,forecast_category,type\n"
            f"0061x00000AAAAAAA4,Acme mobile,acme,dana@example.com,Proposal,20000,,{close},,New Business\n")


@dataclass
class Example:
    uow_factory: UnitOfWorkFactory
    ids: dict[str, int]

    def say(self, line: str, who: str = "dana@example.com", now: datetime = NOW, channel: str | None = None) -> Reply:
        return handle(Context(uow_factory=self.uow_factory, clock=FixedClock(now), caller=Caller(email=who),
                              source=Source.SHELL, channel=channel, is_direct=channel is None), line)


def build(uow_factory: UnitOfWorkFactory) -> Example:
    clock = FixedClock(NOW)
    assert import_org_file(uow_factory, clock, ORG).ok
    for text in (SALESFORCE_CSV, push_csv("2026-12-05"), push_csv("2026-12-15")):
        reply = import_opportunities_file(uow_factory, clock, text)
        assert reply.ok, reply.summary
    ids: dict[str, int] = {}
    with uow_factory() as uow:
        for p in uow.people.list():
            ids[p.email.split("@")[0]] = p.id or 0
        for pr in uow.projects.list():
            ids[pr.key] = pr.id or 0
        jane, web = ids["jane"], ids["acme-web"]
        uow.entries.add_many([
            TimeEntry(None, jane, web, day, D(h), D("100"), D("60"), "", Source.IMPORT)
            for day, h in ((date(2026, 10, 15), "10"), (date(2026, 11, 2), "10"), (date(2026, 11, 20), "5"))
        ])
        uow.entries.add_expense(Expense(None, web, date(2026, 11, 5), D("200"), "fonts"))
        uow.allocations.add(Allocation(None, jane, web, D("20"), date(2026, 11, 16), date(2027, 1, 31),
                                       AllocationState.APPROVED, ids["dana"], NOW, ids["dana"], NOW))
        uow.commit()
    return Example(uow_factory, ids)
