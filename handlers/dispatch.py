"""One entry point for every platform: a command line and a Context in, a Reply out."""

from __future__ import annotations

import difflib
import logging
import time
from collections.abc import Callable
from functools import partial

from domain.errors import Forbidden, NotFound, NotRegistered, StewardError
from handlers import (
    ack,
    approvals,
    assign,
    budget,
    decide,
    digest,
    escalations,
    help,
    history,
    hours,
    ooo,
    projects,
    scope,
    standup,
    status,
    timesheet,
    undo,
)
from handlers.account import handle as account_handle
from handlers.ar import handle as ar_command
from handlers.chart import handle as chart_handle
from handlers.chase import chase, dispute, paid, promise
from handlers.context import Context
from handlers.forecast import handle as forecast_handle
from handlers.pipeline import handle as pipeline_handle
from handlers.renewals import decide as renewal_decide
from handlers.renewals import handle as renewals_handle
from handlers.reply import Reply, Severity, error
from handlers.report import handle as report_handle
from handlers.tone import settle
from handlers.wip import handle as wip_command

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
    "standup": standup.handle,
    "ooo": ooo.handle,
    "ar": ar_command,
    "wip": wip_command,
    "chase": chase,
    "promise": promise,
    "dispute": dispute,
    "paid": paid,
    "undo": undo.handle,
    "timesheet": timesheet.handle,
    "pipeline": pipeline_handle,
    "forecast": forecast_handle,
    "renewals": renewals_handle,
    "renewal": renewal_decide,
    "history": history.handle,
    "chart": chart_handle,
    "account": account_handle,
    "report": report_handle,
}


# Told about every command once it is answered: (command word, platform, outcome, handler seconds), the
# outcome one of ok, user_error, refused, error. ``bot/metrics.py`` and ``bot/logs.py`` add theirs; an
# unknown word is reported as "unknown" so a typo cannot create a new metric series.
Observer = Callable[[str, str, str, float], None]
OBSERVERS: list[Observer] = []
# Told the command word and platform before the handler runs (the logs' request context).
STARTERS: list[Callable[[str, str], None]] = []


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
    """Run one command line. User errors come back as error Replies; nothing here raises for bad input.

    Every answer leaves through ``handlers.tone.settle``: one tone rule for every command."""
    if not OBSERVERS and not STARTERS:
        return settle(_handle(ctx, line)[0])
    word = split_command(line)[0]
    word = word if word in COMMANDS else ("help" if not word else "unknown")
    platform = ctx.source.value
    for start in STARTERS:
        start(word, platform)
    began = time.perf_counter()
    reply, outcome = _handle(ctx, line)
    reply = settle(reply)
    seconds = time.perf_counter() - began
    for observe in OBSERVERS:
        try:
            observe(word, platform, outcome, seconds)
        except Exception:  # counting must never cost the user an answer
            log.exception("command observer failed")
    return reply


def _handle(ctx: Context, line: str) -> tuple[Reply, str]:
    word, args = split_command(line)
    if not word:
        return help.handle(ctx, ""), "ok"
    command = COMMANDS.get(word)
    if command is None:
        # "budgte acme": the closest command word, with the rest of the line as typed.
        close = difflib.get_close_matches(word, list(COMMANDS), n=1, cutoff=0.6)
        if close:
            suggestion = f"{close[0]} {args}".strip()
            return error(f"I don't know the command “{word}”. Did you mean `{suggestion}`?", example=suggestion,
                         title="Unknown command"), "user_error"
        return error(f"I don't know the command “{word}”.", example="help", title="Unknown command"), "user_error"
    try:
        reply = command(ctx, args)
        return reply, "ok" if reply.ok else "user_error"
    except NotRegistered as exc:
        return Reply(title="You're not registered", summary=str(exc), severity=Severity.ERROR), "refused"
    except NotFound as exc:
        return error(exc.message, exc.example, title="Not found"), "user_error"
    except StewardError as exc:
        return error(exc.message, exc.example, title=_title(exc)), "refused" if isinstance(exc, Forbidden) \
            else "user_error"
    except Exception:  # a bug must not leave the user with silence; the log has the traceback
        # Only the command word: the rest of a line may be a note, a name or anything a user typed.
        log.exception("command failed: %s", word)
        return error("Something went wrong on our side; it has been logged. Try again in a moment.",
                     title="Steward hit an error"), "error"


def _title(exc: StewardError) -> str:
    return {"Forbidden": "Not allowed", "InvalidInput": "Check the command", "AlreadyDecided": "Already decided"}.get(
        type(exc).__name__, "That didn't work")
