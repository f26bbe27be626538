"""The benchmark organisation's pipeline (issue 14): 10,000 opportunities and 40 quotas at scale 1.0.

Deals are spread over every client, owned by the directors and a few members, closing from nine months
ago to nine months ahead, in a realistic mix of stages and forecast categories (some pushed, some quiet
Commits). Quotas: each director for this quarter and the next (40 with 20 directors). Its own random
stream (``seed + 14``), so the rest of the dataset is the same rows as before.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from domain.model import Role
from domain.pipeline import ForecastCategory, period_of

# stage, probability, category, closed, won, weight
_STAGES = (
    ("Prospecting", 10, ForecastCategory.PIPELINE, False, False, 14),
    ("Qualification", 20, ForecastCategory.PIPELINE, False, False, 14),
    ("Proposal", 50, ForecastCategory.BEST_CASE, False, False, 14),
    ("Negotiation", 80, ForecastCategory.COMMIT, False, False, 12),
    ("On hold", 10, ForecastCategory.OMITTED, False, False, 4),
    ("Closed Won", 100, ForecastCategory.CLOSED, True, True, 24),
    ("Closed Lost", 0, ForecastCategory.OMITTED, True, False, 18),
)


def opportunity_rows(people: list[dict[str, Any]], clients: list[dict[str, Any]], count: int, today: date,
                     seed: int) -> list[dict[str, Any]]:
    rnd = random.Random(seed + 14)
    directors = [p["id"] for p in people if p["role"] == Role.DIRECTOR.value]
    sellers = directors + [p["id"] for p in people if p["role"] == Role.MEMBER.value][:10]
    weights = [s[5] for s in _STAGES]
    at = datetime.combine(today, datetime.min.time(), UTC)
    rows = []
    for n in range(1, count + 1):
        client = clients[(n - 1) % len(clients)]
        stage, prob, category, closed, won, _w = rnd.choices(_STAGES, weights)[0]
        offset = rnd.randrange(-270, 1) if closed else rnd.randrange(-40, 270)
        owner = client["director_id"] if rnd.random() < 0.6 else rnd.choice(sellers)
        amount = Decimal(rnd.randrange(5, 400)) * 1000
        rows.append({
            "external_id": f"006BENCH{n:010d}", "name": f"Deal {n}", "name_key": f"deal {n}",
            "client_id": client["id"], "owner_id": owner, "owner_name": "", "stage": stage, "amount": amount,
            "probability": Decimal(prob), "close_date": today + timedelta(days=offset), "category": category.value,
            "is_closed": closed, "is_won": won, "type": "New Business", "next_step": "",
            "last_activity": today - timedelta(days=rnd.randrange(0, 40)), "created_day": today - timedelta(days=300),
            "pushes": rnd.choice((0, 0, 0, 0, 1, 1, 2, 3)) if not closed else 0, "updated_at": at,
        })
    return rows


def quota_rows(people: list[dict[str, Any]], count: int, today: date) -> list[dict[str, Any]]:
    directors = [p["id"] for p in people if p["role"] == Role.DIRECTOR.value]
    this = period_of(today)
    periods = [this, this.next(), this.next().next(), this.next().next().next()]
    rows: list[dict[str, Any]] = []
    for period in periods:
        for pid in directors:
            if len(rows) < count:
                rows.append({"person_id": pid, "period": period.label,
                             "amount": Decimal(250_000 + 10_000 * (pid % 7))})
    return rows
