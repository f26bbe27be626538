"""Numbers that are not finite or are absurd get the usual clear message with an example, and write nothing."""

from __future__ import annotations

import pytest

from handlers.reply import Severity
from storage.uow import SqlUnitOfWorkFactory
from tests.handlers.world import World, seed


@pytest.fixture
def world(uow_factory: SqlUnitOfWorkFactory) -> World:
    return seed(uow_factory)


@pytest.mark.parametrize("line", [
    "hours acme-web 1e309",
    "hours acme-web -1e400",
    "hours acme-web 99999999999999999999999999999",
    "hours acme-web NaN",
    "hours acme-web Infinity",
    "scope acme-web a bigger site +99999999999999999999999999999999999h",
    "scope acme-web a bigger site +99999999999999999999999999999999k",
    "assign jane acme-web 999999999999999999999999999999999%",
    "assign jane acme-web 99999999999999999999999999999999h/week",
])
def test_a_non_finite_or_absurd_number_gets_a_clear_message(world: World, line: str) -> None:
    before = world.say("budget acme-web").facts
    reply = world.say(line, who="mark@example.com")
    assert reply.severity is Severity.ERROR and reply.title != "Steward hit an error", reply
    assert "Example" in str(reply.to_dict())
    assert world.say("budget acme-web").facts == before
