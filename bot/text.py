"""Render a Reply as plain text for the shell and ``steward say``."""

from __future__ import annotations

from handlers.reply import Reply, Severity, Tone
from handlers.tone import says_tone, settle

_MARK = {Tone.GREEN: "●", Tone.AMBER: "▲", Tone.RED: "■", Tone.NONE: ""}


def render(reply: Reply) -> str:
    reply = settle(reply)
    lines: list[str] = []
    mark = _MARK[reply.tone]
    prefix = "✖ " if reply.severity is Severity.ERROR else "⚠ " if reply.severity is Severity.WARNING else ""
    # The RAG word once: after the title only when the title and summary don't already say it.
    badge = "" if not mark else f"  {mark}" if says_tone(reply) else f"  {mark} {reply.tone.value.upper()}"
    lines.append(f"{prefix}{reply.title}{badge}")
    if reply.summary:
        lines.extend(f"  {line}" for line in reply.summary.splitlines())
    if reply.facts:
        width = max(len(f.label) for f in reply.facts)
        for f in reply.facts:
            tone = f" {_MARK[f.tone]}" if f.tone is not Tone.NONE else ""
            lines.append(f"  {f.label.ljust(width)}  {f.value}{tone}")
    for section in reply.sections:
        lines.append("")
        if section.title:
            mark = f"{_MARK[section.tone]} " if section.tone is not Tone.NONE else ""
            lines.append(f"  {mark}{section.title}")
        lines.extend(f"    {line}" for line in section.lines)
        for fact in section.facts:
            lines.append(f"    {fact.label}: {fact.value}")
        if section.actions:
            lines.append("    → " + " | ".join(f"{a.label}: `{a.command}`" for a in section.actions))
    if reply.actions:
        lines.append("")
        lines.append("  → " + " | ".join(f"{a.label}: `{a.command}`" for a in reply.actions))
    if reply.footer:
        lines.append(f"  {reply.footer}")
    return "\n".join(lines)
