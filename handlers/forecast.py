"""``forecast [me|<client>|all] [<N> months]``: what revenue lands in each of the next months."""

from __future__ import annotations

import re

from domain.errors import InvalidInput
from domain.forecast import DEFAULT_MONTHS, MAX_MONTHS
from domain.pipeline_service import ForecastReport, forecast_report
from handlers.base import Turn, turn
from handlers.context import Context
from handlers.pipeline import resolve_scope
from handlers.reply import Action, Fact, Reply, Section, Tone

USAGE = "forecast [me|<client>|all] [<N> months]"
EXAMPLE = "forecast me 6 months"

_MONTHS = re.compile(r"^(\d+)(?:\s*(?:months?|mo|m))?$", re.IGNORECASE)


def take_months(words: list[str]) -> tuple[int, list[str]]:
    """``6 months`` / ``6m`` / ``6`` at the end of the line (default 3)."""
    if not words:
        return DEFAULT_MONTHS, words
    for n in (2, 1):
        if len(words) >= n:
            m = _MONTHS.match(" ".join(words[-n:]))
            if m and (n == 2 or words[-1].isdigit() or len(words[-1]) > 1):
                count = int(m.group(1))
                if not 1 <= count <= MAX_MONTHS:
                    raise InvalidInput(f"{count} months is out of range: say 1 to {MAX_MONTHS} months.",
                                       example=EXAMPLE)
                return count, words[:-n]
    if words[-1].lower() in ("month", "months"):
        raise InvalidInput("Say how many months, like `6 months`.", example=EXAMPLE)
    return DEFAULT_MONTHS, words


def handle(ctx: Context, args: str) -> Reply:
    with turn(ctx) as t:
        count, rest = take_months(args.split())
        scope = resolve_scope(t, rest, EXAMPLE)
        return forecast_reply(t, forecast_report(t.uow, scope, count, t.today))


def forecast_reply(t: Turn, r: ForecastReport) -> Reply:
    sections = []
    total_all = sum((m.total for m in r.months), start=r.months[0].total * 0)
    short = 0
    for m in r.months:
        facts = [
            Fact("Recognised", t.money(m.recognised)),
            Fact("Scheduled", t.money(m.scheduled) + (" (budget cap)" if m.capped else "")),
            Fact("Weighted pipeline", t.money(m.weighted)),
            Fact("Total", t.money(m.total)),
        ]
        tone = Tone.NONE
        if m.target is not None:
            gap = m.total - m.target
            tone = Tone.GREEN if gap >= 0 else Tone.AMBER
            short += gap < 0
            facts.append(Fact("Target", f"{t.money(m.target)} ({t.money(gap, signed=True)})", tone))
        sections.append(Section(title=f"{m.month:%B %Y}", facts=tuple(facts), tone=tone))
    first, last = r.months[0].month, r.months[-1].month
    return Reply(
        title=f"Forecast — {r.scope.label} · {first:%b %Y} – {last:%b %Y}",
        summary=f"{t.money(total_all)} over {len(r.months)} month{'s' if len(r.months) != 1 else ''}"
        + (f"; below target in {short}" if short else ""),
        facts=(Fact("Projects", str(r.projects)), Fact("Pipeline spread over", f"{r.delivery_months} months")),
        sections=tuple(sections),
        footer=f"as of {t.today:%d %b %Y} · recognised = burn this month to date; scheduled = approved allocations "
               "on working days after today, capped at each project's budget; weighted pipeline from the month "
               "after each close date",
        actions=(Action("Pipeline", "pipeline me" if r.scope.label == "you" else "pipeline all"),),
    )
