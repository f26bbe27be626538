"""The demo makes money owed visible: a client paying on time, one 45 days late with a promise, one 95 days
late while a request for it waits for approval."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.clock import FixedClock
from domain.model import Source
from domain.ports import UnitOfWorkFactory
from handlers.context import Caller, Context
from handlers.demo import load_demo
from handlers.dispatch import handle
from handlers.reply import Reply

NOW = datetime(2026, 11, 18, 9, 0, tzinfo=ZoneInfo("America/New_York"))


def say(uow_factory: UnitOfWorkFactory, line: str, who: str) -> Reply:
    return handle(Context(uow_factory=uow_factory, clock=FixedClock(NOW), caller=Caller(email=who),
                          source=Source.SHELL, is_direct=True), line)


def test_the_demo_shows_a_good_payer_a_promise_and_a_debtor_with_a_request_waiting(
        uow_factory: UnitOfWorkFactory) -> None:
    assert load_demo(uow_factory, FixedClock(NOW)).ok
    ar = say(uow_factory, "ar all", "fiona@example.com")
    lines = ar.sections[0].lines
    assert lines[0].startswith("initech · Initech: $49,500 · $40,000 overdue · $40,000 over 60 days · oldest 95d")
    assert lines[1].startswith("globex · Globex: $18,400 · $12,400 overdue · oldest 45d")
    assert lines[2] == "acme · Acme Corp: $16,000"  # nothing overdue: pays on time
    globex = say(uow_factory, "ar globex", "drew@example.com")
    assert "promised Mon 23 Nov 2026" in globex.sections[0].lines[0]
    approvals = say(uow_factory, "approvals", "dana@example.com")
    waiting = next(s for s in approvals.sections if "Training Programme" in s.title)
    assert "⚠ Initech owes $40,000, 95 days overdue" in waiting.lines
