"""Teams accounts are linked with their tenant, and a second account with a linked person's email is refused."""

from __future__ import annotations

import pytest

from tests.support.fake_connector import FakeConnector, Member
from tests.teams.conftest import DANA, TENANT, TeamsServer, personal

IMPOSTOR = Member("29:dana-two", "Dana Director", "dana@example.com", "aad-someone-else")


def test_the_tenant_is_stored_with_the_link_and_the_conversation(server: TeamsServer) -> None:
    assert server.say("help").status_code == 200
    with server.world.uow_factory() as uow:
        dana = uow.people.get(server.world.ids["dana"])
        ref = uow.conversations.get("teams", personal(DANA))  # type: ignore[arg-type]
    assert dana is not None and (dana.teams_id, dana.teams_tenant) == ("aad-dana", TENANT)
    assert ref is not None and ref.tenant_id == TENANT and ref.person_id == dana.id


def test_a_second_account_with_a_linked_persons_email_is_refused_and_the_link_kept(
        server: TeamsServer, connector: FakeConnector, caplog: pytest.LogCaptureFixture) -> None:
    assert server.say("help").status_code == 200
    connector.add(IMPOSTOR)
    connector.clear()
    with caplog.at_level("WARNING"):
        assert server.say("budget acme", user=IMPOSTOR).status_code == 200
    [answer] = connector.messages()
    assert "not the one linked to you" in answer.card_text
    assert "Burned" not in answer.card_text
    with server.world.uow_factory() as uow:
        dana = uow.people.get(server.world.ids["dana"])
        ref = uow.conversations.get("teams", personal(IMPOSTOR))  # type: ignore[arg-type]
    assert dana is not None and dana.teams_id == "aad-dana"
    assert ref is not None and ref.person_id is None  # the stranger's chat is not Dana's
    assert any("aad-someone-else" in r.getMessage() and "refused" in r.getMessage() for r in caplog.records)


def test_an_admin_unlink_frees_the_person_for_their_new_account(server: TeamsServer,
                                                                connector: FakeConnector) -> None:
    from domain.identity import unlink
    from domain.model import Platform

    assert server.say("help").status_code == 200
    with server.world.uow_factory() as uow:
        done = unlink(uow, "DANA@example.com", Platform.TEAMS, server.steward.clock.now())
        uow.commit()
    assert "aad-dana" in done and "1 personal chat(s) detached" in done
    with server.world.uow_factory() as uow:
        dana = uow.people.get(server.world.ids["dana"])
        assert dana is not None and (dana.teams_id, dana.teams_tenant) == (None, None)
        assert uow.conversations.personal(server.world.ids["dana"], Platform.TEAMS) is None
        assert [e.action for e in uow.audit.list(subject=f"person:{dana.id}")] == ["person.unlinked"]
    connector.add(IMPOSTOR)
    connector.clear()
    assert server.say("budget acme", user=IMPOSTOR).status_code == 200  # her new account links now
    [answer] = connector.messages()
    assert "not the one linked" not in answer.card_text
    with server.world.uow_factory() as uow:
        dana = uow.people.get(server.world.ids["dana"])
    assert dana is not None and dana.teams_id == IMPOSTOR.aad_object_id
