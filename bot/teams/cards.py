"""Render a platform-neutral ``Reply`` as an Adaptive Card (schema 1.5), built in code.

- the title in a Container whose ``style`` carries the RAG or severity colour (good / warning / attention),
  with the colour also said in words, so it reads without colour and in screen readers;
- the figures as a ``FactSet`` (a toned fact gets a coloured circle and its RAG word);
- each section in its own Container, coloured by its tone, with its own buttons;
- buttons as ``Action.Execute`` (Universal Actions: ``verb: "steward"``, ``data.command`` = the command line),
  each with an ``Action.Submit`` fallback for clients without Universal Actions;
- approve / reject / absorb buttons get an optional "comment" ``Input.Text`` whose value is appended to
  the command line (``approve A12 ok for two sprints``);
- ``fallbackText`` (and the activity's ``summary``) carry the reply as plain text.

Cards stay under ``MAX_CARD_BYTES``: sections that do not fit are left out with "…and N more".
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from handlers.reply import Action, Fact, Reply, Section, Severity, Tone, command_subject, command_verb, is_decision
from handlers.reply import Attachment as Picture
from handlers.tone import says_tone, settle

CARD_VERSION = "1.5"
CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
VERB = "steward"
# Teams takes bot messages up to about 100 KB (DESIGN); the card stays well under it, activity included.
MAX_CARD_BYTES = 60_000
MAX_LINES = 30
MAX_FACTS = 30
MAX_ACTIONS = 6  # Teams shows at most 6 buttons in an action set
MAX_TEXT = 2_000
MAX_FALLBACK = 1_000
COMMENT_VERBS = ("approve", "reject", "absorb")
# Invoice buttons whose line needs one more thing, typed on the card (Teams has no modals here): the input.
INPUT_VERBS = {"promise": ("Input.Date", "Promised to pay by"), "dispute": ("Input.Text", "Why it is disputed")}
# A picture rides inside the card (a data: URL) only while the whole card stays under this; a larger one
# goes beside the card as an inline image attachment.
MAX_CARD_WITH_IMAGE_BYTES = 28_000
MAX_ALT_TEXT = 1_000
PDF_NOTE = ("Teams bots can't hand over a PDF in this chat; the text above is the report. For the PDF, ask in "
            "Slack or run `steward say \"report … pdf\" --out report.pdf`.")

TONE_STYLE = {Tone.GREEN: "good", Tone.AMBER: "warning", Tone.RED: "attention"}
TONE_COLOR = {Tone.GREEN: "Good", Tone.AMBER: "Warning", Tone.RED: "Attention"}
TONE_MARK = {Tone.GREEN: "🟢", Tone.AMBER: "🟠", Tone.RED: "🔴"}
SEVERITY_STYLE = {Severity.ERROR: "attention", Severity.WARNING: "warning", Severity.SUCCESS: "good"}
SEVERITY_MARK = {Severity.ERROR: "❌", Severity.WARNING: "⚠️", Severity.SUCCESS: "✅"}
ACTION_STYLE = {"primary": "positive", "danger": "destructive"}


def cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# -- commands carried by buttons -----------------------------------------------------------------------


def comment_input_id(command: str) -> str:
    verb = command_verb(command)
    return f"{verb if verb in INPUT_VERBS else 'comment'}-{command_subject(command).lower() or 'x'}"


def command_from_data(data: Any) -> str:
    """The command line a click carries: ``data.command``, plus the comment typed on the card, if any.

    Only a decision takes a comment; a typed comment never turns into extra words of another command.
    """
    if not isinstance(data, Mapping):
        return ""
    if data.get("form") == STANDUP_FORM:  # the stand-up card's three fields
        return standup_line(data)
    command = " ".join(str(data.get("command") or "").split())
    if not command:
        return ""
    if (command_verb(command) in COMMENT_VERBS or command_verb(command) in INPUT_VERBS) \
            and len(command.split()) == 2:
        field = str(data.get("input") or "comment")
        comment = data.get(field)
        if not isinstance(comment, str):
            comment = data.get("comment")
        if isinstance(comment, str) and comment.strip():
            command = f"{command} {' '.join(comment.split())[:500]}"
    return command


# -- rendering ----------------------------------------------------------------------------------------


def text_block(text: str, **props: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": cut(text, MAX_TEXT), "wrap": True, **props}


def fact_value(fact: Fact) -> str:
    if fact.tone not in TONE_MARK:
        return fact.value or "—"
    return f"{TONE_MARK[fact.tone]} {fact.value}"  # a mark, not a word: the card says its RAG word once


def fact_set(facts: Sequence[Fact]) -> dict[str, Any]:
    shown = list(facts[:MAX_FACTS])
    out = [{"title": cut(f.label, 200) or " ", "value": cut(fact_value(f), 1000)} for f in shown]
    if len(facts) > MAX_FACTS:
        out.append({"title": "…", "value": f"and {len(facts) - MAX_FACTS} more"})
    return {"type": "FactSet", "facts": out}


def action(a: Action, *, origin: str | None = None, others: Sequence[Action] = ()) -> dict[str, Any]:
    """A button: ``Action.Execute`` with an ``Action.Submit`` fallback, both carrying the command line.

    ``origin``: the line that produced the card (a list to refresh after a decision); ``others``: the card's
    buttons about other things (an escalation card's Approve/Reject besides Acknowledge), which stay on
    the card after this decision."""
    data: dict[str, Any] = {"command": a.command}
    if command_verb(a.command) in COMMENT_VERBS or (command_verb(a.command) in INPUT_VERBS
                                                    and len(a.command.split()) == 2):
        data["input"] = comment_input_id(a.command)
    if origin:
        data["origin"] = origin
    elif others:
        data["others"] = [{"label": o.label, "command": o.command, "style": o.style} for o in others]
    common: dict[str, Any] = {"title": cut(a.label, 80), "data": data}
    if a.style in ACTION_STYLE:
        common["style"] = ACTION_STYLE[a.style]
    if a.confirm:
        common["tooltip"] = cut(a.confirm, 200)
    return {"type": "Action.Execute", "verb": VERB, **common,
            "fallback": {"type": "Action.Submit", **common}}


def comment_input(command: str) -> dict[str, Any]:
    kind = INPUT_VERBS.get(command_verb(command))
    if kind is not None:
        label = f"{kind[1]} ({command_subject(command)})"
        if kind[0] == "Input.Date":
            return {"type": "Input.Date", "id": comment_input_id(command), "label": label}
        return {"type": "Input.Text", "id": comment_input_id(command), "label": label, "maxLength": 500,
                "isMultiline": False, "placeholder": "wrong PO number"}
    return {"type": "Input.Text", "id": comment_input_id(command), "placeholder": "Comment (optional)",
            "label": "Comment", "maxLength": 500, "isMultiline": False}


def _inputs_and_actions(actions: Sequence[Action], origin: str | None) -> tuple[list[dict[str, Any]],
                                                                                list[dict[str, Any]]]:
    shown = list(actions[:MAX_ACTIONS])
    subjects = {command_subject(a.command) for a in shown if is_decision(a.command)}
    inputs: list[dict[str, Any]] = []
    seen: set[str] = set()
    for a in shown:
        wants_input = command_verb(a.command) in COMMENT_VERBS or (
            command_verb(a.command) in INPUT_VERBS and len(a.command.split()) == 2)
        if wants_input and comment_input_id(a.command) not in seen:
            seen.add(comment_input_id(a.command))
            inputs.append(comment_input(a.command))
    def others(a: Action) -> list[Action]:
        if not subjects or not is_decision(a.command):
            return []
        return [o for o in shown if command_subject(o.command) != command_subject(a.command)]

    return inputs, [action(a, origin=origin, others=others(a)) for a in shown]


def _lines_text(lines: Sequence[str]) -> str:
    shown = [cut(line, 500) for line in lines[:MAX_LINES]]
    if len(lines) > MAX_LINES:
        shown.append(f"…and {len(lines) - MAX_LINES} more")
    if len(shown) == 1:
        return shown[0]
    return "\n".join(f"- {line}" for line in shown)


def section_container(section: Section, *, origin: str | None = None) -> dict[str, Any]:
    items: list[dict[str, Any]] = []
    title = section.title
    if section.tone in TONE_MARK:
        title = f"{TONE_MARK[section.tone]} {title}" if title else ""
    if title:
        items.append(text_block(title, weight="Bolder"))
    if section.lines:
        items.append(text_block(_lines_text(section.lines), spacing="Small"))
    if section.facts:
        items.append(fact_set(section.facts))
    inputs, buttons = _inputs_and_actions(section.actions, origin)
    items += inputs
    if buttons:
        items.append({"type": "ActionSet", "actions": buttons})
    if not items:
        items.append(text_block(" "))
    container: dict[str, Any] = {"type": "Container", "items": items, "separator": True, "spacing": "Medium"}
    if section.tone in TONE_STYLE:
        container["style"] = TONE_STYLE[section.tone]
    return container


def header_style(reply: Reply) -> str:
    return SEVERITY_STYLE.get(reply.severity) or TONE_STYLE.get(reply.tone) or "emphasis"


def header(reply: Reply) -> dict[str, Any]:
    mark = SEVERITY_MARK.get(reply.severity) or TONE_MARK.get(reply.tone, "")
    items = [text_block(f"{mark} {reply.title}" if mark else reply.title, size="Medium", weight="Bolder",
                        style="heading")]
    if reply.tone in TONE_MARK and reply.severity is not Severity.ERROR and not says_tone(reply):
        items.append(text_block(f"{TONE_MARK[reply.tone]} {reply.tone.value.capitalize()}",
                                color=TONE_COLOR[reply.tone], weight="Bolder", spacing="None"))
    return {"type": "Container", "style": header_style(reply), "bleed": True, "items": items}


def fallback_text(reply: Reply) -> str:
    prefix = {Severity.ERROR: "Error: ", Severity.WARNING: "Note: "}.get(reply.severity, "")
    return cut(prefix + reply.plain_text(), MAX_FALLBACK)


def _size(card: Mapping[str, Any]) -> int:
    return len(json.dumps(card).encode())  # ASCII-escaped, as it goes on the wire: the larger measure


def render(reply: Reply, *, origin: str | None = None, note: Reply | None = None) -> dict[str, Any]:
    """The Adaptive Card for a reply. ``origin`` (the line that produced a card with several decisions)
    rides along in every button so a decision can refresh the whole list; ``note`` is a decision shown
    above that refreshed list."""
    reply = settle(reply)
    body: list[dict[str, Any]] = []
    if note is not None:
        mark = SEVERITY_MARK.get(note.severity, "")
        first = note.summary.splitlines()[0] if note.summary else ""
        body.append({"type": "Container", "style": header_style(note), "items": [
            text_block(f"{mark} {note.title}".strip(), weight="Bolder"),
            *([text_block(first, spacing="None", isSubtle=True)] if first else [])]})
    body.append(header(reply))
    if reply.summary:
        body.append(text_block(reply.summary))
    if reply.facts:
        body.append(fact_set(reply.facts))
    tail: list[dict[str, Any]] = []
    if reply.footer:
        tail.append(text_block(reply.footer, isSubtle=True, size="Small", separator=True))
    inputs, buttons = _inputs_and_actions(reply.actions, origin)
    form = reply.extra.get("standup_form")
    if isinstance(form, Mapping):  # the stand-up question: answer on the card itself
        inputs, buttons = inputs + standup_inputs(form), [standup_submit()] + [
            b for b in buttons if (b.get("data") or {}).get("command") != "standup answer"]
    card: dict[str, Any] = {
        "type": "AdaptiveCard",
        "$schema": CARD_SCHEMA,
        "version": CARD_VERSION,
        "fallbackText": fallback_text(reply),
        "body": body,
        "msteams": {"width": "Full"},
    }
    if buttons:
        card["actions"] = buttons
    base = _size({**card, "body": body + inputs + tail})
    sections: list[dict[str, Any]] = []
    used = base
    for i, section in enumerate(reply.sections):
        container = section_container(section, origin=origin)
        size = _size(container) + 2  # and its ", "
        if used + size > MAX_CARD_BYTES - 400:  # room for the "…and N more" line
            left = len(reply.sections) - i
            sections.append(text_block(f"…and {left} more {'item' if left == 1 else 'items'} not shown here.",
                                       isSubtle=True, separator=True))
            break
        sections.append(container)
        used += size
    card["body"] = body + sections + inputs + tail
    if reply.attachment is not None:
        card = with_attachment(card, reply.attachment, at=len(body))
    return card


def data_url(attachment: Picture) -> str:
    return f"data:{attachment.media_type};base64,{base64.b64encode(attachment.content).decode('ascii')}"


def picture(attachment: Picture) -> dict[str, Any]:
    return {"type": "Image", "url": data_url(attachment), "altText": cut(attachment.alt, MAX_ALT_TEXT),
            "size": "Stretch", "spacing": "Medium"}


def with_attachment(card: dict[str, Any], attachment: Picture, at: int) -> dict[str, Any]:
    """The card with the picture inside it (after the header, summary and facts) when the whole card stays
    under ``MAX_CARD_WITH_IMAGE_BYTES``; else the card as it was (``card_activity`` then attaches the
    picture beside it). A PDF can't ride in a card: the card says where to get it."""
    body = list(card["body"])
    if not attachment.is_image:
        return {**card, "body": [*body, text_block(PDF_NOTE, isSubtle=True, size="Small")]}
    embedded = {**card, "body": [*body[:at], picture(attachment), *body[at:]]}
    return embedded if _size(embedded) < MAX_CARD_WITH_IMAGE_BYTES else card


def has_picture(card: Mapping[str, Any]) -> bool:
    return any(isinstance(b, Mapping) and b.get("type") == "Image" for b in card.get("body", ()))


def welcome_card(is_personal: bool) -> dict[str, Any]:
    where = "here" if is_personal else "in this conversation (mention me: @Steward budget acme)"
    reply = Reply(
        title="Hi, I'm Steward",
        summary=(
            "I keep one record of every client engagement: budget and burn, status, scope changes and who "
            f"is allocated. Ask me {where}, and I'll bring you approvals and escalations as cards you can "
            "decide with one click."
        ),
        sections=(Section(title="Try", lines=(
            "budget <client or project> — budget health before a client call",
            "status <project> green|amber|red <note> — log a status",
            "approvals — what waits for your decision",
            "digest at 9:00 weekdays — a morning digest in this conversation",
            "help — every command with examples",
        )),),
        actions=(Action("Help", "help"), Action("My approvals", "approvals")),
    )
    return render(reply)


def without_msteams(card: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of the card without Teams-only properties, for validation against the Adaptive Card schema."""

    def strip(value: Any) -> Any:
        if isinstance(value, Mapping):
            return {k: strip(v) for k, v in value.items() if k != "msteams"}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    return strip(card)  # type: ignore[no-any-return]


def remaining_actions(data: Mapping[str, Any], decided: str) -> tuple[Action, ...]:
    """The buttons a decided card keeps: those about other things than the decided command's subject."""
    out = []
    for o in data.get("others") or ():
        if not (isinstance(o, Mapping) and isinstance(o.get("command"), str) and isinstance(o.get("label"), str)):
            continue
        if command_subject(o["command"]) != command_subject(decided):
            style = o.get("style") if o.get("style") in ("default", "primary", "danger") else "default"
            out.append(Action(o["label"][:80], o["command"][:200], str(style)))
    return tuple(out[:MAX_ACTIONS])


def decision_subjects(actions: Iterable[Action]) -> set[str]:
    return {command_subject(a.command) for a in actions if is_decision(a.command)}


def all_decision_subjects(reply: Reply) -> set[str]:
    found = decision_subjects(reply.actions)
    for section in reply.sections:
        found |= decision_subjects(section.actions)
    return found


# -- the stand-up card ----------------------------------------------------------------------------------

STANDUP_FORM = "standup"
STANDUP_FIELDS = (("did", "What did you do since the last stand-up?"), ("doing", "What will you do today?"),
                  ("blocked", "Anything blocking you? (empty: nothing)"))


def standup_inputs(form: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Three ``Input.Text`` fields, "did" pre-filled with yesterday's hours and notes."""
    return [{"type": "Input.Text", "id": f"standup_{name}", "label": label, "isMultiline": True, "maxLength": 1000,
             "value": cut(str(form.get(name) or ""), 1000), "isRequired": name != "blocked",
             **({"errorMessage": "Say something here"} if name != "blocked" else {})}
            for name, label in STANDUP_FIELDS]


def standup_submit() -> dict[str, Any]:
    data = {"command": "standup answer", "form": STANDUP_FORM}
    common: dict[str, Any] = {"title": "Send answers", "data": data, "style": "positive"}
    return {"type": "Action.Execute", "verb": VERB, **common, "fallback": {"type": "Action.Submit", **common}}


def standup_line(data: Mapping[str, Any]) -> str:
    """``standup did …; doing …; blocked …`` from the card's fields (a ``;`` typed inside a field is a comma)."""
    def field(name: str) -> str:
        value = data.get(f"standup_{name}")
        return " ".join(str(value).replace(";", ",").split())[:1000] if isinstance(value, str) else ""

    return f"standup did {field('did')}; doing {field('doing')}; blocked {field('blocked') or 'nothing'}"
