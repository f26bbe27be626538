"""``chart``, ``account`` and ``report`` through the handlers, on the worked project
(tests/charts/worked.py: acme-web, today Sunday 15 Nov 2026)."""

from __future__ import annotations

import io
import json
import re
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from bot.charts import DRAWER
from bot.cli import main
from bot.clock import FixedClock
from domain.model import Rag, Source, StatusUpdate
from handlers.context import Caller, Context
from handlers.dispatch import handle
from handlers.reply import Attachment, Reply
from storage.uow import SqlUnitOfWorkFactory, build_uow_factory, ensure_schema
from tests.charts.worked import worked
from tests.handlers.world import NOW, TZ, World, fact

MONEY = re.compile(r"\$[\d,]+(?:\.\d\d)?")


def say(world: World, line: str, who: str = "dana@example.com", drawer: bool = True) -> Reply:
    ctx = Context(uow_factory=world.uow_factory, clock=FixedClock(NOW), caller=Caller(email=who),
                  source=Source.SHELL, is_direct=True, drawer=DRAWER if drawer else None)
    return handle(ctx, line)


@pytest.fixture
def world(uow_factory: SqlUnitOfWorkFactory) -> World:
    w = worked(uow_factory)
    web = w.ids["acme-web"]
    with uow_factory() as uow:
        at = lambda d, h: datetime(2026, 11, d, h, tzinfo=ZoneInfo(TZ))  # noqa: E731
        uow.statuses.add(StatusUpdate(None, web, Rag.GREEN, "Kick-off done, designs agreed", w.ids["mark"], at(6, 9)))
        uow.statuses.add(StatusUpdate(None, web, Rag.GREEN, "Templates 60% built", w.ids["mark"], at(10, 9)))
        uow.statuses.add(StatusUpdate(None, web, Rag.AMBER, "Waiting on the client's copy for the homepage",
                                      w.ids["mark"], at(13, 17)))
        uow.commit()
    return w


# --- chart -------------------------------------------------------------------------------------------


def test_chart_answers_with_the_png_and_says_in_words_what_it_shows(world: World) -> None:
    reply = say(world, "chart acme-web")
    assert reply.ok and reply.attachment is not None
    assert reply.attachment.filename == "acme-web-burn.png" and reply.attachment.media_type == "image/png"
    assert Image.open(io.BytesIO(reply.attachment.content)).size == (1280, 720)
    assert reply.attachment.alt == reply.summary == (
        "Burn-up of Website Relaunch (acme-web), Green: $5,000 burned of $12,000 (41.7%) with 50.0% of the time "
        "elapsed on 15 Nov 2026; run-rate forecast $7,410.71 at the end on 30 Nov 2026, $9,400 on the approved "
        "allocations; the budget lasts to the end.")


def test_chart_of_a_client_draws_its_projects(world: World) -> None:
    reply = say(world, "chart Acme Corp burn")
    assert reply.attachment is not None and reply.attachment.filename == "acme-burn.png"
    assert reply.summary == ("Acme Corp, 2 projects, % of budget burned vs % of time elapsed on 15 Nov 2026: "
                             "acme-app 105.0% vs 50.0% (Red); acme-web 41.7% vs 50.0% (Green).")


def test_the_money_charts_draw_even_when_nothing_is_owed_or_on_the_pipeline(world: World) -> None:
    # The money charts themselves are in tests/handlers/test_money_pictures.py; here no invoice nor deal exists.
    ar, pipeline = say(world, "chart acme ar"), say(world, "chart acme pipeline")
    assert ar.ok and ar.attachment is not None and ar.attachment.filename == "acme-ar.png"
    assert ar.summary == "Receivables aging of Acme Corp on 15 Nov 2026: nothing owed."
    assert pipeline.ok and pipeline.attachment is not None and "closed won $0" in pipeline.summary


def test_chart_checks_who_may_see_the_budget_and_names(world: World) -> None:
    assert "Only" in say(world, "chart acme-web", who="jane@example.com").summary
    assert say(world, "chart nowhere").title == "Not found"
    assert "Example: `chart acme-web`" in say(world, "chart").summary


def test_without_a_drawer_the_chart_answer_stands_in_words(world: World) -> None:
    reply = say(world, "chart acme-web", drawer=False)
    assert reply.ok and reply.attachment is None
    assert reply.summary.startswith("Burn-up of Website Relaunch") and "couldn't be drawn" in reply.footer


def test_budget_answers_carry_a_chart_button(world: World) -> None:
    assert ("Chart", "chart acme-web") in [(a.label, a.command) for a in say(world, "budget acme-web").actions]
    assert ("Chart", "chart acme") in [(a.label, a.command) for a in say(world, "budget acme").actions]


def test_a_reply_with_its_picture_round_trips_through_json(world: World) -> None:
    reply = say(world, "chart acme-web")
    again = Reply.from_dict(json.loads(json.dumps(reply.to_dict())))
    assert again == reply and again.attachment is not None
    assert again.attachment.content == reply.attachment.content  # type: ignore[union-attr]
    plain = Reply(title="x")
    assert Reply.from_dict(json.loads(json.dumps(plain.to_dict()))) == plain


def test_say_out_writes_the_chart_where_asked_and_says_what_it_shows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.delenv("STEWARD_TIMEZONE", raising=False)
    ensure_schema(url)
    worked(build_uow_factory(url))
    out = tmp_path / "docs" / "burn.png"
    assert main(["say", "chart acme-web", "--as", "dana@example.com", "--now", "2026-11-15T12:00",
                 "--out", str(out)]) == 0
    assert Image.open(out).size == (1280, 720)
    printed = capsys.readouterr().out
    assert f"Wrote {out}" in printed and "Burn-up of Website Relaunch (acme-web)" in printed
    monkeypatch.chdir(tmp_path)
    assert main(["say", "chart acme-web", "--as", "dana@example.com", "--now", "2026-11-15T12:00"]) == 0
    assert (tmp_path / "acme-web-burn.png").read_bytes().startswith(b"\x89PNG")


