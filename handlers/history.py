"""``history <project|client|person> [<N>]``: the audit trail of one subject, newest first.

Whoever may see a project's budget may see its history (a client: the projects of it one may see; a
person: themselves, finance and admins). Each line says when (in the organisation's timezone), who,
from where (Slack, Teams, the shell, the organisation file) and what changed, ``old → new`` for
imports and edits as the trail recorded it.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from domain import permissions
from domain.audit_trail import AuditEntry, client_subjects, person_subjects, project_subjects
from domain.errors import Forbidden, InvalidInput, NotFound
from domain.model import Person, Role, Source
from handlers.base import Turn, turn
from handlers.context import Context
from handlers.parsing import resolve_named, resolve_person
from handlers.reply import Reply, Section

USAGE = "history <project|client|person> [<N>]"
EXAMPLE = "history acme-web"
DEFAULT_LIMIT = 10
MAX_LIMIT = 50
LINES_PER_SECTION = 10
SOURCES = {Source.SLACK: "Slack", Source.TEAMS: "Teams", Source.SHELL: "the shell", Source.IMPORT: "import",
           Source.SYSTEM: "Steward"}
SHORT = {"scope": "S", "allocation": "A", "escalation": "E"}


def _split(args: str) -> tuple[str, int]:
    words = args.split()
    if not words:
        raise InvalidInput("Say whose history: a project, a client or a person.", example=EXAMPLE)
    limit = DEFAULT_LIMIT
    if len(words) > 1 and words[-1].isdigit():
        limit = int(words.pop())
        if not 1 <= limit <= MAX_LIMIT:
            raise InvalidInput(f"Ask for 1 to {MAX_LIMIT} changes, not {limit}.", example="history acme-web 20")
    return " ".join(words), limit


def handle(ctx: Context, args: str) -> Reply:
    name, limit = _split(args)
    with turn(ctx) as t:
        try:
            named = resolve_named(t.uow, name, example=EXAMPLE)
        except NotFound as not_named:
            try:
                person = resolve_person(t.uow, name, example=EXAMPLE)
            except (NotFound, InvalidInput):
                raise NotFound(f"{not_named.message} Nor is “{name}” someone I know.", example=EXAMPLE) \
                    from None
            return _person(t, person, limit)
        if named.project is not None:
            project = named.project
            client = t.uow.clients.get(project.client_id)
            assert client is not None
            people = t.uow.people.many([i for i in (client.director_id, project.manager_id) if i])
            permissions.check_budget(t.actor, client, project, people.get(client.director_id or 0),
                                     people.get(project.manager_id or 0))
            entries = t.uow.audit_trail.latest(project_subjects(t.uow, project), None, limit)
            return _reply(t, f"History of {project.name} ({project.key})", entries, limit, f"project:{project.key}")
        client = named.client
        assert client is not None
        projects = [p for p in t.uow.projects.list() if p.client_id == client.id]
        visible = [p for p in projects if permissions.may_see_budget(t.actor, client, p)]
        whole = t.actor.role in (Role.ADMIN, Role.FINANCE) or permissions.is_director_of(t.actor, client)
        if not whole and not visible:
            raise Forbidden(f"Only the director of {client.name}, finance or an admin can see its history.")
        subjects = client_subjects(t.uow, client, visible)
        if not whole:  # a manager sees the projects they may see, not the client's own record
            subjects.remove(f"client:{client.key}")
        entries = t.uow.audit_trail.latest(subjects, None, limit)
        return _reply(t, f"History of {client.name} ({client.key})", entries, limit, f"client:{client.key}")


def _person(t: Turn, person: Person, limit: int) -> Reply:
    if person.id != t.actor.id and t.actor.role not in (Role.ADMIN, Role.FINANCE):
        raise Forbidden(f"Only {person.name}, finance or an admin can see {person.name}'s history.")
    entries = t.uow.audit_trail.latest(person_subjects(person), person.id, limit)
    return _reply(t, f"History of {person.name}", entries, limit, f"person:{person.email}")


def _reply(t: Turn, title: str, entries: list[AuditEntry], limit: int, main: str) -> Reply:
    if not entries:
        return Reply(title=title, summary="Nothing recorded yet.")
    tz = ZoneInfo(t.org.timezone)
    lines = tuple(line(e, tz, main) for e in entries)
    n = len(entries)
    what = "change or decision" if n == 1 else "changes and decisions"
    more = f"The latest {n}" if n == limit else ("The only" if n == 1 else f"All {n}")
    return Reply(title=title, summary=f"{more} {what}, newest first (times in {t.org.timezone}).",
                 # ten lines a section: 50 lines in one would pass Slack's 3,000 characters a section
                 sections=tuple(Section(lines=lines[i:i + LINES_PER_SECTION])
                                for i in range(0, len(lines), LINES_PER_SECTION)),
                 footer=(f"`history {main.split(':', 1)[1]} {MAX_LIMIT}` shows more; " if n == limit < MAX_LIMIT
                         else "") + "`steward audit` exports the whole trail.")


def who(entry: AuditEntry) -> str:
    """The actor's name; an import without one is the organisation file, a system change Steward."""
    if entry.actor_name:
        return entry.actor_name
    return "the organisation file" if entry.event.source is Source.IMPORT else "Steward"


def line(entry: AuditEntry, tz: ZoneInfo, main: str) -> str:
    """``04 Dec 2026 09:15 · Dana Director via Slack · scope approved (S3): change order``."""
    e = entry.event
    kind, _, ref = e.subject.partition(":")
    about = f" ({SHORT[kind]}{ref})" if kind in SHORT and e.subject != main else ""
    if kind in ("person", "client", "project") and e.subject != main:
        about = f" ({ref})"
    what = e.action.replace(".", " ").replace("_", " ")
    detail = f": {e.detail}" if e.detail else ""
    return f"{e.at.astimezone(tz):%d %b %Y %H:%M} · {who(entry)} via {SOURCES.get(e.source, e.source.value)} · " \
           f"{what}{about}{detail}"
