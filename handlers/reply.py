"""The platform-neutral answer every handler returns.

``bot/`` renders it as text (shell), Block Kit (Slack) or an Adaptive Card (Teams). Nothing here
knows any of those formats; a Reply is plain data that round-trips through JSON (``steward say --json``).
"""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, field
from typing import Any


class Severity(enum.StrEnum):
    INFO = "info"
    SUCCESS = "success"
    WARNING = "warning"
    ERROR = "error"


class Tone(enum.StrEnum):
    """RAG or neutral colouring of a fact or section line, rendered as emoji or colour."""

    NONE = "none"
    GREEN = "green"
    AMBER = "amber"
    RED = "red"


@dataclass(frozen=True)
class Fact:
    label: str
    value: str
    tone: Tone = Tone.NONE


@dataclass(frozen=True)
class Action:
    """A button. ``command`` is the command line it runs (``approve 12``), so every platform
    can carry it in its own payload and replay it through the same handlers."""

    label: str
    command: str
    style: str = "default"  # default | primary | danger
    confirm: str | None = None


@dataclass(frozen=True)
class Section:
    title: str = ""
    lines: tuple[str, ...] = ()
    facts: tuple[Fact, ...] = ()
    actions: tuple[Action, ...] = ()
    tone: Tone = Tone.NONE


@dataclass(frozen=True)
class Reply:
    title: str
    summary: str = ""
    facts: tuple[Fact, ...] = ()
    sections: tuple[Section, ...] = ()
    actions: tuple[Action, ...] = ()
    severity: Severity = Severity.INFO
    tone: Tone = Tone.NONE
    footer: str = ""
    # What a platform may need to update a message in place after a decision ("allocation:12").
    subject: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.severity is not Severity.ERROR

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def plain_text(self) -> str:
        """A one-paragraph fallback for notifications and screen readers."""
        parts = [self.title]
        if self.summary:
            parts.append(self.summary)
        parts.extend(f"{f.label}: {f.value}" for f in self.facts[:6])
        return " — ".join(parts)


def error(message: str, example: str | None = None, title: str = "That didn't work") -> Reply:
    """A user error: what was wrong and, where it helps, an example of the right form."""
    summary = message if example is None else f"{message}\nExample: `{example}`"
    return Reply(title=title, summary=summary, severity=Severity.ERROR, tone=Tone.RED)
