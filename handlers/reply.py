"""The platform-neutral answer every handler returns.

``bot/`` renders it as text (shell), Block Kit (Slack) or an Adaptive Card (Teams). Nothing here
knows any of those formats; a Reply is plain data that round-trips through JSON (``steward say --json``).
"""

from __future__ import annotations

import base64
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
class Attachment:
    """A file that goes with an answer: a chart (PNG) or a report (PDF), with its one-line description.

    ``alt`` is what the picture shows in words (alt text, the upload's comment, the shell's line), so the
    answer reads whole without the picture too.
    """

    filename: str
    content: bytes
    alt: str
    media_type: str = "image/png"

    @property
    def is_image(self) -> bool:
        return self.media_type.startswith("image/")

    def to_dict(self) -> dict[str, str]:
        # base64: a Reply travels as JSON (``steward say --json``, outbox payloads).
        return {"filename": self.filename, "content": base64.b64encode(self.content).decode("ascii"),
                "alt": self.alt, "media_type": self.media_type}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Attachment:
        return cls(data["filename"], base64.b64decode(data.get("content", "")), data.get("alt", ""),
                   data.get("media_type", "image/png"))


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
    # A picture or document that goes with the answer (``chart``, ``report … pdf``); the rest of the
    # Reply still says everything in words, for platforms and clients that show no files.
    attachment: Attachment | None = None

    @property
    def ok(self) -> bool:
        return self.severity is not Severity.ERROR

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["attachment"] = self.attachment.to_dict() if self.attachment is not None else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Reply:
        """The inverse of ``to_dict`` (an outbox payload back into a Reply)."""

        def action(a: dict[str, Any]) -> Action:
            return Action(a["label"], a["command"], a.get("style", "default"), a.get("confirm"))

        def fact(f: dict[str, Any]) -> Fact:
            return Fact(f["label"], f["value"], Tone(f.get("tone", "none")))

        return cls(
            title=data["title"],
            summary=data.get("summary", ""),
            facts=tuple(fact(f) for f in data.get("facts", ())),
            sections=tuple(
                Section(
                    title=s.get("title", ""),
                    lines=tuple(s.get("lines", ())),
                    facts=tuple(fact(f) for f in s.get("facts", ())),
                    actions=tuple(action(a) for a in s.get("actions", ())),
                    tone=Tone(s.get("tone", "none")),
                )
                for s in data.get("sections", ())
            ),
            actions=tuple(action(a) for a in data.get("actions", ())),
            severity=Severity(data.get("severity", "info")),
            tone=Tone(data.get("tone", "none")),
            footer=data.get("footer", ""),
            subject=data.get("subject"),
            extra=dict(data.get("extra", {})),
            attachment=Attachment.from_dict(data["attachment"]) if data.get("attachment") else None,
        )

    def plain_text(self) -> str:
        """A one-paragraph fallback for notifications and screen readers."""
        parts = [self.title]
        if self.summary:
            parts.append(self.summary)
        parts.extend(f"{f.label}: {f.value}" for f in self.facts[:6])
        return " — ".join(parts)


# The command lines that decide something once (what a card's decision buttons carry).
DECISION_VERBS = ("approve", "reject", "absorb", "ack")


def command_verb(command: str) -> str:
    """``"approve A12 ok"`` -> ``"approve"``."""
    return command.split(" ", 1)[0].lower() if command else ""


def command_subject(command: str) -> str:
    """``"approve a12 ok"`` -> ``"A12"``: what a decision command is about ("" when nothing)."""
    parts = command.split()
    return parts[1].lstrip("#").upper() if len(parts) > 1 else ""


def is_decision(command: str) -> bool:
    return command_verb(command) in DECISION_VERBS


def error(message: str, example: str | None = None, title: str = "That didn't work") -> Reply:
    """A user error: what was wrong and, where it helps, an example of the right form."""
    summary = message if example is None else f"{message}\nExample: `{example}`"
    return Reply(title=title, summary=summary, severity=Severity.ERROR)
