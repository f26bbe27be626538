"""The figures at the edges: a spent budget says when it ran out, and a client's answer names the
project that makes it red (issue 12, "The numbers at the edges")."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from domain.model import Source, TimeEntry
from tests.handlers.world import TZ, World, fact, seed


@pytest.fixture
def world(uow_factory) -> World:  # type: ignore[no-untyped-def]
    return seed(uow_factory)


def test_a_spent_project_says_the_day_its_cumulative_burn_reached_the_budget(world: World) -> None:
    # acme-app: 4,000 budget, 7h x 100 on 2, 3, 4, 5, 6 and 9 Nov -> 3,500 by the 6th, 4,200 by the 9th.
    reply = world.say("budget acme-app")
    assert fact(reply, "Ran out on") == "Mon 09 Nov 2026"
    assert "Runs out on" not in [f.label for f in reply.facts]


def test_ran_out_on_counts_expenses_and_ignores_entries_after_today(world: World) -> None:
    with world.uow_factory() as uow:
        from domain.model import Expense
        uow.entries.add_expense(Expense(None, world.ids["acme-app"], date(2026, 11, 4), Decimal("1500"), "licence"))
        uow.commit()
    # 2,100 of hours by the 4th + 1,500 expense = 3,600; the 5th brings 4,300 >= 4,000.
    assert fact(world.say("budget acme-app"), "Ran out on") == "Thu 05 Nov 2026"
    # Seen from 3 Nov (before it ran out): no "ran out", and never a date in the past.
    earlier = world.say("budget acme-app", now=datetime(2026, 11, 3, 12, 0, tzinfo=ZoneInfo(TZ)))
    labels = [f.label for f in earlier.facts]
    assert "Ran out on" not in labels
    runs_out = fact(earlier, "Runs out on")
    assert runs_out == "not before the end" or datetime.strptime(runs_out, "%a %d %b %Y").date() >= date(2026, 11, 3)


def test_a_client_names_the_project_that_sets_its_rag_and_its_earliest_run_out(world: World) -> None:
    reply = world.say("budget acme")
    assert reply.summary.startswith("Red: acme-app is over budget")
    assert "acme-web" not in reply.summary
    assert fact(reply, "Earliest run-out") == "Mon 09 Nov 2026 (acme-app)"
    assert "Runs out on" not in [f.label for f in reply.facts]


def test_a_client_with_one_spent_project_names_it_and_the_day_it_ran_out(world: World) -> None:
    # globex-brand (20,000) gets 2,100 a day from 1 Oct: 21,000 by the 10th, reached on the 10th.
    with world.uow_factory() as uow:
        uow.entries.add_many([
            TimeEntry(None, world.ids["jane"], world.ids["globex-brand"], date(2026, 10, d), Decimal("21"),
                      Decimal("100"), Decimal("60"), "", Source.IMPORT)
            for d in range(1, 11)
        ])
        uow.commit()
    reply = world.say("budget globex", who="drew@example.com")
    assert reply.summary.startswith("Red: globex-brand is over budget")
    assert fact(reply, "Earliest run-out") == "Sat 10 Oct 2026 (globex-brand)"
