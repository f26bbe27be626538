"""The demo walked as its director, a manager and a member: two answers about the same item never
contradict each other (issue 12, "Done when": budget, approvals, escalations, digest now, projects,
timesheet team)."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.clock import FixedClock
from domain.ports import UnitOfWorkFactory
from handlers.context import Caller, Context
from handlers.demo import load_demo
from handlers.dispatch import handle
from handlers.reply import Reply, Severity, Tone
from handlers.tone import settle

NOW = datetime(2026, 11, 18, 15, 0, tzinfo=ZoneInfo("America/New_York"))  # a Wednesday afternoon
RANK = {Tone.NONE: 0, Tone.GREEN: 1, Tone.AMBER: 2, Tone.RED: 3}
WHO = {"director": "dana@example.com", "manager": "mark@example.com", "member": "jane@example.com"}
LINES = ("budget acme", "budget globex", "budget acme-app", "budget acme-web", "approvals", "escalations",
         "digest now", "projects", "timesheet team", "timesheet")


@pytest.fixture
def walk(uow_factory: UnitOfWorkFactory) -> dict[tuple[str, str], Reply]:
    assert load_demo(uow_factory, FixedClock(NOW)).ok
    answers = {}
    for role, email in WHO.items():
        for line in LINES:
            ctx = Context(uow_factory=uow_factory, clock=FixedClock(NOW), caller=Caller(email=email),
                          channel=None, is_direct=True)
            answers[(role, line)] = handle(ctx, line)
        ctx = Context(uow_factory=uow_factory, clock=FixedClock(NOW), caller=Caller(email=email),
                      channel="C0ACMEAPP", is_direct=False)
        answers[(role, "digest now #acme-app")] = handle(ctx, "digest now")
    return answers


def _texts(reply: Reply) -> list[tuple[str, Tone]]:
    """Every line of a reply with the tone it is shown in."""
    out = [(reply.title, reply.tone), (reply.summary, reply.tone)]
    out += [(f"{f.label}: {f.value}", f.tone) for f in reply.facts]
    for s in reply.sections:
        out.append((s.title, s.tone))
        out += [(line, s.tone) for line in s.lines]
    return out


def test_no_answer_crashes_and_every_refusal_is_neutral_and_says_who_can(walk: dict[tuple[str, str], Reply]) -> None:
    for (role, line), reply in walk.items():
        assert reply.title != "Steward hit an error", (role, line)
        if reply.severity is Severity.ERROR:
            assert reply.tone is Tone.NONE and ("Only " in reply.summary or "only " in reply.summary), (role, line)


def test_every_header_is_the_worst_tone_it_lists_and_says_its_rag_word_once(
        walk: dict[tuple[str, str], Reply]) -> None:
    for key, reply in walk.items():
        assert settle(reply) == reply, key
        for word in ("Red", "Amber", "Green"):
            assert reply.summary.count(f"{word} —") + reply.summary.count(f"{word}:") <= 1, key


def test_a_project_has_one_rag_in_budget_projects_the_client_answer_and_the_digest(
        walk: dict[tuple[str, str], Reply]) -> None:
    seen: dict[str, set[str]] = {}
    for (_role, line), reply in walk.items():
        if line.startswith("budget ") and reply.ok and reply.subject and reply.subject.startswith("project:"):
            seen.setdefault(reply.subject.split(":")[1], set()).add(reply.summary.split(" ")[0].strip(":—"))
        for text, _ in _texts(reply):
            for rag, key in re.findall(r"\[(Red|Amber|Green)\] ([a-z]+-[a-z]+)\b", text):
                if "→" not in text:  # "Budget RAG worsened: Green → Amber" names two on purpose
                    seen.setdefault(key, set()).add(rag)
    assert seen, "the walk named no project"
    for key, rags in seen.items():
        assert len(rags) == 1, (key, rags)


def test_a_request_has_one_tone_and_one_capacity_answer_everywhere(walk: dict[tuple[str, str], Reply]) -> None:
    tones: dict[str, set[Tone]] = {}
    weeks: dict[str, set[int]] = {}
    for reply in walk.values():
        for section in reply.sections:
            ids = re.findall(r"\bA(\d+)\b", section.title) or [
                i for line in section.lines for i in re.findall(r"^A(\d+)[: ]", line)]
            for aid in ids:
                tones.setdefault(aid, set()).add(section.tone if section.tone is not Tone.NONE else Tone.NONE)
            if len(ids) == 1 and section.title.startswith(f"A{ids[0]} "):  # approvals: one line per week over
                weeks.setdefault(ids[0], set()).add(sum(1 for x in section.lines if x.startswith("Over capacity")))
            for line in section.lines:
                m = re.match(r"A(\d+): .* would be over capacity in (\d+) weeks?", line)
                if m:
                    weeks.setdefault(m.group(1), set()).add(int(m.group(2)))
    assert weeks, "the demo has a request over capacity"
    for aid, found in weeks.items():
        assert len(found) == 1, (aid, found)
    for aid, found in tones.items():
        assert len(found - {Tone.NONE}) <= 1, (aid, found)


def test_every_escalation_listed_has_an_id_and_an_acknowledge_button(walk: dict[tuple[str, str], Reply]) -> None:
    listed = walk[("director", "escalations")]
    assert len(listed.sections) >= 5
    for section in listed.sections:
        assert re.match(r"^E\d+ ", section.title), section.title
        assert section.actions[0].label == "Acknowledge"
    # The manager's list (their projects, some under another director) follows the same rule.
    managed = walk[("manager", "escalations")].sections
    assert managed and all(re.match(r"^E\d+ ", s.title) and s.actions[0].label == "Acknowledge" for s in managed)
    assert walk[("member", "escalations")].title == "No escalations"


def test_a_scope_change_has_one_impact_in_approvals_and_the_digest(walk: dict[tuple[str, str], Reply]) -> None:
    impacts: dict[str, set[str]] = {}
    for reply in walk.values():
        for text, _ in _texts(reply):
            for sid, impact in re.findall(r"S(\d+)\b.*?[Ii]mpact (\+[^·)]+?)(?: ·|\)|$)", text):
                impacts.setdefault(sid, set()).add(impact.strip())
    assert impacts
    for sid, found in impacts.items():
        assert len(found) == 1, (sid, found)


def test_a_members_hours_this_week_agree_in_projects_and_timesheet(walk: dict[tuple[str, str], Reply]) -> None:
    projects = walk[("member", "projects")].summary
    timesheet = walk[("member", "timesheet")]
    logged = re.search(r"; ([\d.]+)h logged so far", projects)
    total = next(f.value for f in timesheet.facts if f.label == "Total")
    assert logged is not None and total.startswith(f"{logged.group(1)}h of ")
    team = walk[("manager", "timesheet team")]
    jane = [line for line in team.sections[0].lines if line.startswith("Jane Designer:")]
    assert jane and jane[0].startswith(f"Jane Designer: {logged.group(1)}h of 32h")
