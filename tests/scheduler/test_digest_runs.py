"""Digest occurrences queued through the outbox: once per subscription and local date whatever the
number of replicas, late when less than 2 h late, else skipped and mentioned; "since the previous digest"."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from bot.scheduler import Duties
from domain.model import Expense, OutboxMessage
from tests.handlers.world import World

NY = ZoneInfo("America/New_York")
MON = datetime(2026, 11, 16, 8, 0, tzinfo=NY)


def subscribe(world: World, line: str = "digest at 9:00 America/New_York weekdays", channel: str | None = "C0ACMEWEB",
              who: str = "mark@example.com") -> int:
    assert world.say(line, who=who, channel=channel, now=MON - timedelta(days=1)).ok
    with world.uow_factory() as uow:
        sub = uow.subscriptions.for_channel(channel or f"dm:{who}")
    assert sub is not None and sub.id is not None
    return sub.id


def digests(world: World) -> dict[str, OutboxMessage]:
    with world.uow_factory() as uow:
        return {m.key: m for m in uow.outbox.list(limit=1000) if m.kind == "digest"}


def test_a_digest_is_queued_once_at_its_time_by_any_number_of_replicas(world: World) -> None:
    sid = subscribe(world)
    a, b = Duties(world.uow_factory), Duties(world.uow_factory)
    a.tick(MON)
    assert digests(world) == {}
    for minute in (0, 1, 5):
        a.tick(MON + timedelta(hours=1, minutes=minute))
        b.tick(MON + timedelta(hours=1, minutes=minute))
    queued = digests(world)
    assert list(queued) == [f"digest:{sid}:2026-11-16"]
    m = queued[f"digest:{sid}:2026-11-16"]
    assert m.channel == "C0ACMEWEB" and m.payload["title"].startswith("Stand-up digest")
    assert "late" not in m.payload["summary"]


def test_a_new_subscription_does_not_send_what_was_due_before_it(world: World) -> None:
    subscribe(world)
    Duties(world.uow_factory).tick(MON + timedelta(hours=1, minutes=30))  # first look at 10:30: no back-fill
    assert digests(world) == {}
    Duties(world.uow_factory).tick(MON + timedelta(days=1, hours=1))
    assert list(digests(world)) == [k for k in digests(world) if k.endswith("2026-11-17")]


def test_missed_while_down_late_under_2_hours_else_skipped_and_mentioned_next_time(world: World) -> None:
    sid = subscribe(world)
    d = Duties(world.uow_factory)
    d.tick(MON)  # up at 08:00, then down...
    d.tick(MON + timedelta(hours=2, minutes=30))  # back at 10:30: 1 h 30 late -> sent late
    late = digests(world)[f"digest:{sid}:2026-11-16"]
    assert "is late" in late.payload["summary"]
    d.tick(MON + timedelta(days=1, hours=3, minutes=1))  # Tuesday 11:01: more than 2 h -> skipped
    assert f"digest:{sid}:2026-11-17" not in digests(world)
    d.tick(MON + timedelta(days=2, hours=1))  # Wednesday 09:00: on time, and says Tuesday's was skipped
    wed = digests(world)[f"digest:{sid}:2026-11-18"]
    assert "Digest skipped on Tue 17 Nov" in wed.payload["summary"] and "is late" not in wed.payload["summary"]


def test_since_the_previous_digest_status_changes_and_worsened_budgets(world: World) -> None:
    sid = subscribe(world)
    d = Duties(world.uow_factory)
    d.tick(MON)
    d.tick(MON + timedelta(hours=1))
    world.say("status acme-web amber waiting on assets", who="mark@example.com", now=MON + timedelta(hours=5))
    with world.uow_factory() as uow:  # a big bill lands: acme-web's budget goes red
        uow.entries.add_expense(Expense(None, world.ids["acme-web"], date(2026, 11, 16), Decimal("6000"), "licences"))
        uow.commit()
    d.tick(MON + timedelta(days=1, hours=1))
    tue = digests(world)[f"digest:{sid}:2026-11-17"].payload
    titles = {s["title"]: s for s in tue["sections"]}
    assert any("waiting on assets" in line for line in titles["Status changes"]["lines"])
    worse = titles["Budget RAG worsened since the previous digest"]["lines"]
    assert worse == ["acme-web: Green → Red"]


def test_a_personal_digest_goes_to_the_director_and_covers_the_portfolio(world: World) -> None:
    subscribe(world, "digest at 8:30 daily", channel=None, who="dana@example.com")
    Duties(world.uow_factory).tick(MON)
    Duties(world.uow_factory).tick(MON + timedelta(minutes=31))
    (m,) = digests(world).values()
    assert m.person_id == world.ids["dana"] and m.channel is None
    assert "(your portfolio)" in m.payload["summary"]


def test_digest_off_stops_it(world: World) -> None:
    subscribe(world)
    Duties(world.uow_factory).tick(MON)
    world.say("digest off", who="mark@example.com", channel="C0ACMEWEB", now=MON)
    Duties(world.uow_factory).tick(MON + timedelta(hours=2))
    assert digests(world) == {}


def test_through_both_dst_changes_each_day_gets_one_digest_at_its_local_time(world: World) -> None:
    """A process ticking every 25 minutes across New York's changes: 09:00 stays 09:00, the repeated
    01:30 sends once, the missing 02:30 sends at 03:30 (not skipped)."""
    ids = {}
    for line, channel in (("digest at 9:00 daily", "C9"), ("digest at 1:30 daily", "C130"),
                          ("digest at 2:30 daily", "C230")):
        ids[channel] = subscribe(world, line, channel=channel)
    d = Duties(world.uow_factory)
    for start in (datetime(2026, 10, 31, 0, 0, tzinfo=NY), datetime(2027, 3, 13, 0, 0, tzinfo=NY)):
        t = start
        while t < start + timedelta(days=3):
            d.queue_digests(t)
            t += timedelta(minutes=25)
    with world.uow_factory() as uow:
        runs = {(sid, r.local_date.isoformat()): r.due_at.astimezone(NY)
                for sid in ids.values() for day in range(40)
                if (r := uow.digest_runs.previous(sid, date(2026, 10, 31) + timedelta(days=day + 1)))}
    by_sub = {ch: sorted({k[1]: v for k, v in runs.items() if k[0] == sid}.items()) for ch, sid in ids.items()}
    assert [d for d, _ in by_sub["C9"]] == ["2026-10-31", "2026-11-01", "2026-11-02"]
    assert all(at.hour == 9 for _, at in by_sub["C9"])
    assert [d for d, _ in by_sub["C130"]] == ["2026-10-31", "2026-11-01", "2026-11-02"]  # once on the night
    keys = list(digests(world))
    assert len(keys) == len(set(keys))
    with world.uow_factory() as uow:
        spring = uow.digest_runs.previous(ids["C230"], date(2027, 3, 15))
    assert spring is not None and spring.local_date == date(2027, 3, 14)
    assert spring.due_at.astimezone(NY).strftime("%H:%M") == "03:30"  # 02:30 does not exist that night
    assert f"digest:{ids['C230']}:2027-03-14" in keys
