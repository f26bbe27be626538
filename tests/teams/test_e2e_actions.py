"""Card buttons end to end: ``Action.Execute`` (invoke ``adaptiveCard/action``) answers with the refreshed card,
``Action.Submit`` (clients without Universal Actions) updates the card in place; a decision is taken once."""

from __future__ import annotations

import threading
from typing import Any

from domain.model import AllocationState, ScopeState, Source
from tests.support.fake_connector import FakeConnector
from tests.teams.conftest import JANE, TeamsServer, valid_card


def request_allocation(server: TeamsServer, who: str = "jane") -> int:
    reply = server.world.say(f"assign {who} acme-web 10h/week", who="mark@example.com")
    assert reply.subject and reply.subject.startswith("allocation:"), reply
    return int(reply.subject.split(":")[1])


def flag_scope(server: TeamsServer) -> int:
    reply = server.world.say("scope acme-web extra landing page +8h", who="mark@example.com")
    assert reply.subject and reply.subject.startswith("scope:"), reply
    return int(reply.subject.split(":")[1])


def card_of(answer: Any) -> dict[str, Any]:
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["statusCode"] == 200 and body["type"] == "application/vnd.microsoft.card.adaptive", body
    return valid_card(body["value"])


def text_of(card: dict[str, Any]) -> str:
    import json

    return json.dumps(card, ensure_ascii=False)


def test_execute_approve_answers_with_the_decided_card(server: TeamsServer) -> None:
    aid = request_allocation(server)
    field = f"comment-a{aid}"
    card = card_of(server.execute({"command": f"approve A{aid}", "input": field, field: "ok for two sprints"}))
    text = text_of(card)
    assert "approved" in text and "Dana Director" in text and "ok for two sprints" in text
    assert "actions" not in card  # nothing left to click
    assert card["body"][0]["style"] == "good"
    with server.world.uow_factory() as uow:
        allocation = uow.allocations.get(aid)
        assert allocation is not None and allocation.state is AllocationState.APPROVED
        assert allocation.decision_note == "ok for two sprints"
        [event] = [e for e in uow.audit.list(subject=f"allocation:{aid}") if e.action == "allocation.approved"]
    assert event.source is Source.TEAMS


def test_a_second_approve_changes_nothing(server: TeamsServer) -> None:
    aid = request_allocation(server)
    card_of(server.execute({"command": f"approve A{aid}"}))
    again = card_of(server.execute({"command": f"reject A{aid}"}))
    assert "already" in text_of(again).lower()
    with server.world.uow_factory() as uow:
        assert uow.allocations.get(aid).state is AllocationState.APPROVED  # type: ignore[union-attr]
        actions = [e.action for e in uow.audit.list(subject=f"allocation:{aid}")]
    assert actions.count("allocation.approved") == 1 and "allocation.rejected" not in actions


