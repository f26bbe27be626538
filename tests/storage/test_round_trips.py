"""Every entity goes in and comes back equal, as a domain dataclass, never an ORM object."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from domain.model import (
    Allocation,
    AllocationState,
    AuditEvent,
    Client,
    DigestSubscription,
    EscalationPolicy,
    Expense,
    Organisation,
    Person,
    Platform,
    Rag,
    Role,
    ScopeChange,
    ScopeState,
    Source,
    StatusUpdate,
    TimeEntry,
)
from storage.uow import SqlUnitOfWorkFactory
from tests.storage.builders import AT, D, basics, person, project


def test_organisation_defaults_when_none_was_saved(uow_factory: SqlUnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        assert uow.organisation.get() == Organisation()


def test_organisation_round_trips_and_a_second_save_replaces_it(uow_factory: SqlUnitOfWorkFactory) -> None:
    org = Organisation("EUR", "Europe/Paris", EscalationPolicy((50, 80), 15, 7, 3, 4, 12))
    with uow_factory() as uow:
        uow.organisation.save(org)
        uow.commit()
    with uow_factory() as uow:
        assert uow.organisation.get() == org
        uow.organisation.save(replace(org, currency="GBP"))
        uow.commit()
    with uow_factory() as uow:
        assert uow.organisation.get() == replace(org, currency="GBP")


def test_a_person_round_trips_with_every_field(uow_factory: SqlUnitOfWorkFactory) -> None:
    p = Person(None, "Jane Designer", "Jane@Example.com", Role.MEMBER, D("32.5"), D("60.25"), D("140"),
               Platform.TEAMS, "U0JANE", "29:jane", active=False)
    with uow_factory() as uow:
        added = uow.people.add(p)
        uow.commit()
    assert added.id is not None and added == replace(p, id=added.id)
    with uow_factory() as uow:
        got = uow.people.get(added.id)
    assert got == added and type(got) is Person


def test_people_are_found_by_email_case_insensitively(uow_factory: SqlUnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        jane = person(uow, "jane")
        assert uow.people.by_email("JANE@example.COM") == jane
        assert uow.people.by_email(" jane@example.com ") == jane
        assert uow.people.by_email("nobody@example.com") is None


def test_people_are_found_by_slack_id_and_teams_id(uow_factory: SqlUnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        jane = person(uow, "jane", slack_id="U0JANE", teams_id="29:jane")
        assert uow.people.by_slack_id("U0JANE") == jane
        assert uow.people.by_teams_id("29:jane") == jane
        assert uow.people.by_slack_id("U0NOBODY") is None and uow.people.by_teams_id("29:x") is None


def test_many_returns_the_people_asked_for_in_one_query(uow_factory: SqlUnitOfWorkFactory, count_statements) -> None:  # type: ignore[no-untyped-def]
    with uow_factory() as uow:
        people = [person(uow, f"p{n}") for n in range(5)]
        with count_statements(uow_factory.engine) as counted:
            found = uow.people.many([people[1].id or 0, people[3].id or 0, 999, people[1].id or 0])
        assert counted.count == 1
        assert found == {people[1].id: people[1], people[3].id: people[3]}
        assert uow.people.many([]) == {}
        assert uow.people.list() == people


def test_a_person_update_changes_the_stored_values(uow_factory: SqlUnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        jane = person(uow, "jane")
        changed = replace(jane, email="jane.d@example.com", bill_rate=D("175.50"), slack_id="U1", active=False)
        uow.people.update(changed)
        assert uow.people.get(jane.id or 0) == changed
        assert uow.people.by_email("JANE.D@example.com") == changed


def test_a_client_round_trips_with_its_aliases_and_updates(uow_factory: SqlUnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        dana = person(uow, "dana", Role.DIRECTOR)
        acme = uow.clients.add(Client(None, "acme", "Acme Corp", dana.id, ("acme corporation", "ACME")))
        uow.commit()
    with uow_factory() as uow:
        assert uow.clients.get(acme.id or 0) == acme
        uow.clients.update(replace(acme, name="Acme Inc", aliases=()))
        uow.commit()
    with uow_factory() as uow:
        assert uow.clients.list() == [replace(acme, name="Acme Inc", aliases=())]
        assert uow.clients.get(12345) is None


def test_a_project_round_trips_with_its_channels_in_order_and_aliases(uow_factory: SqlUnitOfWorkFactory) -> None:
    ids = basics(uow_factory)
    with uow_factory() as uow:
        p = project(uow, ids.acme, "acme-brand", manager_id=ids.dana, budget=D("120000.50"),
                    budget_hours=D("800.25"), channels=("C0B", "C0A", "19:abc@thread.tacv2"),
                    aliases=("brand", "rebrand"))
        uow.commit()
    with uow_factory() as uow:
        got = uow.projects.get(p.id or 0)
    assert got == p
    assert got is not None and got.channels == ("C0B", "C0A", "19:abc@thread.tacv2")


def test_projects_are_listed_by_client_and_found_by_channel(uow_factory: SqlUnitOfWorkFactory) -> None:
    ids = basics(uow_factory)
    with uow_factory() as uow:
        other = uow.clients.add(Client(None, "globex", "Globex", None))
        shared = project(uow, other.id or 0, "globex-a", channels=("CSHARED", "CGLOBEX"))
        also = project(uow, ids.acme, "acme-b", channels=("CSHARED",))
        assert [p.key for p in uow.projects.list(other.id)] == ["globex-a"]
        assert [p.key for p in uow.projects.list()] == ["acme-web", "acme-app", "globex-a", "acme-b"]
        assert uow.projects.by_channel("CSHARED") == [shared, also]
        assert uow.projects.by_channel("CGLOBEX") == [shared]
        assert uow.projects.by_channel("CNONE") == []
        assert uow.projects.get(999) is None


def test_a_project_update_replaces_its_channels(uow_factory: SqlUnitOfWorkFactory) -> None:
    ids = basics(uow_factory)
    with uow_factory() as uow:
        web = uow.projects.get(ids.web)
        assert web is not None
        uow.projects.update(replace(web, name="Web 2", channels=("C2", "C1", "C2"), end=date(2027, 3, 31)))
        uow.commit()
    with uow_factory() as uow:
        got = uow.projects.get(ids.web)
        assert got == replace(web, name="Web 2", channels=("C2", "C1"), end=date(2027, 3, 31))
        uow.projects.update(replace(web, channels=()))
        assert uow.projects.by_channel("C1") == []


def test_projects_are_read_in_two_statements_however_many_there_are(
    uow_factory: SqlUnitOfWorkFactory, count_statements  # type: ignore[no-untyped-def]
) -> None:
    ids = basics(uow_factory)
    with uow_factory() as uow:
        for n in range(30):
            project(uow, ids.acme, f"extra-{n}", channels=(f"C{n}", f"D{n}"))
        with count_statements(uow_factory.engine) as counted:
            projects = uow.projects.list(ids.acme)
    assert len(projects) == 32 and projects[-1].channels == ("C29", "D29")
    assert counted.count == 2


def test_a_time_entry_and_an_expense_round_trip(uow_factory: SqlUnitOfWorkFactory) -> None:
    ids = basics(uow_factory)
    entry = TimeEntry(None, ids.jane, ids.web, date(2026, 11, 3), D("3.75"), D("140"), D("60.5"), "design review",
                      Source.IMPORT, "harvest:123")
    with uow_factory() as uow:
        added = uow.entries.add(entry)
        expense = uow.entries.add_expense(Expense(None, ids.web, date(2026, 11, 4), D("499.99"), "stock photos"))
        uow.commit()
    assert added == replace(entry, id=added.id) and expense.id is not None
    with uow_factory() as uow:
        assert uow.entries.list(ids.web) == [added]
        assert uow.entries.list(ids.web, since=date(2026, 11, 4)) == []
        assert uow.entries.list(ids.app) == []


def test_a_status_update_round_trips_with_an_aware_utc_time(uow_factory: SqlUnitOfWorkFactory) -> None:
    ids = basics(uow_factory)
    new_york = timezone(timedelta(hours=-5))
    with uow_factory() as uow:
        s = uow.statuses.add(StatusUpdate(None, ids.web, Rag.AMBER, "waiting on assets", ids.dana,
                                          datetime(2026, 11, 15, 9, 30, tzinfo=new_york)))
        uow.commit()
    with uow_factory() as uow:
        (got,) = uow.statuses.history(ids.web)
    assert got == s
    assert got.at.tzinfo is UTC and got.at == datetime(2026, 11, 15, 14, 30, tzinfo=UTC)


def test_a_scope_change_round_trips(uow_factory: SqlUnitOfWorkFactory) -> None:
    ids = basics(uow_factory)
    change = ScopeChange(None, ids.web, "extra landing page", D("40"), None, ScopeState.FLAGGED, ids.jane, AT,
                         link="https://slack.example/p1")
    with uow_factory() as uow:
        added = uow.scope.add(change)
        uow.commit()
    with uow_factory() as uow:
        assert uow.scope.get(added.id or 0) == replace(change, id=added.id)
        assert uow.scope.list([ids.web]) == [added]
        assert uow.scope.list([ids.web], [ScopeState.APPROVED]) == []
        assert uow.scope.list([]) == []
        assert uow.scope.get(999) is None


def test_an_allocation_round_trips_and_lists_by_filter(uow_factory: SqlUnitOfWorkFactory) -> None:
    ids = basics(uow_factory)
    a = Allocation(None, ids.jane, ids.web, D("20"), date(2026, 11, 16), date(2026, 11, 29),
                   AllocationState.REQUESTED, ids.dana, AT)
    with uow_factory() as uow:
        added = uow.allocations.add(a)
        other = uow.allocations.add(replace(a, project_id=ids.app, state=AllocationState.APPROVED,
                                            decided_by=ids.dana, decided_at=AT, decision_note="ok"))
        uow.commit()
    with uow_factory() as uow:
        assert uow.allocations.get(added.id or 0) == replace(a, id=added.id)
        assert uow.allocations.list() == [added, other]
        assert uow.allocations.list(person_id=ids.dana) == []
        assert uow.allocations.list(project_ids=[ids.app]) == [other]
        assert uow.allocations.list(project_ids=[]) == []
        assert uow.allocations.list(person_id=ids.jane, states=[AllocationState.REQUESTED]) == [added]


def test_audit_events_round_trip_newest_first_and_filtered_by_subject(uow_factory: SqlUnitOfWorkFactory) -> None:
    ids = basics(uow_factory)
    with uow_factory() as uow:
        for n in range(3):
            uow.audit.add(AuditEvent(None, AT + timedelta(minutes=n), ids.dana, Source.SLACK, f"a.{n}",
                                     "project:acme-web", f"detail {n}"))
        uow.audit.add(AuditEvent(None, AT, None, Source.SYSTEM, "b", "allocation:1"))
        uow.commit()
    with uow_factory() as uow:
        events = uow.audit.list(subject="project:acme-web")
        assert [e.action for e in events] == ["a.2", "a.1", "a.0"]
        assert events[0] == AuditEvent(events[0].id, AT + timedelta(minutes=2), ids.dana, Source.SLACK, "a.2",
                                       "project:acme-web", "detail 2")
        assert len(uow.audit.list()) == 4 and len(uow.audit.list(limit=2)) == 2


def test_a_digest_subscription_is_saved_per_channel_and_replaced(uow_factory: SqlUnitOfWorkFactory) -> None:
    ids = basics(uow_factory)
    sub = DigestSubscription(None, "C0ACMEWEB", Platform.SLACK, 9, 15, "Europe/London", True, ids.dana)
    with uow_factory() as uow:
        saved = uow.subscriptions.save(sub)
        uow.subscriptions.save(DigestSubscription(None, "D0DANA", None, 8, 0, "UTC", False, ids.dana, ids.dana))
        uow.commit()
    assert saved.id is not None
    with uow_factory() as uow:
        assert uow.subscriptions.for_channel("C0ACMEWEB") == saved
        again = uow.subscriptions.save(replace(sub, hour=10, active=False))
        uow.commit()
    assert again.id == saved.id
    with uow_factory() as uow:
        assert uow.subscriptions.for_channel("C0ACMEWEB") == replace(saved, hour=10, active=False)
        assert [s.channel for s in uow.subscriptions.list_active()] == ["D0DANA"]
        assert uow.subscriptions.for_channel("CNONE") is None


def test_naive_datetimes_are_refused(uow_factory: SqlUnitOfWorkFactory) -> None:
    ids = basics(uow_factory)
    naive = datetime(2026, 11, 15, 12, 0)
    with uow_factory() as uow:
        with pytest.raises(ValueError, match="timezone"):
            uow.statuses.add(StatusUpdate(None, ids.web, Rag.RED, "x", ids.dana, naive))
        with pytest.raises(ValueError, match="timezone"):
            uow.receipts.record("k", naive)
        with pytest.raises(ValueError, match="timezone"):
            uow.audit.add(AuditEvent(None, naive, None, Source.SYSTEM, "x", "y"))


def test_updating_an_entity_without_an_id_is_refused(uow_factory: SqlUnitOfWorkFactory) -> None:
    with uow_factory() as uow, pytest.raises(ValueError, match="without an id"):
        uow.people.update(Person(None, "X", "x@example.com", Role.MEMBER))
