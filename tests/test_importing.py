"""The organisation import and the hours import: validate everything, write all or nothing, idempotent."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from bot.clock import FixedClock
from domain.errors import InvalidInput
from domain.importing import (
    apply_org,
    detect_format,
    parse_day,
    parse_duration,
    parse_hours_csv,
    parse_org,
    parse_rate,
)
from domain.model import Role, Source
from domain.ports import UnitOfWorkFactory
from handlers.imports import import_hours_file, import_org_file

DATA = Path(__file__).parent / "data"
NOW = datetime(2026, 11, 15, 12, 0, tzinfo=ZoneInfo("America/New_York"))
CLOCK = FixedClock(NOW)
D = Decimal


def org_text() -> str:
    return (DATA / "org.yaml").read_text()


def load_org(uow_factory: UnitOfWorkFactory) -> None:
    reply = import_org_file(uow_factory, CLOCK, DATA / "org.yaml")
    assert reply.ok, reply.summary


def audit_count(uow_factory: UnitOfWorkFactory) -> int:
    with uow_factory() as uow:
        return len(uow.audit.list(limit=10_000))


def all_entries(uow_factory: UnitOfWorkFactory) -> list:
    with uow_factory() as uow:
        return [e for p in uow.projects.list() for e in uow.entries.list(p.id or 0)]


def problems_of(data: object) -> str:
    with pytest.raises(InvalidInput) as caught:
        parse_org(data)
    return str(caught.value)


# --- organisation file: parsing -----------------------------------------------------------------


def test_the_sample_org_file_parses_into_people_clients_and_projects() -> None:
    spec = parse_org(yaml.safe_load(org_text()))
    assert spec.currency == "USD" and spec.timezone == "America/New_York"
    assert [p.email for p in spec.people][:3] == ["ada@example.com", "dana@example.com", "mark@example.com"]
    jane = next(p for p in spec.people if p.email == "jane@example.com")
    assert jane.role is Role.MEMBER and jane.capacity_hours == D(32) and jane.platform is not None
    assert [c.key for c in spec.clients] == ["acme", "globex"]
    web, app = spec.clients[0].projects
    assert (web.key, web.budget, web.budget_hours, web.channels) == ("acme-web", D(120000), D(800), ("C0ACMEWEB",))
    assert (web.start, web.end) == (date(2026, 9, 1), date(2027, 1, 31))
    assert app.channels == ("C0ACMEAPP", "19:acme-app@thread.tacv2") and app.aliases == ("acme mobile",)


def test_money_is_read_exactly_never_through_float_arithmetic() -> None:
    spec = parse_org(yaml.safe_load(org_text()))
    app = spec.clients[0].projects[1]
    brand = spec.clients[1].projects[0]
    assert app.budget == D("85000.50")
    assert str(app.budget) == "85000.5"  # Decimal(str(85000.5)), not Decimal(85000.5) from binary
    assert brand.budget == D(40000)  # "40,000" as text
    tiny = parse_org({"people": [{"name": "A", "email": "a@example.com", "role": "member", "bill_rate": 0.1}]})
    assert tiny.people[0].bill_rate == D("0.1")


def test_a_bad_org_file_lists_every_problem_with_its_path() -> None:
    data = {
        "timezone": "Mars/Olympus_Mons",
        "currency": "dollars",
        "people": [
            {"name": "Dana", "email": "dana@example.com", "role": "boss"},
            {"name": "Nobody", "email": "not-an-email", "role": "member"},
            {"name": "Dana Again", "email": "DANA@example.com", "role": "director"},
            {"name": "Rich", "email": "rich@example.com", "role": "member", "bill_rate": -5, "cost_rate": "1.234"},
        ],
        "escalation": {"stale_status_days": "soon"},
        "clients": [
            {"name": "Acme", "key": "acme", "projects": [
                {"name": "Web", "key": "acme-web", "budget": 100, "start": "2026-02-01", "end": "2026-03-01"},
                {"name": "App", "key": "acme-app", "budget": -1, "start": "2026-02-01", "end": "2026-01-01",
                 "budjet": 5},
                {"name": "Web 2", "key": "acme-web", "budget": 100, "start": "2026-02-01", "end": "2026-03-01"},
            ]},
            {"name": "No key"},
            {"name": "Acme twice", "key": "ACME"},
        ],
    }
    message = problems_of(data)
    for expected in (
        "timezone: “Mars/Olympus_Mons” is not an IANA timezone",
        "currency: “DOLLARS” is not a three-letter currency code",
        "people[0].role: “boss” is not a role (admin, director, manager, member, finance)",
        "people[1].email: “not-an-email” is not an email address",
        "people[2].email: DANA@example.com is listed twice (also people[0])",
        "people[3].bill_rate: -5 is negative",
        "people[3].cost_rate: 1.234 has more than two decimals",
        "escalation.stale_status_days: “soon” is not a whole number of days",
        "clients[0].projects[1].budget: -1 is negative",
        "clients[0].projects[1].end: 2026-01-01 is before start 2026-02-01",
        "clients[0].projects[1]: unknown field “budjet”",
        "clients[0].projects[2].key: “acme-web” is used twice (also clients[0].projects[0])",
        "clients[1].key: is missing",
        "clients[2].key: “ACME” is used twice (also clients[0])",
    ):
        assert expected in message, f"{expected!r} not in:\n{message}"
    assert "nothing was imported" in message
    assert "Example:" in message


def test_an_empty_or_non_mapping_org_file_is_refused() -> None:
    assert "the file is empty" in problems_of(None)
    assert "expected a mapping" in problems_of(["people"])


# --- organisation file: applying -----------------------------------------------------------------


def test_importing_the_sample_org_creates_everything_with_an_audit_event_each(uow_factory: UnitOfWorkFactory) -> None:
    reply = import_org_file(uow_factory, CLOCK, DATA / "org.yaml")
    assert reply.ok and reply.title == "Organisation imported from org.yaml"
    assert "People: 6 created, 0 updated, 0 unchanged" in reply.summary
    with uow_factory() as uow:
        org = uow.organisation.get()
        assert (org.currency, org.timezone) == ("USD", "America/New_York")
        jane = uow.people.by_email("JANE@example.com")
        assert jane is not None and jane.bill_rate == D(140) and jane.capacity_hours == D(32)
        projects = {p.key: p for p in uow.projects.list()}
        assert set(projects) == {"acme-web", "acme-app", "globex-brand"}
        assert projects["acme-app"].budget == D("85000.50")
        assert [p.key for p in uow.projects.by_channel("C0ACMEWEB")] == ["acme-web"]
        mark = uow.people.by_email("mark@example.com")
        assert mark is not None and projects["acme-web"].manager_id == mark.id
        events = uow.audit.list(limit=100)
    actions = sorted(e.action for e in events)
    assert actions.count("person.created") == 6 and actions.count("project.created") == 3
    assert actions.count("client.created") == 2 and "organisation.updated" in actions
    assert all(e.source is Source.IMPORT for e in events)


def test_importing_the_same_org_twice_changes_nothing(uow_factory: UnitOfWorkFactory) -> None:
    load_org(uow_factory)
    before = audit_count(uow_factory)
    reply = import_org_file(uow_factory, CLOCK, DATA / "org.yaml")
    assert reply.ok and reply.title == "Nothing to change"
    assert audit_count(uow_factory) == before
    with uow_factory() as uow:
        summary = apply_org(uow, parse_org(yaml.safe_load(org_text())), None, NOW)
    assert not summary.changed
    assert summary.count("people") == (0, 0, 6)
    assert summary.count("projects") == (0, 0, 3)


def test_a_changed_rate_or_budget_updates_only_that_record(uow_factory: UnitOfWorkFactory) -> None:
    load_org(uow_factory)
    before = audit_count(uow_factory)
    changed = org_text().replace("cost_rate: 60, bill_rate: 140", "cost_rate: 60, bill_rate: 150.50") \
        .replace("budget: 120000", "budget: 130000")
    reply = import_org_file(uow_factory, CLOCK, changed)
    assert reply.ok, reply.summary
    assert "People: 0 created, 1 updated, 5 unchanged" in reply.summary
    assert "projects: 0 created, 1 updated, 2 unchanged" in reply.summary
    with uow_factory() as uow:
        jane = uow.people.by_email("jane@example.com")
        web = next(p for p in uow.projects.list() if p.key == "acme-web")
        events = uow.audit.list(limit=10)
    assert jane is not None and jane.bill_rate == D("150.50") and jane.cost_rate == D(60)
    assert web.budget == D(130000)
    new_events = events[: audit_count(uow_factory) - before]
    assert sorted((e.action, e.subject) for e in new_events) == [
        ("person.updated", "person:jane@example.com"), ("project.updated", "project:acme-web"),
    ]
    details = {e.action: e.detail for e in new_events}
    assert details["person.updated"] == "bill_rate: 140 → 150.5"
    assert details["project.updated"] == "budget: 120000 → 130000"


def test_active_false_switches_someone_off_keeping_their_history(uow_factory: UnitOfWorkFactory) -> None:
    from handlers.context import Caller, Context
    from handlers.dispatch import handle

    load_org(uow_factory)
    left = org_text().replace("cost_rate: 60, bill_rate: 140", "cost_rate: 60, bill_rate: 140, active: false")
    reply = import_org_file(uow_factory, CLOCK, left)
    assert reply.ok and "People: 0 created, 1 updated, 5 unchanged" in reply.summary
    assert import_org_file(uow_factory, CLOCK, left).title == "Nothing to change"  # idempotent
    with uow_factory() as uow:
        jane = uow.people.by_email("jane@example.com")
        [event] = [e for e in uow.audit.list(limit=5) if e.subject == "person:jane@example.com"]
    assert jane is not None and not jane.active and event.detail == "active: yes → no"
    said = handle(Context(uow_factory, CLOCK, Caller(email="jane@example.com")), "budget acme-web")
    assert not said.ok and "switched off" in said.summary
    offered = handle(Context(uow_factory, CLOCK, Caller(email="mark@example.com")), "assign jane acme-web 10h/week")
    assert not offered.ok  # not someone to allocate any more
    assert import_org_file(uow_factory, CLOCK, DATA / "org.yaml").ok  # back in the file without the flag: back on
    with uow_factory() as uow:
        jane = uow.people.by_email("jane@example.com")
    assert jane is not None and jane.active


def test_active_must_be_true_or_false() -> None:
    data = yaml.safe_load(org_text().replace("cost_rate: 60, bill_rate: 140", "cost_rate: 60, bill_rate: 140, "
                                                                                "active: maybe"))
    assert "people[3].active: “maybe” is not true or false" in problems_of(data)


def test_a_bad_org_file_writes_nothing(uow_factory: UnitOfWorkFactory) -> None:
    bad = org_text().replace("manager: mark@example.com, channel", "manager: ghost@example.com, channel") \
        .replace("director: dana@example.com\n    projects:\n      - {name: Website",
                 "director: nobody@example.com\n    projects:\n      - {name: Website")
    reply = import_org_file(uow_factory, CLOCK, bad)
    assert not reply.ok
    assert "clients[0].director: nobody@example.com is not among the people in the file nor in Steward" \
        in reply.summary
    assert "clients[0].projects[0].manager: ghost@example.com" in reply.summary
    with uow_factory() as uow:
        assert uow.people.list() == [] and uow.clients.list() == [] and uow.projects.list() == []
        assert uow.audit.list() == []
        assert uow.organisation.get().timezone != "America/New_York"


def test_a_file_may_refer_to_people_already_in_the_database(uow_factory: UnitOfWorkFactory) -> None:
    load_org(uow_factory)
    extra = """
