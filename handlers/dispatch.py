"""One entry point for every platform: a command line and a Context in, a Reply out."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial

from domain.errors import NotFound, NotRegistered, StewardError
from handlers import ack, approvals, assign, budget, decide, digest, escalations, help, hours, projects, scope, status
from handlers.account import handle as account_handle
from handlers.chart import handle as chart_handle
from handlers.context import Context
from handlers.reply import Reply, Severity, Tone, error
from handlers.report import handle as report_handle

log = logging.getLogger(__name__)

Handler = Callable[[Context, str], Reply]

COMMANDS: dict[str, Handler] = {
    "budget": budget.handle,
    "status": status.handle,
    "hours": hours.handle,
    "scope": scope.handle,
    "assign": assign.handle,
    "approvals": approvals.handle,
    "approve": partial(decide.handle, verb="approve"),
    "reject": partial(decide.handle, verb="reject"),
    "absorb": partial(decide.handle, verb="absorb"),
    "digest": digest.handle,
    "escalations": escalations.handle,
    "ack": ack.handle,
    "projects": projects.handle,
    "help": help.handle,
    "chart": chart_handle,
    "account": account_handle,
    "report": report_handle,
}


def split_command(line: str) -> tuple[str, str]:
    """``"/Budget  acme"`` -> ``("budget", "acme")``; a leading slash or @steward is dropped."""
    text = " ".join(line.strip().split())
    for prefix in ("@steward ", "steward "):
        if text.lower().startswith(prefix):
            text = text[len(prefix):]
    text = text.lstrip("/")
    word, _, rest = text.partition(" ")
    return word.lower(), rest.strip()


def handle(ctx: Context, line: str) -> Reply:
    """Run one command line. User errors come back as error Replies; nothing here raises for bad input."""
    word, args = split_command(line)
    if not word:
        return help.handle(ctx, "")
    command = COMMANDS.get(word)
    if command is None:
        return error(f"I don't know the command “{word}”.", example="help", title="Unknown command")
    try:
        return command(ctx, args)
    except NotRegistered as exc:
        return Reply(title="You're not registered", summary=str(exc), severity=Severity.ERROR, tone=Tone.RED)
    except NotFound as exc:
        return error(exc.message, exc.example, title="Not found")
    except StewardError as exc:
        return error(exc.message, exc.example, title=_title(exc))
    except Exception:  # a bug must not leave the user with silence; the log has the traceback
        log.exception("command failed: %r", line)
        return error("Something went wrong on our side; it has been logged. Try again in a moment.",
                     title="Steward hit an error")


def _title(exc: StewardError) -> str:
    return {"Forbidden": "Not allowed", "InvalidInput": "Check the command", "AlreadyDecided": "Already decided"}.get(
        type(exc).__name__, "That didn't work")
