"""Teams turns in ``steward serve``'s worker processes (``STEWARD_WORK_PROCESSES``): a card click decided in
a process of its own on the same database, answered with the refreshed card; a worker that dies costs
that one answer, not the next."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator

import pytest

from bot.clock import FixedClock
from bot.settings import Settings
from bot.work import ProcessWork
from domain.model import AllocationState
from tests.handlers.world import NOW, World
from tests.support.fake_connector import FakeConnector
from tests.teams.conftest import TeamsServer, make_server
from tests.teams.test_e2e_actions import card_of, request_allocation, text_of


@pytest.fixture
def work_server(connector: FakeConnector, world: World) -> Iterator[tuple[TeamsServer, ProcessWork]]:
    settings = Settings(database_url=world.database_url)  # type: ignore[attr-defined]
    work = ProcessWork(settings, FixedClock(NOW), processes=1).start()
    srv, thread = make_server(world, connector, settings, work=work)
    yield srv, work
    srv.loop.call_soon_threadsafe(srv.loop.stop)
    thread.join(10)
    work.close()


def test_a_card_click_is_decided_in_a_worker_process(work_server: tuple[TeamsServer, ProcessWork]) -> None:
    server, _ = work_server
    aid = request_allocation(server)
    card = card_of(server.execute({"command": f"approve A{aid}"}))
    assert "approved" in text_of(card)
    with server.world.uow_factory() as uow:
        allocation = uow.allocations.get(aid)
    assert allocation is not None and allocation.state is AllocationState.APPROVED


def test_a_dead_teams_worker_costs_one_answer(work_server: tuple[TeamsServer, ProcessWork]) -> None:
    server, work = work_server
    aid = request_allocation(server)
    [pid] = work.pids()
    os.kill(pid, signal.SIGKILL)
    lost = server.execute({"command": f"approve A{aid}"})
    assert lost.status_code == 200 and "Steward hit an error" in lost.json()["value"]
    card = card_of(server.execute({"command": f"approve A{aid}"}))
    assert "approved" in text_of(card)
