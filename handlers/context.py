"""Who is asking, from where, and with which collaborators: everything a handler needs besides the line."""

from __future__ import annotations

from dataclasses import dataclass, field

from domain.charts import ChartDrawer
from domain.model import Platform, Source
from domain.ports import Clock, UnitOfWorkFactory


@dataclass(frozen=True)
class Caller:
    """The platform's identity of whoever typed the line; ``domain.identity`` maps it to a person.

    bot/ fills what its platform knows: Slack gives ``slack_id`` (and ``email`` after users.info),
    Teams gives ``teams_id`` (the AAD object id) and ``email``; the shell gives ``email``.
    """

    email: str | None = None
    slack_id: str | None = None
    teams_id: str | None = None
    display_name: str | None = None
    teams_tenant: str | None = None  # the Entra ID tenant the Teams activity came from


@dataclass(frozen=True)
class Context:
    uow_factory: UnitOfWorkFactory
    clock: Clock
    caller: Caller
    source: Source = Source.SHELL
    platform: Platform | None = None
    channel: str | None = None  # Slack channel id or Teams conversation id the line was said in
    is_direct: bool = False  # said in a DM / personal chat
    # A chat message the line is about (message shortcut "Flag as scope creep").
    permalink: str = ""
    extra: dict[str, str] = field(default_factory=dict)
    # Draws charts and PDFs (``bot/charts``); None where nothing can draw (answers then say it in words).
    drawer: ChartDrawer | None = None
