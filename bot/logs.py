"""Logging set-up: ``STEWARD_LOG_FORMAT`` (text | json) and ``STEWARD_LOG_LEVEL``, and a request context.

JSON lines are written by python-json-logger: one object per line with ``time``, ``level``, ``logger``,
``message`` and the fields of the request being handled (``platform``, ``command``, ``slack_event_id``,
``slack_trigger_id``, ``teams_activity_id``, ``person_id``), which live in a ``contextvars`` variable:
set where a request arrives, they follow it into the tasks and threads it starts (asyncio and
``bot.work`` copy the context), and each process's handlers add the command word.

What never goes into a log: tokens, secrets, signing headers, and a command's text beyond its first word.
The context only holds the fields above; on top, a filter replaces the configured secrets and anything
shaped like a Slack token in every message and traceback, in case a library prints one.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import re
import sys
from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import Any

from bot.settings import Settings

CONTEXT_FIELDS = ("platform", "command", "slack_event_id", "slack_trigger_id", "teams_activity_id", "person_id")
_EMPTY: Mapping[str, Any] = MappingProxyType({})
_CONTEXT: contextvars.ContextVar[Mapping[str, Any]] = contextvars.ContextVar("steward_log_context", default=_EMPTY)
# xoxb- (bot), xoxp- (user), xapp- (app-level), xoxe- (refresh) ... tokens.
SLACK_TOKEN = re.compile(r"\bx(?:ox[a-z]|app)-[A-Za-z0-9-]+")
REDACTED = "[redacted]"
QUIET_LIBRARIES = ("slack_sdk", "slack_bolt", "botbuilder", "msrest", "msal", "urllib3", "aiohttp", "sqlalchemy",
                   "apscheduler", "asyncio", "alembic")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def current() -> Mapping[str, Any]:
    """The request context of the running code (empty outside a request)."""
    return _CONTEXT.get()


def bind(**fields: Any) -> None:
    """Add ``fields`` (only the known ones, non-empty) to the current context, for the rest of this task."""
    known = {k: v for k, v in fields.items() if k in CONTEXT_FIELDS and v not in (None, "")}
    if known:
        _CONTEXT.set({**_CONTEXT.get(), **known})


@contextlib.contextmanager
def request(**fields: Any) -> Iterator[None]:
    """``fields`` bound for the duration of the block (a request), then the previous context again."""
    token = _CONTEXT.set({})
    try:
        bind(**fields)
        yield
    finally:
        _CONTEXT.reset(token)


class ContextFilter(logging.Filter):
    """Puts the request context on each record, and scrubs secrets out of its message."""

    def __init__(self, secrets: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.secrets = tuple(s for s in secrets if s and len(s) >= 6)

    def scrub(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return SLACK_TOKEN.sub(REDACTED, text)

    def filter(self, record: logging.LogRecord) -> bool:
        for key, value in _CONTEXT.get().items():
            setattr(record, key, value)
        message = record.getMessage()
        clean = self.scrub(message)
        if clean != message:
            record.msg, record.args = clean, None
        # The traceback is formatted here, scrubbed, and handed on as text (both formatters print
        # ``exc_text`` when ``exc_info`` is gone), so no formatter formats the raw exception again.
        if record.exc_info:
            record.exc_text = self.scrub(record.exc_text or logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = self.scrub(record.exc_text)
        return True


def formatter(log_format: str) -> logging.Formatter:
    """The text formatter, or python-json-logger's with Steward's field names."""
    if log_format != "json":
        return logging.Formatter(TEXT_FORMAT)
    from pythonjsonlogger.json import JsonFormatter

    # ``timestamp="time"``: an ISO 8601 instant in UTC with milliseconds, under the key "time".
    return JsonFormatter("%(levelname)s %(name)s %(message)s",
                         rename_fields={"levelname": "level", "name": "logger"}, timestamp="time")


def configure(settings: Settings, default_level: str = "WARNING", stream: Any = None) -> logging.Handler:
    """One handler on the root logger, in the configured format and level (replacing earlier ones), and
    the hooks that give a command's log lines its word and its caller."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(formatter(settings.log_format))
    handler.addFilter(ContextFilter(secrets_of(settings)))
    handler._steward = True  # type: ignore[attr-defined]
    root = logging.getLogger()
    # Replaces an earlier configure's handler and ``logging.basicConfig``'s plain one; any other handler
    # (a test runner's capture, one an embedding program added) stays.
    for old in list(root.handlers):
        if getattr(old, "_steward", False) or type(old) is logging.StreamHandler:
            root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(settings.log_level or default_level)
    # These libraries' DEBUG lines print request and response bodies (a reply quoting a user's line):
    # STEWARD_LOG_LEVEL=DEBUG is for Steward's own code.
    # SQLAlchemy's INFO is its echo (statements and their parameters): never.
    # Above the floor they simply follow the root (NOTSET), so nothing is switched on that was off.
    for chatty in QUIET_LIBRARIES:
        floor = logging.WARNING if chatty in ("sqlalchemy", "alembic") else logging.INFO
        logging.getLogger(chatty).setLevel(floor if root.level < floor else logging.NOTSET)
    install_hooks()
    return handler


def install_hooks() -> None:
    """Once per process: the command word, the caller and one line per answered command."""
    from handlers import base, dispatch

    if command_started not in dispatch.STARTERS:
        dispatch.STARTERS.append(command_started)
        dispatch.OBSERVERS.append(command_finished)
        base.ON_IDENTIFIED.append(person_identified)


def secrets_of(settings: Settings) -> tuple[str, ...]:
    """The settings' values that must never be printed."""
    values = (settings.slack_bot_token, settings.slack_signing_secret, settings.slack_app_token,
              settings.microsoft_app_password, settings.metrics_token)
    return tuple(v for v in values if v)


def slack_ids(body: str, content_type: str) -> dict[str, str]:
    """The ids a Slack request carries (event id, trigger id), for the context; nothing else of it."""
    import json
    from urllib.parse import parse_qs

    try:
        if "json" in content_type:
            data = json.loads(body)
        else:
            form = parse_qs(body)
            data = json.loads(form["payload"][0]) if "payload" in form else {k: v[0] for k, v in form.items()}
    except (ValueError, KeyError, IndexError):
        return {}
    if not isinstance(data, dict):
        return {}
    ids = {"slack_event_id": data.get("event_id"), "slack_trigger_id": data.get("trigger_id")}
    if isinstance(data.get("command"), str):
        ids["command"] = data["command"].lstrip("/").lower()
    return {k: str(v) for k, v in ids.items() if isinstance(v, str) and v}


_log = logging.getLogger("bot.commands")


def command_started(command: str, platform: str) -> None:
    """``handlers.dispatch`` is about to run ``command``: the rest of its logs carry it."""
    bind(command=command, platform=platform)


def person_identified(person_id: int) -> None:
    bind(person_id=person_id)


def command_finished(command: str, platform: str, outcome: str, seconds: float) -> None:
    """One line per answered command; then the command's fields are dropped (a worker process's main
    thread runs the next command in the same context)."""
    _log.info("command %s answered: %s in %.1f ms", command, outcome, seconds * 1000,
              extra={"outcome": outcome, "ms": round(seconds * 1000, 2)})
    context = dict(_CONTEXT.get())
    for key in ("command", "person_id"):
        context.pop(key, None)
    _CONTEXT.set(context)
