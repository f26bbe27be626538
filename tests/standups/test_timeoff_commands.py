"""``ooo`` and the organisation file's calendars: time off set, listed and cancelled; managers may set it
for their people, members only for themselves; ``holiday_country``, ``holidays`` and a person's
``timezone`` imported (and checked)."""

from __future__ import annotations

from datetime import date

import pytest
import yaml

from domain.errors import InvalidInput
from domain.importing import apply_org, parse_org
from storage.uow import SqlUnitOfWorkFactory
from tests.handlers.world import World
from tests.standups.conftest import SUNDAY


def test_ooo_is_set_listed_and_cancelled(world: World) -> None:
    reply = world.say("ooo 2026-12-24 until 2026-12-31 family in Lisbon", who="jane@example.com", now=SUNDAY)
    assert reply.ok and reply.title.startswith("You are away Thu 24 Dec 2026") and "8 days: family in Lisbon" in \
        reply.summary
    mine = world.say("ooo", who="jane@example.com", now=SUNDAY)
    lines = {s.title: s.lines for s in mine.sections}
    assert lines["Time off"] == ("Thu 24 Dec 2026 – Thu 31 Dec 2026: family in Lisbon",)
    assert "Thu 26 Nov 2026: Thanksgiving Day" not in lines.get("Holidays in the next 90 days", ())  # Jane is GB
    assert world.say("ooo off", who="jane@example.com", now=SUNDAY).title == "Time off cancelled"
    assert {s.title: s.lines for s in world.say("ooo", who="jane@example.com", now=SUNDAY).sections}[
        "Time off"] == ("none planned",)


def test_a_manager_sets_time_off_for_someone_a_member_cannot(world: World) -> None:
    assert world.say("ooo for jane@example.com 2026-11-20", who="mark@example.com", now=SUNDAY).title == \
        "Jane Designer is away Fri 20 Nov 2026"
    refused = world.say("ooo for mia@example.com 2026-11-20", who="jane@example.com", now=SUNDAY)
    assert not refused.ok and "managers, directors and admins" in refused.summary


def test_bad_time_off_is_refused_with_an_example(world: World) -> None:
    for line, words in (("ooo someday soon", "can't read"), ("ooo 2026-12-24 until 2026-12-20", "before it starts"),
                        ("ooo 2026-01-02", "in the past")):
        reply = world.say(line, who="jane@example.com", now=SUNDAY)
        assert not reply.ok and words in reply.summary and "Example: `ooo" in reply.summary, (line, reply.summary)


def test_the_organisation_file_gives_holiday_countries_company_holidays_and_timezones(
        uow_factory: SqlUnitOfWorkFactory) -> None:
    text = """
timezone: America/New_York
holiday_country: US
holidays: [2026-12-24, 2026-12-31]
people:
  - {name: Jane Designer, email: jane@example.com, role: member, timezone: Europe/London, holiday_country: GB-SCT}
"""
    with uow_factory() as uow:
        apply_org(uow, parse_org(yaml.safe_load(text)), None, SUNDAY)
        uow.commit()
    with uow_factory() as uow:
        jane = uow.people.by_email("jane@example.com")
        assert jane is not None and jane.id is not None
        org = uow.calendars.org()
        cal = uow.calendars.people([jane.id])[jane.id]
        scottish = uow.calendars.public_holidays("GB-SCT", [2026])
    assert org.holiday_country == "US" and org.holidays == (date(2026, 12, 24), date(2026, 12, 31))
    assert cal.timezone == "Europe/London" and cal.holiday_country == "GB-SCT"
    assert date(2026, 11, 30) in scottish  # St Andrew's Day: Scotland's, not England's
    with uow_factory() as uow:  # the same file again changes nothing
        summary = apply_org(uow, parse_org(yaml.safe_load(text)), None, SUNDAY)
    assert not summary.changes


def test_a_bad_calendar_in_the_file_is_named_and_nothing_is_imported() -> None:
    with pytest.raises(InvalidInput) as err:
        parse_org(yaml.safe_load("""
holiday_country: Great Britain
holidays: [christmas]
people:
  - {name: Jane, email: jane@example.com, role: member, timezone: Mars/Olympus}
"""))
    text = err.value.message
    assert "holiday_country: “Great Britain” is not a country code" in text
    assert "holidays[0]: 'christmas' is not a date" in text or "holidays[0]:" in text
    assert "people[0].timezone: “Mars/Olympus” is not an IANA timezone" in text
