"""A Slack account is linked to a person by email once, in a transaction of its own, and never silently
replaced by another account with the same email; an admin can unlink it (``steward people unlink``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from domain.model import AllocationState
from tests.slack.conftest import Server
from tests.slack.test_e2e_interactivity import request_allocation


def slack_id_of(server: Server, key: str) -> str | None:
    with server.world.uow_factory() as uow:
        person = uow.people.get(server.world.ids[key])
    assert person is not None
    return person.slack_id


def test_a_refused_first_click_still_links_the_slack_id(server: Server) -> None:
    aid = request_allocation(server)
    assert slack_id_of(server, "jane") is None
    server.click(f"approve A{aid}", user="UJANE", key="jane")  # Jane may not decide: refused
    [answer] = server.fake.wait_for("response_url")
    assert "only" in answer.body["text"].lower() or "can't" in answer.body["text"].lower()
    with server.world.uow_factory() as uow:
        assert uow.allocations.get(aid).state is AllocationState.REQUESTED  # type: ignore[union-attr]
    assert slack_id_of(server, "jane") == "UJANE"  # the refusal rolled back its own transaction, not the link


def test_a_second_account_with_a_linked_persons_email_is_refused(server: Server,
                                                                 caplog: pytest.LogCaptureFixture) -> None:
    server.command("/budget", "acme", user="UDANA")
    server.fake.wait_for("response_url")
    assert slack_id_of(server, "dana") == "UDANA"
    server.fake.clear()
    server.fake.emails["UIMPOSTOR"] = "dana@example.com"  # another Slack account, same email
    with caplog.at_level("WARNING"):
        server.command("/budget", "acme", user="UIMPOSTOR")
        [answer] = server.fake.wait_for("response_url")
    assert "not the one linked to you" in answer.body["text"]
    assert "Budget" not in answer.body["text"] and "$" not in answer.body["text"]
    assert slack_id_of(server, "dana") == "UDANA"
    assert any("UIMPOSTOR" in r.getMessage() and "refused" in r.getMessage() for r in caplog.records)


def test_an_admin_unlinks_and_the_next_account_links(server: Server, monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    server.command("/budget", "acme", user="UDANA")
    server.fake.wait_for("response_url")
    monkeypatch.setenv("DATABASE_URL", server.world.database_url)  # type: ignore[attr-defined]
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "MICROSOFT_APP_ID"):
        monkeypatch.delenv(name, raising=False)
    assert main(["people", "unlink", "dana@example.com", "--platform", "slack"]) == 0
    assert "no longer linked to the slack account UDANA" in capsys.readouterr().out
    assert slack_id_of(server, "dana") is None
    with server.world.uow_factory() as uow:
        [event] = [e for e in uow.audit.list(subject=f"person:{server.world.ids['dana']}")]
    assert event.action == "person.unlinked" and "UDANA" in event.detail
    assert main(["people", "unlink", "dana@example.com", "--platform", "slack"]) == 1  # nothing left to unlink
    assert main(["people", "unlink", "nobody@example.com", "--platform", "teams"]) == 1
    server.fake.clear()
    server.fake.emails["UDANA2"] = "dana@example.com"
    server.command("/budget", "acme", user="UDANA2")
    server.fake.wait_for("response_url")
    assert slack_id_of(server, "dana") == "UDANA2"
