"""Renewals: contracts (projects) ending, their notice deadlines, the decision, and what the pipeline holds.

DESIGN: notice deadline = contract end − notice_days (the end itself without ``renewal: {notice_days}``).
A follow-on is an open, not omitted opportunity of the project's client closing no later than
``FOLLOW_ON_DAYS`` after the end. The director is reminded ``REMINDER_DAYS`` before each deadline (once
each); with ``ESCALATE_DAYS`` left, no decision and no follow-on, it escalates (once per deadline).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from domain.pipeline import Opportunity

REMINDER_DAYS = (60, 30, 14, 7)
ESCALATE_DAYS = 14
FOLLOW_ON_DAYS = 60
DEFAULT_WINDOW_DAYS = 120


class Decision(enum.StrEnum):
    RENEW = "renew"
    RENEGOTIATE = "renegotiate"
    END = "end"


@dataclass(frozen=True)
class Renewal:
    """A project's renewal terms (from the organisation file) and the decision taken (through the bot)."""

    project_id: int
    notice_days: int | None = None
    decision: Decision | None = None
    note: str = ""
    decided_by: int | None = None
    decided_at: datetime | None = None


def notice_deadline(end: date, notice_days: int | None) -> date:
    """The last day to give notice: the contract end minus ``notice_days`` (the end without one)."""
    return end - timedelta(days=notice_days or 0)


def reminder_due(days_left: int) -> int | None:
    """Which reminder (60, 30, 14 or 7 days) is due with ``days_left`` to the deadline: the nearest one not
    yet passed, so a process that was down sends the current reminder rather than every missed one.
    None before 60 days and after the deadline."""
    if days_left < 0:
        return None
    due = [d for d in REMINDER_DAYS if days_left <= d]
    return min(due) if due else None


def follow_on(end: date, client_opportunities: Iterable[Opportunity]) -> Opportunity | None:
    """The largest open, not omitted opportunity closing no later than ``FOLLOW_ON_DAYS`` after ``end``."""
    limit = end + timedelta(days=FOLLOW_ON_DAYS)
    found = [o for o in client_opportunities if o.counts and o.close_date <= limit]
    return max(found, key=lambda o: (o.amount, -(o.id or 0)), default=None)


def should_escalate(days_left: int, renewal: Renewal | None, follow: Opportunity | None) -> bool:
    """14 days or fewer before the deadline (not past it), no decision, nothing in the pipeline."""
    decided = renewal is not None and renewal.decision is not None
    return 0 <= days_left <= ESCALATE_DAYS and not decided and follow is None
