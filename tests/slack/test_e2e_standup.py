"""The stand-up in Slack, over HTTP: the Answer button opens the modal pre-filled with yesterday's hours, and
submitting it files the answer (the same line as typing ``standup did …``)."""

from __future__ import annotations

import time
from datetime import date
from decimal import Decimal

from domain.model import Source, TimeEntry
from tests.slack.conftest import Server
from tests.slack.test_e2e_modals import submission


def test_the_answer_button_opens_a_prefilled_modal_and_its_submission_is_the_answer(server: Server) -> None:
    world = server.world
    with world.uow_factory() as uow:  # Jane logged 4h on acme-web yesterday (the world's today is Sunday 15 Nov)
        uow.entries.add(TimeEntry(None, world.ids["jane"], world.ids["acme-web"], date(2026, 11, 13), Decimal("4"),
                                  Decimal("100"), Decimal("60"), "homepage review", Source.SHELL))
        uow.commit()
    answer = server.click("standup answer", user="UJANE")
    assert answer.status_code == 200
    [call] = server.fake.wait_for("views.open")
    view = call.body["view"]
    assert view["callback_id"] == "steward_standup"
    assert [b["block_id"] for b in view["blocks"]] == ["did", "doing", "blocked"]
    assert view["blocks"][0]["element"]["initial_value"] == "acme-web 4h: homepage review"
    values = {"did": {"value": {"type": "plain_text_input", "value": "acme-web 4h: homepage review"}},
              "doing": {"value": {"type": "plain_text_input", "value": "checkout flow"}},
              "blocked": {"value": {"type": "plain_text_input", "value": None}}}
    submitted = server.interactive(submission("steward_standup", values, user="UJANE", view_id="VSTANDUP"))
    assert submitted.status_code == 200
    deadline = time.monotonic() + 10
    while True:
        with world.uow_factory() as uow:
            stored = uow.standups.answers([world.ids["jane"]], [date(2026, 11, 15)])
        if stored or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    [(key, saved)] = stored.items()
    assert (saved.did, saved.doing, saved.blocked) == ("acme-web 4h: homepage review", "checkout flow", "")
    server.fake.wait_for("chat.postMessage", where=lambda c: "Stand-up answer saved" in c.body.get("text", ""))
