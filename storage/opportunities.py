"""Opportunities, quotas, CRM names, pipeline settings, renewals and sync state
(``domain.pipeline_ports.PipelineRepository``).

Sums are computed in SQL in integer units: amount cents × probability hundredths of a percent, so a
weighted total is exact on SQLite and PostgreSQL alike (divided by 10^6 once, here).
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, Row, and_, delete, false, func, insert, or_, select, true, update
from sqlalchemy import cast as sql_cast
from sqlalchemy.orm import Session

from domain.pipeline import (
    PUSHES_AT_RISK,
    STALE_COMMIT_DAYS,
    CategoryTotal,
    CloseDateChange,
    ForecastCategory,
    Opportunity,
    PipelineSettings,
    Quota,
    Scope,
    StageRule,
)
from domain.pipeline_ports import OpportunityKey
from domain.renewals import Decision, Renewal
from storage.orm import (
    ClientCrmNameRow,
    ExpenseRow,
    OpportunityCloseChangeRow,
    OpportunityRow,
    OutboxRow,
    PipelineSettingsRow,
    ProjectRenewalRow,
    QuotaRow,
    SyncStateRow,
    TimeEntryRow,
)
from storage.repositories import _aware, _cents, _new_id, _replace_id, _run, _t
from storage.sqltools import among, dialect_insert, month_start, units_to_decimal

SETTINGS_ID = 1
KEYS_PER_STATEMENT = 10_000

_OPP_COLUMNS = (
    OpportunityRow.id, OpportunityRow.external_id, OpportunityRow.name, OpportunityRow.client_id,
    OpportunityRow.owner_id, OpportunityRow.stage, OpportunityRow.amount, OpportunityRow.probability,
    OpportunityRow.close_date, OpportunityRow.category, OpportunityRow.is_closed, OpportunityRow.is_won,
    OpportunityRow.type, OpportunityRow.next_step, OpportunityRow.last_activity, OpportunityRow.created_day,
    OpportunityRow.pushes, OpportunityRow.owner_name,
)


def _opportunity(row: Sequence[Any]) -> Opportunity:
    (oid, external_id, name, client_id, owner_id, stage, amount, probability, close_date, category, is_closed,
     is_won, kind, next_step, last_activity, created, pushes, owner_name) = row
    return Opportunity(oid, external_id, name, client_id, owner_id, stage, amount, probability, close_date,
                       ForecastCategory(category), bool(is_closed), bool(is_won), kind, next_step, last_activity,
                       created, int(pushes), owner_name)


def _values(o: Opportunity, at: datetime) -> dict[str, Any]:
    return dict(external_id=o.external_id, name=o.name, name_key=o.name.strip().lower(), client_id=o.client_id,
                owner_id=o.owner_id, owner_name=o.owner_name, stage=o.stage, amount=o.amount,
                probability=o.probability, close_date=o.close_date, category=o.category.value,
                is_closed=o.is_closed, is_won=o.is_won, type=o.type, next_step=o.next_step,
                last_activity=o.last_activity, created_day=o.created, pushes=o.pushes, updated_at=at)


def _scoped(scope: Scope) -> ColumnElement[bool]:
    o = OpportunityRow
    if scope.everyone:
        return true()
    terms: list[ColumnElement[bool]] = []
    if scope.owner_id is not None:
        terms.append(o.owner_id == scope.owner_id)
    if scope.client_ids:
        terms.append(among(o.client_id, scope.client_ids))
    return or_(*terms) if terms else false()


def _counts() -> ColumnElement[bool]:
    """Open and not omitted."""
    o = OpportunityRow
    return and_(o.is_closed == false(), o.category != ForecastCategory.OMITTED.value)


class SqlPipelineRepository:
    def __init__(self, session: Session) -> None:
        self.s = session

    # --- settings, quotas, CRM names, renewals ---------------------------------------------------

    def settings(self) -> PipelineSettings:
        row = self.s.execute(select(_t(PipelineSettingsRow)).where(PipelineSettingsRow.id == SETTINGS_ID)).first()
        if row is None:
            return PipelineSettings()
        stages = tuple(StageRule(
            s["name"], bool(s.get("closed")), bool(s.get("won")),
            None if s.get("probability") is None else Decimal(str(s["probability"])),
            None if s.get("category") is None else ForecastCategory(s["category"]),
        ) for s in row.stages or ())
        return PipelineSettings(row.fiscal_year_start_month, row.delivery_months, stages)

    def save_settings(self, settings: PipelineSettings) -> None:
        values = dict(
            fiscal_year_start_month=settings.fiscal_year_start_month, delivery_months=settings.delivery_months,
            stages=[{"name": s.name, "closed": s.closed, "won": s.won,
                     "probability": None if s.probability is None else str(s.probability),
                     "category": None if s.category is None else s.category.value} for s in settings.stages],
        )
        t = _t(PipelineSettingsRow)
        if _run(self.s, update(t).where(t.c.id == SETTINGS_ID).values(**values)).rowcount == 0:
            self.s.execute(insert(t).values(id=SETTINGS_ID, **values))

    def quotas(self, periods: Iterable[str] | None = None) -> builtins.list[Quota]:
        stmt = select(QuotaRow.person_id, QuotaRow.period, QuotaRow.amount)
        if periods is not None:
            stmt = stmt.where(QuotaRow.period.in_(sorted(set(periods))))
        return [Quota(pid, period, amount) for pid, period, amount in self.s.execute(stmt.order_by(
            QuotaRow.period, QuotaRow.person_id))]

    def set_quota(self, quota: Quota) -> None:
        t = _t(QuotaRow)
        where = (t.c.person_id == quota.person_id, t.c.period == quota.period)
        if _run(self.s, update(t).where(*where).values(amount=quota.amount)).rowcount == 0:
            self.s.execute(insert(t).values(person_id=quota.person_id, period=quota.period, amount=quota.amount))

    def crm_names(self) -> Mapping[int, tuple[str, ...]]:
        out: dict[int, list[str]] = {}
        for client_id, name in self.s.execute(select(ClientCrmNameRow.client_id, ClientCrmNameRow.name)
                                              .order_by(ClientCrmNameRow.client_id, ClientCrmNameRow.name_key)):
            out.setdefault(client_id, []).append(name)
        return {k: tuple(v) for k, v in out.items()}

    def set_crm_names(self, client_id: int, names: Sequence[str]) -> None:
        t = _t(ClientCrmNameRow)
        self.s.execute(delete(t).where(t.c.client_id == client_id))
        rows = {n.strip().lower(): n.strip() for n in names if n.strip()}
        if rows:
            self.s.execute(insert(t), [{"client_id": client_id, "name_key": k, "name": v} for k, v in rows.items()])

    def renewals(self, project_ids: Sequence[int] | None = None) -> Mapping[int, Renewal]:
        r = ProjectRenewalRow
        stmt = select(r.project_id, r.notice_days, r.decision, r.note, r.decided_by, r.decided_at)
        if project_ids is not None:
            stmt = stmt.where(among(r.project_id, project_ids))
        return {pid: Renewal(pid, days, Decision(decision) if decision else None, note, by, at)
                for pid, days, decision, note, by, at in self.s.execute(stmt)}

    def save_renewal(self, renewal: Renewal) -> None:
        t = _t(ProjectRenewalRow)
        values = dict(notice_days=renewal.notice_days, decision=renewal.decision.value if renewal.decision else None,
                      note=renewal.note, decided_by=renewal.decided_by,
                      decided_at=_aware(renewal.decided_at, "Renewal.decided_at"))
        if _run(self.s, update(t).where(t.c.project_id == renewal.project_id).values(**values)).rowcount == 0:
            self.s.execute(insert(t).values(project_id=renewal.project_id, **values))

    # --- opportunities ---------------------------------------------------------------------------

    def match_keys(self) -> builtins.list[OpportunityKey]:
        o = OpportunityRow
        return [OpportunityKey(*row) for row in self.s.execute(
            select(o.id, o.external_id, o.name, o.client_id, o.close_date).order_by(o.id))]

    def add(self, opp: Opportunity, at: datetime | None = None) -> Opportunity:
        when = at or datetime.now().astimezone()
        result = _run(self.s, insert(_t(OpportunityRow)).values(**_values(opp, when)))
        return _replace_id(opp, _new_id(result))

    def update(self, opp: Opportunity, at: datetime | None = None) -> None:
        if opp.id is None:
            raise ValueError("Cannot update an opportunity without an id")
        values = _values(opp, at or datetime.now().astimezone())
        del values["pushes"]  # kept by record_change alone, so a stale copy never undoes a push
        self.s.execute(update(_t(OpportunityRow)).where(OpportunityRow.id == opp.id).values(**values))

    def get(self, opportunity_id: int) -> Opportunity | None:
        row = self.s.execute(select(*_OPP_COLUMNS).where(OpportunityRow.id == opportunity_id)).first()
        return _opportunity(row) if row else None

    def many(self, ids: Sequence[int]) -> Mapping[int, Opportunity]:
        if not ids:
            return {}
        rows = self.s.execute(select(*_OPP_COLUMNS).where(among(OpportunityRow.id, ids)))
        return {o.id or 0: o for o in map(_opportunity, rows)}

    def record_change(self, change: CloseDateChange) -> bool:
        t = _t(OpportunityCloseChangeRow)
        values = dict(opportunity_id=change.opportunity_id, old_date=change.old, new_date=change.new,
                      at=_aware(change.at, "CloseDateChange.at"), source=change.source,
                      external_id=change.external_id)
        ins = dialect_insert(self.s)
        if change.external_id is not None and ins is not None:
            row = self.s.execute(ins(t).values(**values).on_conflict_do_nothing(index_elements=["external_id"])
                                 .returning(t.c.id)).first()
            if row is None:
                return False
        else:
            self.s.execute(insert(t).values(**values))
        if change.is_push:
            o = _t(OpportunityRow)
            self.s.execute(update(o).where(o.c.id == change.opportunity_id).values(pushes=o.c.pushes + 1))
        return True

    def changes(self, opportunity_id: int) -> builtins.list[CloseDateChange]:
        c = OpportunityCloseChangeRow
        return [CloseDateChange(*row) for row in self.s.execute(
            select(c.opportunity_id, c.old_date, c.new_date, c.at, c.source, c.external_id)
            .where(c.opportunity_id == opportunity_id).order_by(c.at, c.id))]

    # --- aggregates ------------------------------------------------------------------------------

    def totals(self, scope: Scope, first: date, last: date) -> builtins.list[CategoryTotal]:
        o = OpportunityRow
        amount = _cents(o.amount)
        stmt = (
            select(o.is_closed, o.is_won, o.category,
                   sql_cast(func.sum(amount), BigInteger),
                   sql_cast(func.sum(amount * _cents(o.probability)), BigInteger),
                   func.count())
            .where(_scoped(scope), o.close_date >= first, o.close_date <= last)
            .group_by(o.is_closed, o.is_won, o.category)
        )
        return [CategoryTotal(bool(closed), bool(won), ForecastCategory(cat), units_to_decimal(total, 2),
                              units_to_decimal(weighted, 6), int(n))
                for closed, won, cat, total, weighted, n in self.s.execute(stmt)]

    def _list(self, *where: ColumnElement[bool], limit: int | None = None,
              order: Any = None) -> builtins.list[Opportunity]:
        o = OpportunityRow
        stmt = select(*_OPP_COLUMNS).where(*where).order_by(*(order or (_cents(o.amount).desc(), o.id)))
        if limit is not None:
            stmt = stmt.limit(limit)
        return [_opportunity(r) for r in self.s.execute(stmt)]

    def _risky(self, today: date) -> ColumnElement[bool]:
        o = OpportunityRow
        quiet = today - timedelta(days=STALE_COMMIT_DAYS)
        return and_(_counts(), or_(
            o.close_date < today, o.pushes >= PUSHES_AT_RISK,
            and_(o.category == ForecastCategory.COMMIT.value, o.last_activity.is_not(None), o.last_activity <= quiet),
        ))

    def at_risk(self, scope: Scope, first: date, last: date, today: date,
                limit: int) -> tuple[builtins.list[Opportunity], int]:
        o = OpportunityRow
        where = (_scoped(scope), o.close_date >= first, o.close_date <= last, self._risky(today))
        # One statement: the rows with the total count alongside (a window over the filtered set).
        stmt = (select(*_OPP_COLUMNS, func.count().over()).where(*where)
                .order_by(_cents(o.amount).desc(), o.id).limit(limit))
        rows: list[Row[Any]] = list(self.s.execute(stmt))
        return [_opportunity(r[:-1]) for r in rows], (int(rows[0][-1]) if rows else 0)

    def largest_open(self, scope: Scope, first: date, last: date, limit: int) -> builtins.list[Opportunity]:
        o = OpportunityRow
        return self._list(_scoped(scope), o.close_date >= first, o.close_date <= last, _counts(), limit=limit)

    def omitted(self, scope: Scope, first: date, last: date, limit: int) -> builtins.list[Opportunity]:
        o = OpportunityRow
        return self._list(_scoped(scope), o.close_date >= first, o.close_date <= last, o.is_closed == false(),
                          o.category == ForecastCategory.OMITTED.value, limit=limit)

    def weighted_by_close_month(self, scope: Scope, first: date, last: date) -> Mapping[date, Decimal]:
        o = OpportunityRow
        month = month_start(o.close_date)
        stmt = (select(month, sql_cast(func.sum(_cents(o.amount) * _cents(o.probability)), BigInteger))
                .where(_scoped(scope), _counts(), o.close_date >= first, o.close_date <= last)
                .group_by(month))
        out: dict[date, Decimal] = {}
        for m, weighted in self.s.execute(stmt):
            day = m if isinstance(m, date) else date.fromisoformat(str(m)[:10])
            out[day] = out.get(day, Decimal(0)) + units_to_decimal(weighted, 6, Decimal("0.000001"))
        return out

    def open_for_clients(self, client_ids: Sequence[int], until: date) -> builtins.list[Opportunity]:
        if not client_ids:
            return []
        o = OpportunityRow
        return self._list(among(o.client_id, client_ids), _counts(), o.close_date <= until)

    def overdue_commits(self, today: date) -> builtins.list[Opportunity]:
        o = OpportunityRow
        return self._list(o.is_closed == false(), o.category == ForecastCategory.COMMIT.value, o.close_date < today)

    def pushed_twice(self) -> builtins.list[Opportunity]:
        o = OpportunityRow
        return self._list(o.is_closed == false(), o.pushes >= PUSHES_AT_RISK)

    def recognised(self, project_ids: Sequence[int], first: date, today: date) -> Decimal:
        if not project_ids:
            return Decimal(0)
        e, x = TimeEntryRow, ExpenseRow
        bill = self.s.execute(select(sql_cast(func.sum(_cents(e.hours) * _cents(e.bill_rate)), BigInteger))
                              .where(among(e.project_id, project_ids), e.day >= first, e.day <= today)).scalar()
        spent = self.s.execute(select(sql_cast(func.sum(_cents(x.amount)), BigInteger))
                               .where(among(x.project_id, project_ids), x.day >= first, x.day <= today)).scalar()
        return units_to_decimal(bill, 4) + units_to_decimal(spent, 2)

    def sent_keys(self, keys: Sequence[str]) -> set[str]:
        if not keys:
            return set()
        found: set[str] = set()
        unique = sorted(set(keys))
        # One statement for up to KEYS_PER_STATEMENT keys (well inside SQLite's 32,766 bound parameters).
        for start in range(0, len(unique), KEYS_PER_STATEMENT):
            chunk = unique[start:start + KEYS_PER_STATEMENT]
            found.update(self.s.scalars(select(OutboxRow.key).where(OutboxRow.key.in_(chunk))))
        return found

    # --- sync state ------------------------------------------------------------------------------

    def last_sync(self, name: str) -> datetime | None:
        return self.s.execute(select(SyncStateRow.last_sync).where(SyncStateRow.name == name)).scalar()

    def set_last_sync(self, name: str, at: datetime) -> None:
        t = _t(SyncStateRow)
        if _run(self.s, update(t).where(t.c.name == name).values(last_sync=_aware(at, "last_sync"))).rowcount == 0:
            self.s.execute(insert(t).values(name=name, last_sync=at, claimed_at=None))

    def claim_sync(self, name: str, now: datetime, every_seconds: int) -> bool:
        t = _t(SyncStateRow)
        _aware(now, "now")
        ins = dialect_insert(self.s)
        assert ins is not None, "sync claims need SQLite or PostgreSQL"
        self.s.execute(ins(t).values(name=name, last_sync=None, claimed_at=None)
                       .on_conflict_do_nothing(index_elements=["name"]))
        # Due when never claimed or the previous claim is at least one interval old. Two replicas racing:
        # the row lock makes the second UPDATE re-check the condition after the first commits, and fail.
        due = now - timedelta(seconds=every_seconds) + timedelta(seconds=1)
        result = _run(self.s, update(t).where(t.c.name == name, or_(t.c.claimed_at.is_(None), t.c.claimed_at < due))
                      .values(claimed_at=now))
        return result.rowcount == 1
