"""Money owed on every platform: approval cards show 60+-day debt before Approve (Slack and Teams), ``chase``
drafts and sends nothing, ``budget`` and the personal digest show what is owed, and every new line renders."""

from __future__ import annotations

import json

import pytest

from bot.slack.blocks import render as render_blocks
from bot.teams.cards import render as render_card
from domain.model import DeliveryState
from handlers.reply import Reply
from storage.uow import SqlUnitOfWorkFactory
from tests.domain.test_receivables import world
from tests.handlers.world import World, fact
from tests.teams.conftest import valid_card

DEBT = "Acme Corp owes $7,000, 91 days overdue"  # A-7 4,000 + A-8 1,000 + A-9 2,000, the oldest A-9


def queued(w: World, prefix: str) -> list[Reply]:
    with w.uow_factory() as uow:
        return [Reply.from_dict(m.payload) for m in uow.outbox.with_key_prefix(prefix)]


def _before_approve_in_slack(reply: Reply) -> None:
    blocks = render_blocks(reply).blocks
    text = json.dumps(blocks)
    assert DEBT in text
    first_approve = next(i for i, b in enumerate(blocks) if b["type"] == "actions"
                         and any(e.get("text", {}).get("text", "").startswith("Approve") for e in b["elements"]))
    first_debt = next(i for i, b in enumerate(blocks) if DEBT in json.dumps(b))
    assert first_debt < first_approve


def _before_approve_in_teams(reply: Reply) -> None:
    card = valid_card(render_card(reply))
    body = [json.dumps(b) for b in card["body"]]
    first_debt = next(i for i, b in enumerate(body) if DEBT in b)
    approve = [i for i, b in enumerate(body) if '"title": "Approve' in b]
    assert not approve or first_debt < approve[0]  # in the body before any Approve, and before the card's actions
    assert any('"title": "Approve' in json.dumps(a) for a in card.get("actions", [])) or approve


def test_an_allocation_card_for_a_client_60_days_late_shows_the_debt_before_approve(
        uow_factory: SqlUnitOfWorkFactory) -> None:
    w = world(uow_factory)
    assert w.say("assign jane acme-web 4h/week", who="mark@example.com").ok
    [card] = queued(w, "notify:allocation:")
    assert fact(card, "Money owed") == DEBT
    _before_approve_in_slack(card)
    _before_approve_in_teams(card)


def test_a_scope_change_card_shows_the_debt_and_a_client_who_pays_on_time_shows_none(
        uow_factory: SqlUnitOfWorkFactory) -> None:
    w = world(uow_factory)
    assert w.say("scope acme-web extra landing page +8h", who="mark@example.com").ok
    [card] = queued(w, "notify:scope:")
    _before_approve_in_slack(card)
    _before_approve_in_teams(card)
    assert w.say("scope globex-brand new logo +8h", who="mia@example.com").ok
    globex = [c for c in queued(w, "notify:scope:") if "Brand Refresh" in c.title]
    assert globex and all("owes" not in json.dumps(c.to_dict()) for c in globex)


def test_chase_drafts_a_reminder_for_the_caller_only_and_records_it(uow_factory: SqlUnitOfWorkFactory) -> None:
    w = world(uow_factory)
    with uow_factory() as uow:
        before = len(uow.outbox.list(states=list(DeliveryState), limit=1000))
    reply = w.say("chase a-9")
    assert reply.ok, reply.summary
    draft = "\n".join(reply.sections[0].lines)
    assert "invoice A-9 for $2,000 was due on 16 August 2026 and is now 91 days overdue" in draft
    assert "Promised payment date: ____________" in draft and draft.endswith("Dana Director")
    assert "Steward has sent nothing to Acme Corp" in reply.summary
    with uow_factory() as uow:
        assert len(uow.outbox.list(states=list(DeliveryState), limit=1000)) == before  # nothing queued to anyone
        inv = uow.invoices.get("A-9")
        assert inv is not None and inv.last_chased_at is not None
        assert [e.action for e in uow.audit.list("invoice:A-9")] == ["invoice.chased"]
    assert not w.say("chase A-9", who="mark@example.com").ok  # a manager may not chase the client's debt


def test_promise_dispute_and_paid_echo_what_was_understood(uow_factory: SqlUnitOfWorkFactory) -> None:
    w = world(uow_factory)
    promised = w.say("promise A-8 next friday")
    assert promised.ok and "as Fri 20 Nov 2026" in promised.summary
    assert not w.say("promise A-8 2026-01-01").ok  # in the past
    assert "When did" in w.say("promise A-8").summary  # the button without a date asks for one
    disputed = w.say("dispute A-5 client says the work is unfinished")
    assert disputed.ok and fact(disputed, "Disputed") == "client says the work is unfinished"
    part = w.say("paid A-9 500")
    assert part.ok and "$1,500 still owed" in part.summary
    assert not w.say("paid A-9 5000").ok  # more than is left
    full = w.say("paid A-9")
    assert full.ok and "Paid in full" in full.summary
    assert not w.say("paid A-9").ok  # paid: nothing left to pay
    assert "There is no invoice NOPE" in w.say("chase NOPE").summary


def test_budget_shows_invoiced_and_wip_for_a_project_and_outstanding_for_a_client(
        uow_factory: SqlUnitOfWorkFactory) -> None:
    w = world(uow_factory)
    project = w.say("budget acme-web")
    assert fact(project, "Invoiced to date") == "$2,350"
    assert fact(project, "Not yet invoiced (WIP)") == "$2,650"
    client = w.say("budget acme")
    assert fact(client, "Outstanding receivables") == "$13,500 ($12,200 overdue, 51.9% over 60 days); also €800"


def test_wip_lists_projects_largest_first(uow_factory: SqlUnitOfWorkFactory) -> None:
    w = world(uow_factory)
    reply = w.say("wip all", who="fred@example.com")
    assert reply.sections[0].lines[0].startswith("acme-web · Acme Corp · Website Relaunch: $2,650 not invoiced")
    assert fact(reply, "Not invoiced (WIP)") == "$2,650"  # acme-app's is 0; globex has no burn


def test_the_personal_digest_has_a_money_owed_section_and_a_channel_digest_none(
        uow_factory: SqlUnitOfWorkFactory) -> None:
    w = world(uow_factory)
    mine = w.say("digest now")
    owed = next(s for s in mine.sections if s.title == "Money owed (over 30 days)")
    # Over 30 days: A-5 3,000 + A-6 600 + A-7 4,000 + A-8 1,000 + A-9 2,000 = 10,600 (E-1 is in euros).
    assert owed.lines == ("Acme Corp: $10,600, oldest 91 days overdue",)
    channel = w.say("digest now", channel="C0ACMEWEB")
    assert all(s.title != "Money owed (over 30 days)" for s in channel.sections)


LINES = ["ar", "ar acme", "ar mine", "ar all", "ar globex", "ar nope", "wip", "wip acme", "wip all", "wip acme-web",
         "chase A-9", "chase", "promise A-8 next friday", "promise A-8", "dispute A-7 wrong PO", "dispute A-6",
         "paid A-1 100", "paid A-1 lots", "help ar", "help chase"]


@pytest.mark.parametrize("who", ["dana@example.com", "mark@example.com", "fred@example.com"])
def test_every_money_line_renders_on_slack_and_teams(uow_factory: SqlUnitOfWorkFactory, who: str) -> None:
    w = world(uow_factory)
    for line in LINES:
        reply = w.say(line, who=who)
        assert reply.title, line
        assert len(render_blocks(reply).blocks) <= 50, line
        valid_card(render_card(reply))
