"""What the admins' digest says about people Steward cannot reach (no Slack account with their email, no
Teams chat or roster entry): each once, with the latest reason, so someone can fix the file or the workspace."""

from __future__ import annotations

from datetime import datetime, timedelta

from handlers.base import Turn
from handlers.reply import Action, Section, Tone

LOOK_BACK = timedelta(days=7)


def unreachable_section(t: Turn, since: datetime | None) -> list[Section]:
    """For an admin: a section naming the people whose messages could not be delivered since ``since``
    (the previous digest; at most a week back); [] for anyone else, or when everyone was reached."""
    if not t.actor.is_admin:
        return []
    start = max(since, t.now - LOOK_BACK) if since is not None else t.now - LOOK_BACK
    missed = t.uow.roster.unreachable(start)
    if not missed:
        return []
    return [Section(title="People Steward cannot reach", tone=Tone.AMBER, lines=tuple(
        f"{person.name} ({person.email}): {reason.replace(chr(10), ' ')[:160]}" for person, reason in missed),
        actions=(Action("Help", "help"),))]
