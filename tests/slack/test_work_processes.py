"""The work after the ack in worker processes (``STEWARD_WORK_PROCESSES``), end to end: signed requests to
the real server, the command run in a process of its own on the same database, the answer through
``response_url``. The pool is started here while the test's threads run, so its workers are spawned."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator

import pytest

from bot.app import Steward
from bot.clock import FixedClock
from bot.server import create_app
from bot.settings import Settings
from bot.slack.app import add_routes
from bot.work import ProcessWork
from tests.handlers.world import NOW, World
from tests.slack.conftest import SECRET, Server
from tests.support.fake_slack import FakeSlack
from tests.support.serving import run_server


@pytest.fixture
def work_server(fake: FakeSlack, world: World) -> Iterator[tuple[Server, ProcessWork]]:
    settings = Settings(database_url=world.database_url, slack_bot_token="xoxb-test",  # type: ignore[attr-defined]
                        slack_signing_secret=SECRET, slack_api_url=fake.url)
    work = ProcessWork(settings, FixedClock(NOW), processes=1).start()
    steward = Steward(settings, world.uow_factory, FixedClock(NOW), work)
    url, loop, thread = run_server(create_app(steward, [add_routes]))
    yield Server(url, fake, world, steward), work
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)
    work.close()


def test_a_slash_command_is_answered_by_a_worker_process(work_server: tuple[Server, ProcessWork]) -> None:
    server, work = work_server
    [pid] = work.pids()
    assert pid != os.getpid()
    answer, key = server.command("/budget", "acme-web")
    assert answer.status_code == 200 and answer.text == ""
    [posted] = server.fake.wait_for("response_url", where=lambda c: c.body["_key"] == key, timeout=30)
    assert "Website Relaunch" in posted.body["text"]
    assert posted.body["blocks"][0]["type"] == "header"
    # The worker linked Dana's Slack id in the shared database: the server sees it.
    with server.world.uow_factory() as uow:
        dana = uow.people.by_slack_id("UDANA")
    assert dana is not None and dana.email == "dana@example.com"


def test_a_replayed_command_is_answered_once_through_the_worker(work_server: tuple[Server, ProcessWork]) -> None:
    server, _ = work_server
    server.command("/budget", "acme-web")
    server.fake.wait_for("response_url", timeout=30)
    server.fake.clear()
    # Slack would never send the same trigger twice; an attacker replaying a captured request would.
    form_n = server._n
    server._n = form_n - 1
    answer, _ = server.command("/budget", "acme-web")
    assert answer.status_code == 200
    time.sleep(1.0)
    assert server.fake.of("response_url") == []


def test_a_worker_that_dies_costs_one_answer_and_the_next_command_gets_a_new_worker(
        work_server: tuple[Server, ProcessWork]) -> None:
    server, work = work_server
    server.command("/budget", "acme-web")
    server.fake.wait_for("response_url", timeout=30)
    server.fake.clear()
    [pid] = work.pids()
    os.kill(pid, signal.SIGKILL)
    _, lost = server.command("/budget", "acme-web")
    [posted] = server.fake.wait_for("response_url", where=lambda c: c.body["_key"] == lost, timeout=30)
    assert "Steward hit an error" in posted.body["text"]
    _, key = server.command("/budget", "acme-web")
    [posted] = server.fake.wait_for("response_url", where=lambda c: c.body["_key"] == key, timeout=60)
    assert "Website Relaunch" in posted.body["text"]
    [new_pid] = work.pids()
    assert new_pid != pid
