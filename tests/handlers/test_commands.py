"""Every command line through the real dispatcher on a real database: what it answers, what it
writes, and that a bad or refused line writes nothing."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from domain.model import AllocationState, Rag, ScopeState
from handlers.reply import Severity
from tests.handlers.world import TZ, World, fact, seed


@pytest.fixture
def world(uow_factory) -> World:  # type: ignore[no-untyped-def]
    return seed(uow_factory)


def audit_count(world: World) -> int:
    with world.uow_factory() as uow:
        return len(uow.audit.list(limit=10_000))


# --- budget ---------------------------------------------------------------------------------


def test_budget_of_a_project_shows_every_figure_of_the_worked_example(world: World) -> None:
    reply = world.say("budget acme-web")
    assert reply.ok, reply.summary
    assert fact(reply, "Budget") == "$10,000"
    assert fact(reply, "Burned") == "$5,000 (50.0%)"
    assert fact(reply, "Time elapsed") == "50.0%"
    assert fact(reply, "Weekly burn") == "$1,125"
    assert fact(reply, "Forecast at completion") == "$7,410.71"
    assert fact(reply, "Variance") == "+$2,589.29 (under budget)"
    assert fact(reply, "Runs out on") == "not before the end"
    assert fact(reply, "Margin") == "$1,800 (36.0%)"
    assert fact(reply, "Hours") == "45h of 100h"
    assert reply.summary.startswith("Green")


def test_budget_of_a_client_lists_each_project_and_the_total(world: World) -> None:
    reply = world.say("budget Acme Corporation")
    assert reply.ok, reply.summary
    assert reply.title == "Acme Corp — 2 projects"
    # 5,000 + 4,200 burned of 10,000 + 4,000.
    assert fact(reply, "Burned") == "$9,200 (65.7%)"
    assert fact(reply, "Budget") == "$14,000"
    assert reply.summary.startswith("Red")  # acme-app is over budget
    lines = reply.sections[0].lines
    assert lines[0].startswith("[Red] acme-app") and lines[1].startswith("[Green] acme-web")


def test_budget_by_name_or_alias_is_case_insensitive(world: World) -> None:
    assert world.say("budget WEBSITE RELAUNCH").title == "Acme Corp · Website Relaunch (acme-web)"


def test_budget_of_an_unknown_name_suggests_the_closest(world: World) -> None:
    reply = world.say("budget acme-wbe")
    assert reply.severity is Severity.ERROR
    assert "acme-web" in reply.summary and "Example: `budget acme`" in reply.summary


def test_budget_is_refused_to_a_member_naming_who_can(world: World) -> None:
    reply = world.say("budget acme-web", who="jane@example.com")
    assert reply.severity is Severity.ERROR
    assert "Only Dana Director or Mark Manager, finance or an admin" in reply.summary


def test_a_manager_sees_only_their_projects_of_a_client(world: World) -> None:
    reply = world.say("budget acme", who="mark@example.com")
    assert reply.title == "Acme Corp — 1 project"
    assert "1 more project you can't see" in reply.footer


def test_budget_of_a_client_runs_a_fixed_number_of_statements(uow_factory, count_statements) -> None:  # type: ignore[no-untyped-def]
    small = seed(uow_factory, extra_projects=2, entries_per_project=2)
    with count_statements(uow_factory.engine) as few:
        assert small.say("budget acme").ok
    big = seed_more(small, 20, 20)  # ten times the projects and entries
    with count_statements(uow_factory.engine) as many:
        reply = big.say("budget acme")
    assert reply.title == "Acme Corp — 24 projects"
    assert many.count == few.count


def seed_more(world: World, projects: int, entries: int) -> World:
    from decimal import Decimal

    from domain.model import Project, Source, TimeEntry

    with world.uow_factory() as uow:
        for n in range(projects):
            p = uow.projects.add(Project(None, f"acme-more{n}", f"More {n}", world.ids["acme"], Decimal("1000"),
                                         date(2026, 11, 1), date(2026, 12, 31), world.ids["mark"]))
            uow.entries.add_many([
                TimeEntry(None, world.ids["jane"], p.id or 0, date(2026, 11, 1 + e % 14), Decimal("1"),
                          Decimal("100"), Decimal("60"), "", Source.IMPORT)
                for e in range(entries)
            ])
        uow.commit()
    return world


# --- status ---------------------------------------------------------------------------------


def test_status_is_logged_by_the_manager_and_read_by_anyone(world: World) -> None:
    logged = world.say("status acme-web amber waiting on assets", who="mark@example.com")
    assert logged.severity is Severity.SUCCESS and logged.title == "Website Relaunch is Amber"
    read = world.say("status acme-web", who="jane@example.com")
    assert read.title == "Website Relaunch is Amber"
    assert "waiting on assets" in read.summary
    with world.uow_factory() as uow:
        events = uow.audit.list(subject="project:acme-web")
    assert [(e.action, e.actor_id) for e in events] == [("status.logged", world.ids["mark"])]


def test_status_with_a_bad_colour_or_no_note_writes_nothing(world: World) -> None:
    before = audit_count(world)
    bad = world.say("status acme-web purple hmm", who="mark@example.com")
    assert bad.severity is Severity.ERROR and "green, amber or red" in bad.summary
    empty = world.say("status acme-web red", who="mark@example.com")
    assert empty.severity is Severity.ERROR and "Example:" in empty.summary
    assert audit_count(world) == before
    with world.uow_factory() as uow:
        assert uow.statuses.history(world.ids["acme-web"]) == []


def test_status_logging_is_refused_to_someone_off_the_project(world: World) -> None:
    reply = world.say("status acme-app red on fire", who="jane@example.com")
    assert reply.severity is Severity.ERROR and "Only Mia Manager or Dana Director" in reply.summary


# --- hours ----------------------------------------------------------------------------------


def test_hours_are_logged_with_the_persons_rates_and_a_free_text_date(world: World) -> None:
    reply = world.say("hours acme-web 2.5 on last friday design review", who="jane@example.com")
    assert reply.ok, reply.summary
    assert fact(reply, "Date") == "Fri 13 Nov 2026"
    assert fact(reply, "Value") == "$250"
    assert reply.summary == "design review"


def test_a_manager_logs_hours_for_someone_else(world: World) -> None:
    reply = world.say("hours acme-web 3 for jane yesterday", who="mark@example.com")
    assert reply.ok and reply.title == "Logged 3h on Website Relaunch for Jane Designer"


@pytest.mark.parametrize(
    ("line", "date", "note"),
    [
        ("hours acme-web 2 worked on homepage", "Sun 15 Nov 2026", "worked on homepage"),
        ("hours acme-web 2 prep for client demo", "Sun 15 Nov 2026", "prep for client demo"),
        ("hours acme-web 2 yesterday", "Sat 14 Nov 2026", ""),
        ("hours acme-web 2 last friday design review", "Fri 13 Nov 2026", "design review"),
        ("hours acme-web 2 2026-11-10 workshop", "Tue 10 Nov 2026", "workshop"),
        ("hours acme-web 2 on monday about scope", "Mon 09 Nov 2026", "about scope"),
        ("hours acme-web 2 friday deploy prep", "Sun 15 Nov 2026", "friday deploy prep"),
    ],
)
def test_for_and_on_are_read_only_where_the_grammar_puts_them(world: World, line: str, date: str,
                                                               note: str) -> None:
    reply = world.say(line, who="jane@example.com")
    assert reply.ok, reply.summary
    assert (fact(reply, "Date"), reply.summary) == (date, note)


def test_the_person_and_the_date_may_come_in_either_order(world: World) -> None:
    one = world.say("hours acme-web 3 for jane yesterday design", who="mark@example.com")
    other = world.say("hours acme-web 3 on yesterday for jane design", who="mark@example.com")
    for reply in (one, other):
        assert reply.title == "Logged 3h on Website Relaunch for Jane Designer"
        assert (fact(reply, "Date"), reply.summary) == ("Sat 14 Nov 2026", "design")


def test_a_member_cannot_log_hours_for_someone_else(world: World) -> None:
    before = world.say("budget acme-web")
    reply = world.say("hours acme-web 3 for mark", who="jane@example.com")
    assert reply.severity is Severity.ERROR and "only managers, directors or admins" in reply.summary
    assert world.say("budget acme-web").facts == before.facts


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("hours acme-web", "How many hours"),
        ("hours acme-web lots", "not a number of hours"),
        ("hours acme-web 0", "more than zero"),
        ("hours acme-web 30", "more than a day holds"),
        ("hours acme-web 2 on the blue moon", "as a date"),
        ("hours nowhere 2", "I don't know a project"),
    ],
)
def test_hours_error_paths_say_what_was_wrong_with_an_example(world: World, line: str, words: str) -> None:
    reply = world.say(line, who="jane@example.com")
    assert reply.severity is Severity.ERROR
    assert words in reply.summary and "Example:" in reply.summary


# --- scope ----------------------------------------------------------------------------------


def test_scope_creep_is_flagged_and_approved_once_as_a_change_order(world: World) -> None:
    flagged = world.say("scope acme-web extra landing page +10h +$500", who="mark@example.com")
    assert flagged.ok, flagged.summary
    sid = flagged.subject.split(":")[1]  # type: ignore[union-attr]
    assert fact(flagged, "Impact") == "+$500 and +10h ≈ $1,000"
    assert [a.command for a in flagged.actions] == [f"approve S{sid}", f"absorb S{sid}", f"reject S{sid}"]
    assert fact(world.say("budget acme-web"), "Scope changes") == "1 waiting (+$1,500)"

    approved = world.say(f"approve S{sid} signed", who="dana@example.com")
    assert approved.severity is Severity.SUCCESS and "approved as a change order" in approved.title
    again = world.say(f"reject S{sid}", who="ada@example.com")
    assert again.severity is Severity.WARNING and "Already approved by Dana Director" in again.summary
    # The change order adds 500 + 10h x 100 to the budget, once.
    assert fact(world.say("budget acme-web"), "Budget") == "$11,500 (incl. +$1,500 approved scope)"
    with world.uow_factory() as uow:
        change = uow.scope.get(int(sid))
    assert change is not None and change.state is ScopeState.APPROVED and change.decided_by == world.ids["dana"]


def test_only_the_director_decides_scope(world: World) -> None:
    sid = world.say("scope acme-web new CMS plugin +4500", who="mark@example.com").subject.split(":")[1]  # type: ignore[union-attr]
    refused = world.say(f"absorb S{sid}", who="mark@example.com")
    assert refused.severity is Severity.ERROR and "Only Dana Director or an admin" in refused.summary
    assert world.say("scope acme-web").title == "Website Relaunch: 1 open scope change"


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("scope acme-web +40h", "Describe the change"),
        ("scope acme-web extra page +4x", "is not an impact"),
        ("scope", "Name a project"),
    ],
)
def test_scope_error_paths(world: World, line: str, words: str) -> None:
    reply = world.say(line, who="mark@example.com")
    assert reply.severity is Severity.ERROR and words in reply.summary


# --- assign and approvals -------------------------------------------------------------------


def test_an_allocation_over_capacity_is_accepted_listing_the_weeks(world: World) -> None:
    first = world.say("assign jane acme-web 20h/week from 2026-11-16 until 2026-11-29", who="mark@example.com")
    assert first.ok, first.summary
    aid = first.subject.split(":")[1]  # type: ignore[union-attr]
    assert world.say(f"approve A{aid}").ok
    # Jane has 32h capacity: 20 approved + 16 requested = 36 in the two overlapping weeks.
    second = world.say("assign jane@example.com acme-app 50% from 2026-11-23 until 2026-12-06",
                       who="mark@example.com")
    assert second.ok
    over = [s for s in second.sections if s.title.startswith("Over capacity")]
    assert over and over[0].lines == ("2026-W48 (week of 23 Nov): 36h of 32h, over by 4h",)
    assert "Waiting for Dana Director" in second.summary


def test_an_allocation_is_decided_once_whoever_clicks(world: World) -> None:
    aid = world.say("assign jane acme-web 10h/week", who="mark@example.com").subject.split(":")[1]  # type: ignore[union-attr]
    waiting = world.say("approvals")
    assert waiting.title == "1 waiting for your decision"
    assert world.say(f"approve A{aid} go").summary.startswith("Approved by Dana Director")
    second = world.say(f"reject A{aid}", who="ada@example.com")
    assert second.severity is Severity.WARNING and "Already approved" in second.summary
    third = world.say(f"approve A{aid}")
    assert third.severity is Severity.WARNING
    with world.uow_factory() as uow:
        a = uow.allocations.get(int(aid))
        actions = [e.action for e in uow.audit.list(subject=f"allocation:{aid}")]
    assert a is not None and a.state is AllocationState.APPROVED
    assert sorted(actions) == ["allocation.approved", "allocation.requested"]
    assert world.say("approvals").title == "Nothing waits for your decision"


def test_a_member_cannot_request_and_another_director_cannot_decide(world: World) -> None:
    refused = world.say("assign mark acme-web 10h/week", who="jane@example.com")
    assert refused.severity is Severity.ERROR and "ask your manager" in refused.summary
    aid = world.say("assign jane acme-web 10h/week", who="mark@example.com").subject.split(":")[1]  # type: ignore[union-attr]
    other = world.say(f"approve A{aid}", who="drew@example.com")
    assert other.severity is Severity.ERROR and "Only Dana Director or an admin" in other.summary


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("assign jane", "Say who, on which project"),
        ("assign nobody acme-web 10h/week", "I don't know anyone"),
        ("assign jane acme-web lots", "not hours per week"),
        ("assign jane acme-web 10h/week from 2026-12-10 until 2026-12-01", "ends"),
        ("assign jane acme-web 0h", "more than zero"),
    ],
)
def test_assign_error_paths(world: World, line: str, words: str) -> None:
    reply = world.say(line, who="mark@example.com")
    assert reply.severity is Severity.ERROR and words in reply.summary, reply.summary


@pytest.mark.parametrize(("line", "words"), [("approve", "Which request"), ("approve 12", "not a request id"),
                                              ("approve A999", "no allocation request A999"),
                                              ("absorb A1", "Only scope changes")])
def test_decision_error_paths(world: World, line: str, words: str) -> None:
    world.say("assign jane acme-web 10h/week", who="mark@example.com")
    reply = world.say(line)
    assert reply.severity is Severity.ERROR and words in reply.summary, reply.summary


# --- digest, escalations, help, identity ----------------------------------------------------


def test_digest_is_scheduled_shown_and_stopped_for_a_channel(world: World) -> None:
    unscheduled = world.say("digest", channel="C0ACMEWEB")
    assert unscheduled.title == "No digest scheduled for this channel"
    assert f"`digest at 09:00 {TZ} weekdays`" in unscheduled.summary and "acme-web" in unscheduled.summary
    scheduled = world.say("digest at 9:15 Europe/London weekdays", channel="C0ACMEWEB")
    assert scheduled.summary == "Every weekday at 09:15 Europe/London. Next: Mon 16 Nov 2026 09:15 GMT."
    assert world.say("digest", channel="C0ACMEWEB").summary == \
        "Every weekday at 09:15 Europe/London. Next: Mon 16 Nov 2026 09:15 GMT."
    # A new time without a timezone keeps the subscription's own: London stays London.
    assert world.say("digest at 8:30am daily", channel="C0ACMEWEB").summary == \
        "Every day at 08:30 Europe/London. Next: Mon 16 Nov 2026 08:30 GMT."
    assert world.say("digest off", channel="C0ACMEWEB").title == "Digest stopped"
    bad = world.say("digest at 25:00", channel="C0ACMEWEB")
    assert bad.severity is Severity.ERROR and "Example: `digest at 09:15" in bad.summary
    with world.uow_factory() as uow:
        sub = uow.subscriptions.for_channel("C0ACMEWEB")
    assert sub is not None and not sub.active and (sub.hour, sub.minute) == (8, 30)


def test_digest_now_covers_the_channels_projects(world: World) -> None:
    world.say("status acme-web amber waiting on assets", who="mark@example.com")
    reply = world.say("digest now", channel="C0ACMEWEB")
    assert reply.summary.startswith("1 project (this channel's projects): 0 red · 0 amber · 1 green")
    titles = [s.title for s in reply.sections]
    assert "Status changes" in titles and "Ending in the next 30 days" in titles


def test_escalations_list_what_needs_a_decision(world: World) -> None:
    world.say("status acme-web red client unhappy", who="mark@example.com")
    reply = world.say("escalations")
    messages = [line for s in reply.sections for line in s.lines]
    assert any("status red: client unhappy" in m for m in messages)
    assert any("105.0% of the budget burned" in m for m in messages)  # acme-app over budget
    assert any("no status update (Mia Manager): last never" in m for m in messages)


def test_escalations_show_only_the_callers_portfolio(world: World) -> None:
    reply = world.say("escalations", who="drew@example.com")
    assert all("Globex" in s.title for s in reply.sections)


def test_an_unknown_caller_is_told_whom_to_ask(world: World) -> None:
    reply = world.say("budget acme", who="stranger@example.com")
    assert reply.title == "You're not registered"
    assert "Ada Admin (ada@example.com)" in reply.summary


def test_a_slack_identity_is_linked_to_the_person_by_email_once(world: World) -> None:
    assert world.say("approvals", who="dana@example.com", slack_id="U0DANA").ok
    assert world.say("approvals", who="", slack_id="U0DANA").ok  # the id alone is enough now
    with world.uow_factory() as uow:
        person = uow.people.by_slack_id("U0DANA")
    assert person is not None and person.email == "dana@example.com"


def test_help_lists_commands_and_explains_one(world: World) -> None:
    assert "budget <client-or-project>" in "\n".join(world.say("help").sections[0].lines)
    assert world.say("help scope").title.startswith("scope <project>")
    unknown = world.say("frobnicate now")
    assert unknown.severity is Severity.ERROR and "help" in unknown.summary


def test_the_clock_decides_today(world: World) -> None:
    later = datetime(2026, 11, 30, 12, 0, tzinfo=ZoneInfo(TZ))
    assert fact(world.say("budget acme-web", now=later), "Time elapsed") == "100.0%"
    assert world.say("budget acme-app").summary.startswith(Rag.RED.value.capitalize())


def test_projects_lists_my_projects_worst_first(world: World) -> None:
    reply = world.say("projects", who="mia@example.com")
    assert reply.title == "Your projects (2)"
    assert [s.title for s in reply.sections] == ["[Red] acme-app · Mobile App", "[Green] globex-brand · Brand Refresh"]
    assert reply.sections[0].lines[0].startswith("105.0% burned vs 50.0% elapsed · $4,200 of $4,000")
    assert world.say("projects", who="jane@example.com").title == "No projects of yours"


def test_a_team_member_sees_their_allocations_this_weeks_load_and_hours_logged(world: World) -> None:
    aid = world.say("assign jane acme-web 10h/week until 2026-12-31", who="mark@example.com").subject
    world.say(f"approve A{aid.split(':')[1]}")  # type: ignore[union-attr]
    waiting = world.say("assign jane globex-brand 30h/week from 2026-11-23", who="mia@example.com").subject
    assert waiting is not None
    reply = world.say("projects", who="jane@example.com")
    assert reply.title == "Your allocations (2)"
    # Week of Mon 9 Nov, today Sun 15 Nov: 20h + 10h on acme-web (the 20 Nov entry is not yet), 7h on acme-app.
    assert reply.summary == ("This week (from Mon 09 Nov): 10h allocated of your 32h; 37h logged so far. "
                             "(7h of it on projects you're not allocated to now.)")
    [section] = reply.sections
    assert section.lines == (
        "acme-web · Website Relaunch: 10h/week, 15 Nov → 31 Dec 2026 (approved) · 30h logged this week",
        f"globex-brand · Brand Refresh: 30h/week, 23 Nov → 28 Feb 2027 (requested A{waiting.split(':')[1]}, "
        "waiting for a decision)",
    )


def test_an_allocation_that_ended_is_no_longer_listed(world: World) -> None:
    aid = world.say("assign jane acme-web 10h/week until 2026-11-20", who="mark@example.com").subject
    world.say(f"approve A{aid.split(':')[1]}")  # type: ignore[union-attr]
    later = datetime(2026, 11, 25, 12, 0, tzinfo=ZoneInfo(TZ))
    assert world.say("projects", who="jane@example.com", now=later).title == "No projects of yours"


def test_an_escalation_is_acknowledged_once_and_the_audit_trail_says_who(world: World) -> None:
    world.say("status acme-web red client unhappy", who="mark@example.com")
    with world.uow_factory() as uow:
        [esc] = [e for e in uow.escalations.list_open([world.ids["acme-web"]]) if e.rule == "status_red"]
    first = world.say(f"ack E{esc.id}")
    assert first.severity is Severity.SUCCESS and first.subject == f"escalation:{esc.id}"
    second = world.say(f"ack E{esc.id}", who="ada@example.com")
    assert second.severity is Severity.WARNING and "Already acknowledged by Dana Director" in second.summary
    with world.uow_factory() as uow:
        events = uow.audit.list(subject=f"escalation:{esc.id}")
    assert [(e.action, e.actor_id) for e in events] == [("escalation.acknowledged", world.ids["dana"])]
    refused = world.say(f"ack E{esc.id}", who="jane@example.com")
    assert refused.severity is Severity.ERROR
