"""Stand-ups on a pinned clock: asked at each participant's own 09:30, never on a day off or a holiday,
one report with every answer and the non-answers, late answers in its thread, blockers to the manager
and, unhandled after a working day, to the director."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import datetime, timedelta

from bot.delivery import Deliverer
from bot.scheduler import Duties
from domain.model import OutboxMessage
from tests.handlers.world import World
from tests.standups.conftest import LONDON, NY, steps
from tests.support.slack_history import HistorySlack

MONDAY = datetime(2026, 11, 16, 0, 0, tzinfo=NY)


def rows(world: World, prefix: str = "standup:") -> dict[str, OutboxMessage]:
    with world.uow_factory() as uow:
        return {m.key: m for m in uow.outbox.with_key_prefix(prefix)}


def run(world: World, start: datetime, end: datetime, replicas: int = 2) -> None:
    duties = [Duties(world.uow_factory) for _ in range(replicas)]
    for t in steps(start, end):
        for d in duties:
            d.queue_standups(t)


def test_london_and_new_york_are_each_asked_once_at_0930_their_time_and_nobody_on_time_off(world: World) -> None:
    run(world, MONDAY - timedelta(hours=1), MONDAY + timedelta(hours=12))
    asks = rows(world, "standup:ask:")
    jane, mia, fred = (world.ids[k] for k in ("jane", "mia", "fred"))
    assert set(asks) == {f"standup:ask:{jane}:2026-11-16", f"standup:ask:{mia}:2026-11-16"}  # Fred is off
    london = asks[f"standup:ask:{jane}:2026-11-16"]
    new_york = asks[f"standup:ask:{mia}:2026-11-16"]
    assert london.created_at.astimezone(LONDON).strftime("%a %H:%M") == "Mon 09:30"
    assert new_york.created_at.astimezone(NY).strftime("%a %H:%M") == "Mon 09:30"
    assert london.person_id == jane and "Anything blocking you?" in london.payload["summary"]
    assert [a["command"] for a in london.payload["actions"]] == ["standup answer"]
    assert f"standup:ask:{fred}:2026-11-16" not in asks


def test_the_report_posts_once_at_its_time_with_every_answer_and_the_non_answers(world: World) -> None:
    run(world, MONDAY + timedelta(hours=4), MONDAY + timedelta(hours=10))  # London asked at 04:30 NY
    reply = world.say("standup did homepage review +3h acme-web; doing checkout flow; blocked nothing",
                      who="jane@example.com", now=MONDAY + timedelta(hours=10))
    assert reply.ok, reply.summary
    assert any(f.label == "Hours logged" and f.value.startswith("3h on acme-web for Fri 13 Nov") for f in reply.facts)
    run(world, MONDAY + timedelta(hours=10), MONDAY + timedelta(hours=14))
    reports = rows(world, "standup:report:")
    assert len(reports) == 1
    (report,) = reports.values()
    assert report.channel == "C0ACMEWEB"
    assert report.created_at.astimezone(NY).strftime("%H:%M") == "11:30"
    sections = {s["title"]: s["lines"] for s in report.payload["sections"]}
    assert sections["Jane Designer"][:3] == ["Did: homepage review +3h acme-web", "Doing: checkout flow",
                                             "Blocked: nothing"]
    assert sections["No answer yet"] == ["Mia Manager: no answer yet"]
    assert sections["Away"] == ["Fred Finance (time off: dentist and a long weekend)"]
    assert report.payload["summary"].startswith("1 of 2 answered")
    reminders = rows(world, "standup:remind:")
    assert list(reminders) == [f"standup:remind:{world.ids['mia']}:2026-11-16"]  # Jane had answered
    assert reminders[f"standup:remind:{world.ids['mia']}:2026-11-16"].created_at.astimezone(NY).strftime(
        "%H:%M") == "11:00"


def test_a_second_answer_replaces_the_first(world: World) -> None:
    at = MONDAY + timedelta(hours=9, minutes=40)
    assert world.say("standup did a; doing b; blocked nothing", who="mia@example.com", now=at).ok
    second = world.say("standup did a and c; doing d; blocked nothing", who="mia@example.com", now=at)
    assert second.title == "Stand-up answer replaced"
    shown = world.say("standup", who="mark@example.com", channel="C0ACMEWEB", now=at)
    assert {s.title: s.lines for s in shown.sections}["Mia Manager"][0] == "Did: a and c"


def test_a_half_answer_is_refused_with_the_form(world: World) -> None:
    reply = world.say("standup did homepage", who="mia@example.com", now=MONDAY + timedelta(hours=10))
    assert not reply.ok and "doing, blocked" in reply.summary and "Example: `standup did" in reply.summary


def test_a_late_answer_lands_as_a_thread_reply_on_the_report(world: World, slack: HistorySlack,
                                                              deliverer: Deliverer) -> None:
    run(world, MONDAY + timedelta(hours=11), MONDAY + timedelta(hours=11, minutes=35))
    asyncio.run(deliverer.drain(MONDAY + timedelta(hours=11, minutes=35)))
    report_post = next(c for c in slack.of("chat.postMessage") if c.body.get("channel") == "C0ACMEWEB")
    report_ts = next(m["ts"] for m in slack.history["C0ACMEWEB"])
    assert "Stand-up" in report_post.body["text"]
    late = MONDAY + timedelta(hours=12)
    assert world.say("standup did review; doing release; blocked nothing", who="mia@example.com", now=late).ok
    asyncio.run(deliverer.drain(late))
    posts = [c for c in slack.of("chat.postMessage") if c.body.get("channel") == "C0ACMEWEB"]
    assert len(posts) == 2
    assert posts[1].body.get("thread_ts") == report_ts and "Late answer" in posts[1].body["text"]


def test_a_blocker_reaches_the_manager_and_escalates_to_the_director_after_a_working_day(world: World) -> None:
    monday_10 = MONDAY + timedelta(hours=10)
    reply = world.say("standup did wireframes; doing checkout; blocked waiting on client assets for acme-web",
                      who="jane@example.com", now=monday_10)
    assert any(f.label == "Blocker sent to" and f.value == "Mark Manager" for f in reply.facts), reply
    (ping,) = rows(world, "standup:blocker:").values()
    assert ping.person_id == world.ids["mark"]
    assert [a["label"] for a in ping.payload["actions"]] == ["I'll handle it", "Escalate"]
    duties = Duties(world.uow_factory)
    duties.sweep_escalations(MONDAY + timedelta(days=1, hours=17, minutes=55))  # Tuesday 17:55: not yet
    assert not [k for k in rows(world, "escalation:") if rows(world, "escalation:")[k].payload["title"]
                .find("Blocker") >= 0]
    duties.sweep_escalations(MONDAY + timedelta(days=1, hours=18, minutes=5))  # end of Mark's next working day
    escalations = [m for m in rows(world, "escalation:").values() if "Blocker nobody handled" in m.payload["title"]]
    assert len(escalations) == 1 and escalations[0].person_id == world.ids["dana"]
    assert "waiting on client assets" in escalations[0].payload["summary"]
    blocker_id = ping.payload["subject"].split(":")[1]
    handled = world.say(f"standup handle B{blocker_id}", who="mark@example.com",
                        now=MONDAY + timedelta(days=1, hours=19))
    assert handled.ok, handled.summary
    with world.uow_factory() as uow:
        assert not [e for e in uow.escalations.list_open() if e.rule == "standup_blocker"]  # closed itself
    again = world.say(f"standup handle B{blocker_id}", who="dana@example.com", now=MONDAY + timedelta(days=1, hours=20))
    assert again.title.endswith("already handled")


def test_nobody_is_asked_on_a_public_holiday_of_their_own_calendar(world: World) -> None:
    thanksgiving = datetime(2026, 11, 26, 0, 0, tzinfo=NY)
    run(world, thanksgiving, thanksgiving + timedelta(hours=13), replicas=1)
    asks = rows(world, "standup:ask:")
    assert set(asks) == {f"standup:ask:{world.ids[k]}:2026-11-26" for k in ("jane", "fred")}  # Mia: US holiday
    (report,) = rows(world, "standup:report:").values()
    away = {s["title"]: s["lines"] for s in report.payload["sections"]}["Away"]
    assert away == ["Mia Manager (holiday: Thanksgiving Day)"]


def test_a_week_across_the_end_of_london_summer_time_asks_at_0930_london_every_working_day(
        uow_factory: object) -> None:
    from tests.standups.conftest import standup_world

    start = datetime(2026, 10, 21, 18, 0, tzinfo=NY)
    world = standup_world(uow_factory, set_at=start)  # type: ignore[arg-type]
    run(world, start, start + timedelta(days=8), replicas=1)
    jane = world.ids["jane"]
    asks = sorted((m for m in rows(world, f"standup:ask:{jane}:").values()), key=lambda m: m.created_at)
    local = [m.created_at.astimezone(LONDON) for m in asks]
    assert [f"{t:%a %d %H:%M %Z}" for t in local] == [
        "Thu 22 09:30 BST", "Fri 23 09:30 BST",  # clocks go back on Sunday 25 October
        "Mon 26 09:30 GMT", "Tue 27 09:30 GMT", "Wed 28 09:30 GMT", "Thu 29 09:30 GMT"]
    assert Counter(m.key for m in asks) == Counter({m.key: 1 for m in asks})
