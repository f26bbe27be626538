"""Digest occurrences across DST changes (pure: no database, no scheduler, no waiting)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from domain.digests import (
    LATE_LIMIT,
    Lateness,
    Occurrence,
    digest_key,
    lateness,
    local_instant,
    occurrences,
    window_start,
)

NY, LON = "America/New_York", "Europe/London"


def _days(zone: str, first: date, last: date, hour: int = 9, minute: int = 0) -> list[Occurrence]:
    tz = ZoneInfo(zone)
    start = datetime.combine(first, datetime.min.time(), tz)
    end = datetime.combine(last, datetime.max.time(), tz)
    return occurrences(hour, minute, zone, False, start, end)


def _stepped(zone: str, first: date, last: date, hour: int, minute: int, step: timedelta) -> list[Occurrence]:
    """What a process ticking every ``step`` finds: windows (t - step, t] chained, never overlapping."""
    tz = ZoneInfo(zone)
    t = datetime.combine(first, datetime.min.time(), tz).astimezone(UTC)
    end = datetime.combine(last, datetime.max.time(), tz).astimezone(UTC)
    found: list[Occurrence] = []
    while t < end:
        found += occurrences(hour, minute, zone, False, t, t + step)
        t += step
    return found


@pytest.mark.parametrize(("zone", "spring", "autumn"), [
    (NY, date(2026, 3, 8), date(2026, 11, 1)),
    (LON, date(2026, 3, 29), date(2026, 10, 25)),
])
def test_nine_oclock_is_nine_oclock_local_on_both_sides_of_each_change(zone: str, spring: date, autumn: date) -> None:
    for change in (spring, autumn):
        found = _days(zone, change - timedelta(days=3), change + timedelta(days=3))
        assert [o.local_date for o in found] == [change + timedelta(days=d) for d in range(-3, 4)]
        for o in found:
            local = o.due_at.astimezone(ZoneInfo(zone))
            assert (local.hour, local.minute) == (9, 0), o
        # the UTC instant moves by the change's hour across it: the wall clock does not
        offsets = {o.due_at.astimezone(ZoneInfo(zone)).utcoffset() for o in found}
        assert len(offsets) == 2


@pytest.mark.parametrize(("zone", "autumn"), [(NY, date(2026, 11, 1)), (LON, date(2026, 10, 25))])
def test_repeated_hour_fires_once_at_its_first_instant(zone: str, autumn: date) -> None:
    # 01:30 happens twice on the fall-back night; a process ticking every 5 minutes finds it once.
    found = _stepped(zone, autumn - timedelta(days=1), autumn + timedelta(days=1), 1, 30, timedelta(minutes=5))
    on_the_night = [o for o in found if o.local_date == autumn]
    assert len(on_the_night) == 1
    first = datetime(autumn.year, autumn.month, autumn.day, 1, 30, tzinfo=ZoneInfo(zone), fold=0)
    assert on_the_night[0].due_at == first.astimezone(UTC)
    assert [o.local_date for o in found] == [autumn - timedelta(days=1), autumn, autumn + timedelta(days=1)]


@pytest.mark.parametrize(("zone", "spring", "missing"), [(NY, date(2026, 3, 8), 2), (LON, date(2026, 3, 29), 1)])
def test_missing_hour_is_not_skipped_but_shifted_past_the_gap(zone: str, spring: date, missing: int) -> None:
    found = _stepped(zone, spring - timedelta(days=1), spring + timedelta(days=1), missing, 30, timedelta(minutes=5))
    assert [o.local_date for o in found] == [spring - timedelta(days=1), spring, spring + timedelta(days=1)]
    night = next(o for o in found if o.local_date == spring).due_at.astimezone(ZoneInfo(zone))
    assert (night.hour, night.minute) == (missing + 1, 30)  # 02:30 does not exist: it fires at 03:30


def test_nine_oclock_found_exactly_once_by_a_stepping_process_across_a_month_of_changes() -> None:
    for zone in (NY, LON):
        found = _stepped(zone, date(2026, 10, 20), date(2026, 11, 10), 9, 0, timedelta(minutes=7))
        dates = [o.local_date for o in found]
        assert dates == sorted(set(dates)) and len(dates) == 22


def test_weekdays_only_skips_weekends_in_the_subscriptions_timezone() -> None:
    tz = ZoneInfo("Asia/Tokyo")
    # Monday 09:00 Tokyo is Sunday 00:00 UTC: the weekday is the subscriber's, not UTC's.
    found = occurrences(9, 0, "Asia/Tokyo", True, datetime(2026, 11, 20, tzinfo=tz), datetime(2026, 11, 25, tzinfo=tz))
    assert [o.local_date.isoformat() for o in found] == ["2026-11-20", "2026-11-23", "2026-11-24"]
    assert found[1].due_at == datetime(2026, 11, 23, 0, 0, tzinfo=UTC)


def test_window_is_half_open_so_adjacent_ticks_never_both_see_an_occurrence() -> None:
    due = local_instant(date(2026, 11, 23), 9, 0, NY)
    assert occurrences(9, 0, NY, True, due - timedelta(minutes=1), due)[0].due_at == due
    assert occurrences(9, 0, NY, True, due, due + timedelta(minutes=1)) == []


def test_lateness_and_window_start() -> None:
    o = Occurrence(date(2026, 11, 23), local_instant(date(2026, 11, 23), 9, 0, NY))
    assert lateness(o, o.due_at + timedelta(minutes=1)) is Lateness.ON_TIME
    assert lateness(o, o.due_at + timedelta(minutes=50)) is Lateness.LATE
    assert lateness(o, o.due_at + LATE_LIMIT) is Lateness.SKIPPED
    now = o.due_at
    assert window_start(None, now) == now  # a new subscription never back-fills
    assert window_start(now - timedelta(days=9), now) == now - timedelta(hours=26)
    assert digest_key(12, date(2026, 11, 23)) == "digest:12:2026-11-23"


def test_naive_instants_are_refused() -> None:
    with pytest.raises(ValueError):
        occurrences(9, 0, NY, True, datetime(2026, 1, 1), datetime(2026, 1, 2))
