"""Reaching people who never talked to Steward: the Teams roster.

Teams lets a bot message anyone in a team where the app is installed, by creating a 1:1 conversation with
their Teams user id in their tenant. When the app is installed in a team or a member joins, bot/ reads the
team's members (the Bot Framework member API, paged) and stores them here; the Teams sender then finds a
person's roster entry by their linked AAD object id or their email and creates the chat.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from domain.model import Person


@dataclass(frozen=True)
class RosterMember:
    """One member of a Teams team (or group chat) where the app is installed."""

    tenant_id: str
    aad_object_id: str
    user_id: str  # the Teams user id (29:…), what create_conversation needs
    name: str
    email: str | None  # email, else userPrincipalName
    service_url: str
    team_id: str
    updated_at: datetime


class RosterRepository(Protocol):
    def save_many(self, members: builtins.list[RosterMember]) -> int:
        """Insert or refresh members by (tenant, AAD object id); the number written."""
        ...

    def for_person(self, person: Person, tenants: frozenset[str] | None = None) -> RosterMember | None:
        """The most recently seen roster entry of ``person``: by their linked Teams id (in its tenant) first,
        else by their email; only in ``tenants`` when given."""
        ...

    def unreachable(self, since: datetime, limit: int = 20) -> builtins.list[tuple[Person, str]]:
        """People a message could not be delivered to since ``since`` (failed outbox rows addressed to them,
        superseded cards aside), each once with the latest reason, in one query."""
        ...
