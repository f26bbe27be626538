"""The demo's pipeline (issue 14), relative to today: Dana's quarter is half met (closed won 100,000 of a
200,000 quota), one Commit deal slipped past its close date (pushed twice already), and initech-training
ends in six weeks with nothing in the pipeline to follow it."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from domain.opportunity_import import OpportunityInput, upsert_opportunities
from domain.pipeline import CloseDateChange, ForecastCategory, Quota, period_of
from domain.ports import UnitOfWork

D = Decimal


def load_pipeline_demo(uow: UnitOfWork, now: datetime, today: date) -> int:
    """Opportunities, quotas and their history; returns the number of opportunities."""
    period = period_of(today)
    won_on = max(period.first, today - timedelta(days=12))
    slipped = today - timedelta(days=5)
    soon = min(period.last, today + timedelta(days=20))
    next_q = period.next().first + timedelta(days=20)
    deals = [  # name, account, owner email, stage, amount, probability, close, category, won/closed
        ("Acme website phase 2", "Acme Corp", "dana@example.com", "Closed Won", "100000", "100", won_on, "Closed"),
        ("Acme app support retainer", "acme corporation", "dana@example.com", "Negotiation", "45000", "90", slipped,
         "Commit"),
        ("Acme content localisation", "Acme Corp", "sam@example.com", "Proposal", "60000", "50", soon, "Best Case"),
        ("Acme 2027 brand programme", "Acme Corp", "dana@example.com", "Qualification", "80000", "20", next_q,
         "Pipeline"),
        ("Acme intranet", "Acme Corp", "sam@example.com", "Closed Lost", "30000", "0", won_on, "Omitted"),
        ("Globex portal phase 2", "Globex", "drew@example.com", "Closed Won", "40000", "100", won_on, "Closed"),
        ("Globex brand extension", "Globex", "drew@example.com", "Negotiation", "35000", "80", soon, "Commit"),
    ]
    rows = [
        OpportunityInput(i, f"006DEMO{i:011d}", name, account, owner, stage, D(amount), D(prob), close,
                         ForecastCategory.parse(category), type="New Business", owner_email=owner)
        for i, (name, account, owner, stage, amount, prob, close, category) in enumerate(deals, start=1)
    ]
    upsert_opportunities(uow, rows, source="demo", at=now, actor_id=None)
    ids = {k.name: k.id for k in uow.pipeline.match_keys()}
    slipped_id = ids["Acme app support retainer"]
    # Its close date already moved twice, from a month ago to two weeks ago to five days ago.
    for old, new, ago in ((today - timedelta(days=35), today - timedelta(days=14), 30),
                          (today - timedelta(days=14), slipped, 13)):
        uow.pipeline.record_change(CloseDateChange(slipped_id, old, new, now - timedelta(days=ago), "demo",
                                                   f"demo-history-{ago}"))
    for email, amount in (("dana@example.com", "200000"), ("drew@example.com", "150000")):
        person = uow.people.by_email(email)
        assert person is not None and person.id is not None
        uow.pipeline.set_quota(Quota(person.id, period.label, D(amount)))
    return len(rows)
