"""Render a platform-neutral ``Reply`` as Slack Block Kit.

Blocks are built with ``slack_sdk.models.blocks`` so Slack's own length limits are checked by the
classes (they raise on ``to_dict()``); the renderer makes sure we never get there by cutting long
content with "and N more" first: 50 blocks a message (100 in a view), 3,000 characters a section,
10 fields a section, 25 elements an actions block, 150 characters a header, 75 a button label.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from handlers.reply import Action, Fact, Reply, Section, Severity, Tone
from handlers.tone import says_tone, settle

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_SECTION_TEXT = 3000
MAX_FIELDS = 10
MAX_FIELD_TEXT = 2000
MAX_ACTIONS = 25
MAX_HEADER = 150
MAX_BUTTON_LABEL = 75
MAX_BUTTON_VALUE = 2000
MAX_FALLBACK_TEXT = 3000

# Every Steward button carries its command line in ``value`` and an action_id of this shape, so one
# regex listener replays any button through ``handlers.dispatch.handle``.
ACTION_PREFIX = "steward:"

TONE_EMOJI = {Tone.GREEN: ":large_green_circle:", Tone.AMBER: ":large_orange_circle:", Tone.RED: ":red_circle:"}
SEVERITY_EMOJI = {Severity.ERROR: ":x:", Severity.WARNING: ":warning:", Severity.SUCCESS: ":white_check_mark:"}


@dataclass(frozen=True)
class Rendered:
    """A message ready for ``chat.postMessage`` / ``response_url``: a fallback ``text`` and ``blocks``."""

    text: str
    blocks: list[dict[str, Any]]

    def message(self, **extra: Any) -> dict[str, Any]:
        return {"text": self.text, "blocks": self.blocks, **extra}


def escape(text: str) -> str:
    """Slack mrkdwn needs only these three escaped; everything else (``*``, backticks) is formatting."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def tone_word(tone: Tone) -> str:
    """RAG as an emoji and a word, so it reads without colour and in screen readers."""
    return f"{TONE_EMOJI[tone]} {tone.value.capitalize()}" if tone in TONE_EMOJI else ""


def fallback_text(reply: Reply) -> str:
    """The plain ``text`` every message carries (notifications, screen readers, old clients).

    Escaped exactly as the blocks are: Slack reads ``<!channel>`` in ``text`` as a mention too."""
    prefix = {Severity.ERROR: "Error: ", Severity.WARNING: "Note: "}.get(reply.severity, "")
    return cut(escape(prefix + reply.plain_text()), MAX_FALLBACK_TEXT)


class _Budget:
    """Hands out action ids and counts blocks so the whole message stays within the limit."""

    def __init__(self, max_blocks: int) -> None:
        self.max_blocks = max_blocks
        self.next_action = 0

    def action_id(self) -> str:
        self.next_action += 1
        return f"{ACTION_PREFIX}{self.next_action}"


def button(action: Action, action_id: str) -> ButtonElement:
    style = action.style if action.style in ("primary", "danger") else None
    confirm = None
    if action.confirm:
        confirm = ConfirmObject(
            title=cut(action.label, 100),
            text=cut(action.confirm, 300),
            confirm=cut(action.label, 30),
            deny="Cancel",
            style="danger" if style == "danger" else None,
        )
    return ButtonElement(
        text=PlainTextObject(text=cut(action.label, MAX_BUTTON_LABEL), emoji=True),
        action_id=action_id,
        value=action.command[:MAX_BUTTON_VALUE],
        style=style,
        confirm=confirm,
    )


def _fact_text(fact: Fact) -> str:
    value = escape(fact.value)
    if fact.tone in TONE_EMOJI:  # a mark, not a word: the message says its RAG word once
        value = f"{TONE_EMOJI[fact.tone]} {value}"
    return cut(f"*{escape(fact.label)}*\n{value}", MAX_FIELD_TEXT)


def _fact_blocks(facts: Sequence[Fact]) -> list[Block]:
    fields = [MarkdownTextObject(text=_fact_text(f)) for f in facts]
    return [SectionBlock(fields=fields[i: i + MAX_FIELDS]) for i in range(0, len(fields), MAX_FIELDS)]


