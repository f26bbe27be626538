"""A participant's clock on Slack is the ``tz`` of ``users.info``: stored when Steward first looks them up."""

from __future__ import annotations

import asyncio

from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.identity import SlackIdentity
from tests.handlers.world import World
from tests.support.fake_slack import FakeSlack


def test_the_slack_tz_is_stored_and_wins_over_the_organisation_file(world: World) -> None:
    slack = FakeSlack(emails={"UMIA": "mia@example.com"}, timezones={"UMIA": "America/Los_Angeles"}).start()
    try:
        identity = SlackIdentity(world.uow_factory)
        email = asyncio.run(identity.email_of(AsyncWebClient(token="xoxb-test", base_url=slack.url), "UMIA"))
    finally:
        slack.stop()
    assert email == "mia@example.com"
    with world.uow_factory() as uow:
        cal = uow.calendars.people([world.ids["mia"]])[world.ids["mia"]]
    assert cal.zone("America/New_York") == "America/Los_Angeles" and cal.holiday_country == "US"
