"""``status <project>`` (latest and history) and ``status <project> green|amber|red <note>``."""

from __future__ import annotations

from datetime import date

from domain import services
from domain.errors import InvalidInput
from domain.model import Project, Rag
from domain.ports import UnitOfWork
from handlers.base import rag_tone, rag_word, turn
from handlers.context import Context
from handlers.escalation_notices import STATUS_RULES, after_change
from handlers.parsing import split_name
from handlers.reply import Action, Reply, Section, Severity

USAGE = "status <project> [green|amber|red <note>]"
EXAMPLE = "status acme-web amber waiting on assets from the client"
_RAG_WORDS = {"green": Rag.GREEN, "g": Rag.GREEN, "amber": Rag.AMBER, "a": Rag.AMBER, "yellow": Rag.AMBER,
              "red": Rag.RED, "r": Rag.RED}


def handle(ctx: Context, args: str) -> Reply:
    with turn(ctx) as t:
        project, rest = split_name(args.split(), t.uow, example=EXAMPLE)
        if not rest:
            return _history(t.uow, project, t.today)
        rag = _RAG_WORDS.get(rest[0].lower())
        if rag is None:
            raise InvalidInput(f"“{rest[0]}” is not a status: use green, amber or red.", example=EXAMPLE)
        update = services.log_status(t.uow, t.actor, project, rag, " ".join(rest[1:]), t.now, ctx.source)
        after_change(t, project.id, STATUS_RULES)  # status red / amber twice / stale: escalate or clear now
        return Reply(
            title=f"{project.name} is {rag_word(rag)}",
            summary=update.note,
            tone=rag_tone(rag),
            severity=Severity.SUCCESS,
            footer=f"Logged by {t.actor.name} · {t.today:%d %b %Y}",
            actions=(Action("History", f"status {project.key}"),),
            subject=f"project:{project.key}",
        )


def _history(uow: UnitOfWork, project: Project, today: date) -> Reply:
    history = uow.statuses.history(project.id or 0, limit=6)
    if not history:
        return Reply(
            title=f"{project.name}: no status yet",
            summary=f"Log one: `status {project.key} green on track`",
            subject=f"project:{project.key}",
        )
    authors = uow.people.many({s.author_id for s in history})
    latest = history[0]
    age = (today - latest.at.date()).days
    lines = tuple(
        f"[{rag_word(s.rag)}] {s.at:%d %b} — {s.note} ({authors[s.author_id].name if s.author_id in authors else '?'})"
        for s in history
    )
    return Reply(
        title=f"{project.name} is {rag_word(latest.rag)}",
        summary=f"{latest.note} — " + ("today" if age <= 0 else f"{age} day{'s' if age != 1 else ''} ago"),
        tone=rag_tone(latest.rag),
        sections=(Section(title="History", lines=lines),),
        actions=(Action("Budget", f"budget {project.key}"),),
        subject=f"project:{project.key}",
    )