def _lines_text(title: str, lines: Sequence[str], limit: int = MAX_SECTION_TEXT) -> str:
    """Title and lines as one mrkdwn text, cut at a line boundary with "…and N more" to fit ``limit``."""
    head = f"*{escape(title)}*" if title else ""
    out: list[str] = [head] if head else []
    used = len(head)
    for i, line in enumerate(lines):
        text = f"• {escape(line)}" if len(lines) > 1 else escape(line)
        more = f"…and {len(lines) - i} more"
        # leave room for the "and N more" line unless this is the last line
        room = limit - used - (len(out) > 0) - (0 if i == len(lines) - 1 else len(more) + 1)
        if len(text) > room:
            if i == 0 and room > 20:  # one very long line: cut it rather than show nothing
                out.append(cut(text, room))
                if len(lines) > 1:
                    out.append(f"…and {len(lines) - 1} more")
                break
            out.append(more)
            break
        out.append(text)
        used += len(text) + (1 if len(out) > 1 else 0)
    return "\n".join(out)


def _actions_blocks(actions: Sequence[Action], budget: _Budget) -> list[Block]:
    if not actions:
        return []
    shown = list(actions[:MAX_ACTIONS])
    return [ActionsBlock(elements=[button(a, budget.action_id()) for a in shown])]


def _section_blocks(section: Section, budget: _Budget) -> list[Block]:
    blocks: list[Block] = []
    title = section.title
    if section.tone in TONE_EMOJI:
        title = f"{TONE_EMOJI[section.tone]} {title}" if title else ""
    if title or section.lines:
        text = _lines_text("", section.lines) if not title else _lines_text(title, section.lines)
        if section.tone in TONE_EMOJI and not section.title:
            text = f"{TONE_EMOJI[section.tone]} {text}"
        if text.strip():
            blocks.append(SectionBlock(text=MarkdownTextObject(text=cut(text, MAX_SECTION_TEXT))))
    blocks += _fact_blocks(section.facts)
    blocks += _actions_blocks(section.actions, budget)
    return blocks


def _text_blocks(text: str) -> list[Block]:
    """A long summary split over several sections at line breaks, each within 3,000 characters."""
    chunks: list[str] = []
    current = ""
    for line in escape(text).splitlines() or [""]:
        while len(line) > MAX_SECTION_TEXT:
            if current:
                chunks.append(current)
                current = ""
            chunks.append(line[:MAX_SECTION_TEXT])
            line = line[MAX_SECTION_TEXT:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > MAX_SECTION_TEXT:
            chunks.append(current)
            current = line
        else:
            current = candidate
    if current.strip():
        chunks.append(current)
    return [SectionBlock(text=MarkdownTextObject(text=c)) for c in chunks]


def render_blocks(reply: Reply, *, max_blocks: int = MAX_MESSAGE_BLOCKS) -> list[Block]:
    """The Block Kit blocks for a reply, never more than ``max_blocks``."""
    reply = settle(reply)
    budget = _Budget(max_blocks)
    mark = SEVERITY_EMOJI.get(reply.severity) or TONE_EMOJI.get(reply.tone, "")
    head: list[Block] = [HeaderBlock(text=PlainTextObject(text=cut(f"{mark} {reply.title}" if mark else reply.title,
                                                                     MAX_HEADER), emoji=True))]
    if reply.tone in TONE_EMOJI and reply.severity is not Severity.ERROR and not says_tone(reply):
        head.append(ContextBlock(elements=[MarkdownTextObject(text=tone_word(reply.tone))]))
    if reply.summary:
        head += _text_blocks(reply.summary)[:3]
    head += _fact_blocks(reply.facts)
    tail: list[Block] = []
    tail += _actions_blocks(reply.actions, budget)
    if reply.footer:
        tail.append(ContextBlock(elements=[MarkdownTextObject(text=cut(escape(reply.footer), MAX_SECTION_TEXT))]))

    body: list[Block] = []
    # Room for the sections: what head and tail take, and one line saying how many sections were left out.
    room = max_blocks - len(head) - len(tail) - 1
    for i, section in enumerate(reply.sections):
        blocks = ([DividerBlock()] if i == 0 else []) + _section_blocks(section, budget)
        if len(body) + len(blocks) > room:
            left = len(reply.sections) - i
            body.append(ContextBlock(elements=[MarkdownTextObject(
                text=f"…and {left} more {'item' if left == 1 else 'items'} not shown here.")]))
            break
        body += blocks
    blocks = head + body + tail
    return blocks[:max_blocks]


def render(reply: Reply, *, max_blocks: int = MAX_MESSAGE_BLOCKS) -> Rendered:
    """A message: blocks as dicts (validated by slack_sdk) and the plain-text fallback."""
    return Rendered(fallback_text(reply), [b.to_dict() for b in render_blocks(reply, max_blocks=max_blocks)])
