"""The worked money example the receivables and pipeline charts (and ``account``'s panels) are checked on:
tests/charts/worked.py's acme (today Sunday 15 Nov 2026) plus tests/domain/test_receivables.py's invoices,
a quarter of deals, a quota and a renewal term — every figure checkable by hand.

Receivables (see test_receivables.py): Acme's USD buckets Current 1,300 · 1–30 1,600 · 31–60 3,600 ·
61–90 5,000 · 90+ 2,000 = 13,500 outstanding, 7,000 (51.9%) over 60 days; and 800 EUR apart (not drawn).
Globex owes one USD invoice of 2,500, 10 days past due (1–30): 0% over 60 days.

Pipeline, 2026-Q4 (calendar quarters: 1 Oct – 31 Dec 2026), Acme (director Dana, quota 100,000):
| deal          | category  | amount | close       | counts as   |
| Acme phase 1  | Closed/won| 50,000 | 20 Oct 2026 | closed won  |
| Acme lost bid | Closed    | 30,000 |  1 Nov 2026 | nowhere     |
| Acme retainer | Commit    | 40,000 | 10 Dec 2026 | commit      |
| Acme mobile   | Best Case | 20,000 | 15 Dec 2026 | best case   |
| Acme SEO      | Pipeline  | 10,000 | 20 Dec 2026 | pipeline    |
| Acme 2027     | Pipeline  | 60,000 | 15 Jan 2027 | next quarter|
Globex's 99,000 Pipeline deal (Drew's) closes 1 Dec: it is no part of Acme's nor of Dana's figures.
Q4 for Dana (and Acme): closed won 50,000, commit 40,000, best case 20,000, pipeline 10,000 = 120,000;
open 70,000 (3 open); weighted 40,000×0.8 + 20,000×0.5 + 10,000×0.2 = 44,000; quota 100,000, gap 50,000,
coverage 1.4×.

Renewals: acme-web ends 30 Nov 2026 with 10 days' notice: deadline 20 Nov (5 days left), follow-on "Acme
2027" (60,000: the largest open deal closing by 29 Jan 2027). acme-app ends 31 Dec 2026, no notice: 46 days.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from domain.pipeline import ForecastCategory, Opportunity, Quota
from domain.ports import UnitOfWorkFactory
from domain.receivables import Invoice
from domain.renewals import Renewal
from tests.charts.worked import worked
from tests.domain.test_receivables import invoices
from tests.handlers.world import World

D = Decimal
C = ForecastCategory

DEALS = [  # name, client, owner, category, amount, probability, close, closed, won
    ("Acme phase 1", "acme", "dana", C.CLOSED, "50000", "100", date(2026, 10, 20), True, True),
    ("Acme lost bid", "acme", "dana", C.CLOSED, "30000", "0", date(2026, 11, 1), True, False),
    ("Acme retainer", "acme", "dana", C.COMMIT, "40000", "80", date(2026, 12, 10), False, False),
    ("Acme mobile", "acme", "dana", C.BEST_CASE, "20000", "50", date(2026, 12, 15), False, False),
    ("Acme SEO", "acme", "dana", C.PIPELINE, "10000", "20", date(2026, 12, 20), False, False),
    ("Acme 2027", "acme", "dana", C.PIPELINE, "60000", "25", date(2027, 1, 15), False, False),
    ("Globex rebrand", "globex", "drew", C.PIPELINE, "99000", "20", date(2026, 12, 1), False, False),
]


def money_world(uow_factory: UnitOfWorkFactory) -> World:
    w = worked(uow_factory)
    with uow_factory() as uow:
        uow.invoices.add_many([*invoices(w), Invoice(None, "G-1", w.ids["globex"], date(2026, 10, 6),
                                                     date(2026, 11, 5), D("2500"), "USD")])
        for name, client, owner, category, amount, prob, close, closed, won in DEALS:
            uow.pipeline.add(Opportunity(None, None, name, w.ids[client], w.ids[owner], category.value, D(amount),
                                         D(prob), close, category, closed, won, created=close - timedelta(days=60)))
        uow.pipeline.set_quota(Quota(w.ids["dana"], "2026-Q4", D("100000")))
        uow.pipeline.save_renewal(Renewal(w.ids["acme-web"], notice_days=10))
        uow.commit()
    return w
