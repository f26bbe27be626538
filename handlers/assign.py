"""``assign <person> <project> <N>h/week|<N>% [from <date>] [until <date>]``: request an allocation."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from domain import services
from domain.errors import InvalidInput, NotFound
from domain.model import Escalation, Person
from handlers.ar import with_debt
from handlers.base import Turn, format_date, format_hours, turn
from handlers.context import Context
from handlers.escalation_notices import ALLOCATION_RULES, after_change
from handlers.notify import about, decided_card, notify, update_copies
from handlers.parsing import parse_weekly, resolve_person, split_name, take_keyword_date
from handlers.reply import Action, Fact, Reply, Section, Severity, Tone
from handlers.tone import request_tone

USAGE = "assign <person> <project> <N>h/week|<N>% [from <date>] [until <date>]"
EXAMPLE = "assign jane@example.com acme-web 20h/week from next monday until 2027-01-31"


def handle(ctx: Context, args: str) -> Reply:
    with turn(ctx) as t:
        tokens = args.split()
        if len(tokens) < 3:
            raise InvalidInput("Say who, on which project, and how much.", example=EXAMPLE)
        person, used = _person(t, tokens)
        project, rest = split_name(tokens[used:], t.uow, example=EXAMPLE)
        start, rest = take_keyword_date(rest, "from", ("until", "till", "to"), t.today, t.org.timezone,
                                        example=EXAMPLE)
        end = None
        for word in ("until", "till", "to"):
            end, rest = take_keyword_date(rest, word, (), t.today, t.org.timezone, example=EXAMPLE)
            if end is not None:
                break
        if len(rest) != 1:
            extra = " ".join(rest) if rest else "nothing"
            raise InvalidInput(f"Expected hours per week or a percentage, got “{extra}”.", example=EXAMPLE)
        weekly = parse_weekly(rest[0], person.capacity_hours, example=EXAMPLE)
        start = start or t.today
        end = end or project.end
        request = services.request_allocation(t.uow, t.actor, person, project, weekly, start, end, t.now,
                                              ctx.source)
        client = t.uow.clients.get(project.client_id)
        approvers = services.approvers_for(t.uow, client) if client else []
        waiting = ", ".join(a.name for a in approvers) or "an admin"
        reply = allocation_reply(t, request, title=f"Allocation A{request.allocation.id} requested")
        card = replace(
            reply,
            title=f"Approve {person.name} on {project.name}? (A{request.allocation.id})",
            summary=f"Requested by {t.actor.name}.",
        )
        card = with_debt(t, project.client_id, card)  # a client 60+ days late shows it before Approve
        for approver in approvers:
            notify(t, approver, f"notify:allocation:{request.allocation.id}:requested:{approver.id}", card)
        # Over capacity escalates now (after the card: see ack.py); a replaced request's escalation closes.
        swept = after_change(t, project.id, ALLOCATION_RULES)
        _update_replaced_cards(t, request, swept.closed)
        changes = "".join(
            f" This changes A{old.id} ({old.state.value}, {format_hours(old.hours_per_week)}/week)"
            + (", which it replaces now." if old.state.value == "requested" else " once approved.")
            for old in request.replaces)
        # Requested: a success; over capacity, a warning for the approver to weigh (never red).
        return replace(reply, summary=f"Waiting for {waiting} to decide.{changes}",
                       severity=Severity.WARNING if request.over else Severity.SUCCESS)


def _person(t: Turn, tokens: list[str]) -> tuple[Person, int]:
    """The person is named by the first word, or the first two (a full name)."""
    try:
        return resolve_person(t.uow, " ".join(tokens[:2]), example=EXAMPLE), 2
    except (NotFound, InvalidInput):
        return resolve_person(t.uow, tokens[0], example=EXAMPLE), 1


def allocation_reply(t: Turn, request: services.AllocationRequest, *, title: str) -> Reply:
    """The card an approver sees: who, where, how much, when, and the capacity check."""
    a, person, project = request.allocation, request.person, request.project
    facts: tuple[Fact, ...] = (
        Fact("Person", f"{person.name} ({format_hours(person.capacity_hours)}/week capacity)"),
        Fact("Project", f"{project.name} ({project.key})"),
        Fact("Hours per week", format_hours(a.hours_per_week)),
        Fact("Dates", f"{format_date(a.start)} → {format_date(a.end)}"),
        Fact("State", a.state.value, Tone.NONE),
    )
    if request.replaces:
        # A change of an allocation the person already has here, never a second one stacked on it.
        facts += (Fact("Changes", "; ".join(
            f"A{old.id} ({old.state.value}): {format_hours(old.hours_per_week)}/week → "
            f"{format_hours(a.hours_per_week)}/week, {format_date(old.start)} → {format_date(old.end)}"
            for old in request.replaces)),)
    sections = []
    if request.over:
        lines = tuple(w.describe() for w in request.over)
        sections.append(Section(
            title=f"Over capacity in {len(request.over)} week{'s' if len(request.over) != 1 else ''}",
            lines=lines, tone=request_tone(True),
        ))
    else:
        sections.append(Section(lines=("Within capacity in every week.",)))
    actions: tuple[Action, ...] = ()
    if a.state.value == "requested":
        actions = (
            Action("Approve", f"approve A{a.id}", "primary"),
            Action("Reject", f"reject A{a.id}", "danger", confirm="Reject this allocation request?"),
        )
    return Reply(
        title=title,
        facts=facts,
        sections=tuple(sections),
        actions=actions,
        tone=request_tone(bool(request.over)),
        subject=f"allocation:{a.id}",
    )


def _update_replaced_cards(t: Turn, request: services.AllocationRequest, closed: Iterable[Escalation]) -> None:
    """A pending request this one replaced is cancelled: its approval cards and the cards of its escalation
    (closed just now) show that, in place, and lose their Approve / Reject buttons."""
    for old in request.replaces:
        if old.state.value != "requested":
            continue
        rid = f"A{old.id}"
        gone = Reply(title=f"Allocation {rid} replaced by A{request.allocation.id}",
                     summary=f"{format_hours(old.hours_per_week)}/week → "
                             f"{format_hours(request.allocation.hours_per_week)}/week: decide "
                             f"A{request.allocation.id} instead.",
                     subject=f"allocation:{old.id}")
        update_copies(t, f"notify:allocation:{old.id}:requested:", "cancelled", decided_card(gone, about(rid)))
        for esc in closed:
            if esc.subject == f"allocation:{old.id}" and esc.id is not None:
                update_copies(t, f"escalation:{esc.id}:", "cancelled", decided_card(gone, about(rid, f"E{esc.id}")))
