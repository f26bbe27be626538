"""``renewals [me|all] [within <N> days]`` and ``renewal <project> renew|renegotiate|end [<note>]``."""

from __future__ import annotations

import re

from domain.errors import InvalidInput
from domain.pipeline_service import RenewalLine, record_decision, renewal_lines, renewal_projects, sees_everything
from domain.renewals import DEFAULT_WINDOW_DAYS, Decision
from handlers.base import Turn, format_date, turn
from handlers.context import Context
from handlers.parsing import fold, split_name
from handlers.reply import Action, Reply, Section, Severity, Tone

USAGE = "renewals [me|all] [within <N> days]"
EXAMPLE = "renewals me within 90 days"
DECIDE_USAGE = "renewal <project> renew|renegotiate|end [<note>]"
DECIDE_EXAMPLE = "renewal acme-web renew client wants a second phase"
MAX_WINDOW = 3650

_WITHIN = re.compile(r"\bwithin\s+(\S+)(?:\s+days?)?\s*$", re.IGNORECASE)


def handle(ctx: Context, args: str) -> Reply:
    text = args.strip()
    within = DEFAULT_WINDOW_DAYS
    m = _WITHIN.search(text)
    if m:
        if not m.group(1).isdigit() or not 1 <= int(m.group(1)) <= MAX_WINDOW:
            raise InvalidInput(f"“{m.group(1)}” is not a number of days from 1 to {MAX_WINDOW}.", example=EXAMPLE)
        within = int(m.group(1))
        text = text[:m.start()].strip()
    with turn(ctx) as t:
        who = fold(text) or ("all" if sees_everything(t.actor) else "me")
        if who not in ("me", "mine", "all"):
            raise InvalidInput(f"I read “{text}” as neither me nor all.", example=EXAMPLE)
        projects = renewal_projects(t.uow, t.actor, who == "all")
        lines = renewal_lines(t.uow, projects, t.today, within)
        return renewals_reply(t, lines, within, "everyone" if who == "all" else "you")


def line_text(t: Turn, line: RenewalLine) -> str:
    r = line.renewal
    decision = f"decided: {r.decision.value}" + (f" ({r.note})" if r.note else "") if r and r.decision \
        else "no decision yet"
    follow = (f"follow-on in pipeline: {line.follow_on.name}, {t.money(line.follow_on.amount)}" if line.follow_on
              else "no follow-on in pipeline")
    left = f"{line.days_left} days left" if line.days_left >= 0 else \
        f"notice deadline passed {-line.days_left} days ago"
    return (f"ends {format_date(line.project.end)} · notice by {format_date(line.deadline)} · {left} · {decision} · "
            f"{follow}")


def renewals_reply(t: Turn, lines: list[RenewalLine], within: int, label: str) -> Reply:
    sections = []
    for line in lines[:40]:  # Block Kit: 50 blocks a message
        undecided = line.renewal is None or line.renewal.decision is None
        tone = Tone.RED if undecided and line.follow_on is None and line.days_left <= 14 else \
            Tone.AMBER if undecided else Tone.GREEN
        actions = (
            Action("Renew", f"renewal {line.project.key} renew", "primary"),
            Action("Renegotiate", f"renewal {line.project.key} renegotiate"),
            Action("End", f"renewal {line.project.key} end", "danger", confirm=f"End {line.project.name}?"),
        ) if undecided else ()
        sections.append(Section(title=f"{line.client.name} · {line.project.name} ({line.project.key})",
                                lines=(line_text(t, line),), tone=tone, actions=actions))
    more = f" ({len(lines) - 40} more not shown)" if len(lines) > 40 else ""
    return Reply(
        title=f"Renewals — {label} · ending within {within} days",
        summary=(f"{len(lines)} contract{'s' if len(lines) != 1 else ''} ending{more}." if lines else
                 f"No contract ends in the next {within} days."),
        sections=tuple(sections),
        footer=f"as of {t.today:%d %b %Y} · notice deadline = end − notice days · a follow-on is an open deal of "
               "the client closing no later than 60 days after the end",
    )


def decide(ctx: Context, args: str) -> Reply:
    tokens = args.split()
    with turn(ctx) as t:
        if not tokens:
            raise InvalidInput("Name the project and the decision.", example=DECIDE_EXAMPLE)
        project, rest = split_name(tokens, t.uow, example=DECIDE_EXAMPLE)
        if not rest or rest[0].lower() not in {d.value for d in Decision}:
            got = f"“{rest[0]}” is not a decision: " if rest else ""
            raise InvalidInput(f"{got}say renew, renegotiate or end.", example=DECIDE_EXAMPLE)
        decision = Decision(rest[0].lower())
        note = " ".join(rest[1:])
        record_decision(t.uow, t.actor, project, decision, note, t.now, ctx.source)
        return Reply(
            title=f"Renewal of {project.name}: {decision.value}",
            summary=f"Recorded for {project.key}" + (f": {note}" if note else "") + f" by {t.actor.name}.",
            severity=Severity.SUCCESS, tone=Tone.GREEN,
            subject=f"renewal:{project.key}",
        )
