"""Mapping a platform identity to a person Steward knows."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime

from domain.errors import InvalidInput, NotFound, NotRegistered
from domain.model import AuditEvent, Person, Platform, Role, Source
from domain.ports import UnitOfWork

log = logging.getLogger(__name__)


class AccountMismatch(NotRegistered):
    """A platform account claims (by its email) a person already linked to another account of that platform."""


def _refuse_relink(uow: UnitOfWork, person: Person, platform: Platform, linked: str, claimed: str) -> None:
    log.warning("identity: a %s account (%s) with the email of %s, who is linked to another one (%s), was refused",
                platform.value, claimed[:64], person.email, linked[:64])
    raise AccountMismatch(
        f"This {platform.value.capitalize()} account is not the one linked to you ({person.email}); ask an admin "
        f"({_admins_to_ask(uow)}) to check it and, if your account changed, run "
        f"`steward people unlink {person.email} --platform {platform.value}`.")


def identify(uow: UnitOfWork, *, email: str | None = None, slack_id: str | None = None,
             teams_id: str | None = None, platform: Platform | None = None,
             teams_tenant: str | None = None) -> Person:
    """The person behind a platform identity.

    A platform id already linked wins (a Teams id only in the tenant it was linked in); otherwise the email
    decides and the platform id (and Teams tenant) is stored on the person for next time (the caller
    commits). A person already linked to another account of the same platform is never relinked silently:
    ``AccountMismatch`` (logged), until an admin unlinks them (``unlink``). ``platform`` records where they
    last talked to Steward, so notifications can reach them there. Unknown: ``NotRegistered`` naming the admins.
    """
    person = None
    if slack_id:
        person = uow.people.by_slack_id(slack_id)
    if person is None and teams_id:
        person = uow.people.by_teams_id(teams_id)
        if person is not None and teams_tenant and person.teams_tenant and person.teams_tenant != teams_tenant:
            _refuse_relink(uow, person, Platform.TEAMS, f"{person.teams_tenant}/{person.teams_id}",
                           f"{teams_tenant}/{teams_id}")
    if person is None and email:
        person = uow.people.by_email(email.strip())
        if person is not None:
            if slack_id and person.slack_id and person.slack_id != slack_id:
                _refuse_relink(uow, person, Platform.SLACK, person.slack_id, slack_id)
            if teams_id and person.teams_id and person.teams_id != teams_id:
                _refuse_relink(uow, person, Platform.TEAMS, person.teams_id, teams_id)
            linked = replace(
                person,
                slack_id=slack_id or person.slack_id,
                teams_id=teams_id or person.teams_id,
                teams_tenant=(teams_tenant or person.teams_tenant) if teams_id else person.teams_tenant,
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
    one (the message then fails visibly in the outbox, saying why). None: nothing known yet; the deliverer
    picks a configured platform and looks them up there (Slack by email).

    Slack can message anyone whose Slack id is known (and, looked up by email at delivery, anyone in the
    workspace). Teams can message someone who installed the app or messaged the bot (a personal
    conversation is stored), or who is on the roster of a team where the app is installed (a 1:1 chat is
    created at delivery): a director who prefers Teams but is reachable only on Slack still gets the card.
    """

    def can_reach(platform: Platform) -> bool:
        if platform is Platform.SLACK:
            return bool(person.slack_id)
        if person.id is None:
            return False
        return (uow.conversations.personal(person.id, Platform.TEAMS) is not None
                or uow.roster.for_person(person) is not None)

    preferred = person.reachable_on
    order = [preferred] if preferred is not None else []
    order += [p for p in (Platform.SLACK, Platform.TEAMS) if p not in order]
    for platform in order:
        if can_reach(platform):
            return platform
    return preferred


def unlink(uow: UnitOfWork, email: str, platform: Platform, now: datetime, actor_id: int | None = None) -> str:
    """Forget the Slack or Teams account linked to the person with ``email`` (an admin's decision, audited):
    the next account of that platform with their email is linked again. A Teams unlink also detaches their
    personal chats, so nothing meant for them goes to the old account. Returns what was done, in words.
    The caller commits."""
    person = uow.people.by_email(email.strip())
    if person is None or person.id is None:
        raise NotFound(f"No person with the email {email!r}.", example="steward people unlink dana@example.com "
                                                                       "--platform teams")
    platform = Platform(platform)
    old = person.slack_id if platform is Platform.SLACK else person.teams_id
    if not old:
        raise InvalidInput(f"{person.name} ({person.email}) has no {platform.value} account linked; nothing to do.")
    if platform is Platform.SLACK:
        uow.people.update(replace(person, slack_id=None))
    else:
        uow.people.update(replace(person, teams_id=None, teams_tenant=None))
        detached = uow.conversations.detach_person(person.id, Platform.TEAMS)
        old += f" ({detached} personal chat(s) detached)" if detached else ""
    uow.audit.add(AuditEvent(id=None, at=now, actor_id=actor_id, source=Source.SYSTEM, action="person.unlinked",
                             subject=f"person:{person.id}", detail=f"{platform.value}: {old}"))
    return f"{person.name} ({person.email}) is no longer linked to the {platform.value} account {old}."
