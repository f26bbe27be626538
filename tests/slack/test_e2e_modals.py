"""Modals, the "Flag as scope creep" message shortcut, the project picker and App Home, over HTTP."""

from __future__ import annotations

import json
from typing import Any

from domain.model import AllocationState
from tests.slack.conftest import Server

PERMALINK = "https://fake.slack.com/archives/C0ACMEWEB/p1700000000001000"


def submission(callback: str, values: dict[str, Any], meta: dict[str, str] | None = None,
               user: str = "UMARK", view_id: str = "V1") -> dict[str, Any]:
    return {
        "type": "view_submission", "team": {"id": "T1"}, "user": {"id": user}, "api_app_id": "A1", "token": "x",
        "trigger_id": "trigger.view",
        "view": {"id": view_id, "type": "modal", "callback_id": callback, "hash": "h1",
                 "private_metadata": json.dumps(meta or {}), "state": {"values": values}},
    }


def scope_values(project: str, description: str, impact: str = "") -> dict[str, Any]:
    return {
        "project": {"steward_project": {"type": "external_select",
                                        "selected_option": {"value": project, "text": {"type": "plain_text",
                                                                                         "text": project}}}},
        "description": {"value": {"type": "plain_text_input", "value": description}},
        "impact": {"value": {"type": "plain_text_input", "value": impact or None}},
    }


def test_assign_with_no_arguments_opens_a_modal(server: Server) -> None:
    answer, _ = server.command("/assign", "", user="UMARK")
    assert answer.status_code == 200
    [call] = server.fake.wait_for("views.open")
    assert call.body["trigger_id"].startswith("trigger.")
    view = call.body["view"]
    assert view["callback_id"] == "steward_modal:assign"
    assert [b["block_id"] for b in view["blocks"]] == ["person", "project", "hours", "start", "end"]
    assert view["blocks"][0]["element"]["type"] == "users_select"
    assert view["blocks"][3]["element"]["type"] == "datepicker"


def test_message_shortcut_opens_the_scope_modal_prefilled_with_the_message_and_its_link(server: Server) -> None:
    answer = server.interactive({
        "type": "message_action", "callback_id": "steward_flag_scope", "trigger_id": "trigger.sc",
        "team": {"id": "T1"}, "user": {"id": "UMARK"}, "channel": {"id": "C0ACMEWEB"}, "token": "x",
        "message_ts": "1700000000.001000", "response_url": server.fake.response_url("sc"),
        "message": {"type": "message", "user": "UCLIENT", "ts": "1700000000.001000",
                    "text": "Could you also add a careers page &amp; a blog?"},
    })
    assert answer.status_code == 200
    [call] = server.fake.wait_for("views.open")
    view = call.body["view"]
    assert view["callback_id"] == "steward_modal:scope"
    blocks = {b["block_id"]: b for b in view["blocks"]}
    assert blocks["description"]["element"]["initial_value"] == "Could you also add a careers page & a blog?"
    assert blocks["project"]["element"]["initial_option"]["value"] == "acme-web"  # the channel's project
    assert json.loads(view["private_metadata"])["permalink"] == PERMALINK


def test_scope_modal_submission_flags_the_change_with_the_link_and_shows_the_result(server: Server) -> None:
    meta = {"channel": "C0ACMEWEB", "permalink": PERMALINK}
    answer = server.interactive(submission("steward_modal:scope",
                                           scope_values("acme-web", "careers page +1 from client", "8h"), meta))
    assert answer.status_code == 200
    body = answer.json()
    assert body["response_action"] == "update"
    assert "Scope change S" in json.dumps(body["view"])
    with server.world.uow_factory() as uow:
        [change] = uow.scope.list([server.world.ids["acme-web"]])
    assert change.link == PERMALINK
    assert change.impact_hours == 8
    assert "careers page" in change.description


