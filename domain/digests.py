"""When a digest subscription is due: pure, DST-correct occurrence arithmetic (standard library only).

A subscription says "09:00 Europe/London weekdays". Each *local date* the subscription covers has
exactly one occurrence, so a digest can never be doubled (the repeated hour of a fall-back night
maps to its first instant) nor skipped (a wall-clock time that does not exist on a spring-forward
night maps to the instant just after the gap: 02:30 on a night that jumps 02:00 -> 03:00 fires at
03:30, the same elapsed time after midnight a watch would show). The scheduler's cron triggers only
wake the process; these functions decide what is due, and the database (a unique outbox key per
subscription and local date) decides who sends it.

Missed runs: an occurrence found less than ``LATE_LIMIT`` after its time is still sent (marked late
when it is more than ``LATE_AFTER`` behind); older ones are skipped and mentioned in the next digest.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain.model import DigestSubscription

LATE_LIMIT = timedelta(hours=2)  # issue 5: "sent late if less than 2 hours late, else skipped"
LATE_AFTER = timedelta(minutes=15)  # behind by more than this, the digest says it is late
LOOKBACK = timedelta(hours=26)  # how far back a restarted process looks for missed occurrences


@dataclass(frozen=True)
class Occurrence:
    """One digest a subscription owes: its local date and the UTC instant it is due."""

    local_date: date
    due_at: datetime  # timezone-aware, UTC


def local_instant(day: date, hour: int, minute: int, zone: str) -> datetime:
    """The UTC instant of wall-clock ``hour:minute`` on ``day`` in ``zone``.

    Ambiguous (repeated) times resolve to the first instant (``fold=0``). Non-existent times (in a
    spring-forward gap) are read with the offset in force before the gap, which lands just after it:
    the time is shifted forward by the gap, never dropped.
    """
    tz = ZoneInfo(zone)
    naive = datetime.combine(day, time(hour, minute))
    first = naive.replace(tzinfo=tz, fold=0)
    return first.astimezone(UTC)


def occurs_on(day: date, weekdays_only: bool) -> bool:
    """Weekday subscriptions skip Saturdays and Sundays (in the subscription's own timezone)."""
    return not weekdays_only or day.weekday() < 5


def occurrences(hour: int, minute: int, zone: str, weekdays_only: bool,
                after: datetime, until: datetime) -> list[Occurrence]:
    """Occurrences due in the half-open window ``(after, until]``, oldest first, one per local date."""
    if after.tzinfo is None or until.tzinfo is None:
        raise ValueError("occurrences need timezone-aware instants")
    if until <= after:
        return []
    tz = ZoneInfo(zone)
    # Walk local dates from a day before to a day after: offsets are at most ±14 h.
    day = after.astimezone(tz).date() - timedelta(days=1)
    last = until.astimezone(tz).date() + timedelta(days=1)
    found: list[Occurrence] = []
    while day <= last:
        if occurs_on(day, weekdays_only):
            due = local_instant(day, hour, minute, zone)
            if after < due <= until:
                found.append(Occurrence(day, due))
        day += timedelta(days=1)
    return found


def due_occurrences(sub: DigestSubscription, after: datetime, until: datetime) -> list[Occurrence]:
    """``occurrences`` for a subscription."""
    return occurrences(sub.hour, sub.minute, sub.timezone, sub.weekdays_only, after, until)


def digest_key(subscription_id: int, local_date: date) -> str:
    """The outbox key of one digest occurrence: two replicas queuing it write one row."""
    return f"digest:{subscription_id}:{local_date.isoformat()}"


class Lateness(enum.StrEnum):
    ON_TIME = "on_time"
    LATE = "late"  # send, saying it is late
    SKIPPED = "skipped"  # too late: do not send, mention it in the next digest


def lateness(occurrence: Occurrence, now: datetime) -> Lateness:
    """How to treat an occurrence found at ``now``."""
    behind = now - occurrence.due_at
    if behind >= LATE_LIMIT:
        return Lateness.SKIPPED
    if behind > LATE_AFTER:
        return Lateness.LATE
    return Lateness.ON_TIME


def signature(sub: DigestSubscription) -> str:
    """What the schedule is; when it changes (or the digest is re-enabled) the catch-up restarts from now,
    so a new or moved subscription never sends or skips occurrences from before it existed."""
    return f"{sub.hour:02d}:{sub.minute:02d} {sub.timezone} {'weekdays' if sub.weekdays_only else 'daily'}"


def window_start(checked_until: datetime | None, now: datetime) -> datetime:
    """Where to start looking for occurrences: after the last check, but never more than ``LOOKBACK`` ago
    (and from ``now`` for a subscription never checked before)."""
    if checked_until is None:
        return now
    return max(checked_until, now - LOOKBACK)


class RunState(enum.StrEnum):
    QUEUED = "queued"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class DigestRun:
    """A digest occurrence that was dealt with: queued for delivery, or skipped as too late.

    ``snapshot`` maps each covered project's key to its budget RAG at the time (queued runs only), so
    the next digest can say which budgets worsened since this one.
    """

    id: int | None
    subscription_id: int
    local_date: date
    state: RunState
    due_at: datetime
    recorded_at: datetime
    snapshot: dict[str, str]


def cron_fields(sub: DigestSubscription) -> dict[str, str]:
    """The cron fields that wake a process for this subscription (in its timezone)."""
    return {"hour": str(sub.hour), "minute": str(sub.minute),
            "day_of_week": "mon-fri" if sub.weekdays_only else "*"}
