"""``scope <project>`` (open scope changes) and ``scope <project> <description> [+<N>h or +<amount>]``."""

from __future__ import annotations

from dataclasses import replace

from domain import services
from domain.budget import scope_hours_value
from domain.model import Project, ScopeChange, ScopeState
from handlers.ar import with_debt
from handlers.base import Turn, format_hours, turn
from handlers.context import Context
from handlers.escalation_notices import SCOPE_RULES, after_change
from handlers.notify import notify
from handlers.parsing import split_name, take_impacts
from handlers.reply import Action, Fact, Reply, Section, Severity, Tone

USAGE = "scope <project> [<description> [+<N>h | +<amount>]]"
EXAMPLE = "scope acme-web extra landing page for the spring campaign +40h"


def handle(ctx: Context, args: str) -> Reply:
    with turn(ctx) as t:
        project, rest = split_name(args.split(), t.uow, example=EXAMPLE)
        if not rest:
            return _open(t, project)
        words, impact = take_impacts(rest, t.org.currency, example=EXAMPLE)
        hours, amount = impact.hours, impact.amount
        change = services.flag_scope(t.uow, t.actor, project, " ".join(words), hours, amount, t.now, ctx.source,
                                     ctx.permalink)
        reply = Reply(
            title=f"Scope change S{change.id} flagged on {project.name}",
            summary=change.description,
            severity=Severity.SUCCESS,
            tone=Tone.AMBER,
            facts=(Fact("Impact", impact_text(t, change, project)), Fact("Flagged by", t.actor.name)),
            actions=decision_actions(change),
            footer="The client's director decides: approve as a change order, absorb, or reject.",
            subject=f"scope:{change.id}",
        )
        client = t.uow.clients.get(project.client_id)
        card = replace(reply, title=f"Scope change S{change.id} on {project.name} needs your decision",
                       severity=Severity.INFO)
        card = with_debt(t, project.client_id, card)  # a client 60+ days late shows it before Approve
        for approver in services.approvers_for(t.uow, client) if client else []:
            notify(t, approver, f"notify:scope:{change.id}:flagged:{approver.id}", card)
        after_change(t, project.id, SCOPE_RULES)  # a big scope change escalates now (after the card: see ack.py)
        return reply


def impact_text(t: Turn, change: ScopeChange, project: Project) -> str:
    parts = []
    if change.impact_amount:
        parts.append(t.money(change.impact_amount, signed=True))
    if change.impact_hours:
        value = scope_hours_value(change.impact_hours, project)
        parts.append(f"+{format_hours(change.impact_hours)}" + (f" ≈ {t.money(value)}" if value else ""))
    return " and ".join(parts) or "not estimated"


def decision_actions(change: ScopeChange) -> tuple[Action, ...]:
    return (
        Action("Approve as change order", f"approve S{change.id}", "primary"),
        Action("Absorb", f"absorb S{change.id}"),
        Action("Reject", f"reject S{change.id}", "danger", confirm="Reject this scope change?"),
    )


def _open(t: Turn, project: Project) -> Reply:
    changes = t.uow.scope.list([project.id or 0], None)
    flagged = [c for c in changes if c.state is ScopeState.FLAGGED]
    decided = [c for c in changes if c.state is not ScopeState.FLAGGED][-5:]
    sections = [
        Section(
            title=f"S{c.id} · {c.description}",
            lines=(f"Impact {impact_text(t, c, project)} · flagged {c.flagged_at:%d %b}",),
            actions=decision_actions(c),
            tone=Tone.AMBER,
        )
        for c in flagged
    ]
    if decided:
        sections.append(Section(
            title="Recently decided",
            lines=tuple(f"S{c.id} {c.state.value}: {c.description} ({impact_text(t, c, project)})" for c in decided),
        ))
    return Reply(
        title=f"{project.name}: {len(flagged)} open scope change{'s' if len(flagged) != 1 else ''}",
        summary="" if flagged else f"Nothing waiting. Flag one: `scope {project.key} <what the client asked> +8h`",
        sections=tuple(sections),
        subject=f"project:{project.key}",
    )
