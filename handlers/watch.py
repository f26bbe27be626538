"""The scope-creep watch: a line in a project's channel that reads like a new ask ("can you also…")
is brought to the project's manager, once per message, with a button that flags it.

Not a command: the Slack layer calls ``watch_message`` for messages in channels (not DMs, not bots).
Nothing is flagged by itself; the manager decides whether it is new scope. The deciders' own lines (the
project's manager, the client's director) are not watched: they are the ones who would be told.
"""

from __future__ import annotations

from domain.identity import reachable_platform
from domain.model import OutboxMessage
from domain.ports import Clock, UnitOfWorkFactory
from domain.scope_watch import quote, scope_creep_phrase
from handlers.reply import Action, Reply, Tone

MAX_DESCRIPTION = 150  # characters of the message that go into the scope change the button flags


def watch_message(uow_factory: UnitOfWorkFactory, clock: Clock, *, channel: str, text: str, author_slack_id: str,
                  message_ts: str, permalink: str = "", author_email: str | None = None) -> list[str]:
    """Queue a nudge to the manager of each project bound to ``channel`` when ``text`` reads like a new
    ask; returns the outbox keys queued (none for most messages, and none the second time)."""
    phrase = scope_creep_phrase(text)
    if phrase is None:
        return []
    queued: list[str] = []
    with uow_factory() as uow:
        projects = uow.projects.by_channel(channel)
        if not projects:
            return []
        author = uow.people.by_slack_id(author_slack_id) if author_slack_id else None
        if author is None and author_email:
            author = uow.people.by_email(author_email)
        now = clock.now()
        for project in projects:
            client = uow.clients.get(project.client_id)
            director_id = client.director_id if client else None
            if author is not None and author.id in (project.manager_id, director_id):
                continue  # the deciders' own words
            recipient_id = project.manager_id or director_id
            recipient = uow.people.get(recipient_id) if recipient_id else None
            if recipient is None or recipient.id is None or not recipient.active:
                continue
            key = f"watch:{channel}:{message_ts}:{project.key}"
            reply = nudge(project.key, project.name, text, author.name if author else "Someone", permalink)
            if uow.outbox.add(OutboxMessage(
                id=None, key=key, kind="notification", payload=reply.to_dict(), created_at=now, due_at=now,
                person_id=recipient.id, platform=reachable_platform(uow, recipient),
            )):
                queued.append(key)
        uow.commit()
    return queued


def nudge(project_key: str, project_name: str, text: str, who: str, permalink: str) -> Reply:
    """What the manager gets: the line, who said it, where, and a button that flags it."""
    description = " ".join(w for w in quote(text, MAX_DESCRIPTION).split() if not w.startswith("+"))
    where = f"\n{permalink}" if permalink else ""
    return Reply(
        title=f"Possible scope creep on {project_name}",
        summary=f"{who} wrote in the project's channel: “{quote(text)}”{where}\n"
                "If it isn't in the agreed scope, flag it and the director decides.",
        tone=Tone.AMBER,
        actions=(Action("Flag as scope creep", f"scope {project_key} {description}", "primary"),
                 Action("Open scope changes", f"scope {project_key}")),
        subject=f"project:{project_key}",
    )
