"""A late stand-up answer in Teams: a reply to the report's activity, in the same conversation."""

from __future__ import annotations

from dataclasses import replace

from domain.model import DeliveryState, OutboxMessage, Platform
from handlers.reply import Reply, Section
from tests.handlers.world import NOW
from tests.support.fake_connector import FakeConnector
from tests.teams.conftest import CHANNEL, TeamsServer
from tests.teams.test_sender import send


def test_a_late_answer_replies_to_the_report_in_its_conversation(server: TeamsServer,
                                                                 connector: FakeConnector) -> None:
    server.mention("help", conversation=CHANNEL)  # Steward is in the channel: its reference is stored
    report_key = "standup:report:1:2026-11-16"
    with server.world.uow_factory() as uow:
        assert uow.outbox.add(OutboxMessage(None, report_key, "standup", Reply(title="Stand-up").to_dict(), NOW, NOW,
                                            channel=CHANNEL, platform=Platform.TEAMS))
        report = uow.outbox.by_key(report_key)
        assert report is not None and report.id is not None
        uow.outbox.mark_sent(report.id, NOW, "1:report-activity")
        uow.commit()
    connector.clear()
    late = Reply(title="Late answer · Mia", sections=(Section(lines=("Did: review",)),),
                 extra={"thread": {"key": report_key}})
    message = OutboxMessage(2, "standup:late:1:2026-11-16:5:1", "standup", late.to_dict(), NOW, NOW,
                            channel=CHANNEL, platform=Platform.TEAMS, state=DeliveryState.PENDING)
    send(server, replace(message, attempts=1))
    [posted] = connector.messages()
    assert posted.conversation_id == CHANNEL and posted.kind == "reply"
    assert posted.body.get("replyToId") == "1:report-activity"
    assert "Late answer" in posted.card_text
