"""``pipeline [me|<client>|<person>|all] [this quarter|next quarter|YYYY-Qn]``: will I make my number."""

from __future__ import annotations

import re
from datetime import timedelta

from domain.errors import InvalidInput, NotFound
from domain.pipeline import Opportunity, Period, Scope, parse_period, period_of
from domain.pipeline_service import (
    PipelineReport,
    check_may_see_all,
    check_may_see_client,
    check_may_see_person,
    pipeline_report,
    scope_for_person,
    sees_everything,
)
from handlers.base import Turn, format_date, turn
from handlers.context import Context
from handlers.parsing import fold, resolve_person
from handlers.reply import Action, Fact, Reply, Section, Tone

USAGE = "pipeline [me|<client>|<person>|all] [this quarter|next quarter|YYYY-Qn]"
EXAMPLE = "pipeline me this quarter"
_PERIOD_LIKE = re.compile(r"^(\d{4}-?q\d+|q\d+)$", re.IGNORECASE)  # a quarter, if a wrong one


def take_period(words: list[str], t: Turn, start_month: int) -> tuple[Period, list[str]]:
    """The period at the end of the line (default this quarter) and the words before it."""
    this = period_of(t.today, start_month)
    tail = fold(" ".join(words[-2:])) if len(words) >= 2 else ""
    if tail == "this quarter":
        return this, words[:-2]
    if tail == "next quarter":
        return this.next(), words[:-2]
    if tail == "last quarter":
        return period_of(this.first - timedelta(days=1), start_month), words[:-2]
    if words:
        p = parse_period(words[-1], start_month)
        if p is not None:
            return p, words[:-1]
        if len(words) >= 2:
            p = parse_period(" ".join(words[-2:]), start_month)
            if p is not None:
                return p, words[:-2]
        if _PERIOD_LIKE.match(words[-1]):
            raise InvalidInput(f"“{words[-1]}” is not a period: say this quarter, next quarter or a fiscal quarter "
                               "like 2026-Q4.", example=EXAMPLE)
    return this, words


def resolve_scope(t: Turn, words: list[str], example: str) -> Scope:
    """me / all / a client / a person, checked against what the caller may see."""
    who = " ".join(words).strip()
    if not who:
        who = "all" if sees_everything(t.actor) else "me"
    if fold(who) in ("me", "mine", "my"):
        return scope_for_person(t.uow, t.actor, "you")
    if fold(who) in ("all", "everyone", "everybody"):
        check_may_see_all(t.actor)
        return Scope(everyone=True, label="everyone")
    client = t.uow.clients.by_key(who) if " " not in who else None
    if client is None:
        client = next((c for c in t.uow.clients.list() if fold(who) in (fold(k) for k in (c.key, c.name, *c.aliases))),
                      None)
    if client is not None:
        check_may_see_client(t.uow, t.actor, client)
        return Scope(client_ids=(client.id or 0,), label=client.name)
    try:
        person = resolve_person(t.uow, who, example=example)
    except NotFound:
        raise NotFound(f"I don't know a client or a person called “{who}”.", example=example) from None
    check_may_see_person(t.actor, person)
    return scope_for_person(t.uow, person, person.name)


def handle(ctx: Context, args: str) -> Reply:
    with turn(ctx) as t:
        settings = t.uow.pipeline.settings()
        period, rest = take_period(args.split(), t, settings.fiscal_year_start_month)
        scope = resolve_scope(t, rest, EXAMPLE)
        return pipeline_reply(t, pipeline_report(t.uow, scope, period, t.today))


def deal_line(t: Turn, o: Opportunity, report: PipelineReport, why: tuple[str, ...] = ()) -> str:
    owner = report.owners.get(o.owner_id or 0)
    who = owner.name if owner else (o.owner_name or "no owner")
    client = report.clients.get(o.client_id)
    reasons = f" — {'; '.join(why)}" if why else ""
    return (f"{o.name} ({client.name if client else '?'}): {o.stage} · {t.money(o.amount)} · {o.probability:g}% · "
            f"closes {format_date(o.close_date)} · {who}{reasons}")


def pipeline_reply(t: Turn, r: PipelineReport) -> Reply:
    f = r.figures
    facts = [
        Fact("Closed won", f"{t.money(f.closed_won)}" + (f" of {t.money(f.quota)} quota" if f.quota is not None
                                                          else ""), Tone.GREEN if f.gap == 0 else Tone.NONE),
        Fact("Commit", t.money(f.commit)),
        Fact("Best Case", t.money(f.best_case)),
        Fact("Pipeline", t.money(f.pipeline)),
        Fact("Open pipeline", f"{t.money(f.open_pipeline)} ({f.open_count} open)"),
        Fact("Weighted", t.money(f.weighted)),
        Fact("Quota", t.money(f.quota) if f.quota is not None else "none set"),
        Fact("Gap", t.money(f.gap) if f.gap is not None else "—", Tone.AMBER if f.gap else Tone.NONE),
        Fact("Coverage", f"{f.coverage}×" if f.coverage is not None else "—",
             Tone.RED if f.coverage is not None and f.coverage < 1 else Tone.NONE),
        Fact("At risk", str(r.at_risk_count), Tone.AMBER if r.at_risk_count else Tone.NONE),
    ]
    sections = []
    if r.at_risk:
        more = (f"… and {r.at_risk_count - len(r.at_risk)} more",) if r.at_risk_count > len(r.at_risk) else ()
        sections.append(Section(title="At risk", tone=Tone.AMBER,
                                lines=(*(deal_line(t, o, r, why) for o, why in r.at_risk), *more)))
    if r.largest:
        sections.append(Section(title="Largest open deals", lines=tuple(deal_line(t, o, r) for o in r.largest)))
    if r.omitted:
        sections.append(Section(title=f"Omitted ({f.omitted_count}, {t.money(f.omitted)}; counted nowhere)",
                                lines=tuple(deal_line(t, o, r) for o in r.omitted)))
    nothing = not (f.open_count or f.won_count or f.lost_count or f.omitted_count)
    return Reply(
        title=f"Pipeline — {r.scope.label} · {f.period.describe()}",
        summary="No opportunities close in this period." if nothing else
        f"{f.won_count} won, {f.lost_count} lost, {f.open_count} open closing in {f.period.label}.",
        facts=tuple(facts),
        sections=tuple(sections),
        tone=Tone.RED if f.coverage is not None and f.coverage < 1 else Tone.NONE,
        footer=f"as of {t.today:%d %b %Y} · close dates {f.period.first:%d %b} – {f.period.last:%d %b %Y}",
        actions=(Action("Forecast", "forecast me" if r.scope.label == "you" else "forecast all"),
                 Action("Renewals", "renewals")),
    )
