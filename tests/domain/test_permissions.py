"""Each authorization rule, allowing and refusing, and the refusal names who can."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain import permissions as rules
from domain.errors import Forbidden
from domain.model import Client, Person, Project, Role

DANA = Person(1, "Dana Director", "dana@example.com", Role.DIRECTOR)
DREW = Person(2, "Drew Otherdirector", "drew@example.com", Role.DIRECTOR)
MARK = Person(3, "Mark Manager", "mark@example.com", Role.MANAGER)
MIA = Person(4, "Mia Manager", "mia@example.com", Role.MANAGER)
JANE = Person(5, "Jane Designer", "jane@example.com", Role.MEMBER)
FIN = Person(6, "Fred Finance", "fred@example.com", Role.FINANCE)
ADA = Person(7, "Ada Admin", "ada@example.com", Role.ADMIN)
ACME = Client(1, "acme", "Acme Corp", director_id=DANA.id)
WEB = Project(1, "acme-web", "Website", 1, Decimal("1000"), date(2026, 1, 1), date(2026, 12, 31), manager_id=MARK.id)


@pytest.mark.parametrize("person", [DANA, MARK, FIN, ADA])
def test_budget_is_open_to_director_manager_finance_and_admin(person: Person) -> None:
    rules.check_budget(person, ACME, WEB, DANA, MARK)


@pytest.mark.parametrize("person", [DREW, MIA, JANE])
def test_budget_is_refused_to_others_naming_who_can(person: Person) -> None:
    with pytest.raises(Forbidden, match="Only Dana Director or Mark Manager, finance or an admin"):
        rules.check_budget(person, ACME, WEB, DANA, MARK)


@pytest.mark.parametrize("person", [DANA, MARK, ADA, JANE])
def test_status_can_be_logged_by_manager_director_allocated_people_and_admin(person: Person) -> None:
    rules.check_log_status(person, ACME, WEB, {JANE.id}, DANA, MARK)


def test_status_logging_is_refused_to_someone_not_on_the_project() -> None:
    with pytest.raises(Forbidden, match="Only Mark Manager or Dana Director, people allocated"):
        rules.check_log_status(JANE, ACME, WEB, set(), DANA, MARK)


def test_anyone_logs_their_own_hours_and_managers_log_for_others() -> None:
    rules.check_log_hours(JANE, JANE)
    for boss in (MARK, DANA, ADA):
        rules.check_log_hours(boss, JANE)


def test_a_member_may_not_log_hours_for_someone_else() -> None:
    with pytest.raises(Forbidden, match="only managers, directors or admins can log hours for Mark Manager"):
        rules.check_log_hours(JANE, MARK)


def test_anyone_on_the_project_may_flag_scope_but_outsiders_may_not() -> None:
    rules.check_flag_scope(JANE, ACME, WEB, {JANE.id}, MARK)
    rules.check_flag_scope(MARK, ACME, WEB, set(), MARK)
    with pytest.raises(Forbidden, match="ask Mark Manager to flag it"):
        rules.check_flag_scope(MIA, ACME, WEB, set(), MARK)


def test_only_the_clients_director_or_an_admin_decides() -> None:
    rules.check_decide(DANA, ACME, DANA, "scope changes")
    rules.check_decide(ADA, ACME, DANA, "scope changes")
    for person in (DREW, MARK, FIN):
        with pytest.raises(Forbidden, match="Only Dana Director or an admin can decide scope changes"):
            rules.check_decide(person, ACME, DANA, "scope changes")


def test_managers_directors_and_admins_request_allocations_members_do_not() -> None:
    for person in (MARK, DANA, ADA):
        rules.check_request_allocation(person)
    with pytest.raises(Forbidden, match="ask your manager"):
        rules.check_request_allocation(JANE)
