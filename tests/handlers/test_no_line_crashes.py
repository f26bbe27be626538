"""No input line makes a handler raise or hit an internal error."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handlers.dispatch import COMMANDS
from tests.handlers.world import World, seed

WORDS = st.sampled_from([
    *COMMANDS, "acme", "acme-web", "Acme Corp", "jane", "mark@example.com", "<@U123>", "+40h", "+$4,500", "+",
    "+k", "50%", "20h/week", "on", "for", "from", "until", "yesterday", "last", "friday", "2026-13-45",
    "green", "amber", "red", "A1", "S1", "#A1", "now", "at", "off", "9:15", "25:99", "Europe/London",
    "daily", "weekdays", "1:75", "-3", "0", "1e9", "NaN", "∞", "'; drop table people;--", "", " ",
])


@pytest.fixture(scope="module")
def sqlite_world(tmp_path_factory) -> World:  # type: ignore[no-untyped-def]
    from storage.uow import build_uow_factory, ensure_schema

    url = f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'fuzz.db'}"
    ensure_schema(url)
    return seed(build_uow_factory(url))


LINES = st.one_of(
    st.lists(WORDS, min_size=1, max_size=8).map(" ".join),
    st.text(max_size=60),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(line=LINES, who=st.sampled_from(["dana@example.com", "mark@example.com", "jane@example.com", "x@y.z"]))
def test_no_line_makes_a_handler_raise(sqlite_world: World, line: str, who: str) -> None:
    reply = sqlite_world.say(line, who=who)
    assert reply.title != "Steward hit an error", (line, reply.summary)
    assert reply.title


def test_the_dispatcher_turns_a_bug_into_a_logged_error_reply(sqlite_world: World, caplog) -> None:  # type: ignore[no-untyped-def]
    COMMANDS["boom"] = lambda ctx, args: 1 / 0  # type: ignore[assignment,return-value]
    try:
        reply = sqlite_world.say("boom")
    finally:
        del COMMANDS["boom"]
    assert reply.title == "Steward hit an error"
    assert "command failed" in caplog.text