clients:
  - name: Initech
    key: initech
    director: DANA@example.com
    projects:
      - {name: Data Platform, key: initech-data, budget: 50000, start: 2026-10-01, end: 2027-02-28,
         manager: mark@example.com, channels: [C0INITECH]}
"""
    reply = import_org_file(uow_factory, CLOCK, extra)
    assert reply.ok, reply.summary
    assert "clients: 1 created" in reply.summary
    with uow_factory() as uow:
        assert len(uow.people.list()) == 6  # nobody removed: the file adds and updates, never deletes
        assert {p.key for p in uow.projects.list()} == {"acme-web", "acme-app", "globex-brand", "initech-data"}


def test_a_yaml_syntax_error_names_the_line(uow_factory: UnitOfWorkFactory) -> None:
    broken = "currency: USD\npeople:\n  - {name: Dana, email: dana@example.com\nclients: []\n"
    reply = import_org_file(uow_factory, CLOCK, broken)
    assert not reply.ok
    assert "not valid YAML" in reply.summary and "line 4" in reply.summary


# --- hours: parsing ------------------------------------------------------------------------------


@pytest.mark.parametrize(("header", "fmt"), [
    ("date,email,project,hours,note", "generic"),
    ("Date,Client,Project,Project Code,Task,Notes,Hours,Billable?,Invoiced?,First Name,Last Name", "harvest"),
    ("User,Email,Client,Project,Task,Description,Billable,Start date,Start time,End date,End time,Duration,Tags,"
     "Amount (USD)", "toggl"),
    ("when,who,what", None),
])
def test_the_format_is_detected_from_the_header(header: str, fmt: str | None) -> None:
    assert detect_format(header.split(",")) == fmt


def test_durations_and_dates_are_read_strictly() -> None:
    assert parse_duration("3.5") == D("3.5")
    assert parse_duration("7,5") == D("7.5")
    assert parse_duration("01:30:00") == D("1.5")
    assert parse_duration("2:45") == D("2.75")
    assert parse_duration("lots") is None
    assert parse_day("2026-11-03") == date(2026, 11, 3)
    assert parse_day("03.11.2026") == date(2026, 11, 3)
    assert parse_day("03/11/2026") is None  # ambiguous across the Atlantic: refused
    assert parse_day("2026-02-30") is None


def test_line_numbers_are_physical_lines_even_with_multiline_notes() -> None:
    text = 'date,email,project,hours,note\n2026-11-02,a@example.com,x,1,"two\nlines"\n2026-11-03,a@example.com,x,-2,\n'
    parsed = parse_hours_csv(text)
    assert [r.line for r in parsed.rows] == [2]
    assert parsed.problems == ((4, "-2 hours is negative"),)


def test_identical_rows_in_one_file_get_distinct_stable_fingerprints() -> None:
    text = "date,email,project,hours,note\n2026-11-02,a@example.com,x,1,call\n2026-11-02,a@example.com,x,1,call\n"
    first, again = parse_hours_csv(text), parse_hours_csv(text)
    prints = [r.fingerprint for r in first.rows]
    assert len(set(prints)) == 2
    assert prints == [r.fingerprint for r in again.rows]


# --- hours: importing ----------------------------------------------------------------------------


def test_a_generic_file_imports_with_the_persons_current_rates(uow_factory: UnitOfWorkFactory) -> None:
    load_org(uow_factory)
    reply = import_hours_file(uow_factory, CLOCK, DATA / "hours-generic.csv")
    assert reply.ok and reply.title == "Imported 6 entries for 3 projects"
    entries = all_entries(uow_factory)
    assert len(entries) == 6
    assert sum((e.hours for e in entries), D(0)) == D("18.5")
    assert all(e.source is Source.IMPORT and e.external_id for e in entries)
    leo = [e for e in entries if e.hours == D("7.25")][0]
    assert (leo.bill_rate, leo.cost_rate, leo.note, leo.day) == (D(150), D(65), "login flow, API calls",
                                                                 date(2026, 11, 3))


def test_a_harvest_export_matches_people_by_name_and_projects_by_code_or_name(uow_factory: UnitOfWorkFactory) -> None:
    load_org(uow_factory)
    reply = import_hours_file(uow_factory, CLOCK, DATA / "hours-harvest.csv")
    assert reply.ok, reply.summary
    assert reply.title == "Imported 4 entries for 3 projects"
    with uow_factory() as uow:
        projects = {p.key: p for p in uow.projects.list()}
        brand = uow.entries.list(projects["globex-brand"].id or 0)
        web = uow.entries.list(projects["acme-web"].id or 0)
        mark = uow.people.by_email("mark@example.com")
    assert len(brand) == 1 and mark is not None and brand[0].person_id == mark.id  # "GLX-BR" is not a key: by name
    assert brand[0].hours == D("1.25") and brand[0].note == "Project Management: Weekly call, notes"
    assert sorted(e.hours for e in web) == [D(3), D("4.5")]


def test_a_harvest_export_keeps_the_rate_each_entry_was_billed_at(uow_factory: UnitOfWorkFactory) -> None:
    load_org(uow_factory)
    text = (DATA / "hours-harvest.csv").read_text().splitlines()
    # Last spring Jane billed 120 and cost 55; Harvest knows, her person record (140 / 60) does not.
    text[1] = text[1].replace(",140.00,630.00,60.00,270.00,", ",120.00,540.00,55.00,247.50,")
    # A non-billable hour: Harvest exports it at a billable rate of 0, so it burns no fee.
    text[4] = text[4].replace(",Yes,No,No,Jane", ",No,No,No,Jane").replace(",140.00,420.00,", ",0.00,0.00,")
    assert import_hours_file(uow_factory, CLOCK, "\n".join(text) + "\n").ok
    rates = {(e.hours, e.bill_rate, e.cost_rate) for e in all_entries(uow_factory)}
    assert (D("4.5"), D(120), D(55)) in rates
    assert (D(3), D(0), D(60)) in rates
    assert (D(6), D(150), D(65)) in rates  # as exported: Leo's current rates


def test_a_generic_file_may_give_rates_and_an_empty_rate_is_the_persons(uow_factory: UnitOfWorkFactory) -> None:
    load_org(uow_factory)
    text = ("date,email,project,hours,note,bill_rate,cost_rate\n"
            "2026-11-02,jane@example.com,acme-web,2,old rate,\"1,120.50\",55\n"
            "2026-11-03,jane@example.com,acme-web,3,current rate,,\n")
    assert import_hours_file(uow_factory, CLOCK, text).ok
    rates = sorted((e.hours, e.bill_rate, e.cost_rate) for e in all_entries(uow_factory))
    assert rates == [(D(2), D("1120.50"), D(55)), (D(3), D(140), D(60))]


def test_a_rate_that_is_not_one_rejects_the_file_naming_the_line(uow_factory: UnitOfWorkFactory) -> None:
    load_org(uow_factory)
    text = ("date,email,project,hours,note,bill_rate,cost_rate\n"
            "2026-11-02,jane@example.com,acme-web,2,,lots,55\n"
            "2026-11-03,jane@example.com,acme-web,3,,140.005,\n")
    reply = import_hours_file(uow_factory, CLOCK, text)
    assert not reply.ok and reply.title == "No hours were imported"
    message = reply.summary + "\n".join(line for s in reply.sections for line in s.lines)
    assert "line 2" in message and "bill_rate “lots” is not a rate" in message
    assert "line 3" in message and "140.005 has more than two decimals" in message
    assert all_entries(uow_factory) == []


def test_rates_are_read_exactly() -> None:
    assert parse_rate("180") == D("180")
    assert parse_rate("180.50") == D("180.50")
    assert parse_rate("1,250.50") == D("1250.50")
    assert parse_rate("180,5") == D("180.5")
    assert parse_rate("-10") is None
    assert parse_rate("$180") is None
    assert parse_rate("0.1") + parse_rate("0.2") == D("0.3")  # type: ignore[operator]


def test_a_toggl_export_matches_by_email_or_user_and_reads_durations(uow_factory: UnitOfWorkFactory) -> None:
    load_org(uow_factory)
    reply = import_hours_file(uow_factory, CLOCK, DATA / "hours-toggl.csv")
    assert reply.ok, reply.summary
    entries = all_entries(uow_factory)
    assert sorted(e.hours for e in entries) == [D("0.75"), D("1.5"), D("1.5"), D("3.25")]  # identical rows both kept
    with uow_factory() as uow:
        mark = uow.people.by_email("mark@example.com")
    assert mark is not None
    assert [e.hours for e in entries if e.person_id == mark.id] == [D("0.75")]  # no email: matched by "User"


def test_reimporting_the_same_file_adds_nothing(uow_factory: UnitOfWorkFactory) -> None:
    load_org(uow_factory)
    assert import_hours_file(uow_factory, CLOCK, DATA / "hours-toggl.csv").ok
    before = audit_count(uow_factory)
    again = import_hours_file(uow_factory, CLOCK, DATA / "hours-toggl.csv")
    assert again.ok and again.title == "Imported 0 entries (4 already present) for 3 projects"
    assert len(all_entries(uow_factory)) == 4
    assert audit_count(uow_factory) == before


def test_a_file_with_new_rows_appended_imports_only_the_new_ones(uow_factory: UnitOfWorkFactory) -> None:
    load_org(uow_factory)
    text = (DATA / "hours-generic.csv").read_text()
    assert import_hours_file(uow_factory, CLOCK, text).ok
    more = text + "2026-11-05,jane@example.com,acme-web,2,new row\n"
    reply = import_hours_file(uow_factory, CLOCK, more)
    assert reply.title == "Imported 1 entry (6 already present) for 3 projects"


def test_one_bad_row_imports_nothing_and_names_the_line(uow_factory: UnitOfWorkFactory) -> None:
    load_org(uow_factory)
    reply = import_hours_file(uow_factory, CLOCK, DATA / "hours-bad.csv")
    assert not reply.ok
    for expected in (
        "line 3: unknown person “nobody@example.com”",
        "line 4: “2026-11-31” is not a date",
        "line 5: unknown project “acme-wbe” (did you mean acme-web?)",
        "line 6: -1 hours is negative",
        "line 7: 0 is zero hours",
        "line 8: 25 hours is more than a day holds",
        "line 9: “lots” is not a number of hours",
        "line 10: has 3 values, the header has 5",
    ):
        assert expected in reply.summary, f"{expected!r} not in:\n{reply.summary}"
    assert "line 2" not in reply.summary
    assert all_entries(uow_factory) == []


def test_a_single_bad_row_among_good_ones_rejects_the_file(uow_factory: UnitOfWorkFactory) -> None:
    load_org(uow_factory)
    text = (DATA / "hours-generic.csv").read_text() + "2026-11-05,jane@example.com,acme-web,1.5,fine\n" \
        "2026-11-05,jane@example.com,nowhere,1.5,bad\n"
    reply = import_hours_file(uow_factory, CLOCK, text)
    assert not reply.ok and "line 9: unknown project “nowhere”" in reply.summary
    assert all_entries(uow_factory) == []


def test_more_than_a_day_for_one_person_across_rows_is_refused(uow_factory: UnitOfWorkFactory) -> None:
    load_org(uow_factory)
    text = "date,email,project,hours,note\n" + "".join(
        f"2026-11-02,jane@example.com,acme-web,{h},part {i}\n" for i, h in enumerate((10, 10, 6)))
    reply = import_hours_file(uow_factory, CLOCK, text)
    assert not reply.ok and "line 4: Jane Designer has more than 24 hours on 2026-11-02" in reply.summary


def test_long_problem_lists_are_cut_with_how_many_more(uow_factory: UnitOfWorkFactory) -> None:
    load_org(uow_factory)
    text = "date,email,project,hours,note\n" + "2026-11-02,ghost@example.com,acme-web,1,x\n" * 25
    reply = import_hours_file(uow_factory, CLOCK, text)
    assert not reply.ok
    assert "line 21:" in reply.summary and "line 22:" not in reply.summary
    assert "and 5 more" in reply.summary


def test_a_missing_column_or_unknown_header_is_reported(uow_factory: UnitOfWorkFactory) -> None:
    load_org(uow_factory)
    reply = import_hours_file(uow_factory, CLOCK, "date,email,project,note\n2026-11-02,jane@example.com,x,y\n",
                              "generic")
    assert not reply.ok and "line 1: missing column “hours”" in reply.summary
    reply = import_hours_file(uow_factory, CLOCK, "when,who\n2026-11-02,jane\n")
    assert not reply.ok and "can't tell the format" in reply.summary


def test_an_import_writes_one_audit_event(uow_factory: UnitOfWorkFactory) -> None:
    load_org(uow_factory)
    before = audit_count(uow_factory)
    assert import_hours_file(uow_factory, CLOCK, DATA / "hours-harvest.csv").ok
    with uow_factory() as uow:
        events = uow.audit.list(limit=100)
    assert len(events) == before + 1
    newest = [e for e in events if e.action == "hours.imported"]
    assert len(newest) == 1 and newest[0].source is Source.IMPORT
    assert "hours-harvest.csv" in newest[0].detail and "harvest" in newest[0].detail


def test_a_semicolon_separated_spreadsheet_export_is_read_too(uow_factory: UnitOfWorkFactory) -> None:
    load_org(uow_factory)
    text = "date;email;project;hours;note\n2026-11-02;jane@example.com;acme-web;7,5;design, review\n"
    reply = import_hours_file(uow_factory, CLOCK, text)
    assert reply.ok, reply.summary
    assert [(e.hours, e.note) for e in all_entries(uow_factory)] == [(D("7.5"), "design, review")]


def test_a_file_that_is_not_csv_is_refused_cleanly(uow_factory: UnitOfWorkFactory) -> None:
    load_org(uow_factory)
    reply = import_hours_file(uow_factory, CLOCK, "date,email,project,hours,note\n2026-11-02,a\x00b,x,1,y\n")
    assert not reply.ok and "line 2 holds a NUL byte" in reply.summary
    huge = "date,email,project,hours,note\n2026-11-02,jane@example.com,acme-web,1,\"" + "x" * 200_000 + "\"\n"
    reply = import_hours_file(uow_factory, CLOCK, huge)
    assert not reply.ok and "not valid CSV" in reply.summary
    assert all_entries(uow_factory) == []


def test_a_reexport_with_other_columns_does_not_duplicate_entries(uow_factory: UnitOfWorkFactory) -> None:
    load_org(uow_factory)
    first = "Date,Project,Project Code,Notes,Hours,Invoiced?,First Name,Last Name\n" \
            "2026-11-02,Website Relaunch,acme-web,Concepts,4.5,No,Jane,Designer\n"
    later = "Date,Client,Project,Project Code,Task,Notes,Hours,Invoiced?,First Name,Last Name,Billable Amount\n" \
            "2026-11-02,Acme Corp,Website Relaunch,acme-web,,Concepts,4.50,Yes,Jane,Designer,630.00\n"
    assert import_hours_file(uow_factory, CLOCK, first, "harvest").title == "Imported 1 entry for 1 project"
    again = import_hours_file(uow_factory, CLOCK, later)
    assert again.title == "Imported 0 entries (1 already present) for 1 project"
