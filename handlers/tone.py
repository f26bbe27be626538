"""The one tone rule: how a Reply is coloured, decided here and applied to every message.

- A user error is neutral: a "✖" title (its severity), never a RAG badge.
- A successful action is success; a request over capacity is a warning (amber), never red.
- An item has the same tone wherever it shows (``item_tone``): an allocation request over capacity
  is amber in ``approvals``, ``escalations``, the digest and its card alike; an escalation has its
  severity's tone.
- A message's header tone is the worst tone it lists (its own, its facts', its sections').
- The RAG word appears once per message per subject: renderers show the header's word only when the
  title and summary don't already say it (``says_tone``), and a toned fact gets a mark, not a word.

``settle`` applies the rule to a finished Reply; ``handlers.dispatch`` and the renderers in ``bot/``
call it, so a Reply built anywhere (a command, a card, an escalation, a digest) follows it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from domain.model import Rag
from handlers.reply import Reply, Severity, Tone

_RANK = {Tone.NONE: 0, Tone.GREEN: 1, Tone.AMBER: 2, Tone.RED: 3}


def worst_tone(tones: Iterable[Tone]) -> Tone:
    """The worst of ``tones`` (red > amber > green > none); none when there are none."""
    return max(tones, key=lambda t: _RANK[t], default=Tone.NONE)


def rag_tone(rag: Rag) -> Tone:
    return Tone(rag.value)


def request_tone(over_capacity: bool) -> Tone:
    """An allocation request: amber when it would take someone over capacity, neutral otherwise."""
    return Tone.AMBER if over_capacity else Tone.NONE


def item_tone(severity: Rag) -> Tone:
    """An escalation (or a condition about to become one) is coloured by its severity."""
    return Tone(severity.value)


def settle(reply: Reply) -> Reply:
    """The Reply with its header tone decided by the rule (idempotent)."""
    if reply.severity is Severity.ERROR:
        return reply if reply.tone is Tone.NONE else replace(reply, tone=Tone.NONE)
    listed = [reply.tone, *(f.tone for f in reply.facts)]
    for section in reply.sections:
        listed.append(section.tone)
        listed.extend(f.tone for f in section.facts)
    tone = worst_tone(listed)
    return reply if tone is reply.tone else replace(reply, tone=tone)


def says_tone(reply: Reply) -> bool:
    """Whether the title or summary already names the header's RAG word ("Red — budget spent")."""
    if reply.tone is Tone.NONE:
        return True
    word = reply.tone.value
    text = f"{reply.title} {reply.summary}".lower()
    return any(w.strip("[]():—-·,.") == word for w in text.split())