def test_modal_validation_errors_show_on_the_field(server: Server) -> None:
    answer = server.interactive(submission("steward_modal:scope", scope_values("acme-web", "x", "lots")))
    assert answer.json() == {"response_action": "errors", "errors": {"impact": answer.json()["errors"]["impact"]}}
    answer = server.interactive(submission("steward_modal:scope", scope_values("nonesuch", "a thing", "+2h"),
                                           view_id="V2"))
    assert answer.json()["response_action"] == "errors"
    assert list(answer.json()["errors"]) == ["project"]
    with server.world.uow_factory() as uow:
        assert uow.scope.list([server.world.ids["acme-web"]]) == []  # nothing half-written


def test_assign_modal_submission_requests_the_allocation(server: Server) -> None:
    values = {
        "person": {"value": {"type": "users_select", "selected_user": "UJANE"}},
        "project": {"steward_project": {"type": "external_select", "selected_option": {"value": "acme-web"}}},
        "hours": {"value": {"type": "plain_text_input", "value": "10"}},
        "start": {"value": {"type": "datepicker", "selected_date": "2026-11-16"}},
        "end": {"value": {"type": "datepicker", "selected_date": "2026-11-27"}},
    }
    answer = server.interactive(submission("steward_modal:assign", values))
    assert answer.json()["response_action"] == "update", answer.text
    with server.world.uow_factory() as uow:
        [request] = uow.allocations.list(person_id=server.world.ids["jane"], states=[AllocationState.REQUESTED])
    assert request.hours_per_week == 10


def test_end_before_start_is_an_error_on_the_end_field(server: Server) -> None:
    values = {
        "person": {"value": {"type": "users_select", "selected_user": "UJANE"}},
        "project": {"steward_project": {"type": "external_select", "selected_option": {"value": "acme-web"}}},
        "hours": {"value": {"type": "plain_text_input", "value": "ten"}},
        "start": {"value": {"type": "datepicker", "selected_date": "2026-11-16"}},
        "end": {"value": {"type": "datepicker", "selected_date": "2026-11-01"}},
    }
    errors = server.interactive(submission("steward_modal:assign", values)).json()["errors"]
    assert set(errors) == {"hours", "end"}


def test_project_picker_offers_matching_projects(server: Server) -> None:
    answer = server.interactive({"type": "block_suggestion", "action_id": "steward_project", "block_id": "project",
                                 "value": "acme", "team": {"id": "T1"}, "user": {"id": "UMARK"}, "token": "x",
                                 "view": {"id": "V1", "callback_id": "steward_modal:scope"}})
    assert answer.status_code == 200
    values = [o["value"] for o in answer.json()["options"]]
    assert sorted(values) == ["acme-app", "acme-web"]


def test_app_home_shows_the_portfolio_and_what_waits_for_a_decision(server: Server) -> None:
    aid = int(server.world.say("assign jane acme-web 10h/week", who="mark@example.com").subject.split(":")[1])  # type: ignore[union-attr]
    server.event({"type": "app_home_opened", "user": "UDANA", "channel": "D1", "tab": "home",
                  "event_ts": "1700000000.002000"})
    [call] = server.fake.wait_for("views.publish")
    assert call.body["user_id"] == "UDANA"
    view = call.body["view"]
    assert view["type"] == "home" and len(view["blocks"]) <= 100
    flat = json.dumps(view)
    assert f"approve A{aid}" in flat  # a button to decide
    assert "acme-app" in flat and "burned vs" in flat  # the at-risk project with % burned vs % elapsed
    assert "[Green] acme-web" in flat  # healthy projects are listed too
    ids = [e["action_id"] for b in view["blocks"] for e in b.get("elements", []) if "action_id" in e]
    assert len(ids) == len(set(ids))


def test_a_decision_from_app_home_republishes_the_tab(server: Server) -> None:
    aid = int(server.world.say("assign jane acme-web 10h/week", who="mark@example.com").subject.split(":")[1])  # type: ignore[union-attr]
    server.click(f"approve A{aid}", container={"type": "view", "view_id": "VHOME"},
                 view={"id": "VHOME", "type": "home", "blocks": []})
    [publish] = server.fake.wait_for("views.publish")
    assert f"approve A{aid}" not in json.dumps(publish.body["view"])
    [dm] = server.fake.wait_for("chat.postMessage")
    assert dm.body["channel"] == "UDANA" and "approved" in dm.body["text"].lower()
