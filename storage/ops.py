"""What an operator watches, read in a few aggregate queries: the outbox and the open escalations.

Used by ``/metrics`` at scrape time (``bot/metrics.py``): four statements however large the tables,
each served by an index (``ix_outbox_state_due_at``; ``open_key`` is unique and NULL once closed).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from domain.model import DeliveryState
from domain.ports import UnitOfWorkFactory
from storage.orm import EscalationRow, OutboxRow


@dataclass(frozen=True)
class OpsSnapshot:
    pending: int = 0  # due or not, not claimed by a worker right now
    sending: int = 0  # pending, claimed by a worker whose lease has not run out
    sent_last_hour: int = 0
    failed: int = 0
    oldest_pending_seconds: float = 0.0  # since the oldest pending message fell due; 0 when none is overdue
    escalations_open: dict[str, int] = field(default_factory=dict)


def read_snapshot(uow_factory: UnitOfWorkFactory, now: datetime) -> OpsSnapshot:
    """The outbox by state, its oldest overdue message and the open escalations by rule, at ``now``."""
    with uow_factory() as uow:
        s: Any = getattr(uow, "session")  # noqa: B009 - the SQL unit of work's session; the port has none
        pending = DeliveryState.PENDING.value
        claimed = (OutboxRow.claimed_until.is_not(None)) & (OutboxRow.claimed_until > now)
        row = s.execute(select(
            func.count().filter(OutboxRow.state == pending),
            func.count().filter((OutboxRow.state == pending) & claimed),
            func.count().filter(OutboxRow.state == DeliveryState.FAILED.value),
        ).select_from(OutboxRow).where(OutboxRow.state.in_([pending, DeliveryState.FAILED.value]))).one()
        sent = s.execute(select(func.count()).select_from(OutboxRow).where(
            OutboxRow.state == DeliveryState.SENT.value, OutboxRow.sent_at >= now - timedelta(hours=1))).scalar_one()
        oldest = s.execute(select(func.min(OutboxRow.due_at)).where(
            OutboxRow.state == pending, OutboxRow.due_at <= now)).scalar_one()
        rules = dict(s.execute(select(EscalationRow.rule, func.count()).where(
            EscalationRow.open_key.is_not(None)).group_by(EscalationRow.rule)).all())
    total_pending, sending, failed = int(row[0]), int(row[1]), int(row[2])
    age = max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0
    return OpsSnapshot(pending=total_pending - sending, sending=sending, sent_last_hour=int(sent), failed=failed,
                       oldest_pending_seconds=age, escalations_open={str(k): int(v) for k, v in rules.items()})
