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
    if person is None:
        raise NotRegistered(not_registered_message(uow, email))
    if not person.active:
        raise NotRegistered(switched_off_message(uow, person))
    if platform is not None and person.last_platform is not platform:
        person = replace(person, last_platform=platform)
        uow.people.update(person)
    return person


def _admins_to_ask(uow: UnitOfWork) -> str:
    """The active admins, named with their emails, for "ask …" (or "your Steward admin")."""
    admins = [p for p in uow.people.list() if p.role is Role.ADMIN and p.active]
    return ", ".join(f"{a.name} ({a.email})" for a in admins) or "your Steward admin"


def switched_off_message(uow: UnitOfWork, person: Person) -> str:
    """What someone switched off in the organisation file (``active: false``) is told."""
    who = _admins_to_ask(uow)
    return (f"Your Steward access ({person.email}) is switched off in the organisation file. "
            f"If that's a mistake, ask {who} to remove `active: false` from your entry and re-import it.")


def not_registered_message(uow: UnitOfWork, email: str | None) -> str:
    who = _admins_to_ask(uow)
    you = f" as {email}" if email else ""
    email_words = f"your email ({email})" if email else "your email"
    return f"You're not registered in Steward{you}. Ask {who} to add {email_words} to Steward."


def reachable_platform(uow: UnitOfWork, person: Person) -> Platform | None:
    """Where a message to ``person`` should go: their preferred platform (else where they last talked to
    Steward) when Steward can reach them there, else the other platform when it can, else the preferred
    one (the message then fails visibly in the outbox, saying why). None: never reachable by chat.

    Slack can message anyone whose Slack id is known. Teams can message only someone who installed the
    app or messaged the bot (a personal conversation is stored): a director who prefers Teams but never
    opened Steward there would otherwise miss every approval card while Slack could reach them.
    """

    def can_reach(platform: Platform) -> bool:
        if platform is Platform.SLACK:
            return bool(person.slack_id)
        return person.id is not None and uow.conversations.personal(person.id, Platform.TEAMS) is not None

    preferred = person.reachable_on
    order = [preferred] if preferred is not None else []
    order += [p for p in (Platform.SLACK, Platform.TEAMS) if p not in order]
    if preferred is None and not person.slack_id and not person.teams_id:
        return None  # only ever seen in the shell or a file: no chat to send to
    for platform in order:
        if can_reach(platform):
            return platform
    return preferred
