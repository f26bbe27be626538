"""``chart … ar``, ``chart … pipeline`` and ``account``'s money panels through the handlers, on the worked
money example (tests/charts/money_worked.py: acme, today Sunday 15 Nov 2026)."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from bot.charts import DRAWER
from bot.clock import FixedClock
from domain.accounts import account_view
from domain.model import Source
from handlers import account_panels
from handlers.base import turn
from handlers.context import Caller, Context
from handlers.dispatch import handle
from handlers.reply import Reply
from storage.uow import SqlUnitOfWorkFactory
from tests.charts.money_worked import money_world
from tests.handlers.world import NOW, World


def ctx(world: World, who: str) -> Context:
    return Context(uow_factory=world.uow_factory, clock=FixedClock(NOW), caller=Caller(email=who),
                   source=Source.SHELL, is_direct=True, drawer=DRAWER)


def say(world: World, line: str, who: str = "dana@example.com") -> Reply:
    return handle(ctx(world, who), line)


@pytest.fixture
def world(uow_factory: SqlUnitOfWorkFactory) -> World:
    return money_world(uow_factory)


def test_chart_ar_of_a_client_draws_its_buckets_and_says_them_in_words(world: World) -> None:
    reply = say(world, "chart acme ar")
    assert reply.ok and reply.attachment is not None and reply.attachment.filename == "acme-ar.png"
    assert Image.open(io.BytesIO(reply.attachment.content)).size == (1280, 720)
    assert reply.attachment.alt == reply.summary == (
        "Receivables aging of Acme Corp on 15 Nov 2026: $13,500 outstanding (Current $1,300, 1–30 $1,600, "
        "31–60 $3,600, 61–90 $5,000, 90+ $2,000); 51.9% over 60 days (also owed in EUR, not converted nor drawn).")
    assert [(a.label, a.command) for a in reply.actions] == [("Receivables", "ar acme")]
    assert say(world, "chart acme-web ar").summary == reply.summary  # a project's chart is its client's
    assert say(world, "chart acme ar share").summary == reply.summary  # "share" is Slack's; moot here


def test_chart_ar_of_all_and_mine_follow_ars_scopes(world: World) -> None:
    every = say(world, "chart all ar", who="ada@example.com")
    assert every.attachment is not None and every.attachment.filename == "all-ar.png"
    assert "2 client(s) worst first: $16,000 outstanding" in every.summary
    assert every.summary.index("acme $13,500") < every.summary.index("globex $2,500")
    assert say(world, "chart ar", who="fred@example.com").summary == every.summary  # finance: all by default
    dana_all = say(world, "chart all ar")  # a director asking for all sees their own clients, and is told
    assert "acme $13,500" in dana_all.summary and "globex" not in dana_all.summary
    assert dana_all.summary.endswith("; 1 client(s) you can't see left out.")
    mine = say(world, "chart mine ar")
    assert "1 client(s)" in mine.summary and "globex" not in mine.summary
    assert say(world, "chart ar").summary == mine.summary  # a director: mine by default


def test_chart_ar_is_for_the_director_finance_and_admins(world: World) -> None:
    for who in ("jane@example.com", "mark@example.com", "drew@example.com"):
        reply = say(world, "chart acme ar", who=who)
        assert not reply.ok and reply.attachment is None
        assert "Only Dana Director, finance or an admin can see what Acme Corp owes" in reply.summary


def test_chart_pipeline_draws_the_quarter_against_quota(world: World) -> None:
    reply = say(world, "chart me pipeline")
    assert reply.ok and reply.attachment is not None and reply.attachment.filename == "me-pipeline-2026-Q4.png"
    assert reply.summary == (
        "Your pipeline for 2026-Q4 (Oct 2026 – Dec 2026) on 15 Nov 2026: closed won $50,000, commit $40,000, "
        "best case $20,000, pipeline $10,000, against a quota of $100,000 (gap $50,000, coverage 1.4×).")
    assert [(a.label, a.command) for a in reply.actions] == [("Pipeline", "pipeline me 2026-Q4")]
    acme = say(world, "chart acme pipeline")
    assert acme.summary.startswith("Pipeline of Acme Corp for 2026-Q4") and acme.summary.endswith("no quota set.")
    nxt = say(world, "chart me pipeline next quarter")
    assert nxt.summary.startswith("Your pipeline for 2027-Q1") and "pipeline $60,000" in nxt.summary
    every = say(world, "chart all pipeline", who="ada@example.com")
    assert "pipeline $109,000" in every.summary  # Globex's 99,000 counts for everyone


def test_chart_pipeline_checks_who_may_see_it(world: World) -> None:
    assert "Only finance or an admin can see everyone's pipeline" in say(world, "chart all pipeline").summary
    assert "Only Drew Director, finance or an admin can see Globex's pipeline" in \
        say(world, "chart globex pipeline").summary
    assert "Only finance or an admin can see Drew Director's pipeline" in say(world, "chart drew pipeline").summary


def test_account_shows_receivables_the_quarters_pipeline_and_the_next_renewal(world: World) -> None:
    reply = say(world, "account acme")
    assert reply.ok
    sections = {s.title: s.lines for s in reply.sections}
    assert sections["Receivables"][0] == "Outstanding $13,500 · over 60 days 51.9% ($7,000)"
    assert sections["Pipeline · 2026-Q4"] == (
        "Closed won $50,000 · Commit $40,000 · Best case $20,000 · Pipeline $10,000",
        "Open $70,000 (3 open) · weighted $44,000 · 1 won, 1 lost in 2026-Q4 (Oct 2026 – Dec 2026)")
    assert sections["Next renewal"] == (
        "Website Relaunch (acme-web): ends Mon 30 Nov 2026 · notice by Fri 20 Nov 2026 · 5 days left · no decision "
        "yet · follow-on in pipeline: Acme 2027, $60,000",)
    for who in ("ada@example.com", "fred@example.com"):
        assert {"Receivables", "Next renewal"} <= {s.title for s in say(world, "account acme", who=who).sections}


def test_the_money_panels_are_hidden_from_whoever_their_commands_refuse(world: World) -> None:
    # No such person reaches ``account`` (its own rule is the same), so the panels are asked directly.
    with world.uow_factory() as uow:
        dana, acme = uow.people.by_email("dana@example.com"), uow.clients.by_key("acme")
        assert dana is not None and acme is not None
        view = account_view(uow, dana, acme, NOW.date())
    for who in ("mark@example.com", "drew@example.com"):
        with turn(ctx(world, who)) as t:
            assert [panel(t, view) for panel in account_panels.PANELS] == [None, None, None], who
