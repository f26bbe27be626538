"""``approve <id> [<comment>]``, ``reject <id> [<reason>]``, ``absorb <id> [<comment>]``.

Ids carry their kind: ``A12`` is an allocation request, ``S7`` a scope change. This is what a card's
buttons run, so a second click or a replayed payload lands here too and sees the decision taken.
A decision taken also updates, in place, every approval card sent about it (to each approver, on either
platform) and the cards of the escalations it closed: ``handlers.notify.update_copies``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from domain import services
from domain.errors import AlreadyDecided, InvalidInput
from domain.model import Allocation, Escalation, ScopeChange, ScopeState
from handlers.assign import allocation_reply
from handlers.base import DATE_TIME_FORMAT, Turn, turn
from handlers.context import Context
from handlers.escalation_notices import ALLOCATION_RULES, SCOPE_RULES, after_change
from handlers.notify import about, decided_card, notify, update_copies
from handlers.reply import Fact, Reply, Severity, Tone
from handlers.scope import impact_text

USAGE = "approve|reject|absorb <id> [<comment>]"
EXAMPLE = "approve A12 ok for two sprints"
_ID = re.compile(r"^#?([AaSs])(\d{1,9})$")


def parse_id(word: str, verb: str) -> tuple[str, int]:
    m = _ID.match(word.strip())
    if not m:
        raise InvalidInput(
            f"“{word}” is not a request id: allocation requests look like A12, scope changes like S7 "
            "(see `approvals`).",
            example=f"{verb} A12",
        )
    return m.group(1).upper(), int(m.group(2))


def handle(ctx: Context, args: str, verb: str) -> Reply:
    words = args.split(maxsplit=1)
    if not words:
        raise InvalidInput("Which request? Give its id (see `approvals`).", example=f"{verb} A12")
    kind, number = parse_id(words[0], verb)
    note = words[1] if len(words) > 1 else ""
    with turn(ctx) as t:
        try:
            if kind == "A":
                if verb == "absorb":
                    raise InvalidInput("Only scope changes can be absorbed; approve or reject an allocation.",
                                       example=f"approve A{number}")
                request = services.decide_allocation(t.uow, t.actor, number, verb == "approve", note, t.now,
                                                     ctx.source)
                swept = after_change(t, request.project.id, ALLOCATION_RULES)  # clears its escalation now
                reply = _allocation_decided(t, request)
                a = request.allocation
                for pid in dict.fromkeys([a.requested_by, a.person_id]):
                    notify(t, t.uow.people.get(pid), f"notify:allocation:{a.id}:{a.state.value}:{pid}", reply)
                _update_cards(t, f"allocation:{a.id}", f"A{a.id}", a.state.value, reply, swept.closed)
                return reply
            decision = {"approve": ScopeState.APPROVED, "absorb": ScopeState.ABSORBED,
                        "reject": ScopeState.REJECTED}[verb]
            change = services.decide_scope(t.uow, t.actor, number, decision, note, t.now, ctx.source)
            # a decided scope change clears (or moves the budget) now
            swept = after_change(t, change.project_id, SCOPE_RULES)
            reply = _scope_decided(t, change)
            notify(t, t.uow.people.get(change.flagged_by),
                   f"notify:scope:{change.id}:{change.state.value}:{change.flagged_by}", reply)
            _update_cards(t, f"scope:{change.id}", f"S{change.id}", change.state.value, reply, swept.closed)
            return reply
        except AlreadyDecided as done:
            return _already(t, done)


def _update_cards(t: Turn, subject: str, rid: str, decision: str, reply: Reply,
                  closed: Iterable[Escalation]) -> None:
    """Every approval card sent about ``subject`` (to each approver, on either platform), and the cards of
    the escalations about it that the decision just closed, are updated in place to show the decision."""
    kind, _, number = subject.partition(":")
    verb = {"allocation": "requested", "scope": "flagged"}[kind]
    update_copies(t, f"notify:{kind}:{number}:{verb}:", decision, decided_card(reply, about(rid)))
    for esc in closed:
        if esc.subject == subject and esc.id is not None:
            update_copies(t, f"escalation:{esc.id}:", decision, decided_card(reply, about(rid, f"E{esc.id}")))


def _decided_by(t: Turn, by: int | None, at: datetime | None) -> str:
    who = t.uow.people.get(by) if by else None
    if at is None:
        return who.name if who else ""
    local = at.astimezone(ZoneInfo(t.org.timezone))
    return f"{who.name if who else 'someone'} on {local.strftime(DATE_TIME_FORMAT)}"


def _allocation_decided(t: Turn, request: services.AllocationRequest) -> Reply:
    a = request.allocation
    reply = allocation_reply(t, request, title=f"Allocation A{a.id} {a.state.value}")
    note = f" — “{a.decision_note}”" if a.decision_note else ""
    return replace(
        reply,
        summary=f"{a.state.value.capitalize()} by {_decided_by(t, a.decided_by, a.decided_at)}{note}",
        severity=Severity.SUCCESS,
        tone=Tone.GREEN if a.state.value == "approved" else Tone.RED,
    )


def _scope_decided(t: Turn, change: ScopeChange) -> Reply:
    project = t.uow.projects.get(change.project_id)
    words = {ScopeState.APPROVED: "approved as a change order", ScopeState.ABSORBED: "absorbed",
             ScopeState.REJECTED: "rejected"}
    note = f" — “{change.decision_note}”" if change.decision_note else ""
    return Reply(
        title=f"Scope change S{change.id} {words.get(change.state, change.state.value)}",
        summary=f"{change.description}\nDecided by {_decided_by(t, change.decided_by, change.decided_at)}{note}",
        facts=(
            Fact("Project", f"{project.name} ({project.key})" if project else "?"),
            Fact("Impact", impact_text(t, change, project) if project else "?"),
        ),
        severity=Severity.SUCCESS,
        tone=Tone.RED if change.state is ScopeState.REJECTED else Tone.GREEN,
        subject=f"scope:{change.id}",
    )


def _already(t: Turn, done: AlreadyDecided) -> Reply:
    subject = done.subject
    if isinstance(subject, Allocation):
        return replace(_allocation_decided(t, services_request(t, subject)), summary=done.message,
                       severity=Severity.WARNING)
    if isinstance(subject, ScopeChange):
        return replace(_scope_decided(t, subject), summary=done.message, severity=Severity.WARNING)
    return Reply(title="Already decided", summary=done.message, severity=Severity.WARNING)


def services_request(t: Turn, a: Allocation) -> services.AllocationRequest:
    person = t.uow.people.get(a.person_id)
    project = t.uow.projects.get(a.project_id)
    assert person is not None and project is not None
    # The capacity check the decision was taken on (kept with it), so a repeated decision never
    # contradicts the first answer.
    return services.AllocationRequest(a, person, project, t.uow.changes.decision(a.id or 0) or ())
