"""The sales pipeline: opportunities, the stage table, fiscal quarters and the figures of ``pipeline``.

DESIGN's "The numbers", for opportunities whose close date falls in the period:
- closed won = Σ amount of won; commit / best case / pipeline = Σ amount of *open* ones in that category;
  omitted ones are listed apart and counted nowhere;
- open pipeline = Σ amount of open, not omitted; weighted = Σ amount × probability / 100 over the same;
- gap = max(0, quota − closed won); coverage = open pipeline ÷ gap (none when the gap is 0).

Everything here is a pure function of aggregates storage computes in SQL (``CategoryTotal``).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal("0")
HUNDRED = Decimal("100")
CENT = Decimal("0.01")
STALE_COMMIT_DAYS = 14  # a Commit deal with no activity for this long is at risk
PUSHES_AT_RISK = 2  # close date moved later this many times


class ForecastCategory(enum.StrEnum):
    """Salesforce's forecast categories (``ForecastCategoryName``)."""

    PIPELINE = "Pipeline"
    BEST_CASE = "Best Case"
    COMMIT = "Commit"
    CLOSED = "Closed"
    OMITTED = "Omitted"

    @classmethod
    def parse(cls, text: str) -> ForecastCategory | None:
        """A category from its label, case and spacing aside (``best case``, ``BestCase``); None if unknown."""
        folded = "".join(text.lower().split())
        for c in cls:
            if "".join(c.value.lower().split()) == folded:
                return c
        return {"closedwon": cls.CLOSED, "won": cls.CLOSED, "omit": cls.OMITTED}.get(folded)


@dataclass(frozen=True)
class Opportunity:
    """A deal: Salesforce's Opportunity with what Steward needs of it (money is Decimal, probability in %)."""

    id: int | None
    external_id: str | None  # Salesforce's 18-character Id when known
    name: str
    client_id: int
    owner_id: int | None
    stage: str
    amount: Decimal
    probability: Decimal  # 0..100
    close_date: date
    category: ForecastCategory
    is_closed: bool
    is_won: bool
    type: str = ""
    next_step: str = ""
    last_activity: date | None = None
    created: date | None = None
    pushes: int = 0  # how many times the close date moved later
    owner_name: str = ""  # as the CRM spelled it, kept even when no person matched

    @property
    def is_open(self) -> bool:
        return not self.is_closed

    @property
    def counts(self) -> bool:
        """Open and not omitted: what open pipeline and weighted sum over."""
        return not self.is_closed and self.category is not ForecastCategory.OMITTED

    @property
    def weighted(self) -> Decimal:
        return self.amount * self.probability / HUNDRED


@dataclass(frozen=True)
class CloseDateChange:
    """One move of an opportunity's close date (a push when ``new > old``)."""

    opportunity_id: int
    old: date
    new: date
    at: datetime
    source: str  # import | salesforce
    external_id: str | None = None  # OpportunityFieldHistory's Id, so a re-sync records it once

    @property
    def is_push(self) -> bool:
        return self.new > self.old


@dataclass(frozen=True)
class StageRule:
    """What a stage name means: closed, won, and its default probability and forecast category."""

    name: str
    closed: bool = False
    won: bool = False
    probability: Decimal | None = None
    category: ForecastCategory | None = None


DEFAULT_STAGES = (
    StageRule("Closed Won", closed=True, won=True, probability=HUNDRED, category=ForecastCategory.CLOSED),
    StageRule("Closed Lost", closed=True, won=False, probability=ZERO, category=ForecastCategory.OMITTED),
)


@dataclass(frozen=True)
class PipelineSettings:
    """The organisation file's ``fiscal_year_start_month`` and ``pipeline`` block."""

    fiscal_year_start_month: int = 1
    delivery_months: int = 3
    stages: tuple[StageRule, ...] = ()

    def stage(self, name: str) -> StageRule:
        """The rule for a stage name (the file's table first, then Closed Won / Closed Lost); an unknown
        stage is open, with no default probability or category."""
        folded = name.strip().lower()
        for rule in (*self.stages, *DEFAULT_STAGES):
            if rule.name.lower() == folded:
                return rule
        return StageRule(name.strip())


def resolve_stage(settings: PipelineSettings, stage: str, probability: Decimal | None,
                  category: ForecastCategory | None, closed: bool | None = None,
                  won: bool | None = None) -> tuple[Decimal, ForecastCategory, bool, bool]:
    """(probability, category, closed, won) of a deal: what the source gave wins over the stage's defaults.

    Without either, an open deal is Pipeline at 0%, a won one Closed at 100%, a lost one Omitted at 0%."""
    rule = settings.stage(stage)
    is_closed = rule.closed if closed is None else closed
    is_won = (rule.won if won is None else won) and is_closed
    if category is None:
        category = rule.category or (ForecastCategory.CLOSED if is_won else
                                     ForecastCategory.OMITTED if is_closed else ForecastCategory.PIPELINE)
    if probability is None:
        probability = rule.probability if rule.probability is not None else (HUNDRED if is_won else ZERO)
    return probability, category, is_closed, is_won