# --- account -----------------------------------------------------------------------------------------


def test_account_shows_the_client_on_one_screen_with_its_chart(world: World) -> None:
    reply = say(world, "account acme")
    assert reply.ok and reply.title == "Acme Corp — the account"
    assert fact(reply, "Budget") == "$16,000"
    assert fact(reply, "Margin") == "$3,480 (37.8%)"  # web 5,000 - 3,200; app 42h x (100 - 60)
    assert fact(reply, "Waiting decisions") == "1"
    sections = {s.title: s.lines for s in reply.sections}
    assert sections["Projects"][0].startswith("[Red] acme-app: 105.0% burned vs 50.0% elapsed")
    assert any(line.startswith("[Amber] acme-web (13 Nov, Mark Manager): Waiting on the client's copy")
               for line in sections["Latest status"])
    assert sections["Waiting for a decision (1)"][0].endswith("acme-web: Newsletter template (+8h)")
    assert reply.attachment is not None and reply.attachment.filename == "acme-burn.png"
    assert "not in Steward yet" not in reply.footer  # receivables, pipeline, renewals have their panels
    assert {"Receivables", "Pipeline · 2026-Q4", "Next renewal"} <= set(sections)


def test_account_is_for_the_director_finance_and_admins(world: World) -> None:
    for who in ("ada@example.com", "fred@example.com"):
        assert say(world, "account acme", who=who).ok
    for who in ("mark@example.com", "jane@example.com", "drew@example.com"):
        reply = say(world, "account acme", who=who)
        assert not reply.ok and "Dana Director, finance or an admin" in reply.summary
    wrong = say(world, "account acme-web")
    assert not wrong.ok and "Example: `account acme`" in wrong.summary


# --- report ------------------------------------------------------------------------------------------


def test_report_has_no_cost_rate_cost_or_margin_on_a_project_whose_margin_is_known(world: World) -> None:
    budget = say(world, "budget acme-web")
    assert fact(budget, "Margin") == "$1,800 (36.0%)"  # 5,000 burned - (45h x 60 + 500 expenses)
    internal = {"$1,800", "$3,200", "$60", "$60.00", "36.0%"}
    for line in ("report acme-web", "report acme-web last week", "report acme"):
        reply = say(world, line)
        text = " ".join([reply.title, reply.summary, reply.footer, *(f.value for f in reply.facts)])
        assert reply.ok and not reply.facts
        assert not internal & set(MONEY.findall(text) + re.findall(r"[\d.]+%", text)), line
        assert not re.search(r"margin|cost", text, re.IGNORECASE), line


def test_this_weeks_report_has_the_weeks_progress_hours_spend_scope_next_and_risks(world: World) -> None:
    text = say(world, "report acme-web").summary
    assert text.splitlines()[0] == "Website Relaunch — status for the week of 09 Nov 2026"
    assert "- Templates 60% built\n- Waiting on the client's copy for the homepage" in text
    assert "Kick-off done" not in text  # last week's
    assert "- This week: 30h, $3,000" in text  # 20h on the 10th, 10h on the 14th at 100
    assert "- To date: 45h of 100h, $5,000 of $12,000 (41.7% of the budget, 50.0% of the time)" in text
    assert "Approved:" not in text  # the landing page was approved on Sunday the 8th: last week's news
    assert "- Awaiting sign-off: Newsletter template" in text
    assert "Next\n- Waiting on the client's copy for the homepage" in text
    assert "Risks\n- Amber: Waiting on the client's copy for the homepage" in text


def test_last_weeks_report_covers_monday_to_sunday_before(world: World) -> None:
    text = say(world, "report Website Relaunch last week").summary
    assert "week of 02 Nov 2026" in text
    assert "- Kick-off done, designs agreed" in text and "Templates 60%" not in text.split("Next")[0]
    assert "- This week: 10h, $1,500" in text  # 10h on the 2nd and the 500 expense on the 5th
    assert "- Approved: Extra landing page" in text  # decided Sunday 8 Nov


def test_report_pdf_is_a_pdf_with_the_burn_up_and_the_same_text(world: World) -> None:
    reply = say(world, "report acme-web pdf")
    assert reply.attachment is not None
    assert reply.attachment.media_type == "application/pdf" and reply.attachment.filename == \
        "acme-web-status-2026-11-09.pdf"
    assert reply.attachment.content.startswith(b"%PDF")
    pages = re.findall(rb"/Type\s*/Page(?![a-zA-Z])", reply.attachment.content)
    assert len(pages) == 1  # one project's week: the text and the burn-up fit on one page
    client = say(world, "report acme last week pdf").attachment
    assert client is not None and 1 <= len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", client.content)) <= 2
    assert "Burn-up of Website Relaunch" in reply.attachment.alt
    assert reply.summary == say(world, "report acme-web").summary


def test_report_words_are_checked(world: World) -> None:
    assert "Example: `report acme-web last week`" in say(world, "report").summary
    reply = say(world, "report acme-web next week")
    assert reply.title == "Not found"  # "acme-web next week" is no project: the reply echoes what it read


def test_attachment_from_dict_tolerates_a_reply_without_one() -> None:
    picture = Attachment("a.png", b"\x89PNG", "alt")
    reply = replace(Reply(title="t"), attachment=picture)
    assert Reply.from_dict(reply.to_dict()).attachment == picture
