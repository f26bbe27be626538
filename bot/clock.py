"""Clocks: the real one, and one pinned by ``--now`` for reports, back-dated runs and tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass(frozen=True)
class FixedClock:
    at: datetime

    def __post_init__(self) -> None:
        if self.at.tzinfo is None:
            raise ValueError("a pinned clock needs a timezone-aware datetime")

    def now(self) -> datetime:
        return self.at
