"""Answers that agree with each other and with the record: escalations that close with their item,
one tone rule, undo, timesheets, and words (issue 12, "What to deliver" 3 to 6)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from domain.model import AllocationState
from handlers.base import format_money
from handlers.reply import Reply, Severity, Tone
from tests.handlers.world import NOW, TZ, World, fact, seed


@pytest.fixture
def world(uow_factory) -> World:  # type: ignore[no-untyped-def]
    return seed(uow_factory)


def _id(reply: Reply) -> str:
    assert reply.ok and reply.subject is not None, reply
    return reply.subject.split(":")[1]


def _over_request(world: World) -> str:
    """Jane (32h) approved 20h/week on acme-app; then 20h/week requested on acme-web: 40h of 32h."""
    aid = _id(world.say("assign jane acme-app 20h/week until 2026-11-29", who="mia@example.com"))
    assert world.say(f"approve A{aid}").ok
    return _id(world.say("assign jane acme-web 20h/week until 2026-11-29", who="mark@example.com"))


def _open_escalations(world: World) -> list[tuple[str, str]]:
    with world.uow_factory() as uow:
        return [(e.rule, e.subject) for e in uow.escalations.list_open()]


# --- escalations that match the truth ------------------------------------------------------------


def test_an_escalation_about_a_request_closes_when_it_is_decided_and_a_repeat_shows_the_first_check(
        world: World) -> None:
    aid = _over_request(world)
    assert ("allocation_over_capacity", f"allocation:{aid}") in _open_escalations(world)
    first = world.say(f"approve A{aid}")
    assert first.ok and first.sections[0].title == "Over capacity in 3 weeks"
    assert ("allocation_over_capacity", f"allocation:{aid}") not in _open_escalations(world)
    listed = world.say("escalations")
    assert not any(f"A{aid}" in line for s in listed.sections for line in s.lines if "would be over" in line)
    again = world.say(f"approve A{aid}")
    assert again.severity is Severity.WARNING and again.summary.startswith("Already approved by Dana Director")
    # The capacity as it was when the decision was taken, not "within capacity" computed afterwards.
    assert again.sections[0].title == "Over capacity in 3 weeks"
    assert again.sections[0].lines == first.sections[0].lines


def test_a_pending_request_replaced_by_a_new_one_closes_its_escalation(world: World) -> None:
    aid = _over_request(world)
    newer = _id(world.say("assign jane acme-web 25h/week until 2026-11-29", who="mark@example.com"))
    subjects = [s for _, s in _open_escalations(world)]
    assert f"allocation:{aid}" not in subjects and f"allocation:{newer}" in subjects


def test_every_listed_escalation_has_an_id_and_an_acknowledge_button(world: World) -> None:
    world.say("status acme-web red client angry", who="mark@example.com")
    _over_request(world)
    listed = world.say("escalations")
    assert listed.sections
    for section in listed.sections:
        assert section.title.startswith("E"), section.title
        assert section.actions[0].label == "Acknowledge" and section.actions[0].command.startswith("ack E")


def test_only_who_may_decide_a_request_may_acknowledge_its_escalation(world: World) -> None:
    aid = _over_request(world)
    with world.uow_factory() as uow:
        [esc] = [e for e in uow.escalations.list_open() if e.subject == f"allocation:{aid}"]
    refused = world.say(f"ack E{esc.id}", who="mark@example.com")
    assert refused.severity is Severity.ERROR
    assert "only Dana Director (Acme Corp's director) or an admin can decide" in refused.summary
    assert world.say(f"ack E{esc.id}").ok  # Dana may


# --- one tone rule -------------------------------------------------------------------------------


def test_user_errors_are_neutral_and_success_is_never_red(world: World) -> None:
    for line in ("budgte acme", "hours acme-web lots", "approve X1"):
        reply = world.say(line)
        assert reply.severity is Severity.ERROR and reply.tone is Tone.NONE, line
    aid = _over_request(world)
    requested = world.say("assign jane acme-web 21h/week until 2026-11-29", who="mark@example.com")
    assert requested.ok and requested.tone is Tone.AMBER and requested.severity is Severity.WARNING
    # The same request has the same tone in approvals and in escalations.
    approvals = world.say("approvals")
    newer = _id(requested)
    [in_approvals] = [s for s in approvals.sections if s.title.startswith(f"A{newer} ")]
    escalations = world.say("escalations")
    [in_escalations] = [s for s in escalations.sections if any(f"A{newer}:" in line for line in s.lines)]
    assert in_approvals.tone is in_escalations.tone is Tone.AMBER
    assert aid != newer


def test_a_header_is_the_worst_tone_it_lists(world: World) -> None:
    _over_request(world)
    digest = world.say("digest now", channel="C0ACMEWEB")
    worst = max((s.tone for s in digest.sections), key=lambda t: ["none", "green", "amber", "red"].index(t.value))
    assert digest.tone is worst or digest.tone.value == "red"
    ranks = ["none", "green", "amber", "red"]
    assert all(ranks.index(digest.tone.value) >= ranks.index(s.tone.value) for s in digest.sections)
    budget = world.say("budget acme-web")
    assert all(ranks.index(budget.tone.value) >= ranks.index(f.tone.value) for f in budget.facts)


# --- undo ----------------------------------------------------------------------------------------


def test_undo_reverts_my_last_change_says_what_and_is_audited(world: World) -> None:
    assert world.say("undo", who="mark@example.com").title == "Nothing to undo"
    world.say("hours acme-web 3 yesterday review", who="mark@example.com")
    world.say("status acme-web amber waiting on assets", who="mark@example.com")
    sid = _id(world.say("scope acme-web extra page +8h", who="mark@example.com"))
    aid = _id(world.say("assign jane acme-web 10h/week", who="mark@example.com"))
    said = [world.say("undo", who="mark@example.com").summary for _ in range(4)]
    assert said[0].startswith("Reverted your allocation request A") and "Jane Designer on Website Relaunch" in said[0]
    assert said[1] == "Reverted your scope change S" + sid + " on Website Relaunch: “extra page”."
    assert said[2] == "Reverted your status amber on Website Relaunch: “waiting on assets”."
    assert said[3] == "Reverted your 3h on Website Relaunch, Sat 14 Nov."
    assert world.say("undo", who="mark@example.com").title == "Nothing to undo"
    with world.uow_factory() as uow:
        allocation = uow.allocations.get(int(aid))
        assert allocation is not None and allocation.state is AllocationState.CANCELLED
        assert uow.scope.get(int(sid)) is None
        assert uow.entries.totals([world.ids["acme-web"]], NOW.date())[world.ids["acme-web"]].hours == Decimal("45")
        actions = [e.action for e in uow.audit.list(limit=100)]
    assert {"allocation.undone", "scope.undone", "status.undone", "hours.undone"} <= set(actions)


def test_undo_only_reverts_my_own_changes_of_the_last_day_and_never_a_decision(world: World) -> None:
    world.say("hours acme-web 3 yesterday", who="mark@example.com")
    assert world.say("undo", who="dana@example.com").title == "Nothing to undo"
    later = NOW + timedelta(hours=25)
    assert world.say("undo", who="mark@example.com", now=later).title == "Nothing to undo"
    aid = _id(world.say("assign jane acme-web 10h/week", who="mark@example.com"))
    world.say(f"approve A{aid}")
    decided = world.say("undo", who="mark@example.com")
    assert decided.severity is Severity.ERROR and "already approved" in decided.summary


# --- timesheets and approvals ----------------------------------------------------------------------


def test_timesheet_shows_hours_per_day_and_project_with_the_total_against_capacity(world: World) -> None:
    mine = world.say("timesheet", who="jane@example.com")
    assert mine.title == "Your timesheet · week of Mon 09 Nov 2026"
    assert fact(mine, "Total") == "37h of 32h capacity"
    per_day = mine.sections[0].lines
    assert "Mon 09 Nov: 7h — acme-app 7h" in per_day and "Tue 10 Nov: 20h — acme-web 20h" in per_day
    assert "Wed 11 Nov: nothing logged" in per_day
    assert mine.sections[1].lines == ("acme-web: 30h", "acme-app: 7h") or \
        set(mine.sections[1].lines) == {"acme-web: 30h", "acme-app: 7h"}
    last = world.say("timesheet me last week", who="jane@example.com")
    assert last.title == "Your timesheet · week of Mon 02 Nov 2026" and fact(last, "Total") == "45h of 32h capacity"
    assert world.say("timesheet jane 2026-11-03", who="mark@example.com").title == \
        "Jane Designer's timesheet · week of Mon 02 Nov 2026"
    refused = world.say("timesheet mark", who="jane@example.com")
    assert refused.severity is Severity.ERROR and "your own timesheet" in refused.summary


def test_timesheet_team_lists_my_people_and_who_logged_nothing_on_a_working_day(world: World) -> None:
    team = world.say("timesheet team", who="mark@example.com")
    assert team.title == "Team timesheet · week of Mon 09 Nov 2026"
    assert team.sections[0].lines == ("Jane Designer: 37h of 32h · nothing on Wed, Thu, Fri",)
    assert "nothing logged on a working day: Jane Designer" in team.summary
    refused = world.say("timesheet team", who="jane@example.com")
    assert refused.severity is Severity.ERROR


def test_approvals_for_a_manager_lists_their_own_waiting_requests_with_how_long(world: World) -> None:
    aid = _id(world.say("assign jane acme-web 10h/week", who="mark@example.com",
                        now=NOW - timedelta(days=3)))
    reply = world.say("approvals", who="mark@example.com")
    assert reply.title == "1 request of yours waiting"
    [section] = reply.sections
    assert section.title == f"A{aid} · Jane Designer on Website Relaunch (your request)"
    assert "waiting 3 days for Dana Director" in section.lines[0]
    fresh = _id(world.say("assign jane globex-brand 5h/week", who="mark@example.com"))
    assert any(f"A{fresh} " in s.title and "waiting since today" in s.lines[0]
               for s in world.say("approvals", who="mark@example.com").sections)


# --- words ---------------------------------------------------------------------------------------


def test_a_mistyped_command_word_gets_a_did_you_mean(world: World) -> None:
    reply = world.say("budgte acme")
    assert reply.title == "Unknown command" and "Did you mean `budget acme`?" in reply.summary
    assert world.say("timeshet").summary.startswith("I don't know the command “timeshet”. Did you mean `timesheet`?")


def test_money_has_one_format_in_the_organisations_currency() -> None:
    assert format_money(Decimal("904.165"), "USD") == "$904.17"  # half up, as the domain rounds
    assert format_money(Decimal("6000"), "USD") == "$6,000"
    assert format_money(Decimal("1012.50"), "USD") == "$1,012.50"
    assert format_money(Decimal("-1200"), "EUR") == "-€1,200"
    assert format_money(Decimal("4500"), "GBP", signed=True) == "+£4,500"
    assert format_money(Decimal("123456.5"), "JPY") == "¥123,457"
    assert format_money(Decimal("99.99"), "USD", cents=False) == "$100"


def test_counts_are_plural_aware(world: World) -> None:
    aid = _over_request(world)
    with world.uow_factory() as uow:
        [esc] = [e for e in uow.escalations.list_open() if e.subject == f"allocation:{aid}"]
    assert "over capacity in 3 weeks" in esc.message and "week(s)" not in esc.message
    approvals = world.say("approvals")
    assert all("0d" not in line and "(s)" not in line for s in approvals.sections for line in s.lines)


@pytest.mark.parametrize("zone, like", [("EST", "America/New_York"), ("PST", "America/Los_Angeles"),
                                        ("CET", "Europe/Paris"), ("UTC+2", "Europe/London")])
def test_fixed_offset_timezones_are_refused_with_an_iana_example(world: World, zone: str, like: str) -> None:
    reply = world.say(f"digest at 9am {zone}", channel="C0ACMEWEB")
    assert reply.severity is Severity.ERROR and f"Use an IANA name such as {like}" in reply.summary
    with world.uow_factory() as uow:
        assert uow.subscriptions.for_channel("C0ACMEWEB") is None


def test_digest_footers_name_no_internal_ids(world: World) -> None:
    personal = world.say("digest now")
    assert personal.footer == "your personal digest" and "dm:" not in str(personal.to_dict())
    assert world.say("digest now", channel="C0ACMEWEB").footer == "this channel's digest"


def test_dates_and_times_are_said_in_one_format_with_the_timezone_named(world: World) -> None:
    aid = _id(world.say("assign jane acme-web 10h/week", who="mark@example.com"))
    world.say(f"approve A{aid}", now=datetime(2026, 11, 15, 9, 14, tzinfo=ZoneInfo(TZ)))
    again = world.say(f"approve A{aid}")
    assert "on Sun 15 Nov 2026 09:14 EST" in again.summary


def test_every_example_in_help_parses_exactly_as_shown(world: World) -> None:
    from handlers.help import COMMANDS

    for usage, _, examples in COMMANDS.values():
        for example in examples:
            # Stand-ups belong to a project channel: their examples are said in one.
            reply = world.say(example, channel="C0ACMEWEB" if example.startswith("standup") else None)
            # A missing A12 or E12 is "Not found"; a malformed line would be "Check the command".
            assert reply.title != "Check the command", (usage, example, reply.summary)
            assert reply.title != "Steward hit an error", (usage, example)


def test_a_replaced_request_updates_its_approval_card_in_place(world: World) -> None:
    from domain.model import DeliveryState

    old = _id(world.say("assign jane acme-web 10h/week", who="mark@example.com"))
    new = _id(world.say("assign jane acme-web 15h/week", who="mark@example.com"))
    key = f"update:notify:allocation:{old}:requested:{world.ids['dana']}:cancelled"
    with world.uow_factory() as uow:
        update = uow.outbox.by_key(key)
        original = uow.outbox.by_key(f"notify:allocation:{old}:requested:{world.ids['dana']}")
    assert update is not None, key
    card = Reply.from_dict(update.payload)
    assert card.title == f"Allocation A{old} replaced by A{new}"
    assert not any(a.command.startswith(("approve", "reject")) for a in card.actions)
    assert original is not None and original.state is DeliveryState.FAILED  # never sent: superseded


def test_a_status_logged_today_says_today_not_zero_days_ago(world: World) -> None:
    world.say("status acme-web green all good", who="mark@example.com")
    assert world.say("status acme-web").summary == "all good — today"
