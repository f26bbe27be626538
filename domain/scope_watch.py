"""Scope-creep watch: does a chat message in a project's channel read like a new ask?

A client's "can you also…" rarely arrives as a formal request; it is a line in the project's channel.
Steward does not flag it by itself (the manager knows whether it is in the statement of work); it tells
the project's manager, once per message, with a button that flags it. So the phrases are the
unmistakable ways people add to a job, not every "add" or "change": a nudge that cries wolf gets muted.
"""

from __future__ import annotations

import re

# Lower case, straight apostrophes, single spaces; matched on word boundaries.
PHRASES = (
    "can you also", "could you also", "can we also", "could we also", "would you also", "will you also",
    "would it be possible to also", "is it possible to also", "while you're at it", "while you are at it",
    "one more thing", "one more small thing", "just one more", "another small request", "quick addition",
    "small addition", "a small extra", "also add", "also include", "could you add a", "can you add a",
    "could we add a", "can we add a", "not in the brief but", "not in the original scope", "extra request",
)
_PATTERN = re.compile(r"\b(" + "|".join(re.escape(p) for p in PHRASES) + r")\b")
MAX_QUOTE = 300


def normalise(text: str) -> str:
    """Lower case, curly apostrophes straightened, whitespace collapsed."""
    return " ".join(text.replace("\u2019", "'").replace("\u2018", "'").lower().split())


def scope_creep_phrase(text: str) -> str | None:
    """The phrase that makes ``text`` read like a new ask (``"can you also"``), or None."""
    found = _PATTERN.search(normalise(text))
    return found.group(1) if found else None


def quote(text: str, limit: int = MAX_QUOTE) -> str:
    """The message on one line, cut at a word to at most ``limit`` characters (with an ellipsis)."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1].rsplit(" ", 1)[0]
    return cut + "…"
