"""What can go wrong in the domain, each carrying the words a user needs to put it right."""

from __future__ import annotations


class StewardError(Exception):
    """Base of every error a user can cause. ``str(err)`` is the message to show them."""

    def __init__(self, message: str, example: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.example = example

    def __str__(self) -> str:
        if self.example:
            return f"{self.message}\nExample: {self.example}"
        return self.message


class InvalidInput(StewardError):
    """The line or a value in it is malformed; ``example`` shows the right form."""


class NotFound(StewardError):
    """A name did not match anything; ``suggestions`` are the closest known names."""

    def __init__(self, message: str, suggestions: list[str] | None = None, example: str | None = None) -> None:
        self.suggestions = list(suggestions or [])
        if self.suggestions:
            message = f"{message} Did you mean: {', '.join(self.suggestions)}?"
        super().__init__(message, example)


class Forbidden(StewardError):
    """The caller is known but may not do this; the message says who can."""


class NotRegistered(StewardError):
    """The caller is not a person Steward knows; the message says whom to ask."""


class AlreadyDecided(StewardError):
    """A decision was already taken; nothing changed. ``subject`` is the decided record."""

    def __init__(self, message: str, subject: object | None = None) -> None:
        super().__init__(message)
        self.subject = subject