def test_concurrent_clicks_decide_once(server: TeamsServer) -> None:
    aid = request_allocation(server)
    answers: list[Any] = []
    threads = [threading.Thread(target=lambda: answers.append(server.execute({"command": f"approve A{aid}"})))
               for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    texts = [text_of(card_of(a)).lower() for a in answers]
    assert len(texts) == 3 and sum("already" in t for t in texts) == 2
    with server.world.uow_factory() as uow:
        actions = [e.action for e in uow.audit.list(subject=f"allocation:{aid}")]
    assert actions.count("allocation.approved") == 1


def test_a_refusal_leaves_the_card_and_tells_the_clicker(server: TeamsServer) -> None:
    aid = request_allocation(server)
    answer = server.execute({"command": f"approve A{aid}"}, user=JANE)  # a team member may not approve
    assert answer.status_code == 200
    body = answer.json()
    assert body["type"] == "application/vnd.microsoft.activity.message"
    assert "allowed" in body["value"].lower() or "not" in body["value"].lower()
    with server.world.uow_factory() as uow:
        assert uow.allocations.get(aid).state is AllocationState.REQUESTED  # type: ignore[union-attr]


def test_execute_scope_decision(server: TeamsServer) -> None:
    sid = flag_scope(server)
    card = card_of(server.execute({"command": f"absorb S{sid}"}))
    assert "absorbed" in text_of(card)
    with server.world.uow_factory() as uow:
        assert uow.scope.get(sid).state is ScopeState.ABSORBED  # type: ignore[union-attr]


def test_a_non_decision_button_answers_in_the_conversation(server: TeamsServer, connector: FakeConnector) -> None:
    answer = server.execute({"command": "budget acme-web"})
    assert answer.status_code == 200 and answer.json()["type"] == "application/vnd.microsoft.activity.message"
    [posted] = connector.messages()
    assert "Website Relaunch" in posted.card_text


def test_an_unknown_verb_or_action_is_a_bad_request(server: TeamsServer) -> None:
    value = {"action": {"type": "Action.Execute", "verb": "other-bot", "data": {"command": "approve A1"}}}
    answer = server.post(server.activity("invoke", name="adaptiveCard/action", value=value))
    assert answer.status_code == 400 and answer.json()["type"] == "application/vnd.microsoft.error"
    assert server.post(server.activity("invoke", name="adaptiveCard/action", value={})).status_code == 400
    assert server.post(server.activity("invoke", name="adaptiveCard/action",
                                       value={"action": {"type": "Action.Execute", "verb": "steward",
                                                         "data": {}}})).status_code == 400


def test_other_invokes_are_not_implemented(server: TeamsServer) -> None:
    answer = server.post(server.activity("invoke", name="composeExtension/query", value={}))
    assert answer.status_code == 501


def test_action_submit_updates_the_card_in_place(server: TeamsServer, connector: FakeConnector) -> None:
    aid = request_allocation(server)
    server.say("approvals")
    [listed] = connector.messages()
    card = valid_card(listed.card)
    [approve] = [a for b in _action_sets(card) for a in b if a["title"] == "Approve"]
    data = dict(approve["fallback"]["data"])  # what an old client sends: the Action.Submit data
    data[data["input"]] = "fine"
    click = server.activity(value=data, replyToId=listed.id)
    assert server.post(click).status_code == 200
    [update] = connector.wait_for("update")
    assert update.activity_id == listed.id
    assert "approved" in update.card_text and "fine" in update.card_text
    valid_card(update.card)
    with server.world.uow_factory() as uow:
        assert uow.allocations.get(aid).state is AllocationState.APPROVED  # type: ignore[union-attr]
    assert server.post(click).status_code == 200  # the same activity redelivered: acts once
    assert len(connector.of("update")) == 1
    # a second click (a new activity) shows the decision already taken, and changes nothing
    assert server.submit({"command": f"reject A{aid}"}, reply_to=listed.id).status_code == 200
    updates = connector.wait_for("update", count=2)
    assert "already" in updates[-1].card_text.lower()
    with server.world.uow_factory() as uow:
        assert uow.allocations.get(aid).state is AllocationState.APPROVED  # type: ignore[union-attr]


def test_a_decision_in_a_list_refreshes_the_list(server: TeamsServer, connector: FakeConnector) -> None:
    first = request_allocation(server)
    second = request_allocation(server, "mia")
    server.say("approvals")
    [listed] = connector.messages()
    card = valid_card(listed.card)
    [approve] = [a for b in _action_sets(card) for a in b
                 if a["title"] == "Approve" and a["data"]["command"] == f"approve A{first}"]
    assert approve["data"]["origin"] == "approvals"
    refreshed = card_of(server.execute(approve["data"]))
    text = text_of(refreshed)
    assert f"A{first} approved" in text  # the decision, on top
    assert f"approve A{second}" in text and f"approve A{first}\"" not in text  # the rest still to decide
    assert "1 waiting" in text


def test_comment_only_goes_with_a_decision(server: TeamsServer, connector: FakeConnector) -> None:
    answer = server.execute({"command": "help", "comment": "approve A1"})
    assert answer.status_code == 200
    assert "approved" not in connector.messages()[0].card_text.lower()


def _action_sets(card: dict[str, Any]) -> list[list[dict[str, Any]]]:
    found: list[list[dict[str, Any]]] = [card.get("actions", [])]

    def walk(items: list[dict[str, Any]]) -> None:
        for item in items:
            if item.get("type") == "ActionSet":
                found.append(item["actions"])
            walk(item.get("items", []))

    walk(card.get("body", []))
    return found




def test_an_origin_that_changes_something_is_never_replayed(server: TeamsServer) -> None:
    aid = request_allocation(server)
    card = card_of(server.execute({"command": f"approve A{aid}", "origin": "hours acme-web 8 sneaky"}))
    assert "approved" in text_of(card)
    with server.world.uow_factory() as uow:
        assert not [e for e in uow.entries.list(server.world.ids["acme-web"]) if e.note == "sneaky"]