# --- periods ---------------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Period:
    """A fiscal quarter ``YYYY-Qn``. Fiscal year YYYY starts on the 1st of ``start_month`` of YYYY."""

    year: int
    quarter: int
    start_month: int = 1

    @property
    def label(self) -> str:
        return f"{self.year}-Q{self.quarter}"

    @property
    def first(self) -> date:
        index = self.year * 12 + (self.start_month - 1) + 3 * (self.quarter - 1)
        return date(index // 12, index % 12 + 1, 1)

    @property
    def last(self) -> date:
        return add_months(self.first, 3) - timedelta(days=1)

    def months(self) -> tuple[date, date, date]:
        return (self.first, add_months(self.first, 1), add_months(self.first, 2))

    def next(self) -> Period:
        return period_of(add_months(self.first, 3), self.start_month)

    def describe(self) -> str:
        return f"{self.label} ({self.first:%b %Y} – {self.last:%b %Y})"


def add_months(first_of_month: date, months: int) -> date:
    """The first day of the month ``months`` after the month of ``first_of_month``."""
    index = first_of_month.year * 12 + first_of_month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_of(day: date) -> date:
    return day.replace(day=1)


def period_of(day: date, start_month: int = 1) -> Period:
    """The fiscal quarter ``day`` falls in."""
    index = day.year * 12 + (day.month - 1) - (start_month - 1)
    return Period(index // 12, (index % 12) // 3 + 1, start_month)


def parse_period(text: str, start_month: int = 1) -> Period | None:
    """``2026-Q4`` (or ``2026q4``, ``Q4 2026``) as a Period; None when it isn't one."""
    t = text.strip().upper().replace(" ", "-")
    year = quarter = None
    if len(t) == 7 and t[4] == "-" and t[5] == "Q":
        year, quarter = t[:4], t[6]
    elif len(t) == 6 and t[4] == "Q":
        year, quarter = t[:4], t[5]
    elif len(t) == 7 and t[0] == "Q" and t[2] == "-":
        year, quarter = t[3:], t[1]
    if year is None or quarter is None or not year.isdigit() or quarter not in "1234":
        return None
    return Period(int(year), int(quarter), start_month)


# --- figures ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CategoryTotal:
    """An aggregate row: opportunities of one (closed, won, category) in the period, summed in SQL."""

    closed: bool
    won: bool
    category: ForecastCategory
    amount: Decimal
    weighted: Decimal  # Σ amount × probability / 100
    count: int


@dataclass(frozen=True)
class PipelineFigures:
    period: Period
    closed_won: Decimal
    commit: Decimal
    best_case: Decimal
    pipeline: Decimal
    omitted: Decimal
    omitted_count: int
    open_pipeline: Decimal
    open_count: int
    weighted: Decimal
    quota: Decimal | None
    gap: Decimal | None
    coverage: Decimal | None  # open pipeline ÷ gap, one decimal; None when no quota or the gap is 0
    won_count: int
    lost_count: int


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def pipeline_figures(period: Period, totals: Iterable[CategoryTotal], quota: Decimal | None) -> PipelineFigures:
    """Every figure of ``pipeline`` from the period's aggregate rows and the quota (None: no quota set)."""
    closed_won = commit = best = pipe = omitted = open_amount = weighted = ZERO
    omitted_count = open_count = won_count = lost_count = 0
    for t in totals:
        if t.closed:
            if t.won:
                closed_won += t.amount
                won_count += t.count
            else:
                lost_count += t.count
            continue
        if t.category is ForecastCategory.OMITTED:
            omitted += t.amount
            omitted_count += t.count
            continue
        open_amount += t.amount
        open_count += t.count
        weighted += t.weighted
        if t.category is ForecastCategory.COMMIT:
            commit += t.amount
        elif t.category is ForecastCategory.BEST_CASE:
            best += t.amount
        else:  # Pipeline, or an open deal still marked Closed by its source: counted as pipeline
            pipe += t.amount
    gap = coverage = None
    if quota is not None:
        gap = max(ZERO, quota - closed_won)
        coverage = (open_amount / gap).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP) if gap > 0 else None
    return PipelineFigures(period, money(closed_won), money(commit), money(best), money(pipe), money(omitted),
                           omitted_count, money(open_amount), open_count, money(weighted), quota,
                           None if gap is None else money(gap), coverage, won_count, lost_count)


def risk_reasons(opp: Opportunity, today: date) -> tuple[str, ...]:
    """Why an open deal is at risk: past its close date, pushed twice or more, a Commit gone quiet."""
    if not opp.counts:
        return ()
    reasons = []
    if opp.close_date < today:
        reasons.append(f"past its close date by {(today - opp.close_date).days} days")
    if opp.pushes >= PUSHES_AT_RISK:
        reasons.append(f"close date pushed {opp.pushes} times")
    if opp.category is ForecastCategory.COMMIT and opp.last_activity is not None and \
            (today - opp.last_activity).days >= STALE_COMMIT_DAYS:
        reasons.append(f"Commit with no activity for {(today - opp.last_activity).days} days")
    return tuple(reasons)


@dataclass(frozen=True)
class Scope:
    """Whose opportunities: everyone's (``everyone``), or those owned by ``owner_id`` or on ``client_ids``."""

    everyone: bool = False
    owner_id: int | None = None
    client_ids: tuple[int, ...] = ()
    label: str = ""


@dataclass(frozen=True)
class Quota:
    person_id: int
    period: str  # YYYY-Qn
    amount: Decimal


def quota_for(quotas: Sequence[Quota], scope: Scope) -> Decimal | None:
    """The scope's quota: the person's, or the sum over everyone for ``all``; None when none is set
    (a client has no quota)."""
    if scope.everyone:
        return sum((q.amount for q in quotas), ZERO) if quotas else None
    mine = [q.amount for q in quotas if scope.owner_id is not None and q.person_id == scope.owner_id]
    return sum(mine, ZERO) if mine else None
