"""The data of the money charts: receivables aging (``chart <client|mine|all> ar``) and the quarter's
pipeline against quota (``chart <me|client|person|all> pipeline``).

One definition of each number: the aging comes from ``receivables_service.debts`` (the aggregate ``ar``
shows) and the pipeline from ``pipeline_service.period_figures`` (what ``pipeline`` shows), behind the
same permission checks. Nothing here draws (``bot/charts`` does, behind ``ChartDrawer``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from domain.charts import AgingBars, AgingRow, PipelineBar
from domain.model import Client, Person
from domain.pipeline import Period, Scope
from domain.pipeline_service import period_figures
from domain.ports import UnitOfWork
from domain.receivables import BUCKETS
from domain.receivables_service import ClientDebt, check_receivables, debts, visible_clients


def aging_bars(found: Sequence[ClientDebt], subject: str, label: str, currency: str, today: date) -> AgingBars:
    """One row per client owing something in ``currency``, worst first (most over 60 days, then most
    overdue, then the oldest; as ``ar all`` lists them); clients owing only in other currencies are named
    in ``other_currencies``, never converted."""
    ordered = sorted(found, key=lambda d: (d.aging.worst_key(today), d.client.key))
    rows = tuple(AgingRow(d.client.key, d.client.name, d.aging.buckets, d.aging.outstanding, d.aging.over_60_share)
                 for d in ordered if any(d.aging.buckets))
    others = tuple(sorted({o.currency for d in found for o in d.others}))
    return AgingBars(subject, label, currency, today, BUCKETS, rows, others)


def client_aging(uow: UnitOfWork, actor: Person, client: Client, today: date, currency: str) -> AgingBars:
    """A client's aging in ``currency`` (the organisation's), for its director, finance and admins
    (``ar <client>``'s rule and aggregate)."""
    director = uow.people.get(client.director_id) if client.director_id else None
    check_receivables(actor, client, director)
    return aging_bars(debts(uow, [client], today, currency), client.key, client.name, currency, today)


def scope_aging(uow: UnitOfWork, actor: Person, scope: str, today: date, currency: str) -> AgingBars:
    """The aging of ``mine`` (the clients ``actor`` directs) or ``all`` (those ``actor`` may see), as
    ``ar mine`` / ``ar all``."""
    clients, hidden = visible_clients(uow, actor, scope)
    label = "your clients" if scope == "mine" else "all clients"
    return replace(aging_bars(debts(uow, clients, today, currency), scope, label, currency, today), hidden=hidden)


def pipeline_bar(uow: UnitOfWork, scope: Scope, subject: str, period: Period, today: date,
                 currency: str) -> PipelineBar:
    """The period's closed won, commit, best case and pipeline of ``scope`` against its quota (the scope is
    one the caller was allowed to see: ``handlers.pipeline.resolve_scope`` checks that)."""
    f = period_figures(uow, scope, period)
    return PipelineBar(subject, scope.label, period.label, period.describe(), currency, today, f.closed_won,
                       f.commit, f.best_case, f.pipeline, f.quota, f.gap, f.coverage)
