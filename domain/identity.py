"""Mapping a platform identity to a person Steward knows."""

from __future__ import annotations

from dataclasses import replace

from domain.errors import NotRegistered
from domain.model import Person, Platform, Role
from domain.ports import UnitOfWork


def identify(uow: UnitOfWork, *, email: str | None = None, slack_id: str | None = None,
             teams_id: str | None = None, platform: Platform | None = None) -> Person:
    """The person behind a platform identity.

    A platform id already linked wins; otherwise the email decides and the platform id is stored on
    the person for next time (the caller commits). ``platform`` records where they last talked to
    Steward, so notifications can reach them there. Unknown: ``NotRegistered`` naming the admins.
    """
    person = None
    if slack_id:
        person = uow.people.by_slack_id(slack_id)
    if person is None and teams_id:
        person = uow.people.by_teams_id(teams_id)
    if person is None and email:
        person = uow.people.by_email(email.strip())
        if person is not None:
            linked = replace(
                person,
                slack_id=slack_id or person.slack_id,
                teams_id=teams_id or person.teams_id,
            )
            if linked != person:
                uow.people.update(linked)
                person = linked
    if person is None or not person.active:
        raise NotRegistered(not_registered_message(uow, email))
    if platform is not None and person.last_platform is not platform:
        person = replace(person, last_platform=platform)
        uow.people.update(person)
    return person


def not_registered_message(uow: UnitOfWork, email: str | None) -> str:
    admins = [p for p in uow.people.list() if p.role is Role.ADMIN and p.active]
    who = ", ".join(f"{a.name} ({a.email})" for a in admins) or "your Steward admin"
    you = f" as {email}" if email else ""
    return (
        f"You're not registered in Steward{you}. Ask {who} to add you to the organisation file "
        "(people: - {name: ..., email: ..., role: member}) and re-import it."
    )
