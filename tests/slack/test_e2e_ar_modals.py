"""Money owed in Slack, over HTTP: the Promise and Dispute buttons of an overdue invoice open modals whose
submission records the promise or the dispute; Chase answers the clicker alone with the draft."""

from __future__ import annotations

import json

from domain.receivables import InvoiceState
from tests.domain.test_receivables import invoices
from tests.slack.conftest import Server
from tests.slack.test_e2e_modals import submission


def with_invoices(server: Server) -> None:
    with server.world.uow_factory() as uow:
        uow.invoices.add_many(invoices(server.world))
        uow.commit()


def test_the_promise_button_opens_a_date_modal_and_its_submission_records_the_promise(server: Server) -> None:
    with_invoices(server)
    assert server.click("promise A-8").status_code == 200
    [call] = server.fake.wait_for("views.open")
    view = call.body["view"]
    assert view["callback_id"] == "steward_modal:promise"
    assert view["blocks"][0]["element"]["type"] == "datepicker"
    meta = json.loads(view["private_metadata"])
    assert meta["invoice"] == "A-8"
    values = {"date": {"value": {"type": "datepicker", "selected_date": "2026-11-27"}}}
    answer = server.interactive(submission("steward_modal:promise", values, meta, user="UDANA"))
    assert answer.json()["response_action"] == "update", answer.text
    assert "Promise recorded: A-8 to be paid by Fri 27 Nov 2026" in json.dumps(answer.json()["view"])
    with server.world.uow_factory() as uow:
        inv = uow.invoices.get("A-8")
        assert inv is not None and inv.promised_on is not None and inv.promised_on.isoformat() == "2026-11-27"


def test_the_dispute_modal_needs_a_reason_and_then_flags_the_invoice(server: Server) -> None:
    with_invoices(server)
    server.click("dispute A-5")
    [call] = server.fake.wait_for("views.open")
    meta = json.loads(call.body["view"]["private_metadata"])
    empty = server.interactive(submission("steward_modal:dispute",
                                          {"reason": {"value": {"type": "plain_text_input", "value": None}}}, meta,
                                          user="UDANA"))
    assert empty.json() == {"response_action": "errors", "errors": {"reason": "Say why it is disputed."}}
    answer = server.interactive(submission("steward_modal:dispute", {"reason": {"value": {
        "type": "plain_text_input", "value": "hours not agreed"}}}, meta, user="UDANA", view_id="V2"))
    assert answer.json()["response_action"] == "update", answer.text
    with server.world.uow_factory() as uow:
        inv = uow.invoices.get("A-5")
        assert inv is not None and inv.disputed and inv.dispute_reason == "hours not agreed"
        assert inv.state is InvoiceState.OPEN


def test_a_refused_promise_shows_on_the_date_field(server: Server) -> None:
    with_invoices(server)
    values = {"date": {"value": {"type": "datepicker", "selected_date": "2026-01-02"}}}  # in the past
    answer = server.interactive(submission("steward_modal:promise", values, {"invoice": "A-8"}, user="UDANA"))
    assert answer.json()["response_action"] == "errors"
    assert list(answer.json()["errors"]) == ["date"]


def test_chase_answers_the_clicker_alone_with_the_draft(server: Server) -> None:
    with_invoices(server)
    server.click("chase A-9", key="chase")
    [reply] = server.fake.wait_for("response_url")
    assert reply.body["response_type"] == "ephemeral"
    assert "was due on 16 August 2026 and is now 91 days overdue" in json.dumps(reply.body)
    assert not [c for c in server.fake.calls if c.method == "chat.postMessage"]  # nothing sent to anyone
