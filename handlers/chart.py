"""``chart <project|client> [burn|ar|pipeline]``: the picture of a budget answer.

The handler computes the chart's data with ``budget``'s reads (``domain.charts``) and asks the
context's drawer for the PNG; the Reply carries the picture and says in words what it shows, so it
reads whole where no picture is shown (and is the picture's alt text).

Chart kinds are a table: a kind that can't be drawn yet (receivables, pipeline: their records arrive
with other issues) answers so in words; adding one is a builder function and an entry in ``KINDS``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace

from domain import services
from domain.charts import BurnUp, Chart, ClientBars, client_bars, project_burn_up
from domain.errors import InvalidInput
from handlers.base import Turn, format_date, format_pct, rag_tone, rag_word, turn
from handlers.context import Context
from handlers.parsing import Named, resolve_named
from handlers.reply import Action, Attachment, Reply, Severity, Tone

log = logging.getLogger(__name__)

USAGE = "chart <project|client> [burn|ar|pipeline]"
EXAMPLE = "chart acme-web"


@dataclass(frozen=True)
class ChartKind:
    """One kind of chart: what it shows and how its data is had (None: not available yet, and why)."""

    word: str
    what: str
    build: Callable[[Turn, Named], Chart] | None
    unavailable: str = ""


def burn_chart(t: Turn, named: Named) -> Chart:
    """A project's burn-up, or a client's projects as bars."""
    if named.project is not None:
        chart: Chart = project_burn_up(t.uow, t.actor, named.project, t.today)
    else:
        assert named.client is not None
        chart = client_bars(services.client_budget(t.uow, t.actor, named.client, t.today), t.today)
    return replace(chart, description=describe(t, chart))


KINDS: dict[str, ChartKind] = {
    "burn": ChartKind("burn", "burn-up of a project, or a client's projects side by side", burn_chart),
    "ar": ChartKind("ar", "receivables aging by client", None,
                    "Receivables aren't in Steward yet (invoices arrive with the receivables work), so there is "
                    "no aging chart to draw."),
    "pipeline": ChartKind("pipeline", "the quarter's pipeline against quota", None,
                          "The pipeline isn't in Steward yet (opportunities arrive with the pipeline work), so "
                          "there is no pipeline chart to draw."),
}


def parse(args: str) -> tuple[str, str]:
    """``"acme web ar"`` -> ``("acme web", "ar")``; no kind word at the end means ``burn``."""
    words = args.split()
    if len(words) > 1 and words[-1].lower() in KINDS:
        return " ".join(words[:-1]), words[-1].lower()
    return " ".join(words), "burn"


def handle(ctx: Context, args: str) -> Reply:
    name, word = parse(args)
    if not name:
        raise InvalidInput("Name a project or a client to chart.", example=EXAMPLE)
    kind = KINDS[word]
    if kind.build is None:
        return Reply(title=f"No {word} chart yet", summary=f"{kind.unavailable} Try `chart {name}` for the burn chart.",
                     severity=Severity.WARNING, tone=Tone.AMBER)
    with turn(ctx) as t:
        named = resolve_named(t.uow, name, example=EXAMPLE)
        chart = kind.build(t, named)
    return chart_reply(ctx, chart)


def picture(ctx: Context, chart: Chart) -> Attachment | None:
    """The chart as a PNG, or None when nothing here can draw (the answer then stands in words)."""
    if ctx.drawer is None:
        return None
    try:
        return Attachment(chart.filename, ctx.drawer.png(chart), chart.description)
    except Exception:  # a drawing bug must not cost the user the answer; the log has the traceback
        log.exception("drawing %s failed", chart.filename)
        return None


def chart_reply(ctx: Context, chart: Chart) -> Reply:
    attachment = picture(ctx, chart)
    missing = "" if attachment is not None else "The picture couldn't be drawn here; this is what it shows."
    if isinstance(chart, BurnUp):
        title = f"Burn-up · {chart.project_name} ({chart.project_key})"
        command = f"budget {chart.project_key}"
    else:
        title = f"{chart.client_name} · % burned vs % elapsed"
        command = f"budget {chart.client_key}"
    return Reply(title=title, summary=chart.description, tone=rag_tone(chart.rag), attachment=attachment,
                 footer=missing or f"as of {chart.today:%d %b %Y}", actions=(Action("Budget", command),),
                 subject=f"chart:{chart.filename}")


def describe(t: Turn, chart: Chart) -> str:
    """The chart in one line of words: its alt text and the answer's summary."""
    if isinstance(chart, BurnUp):
        return describe_burn_up(t, chart)
    return describe_client(chart)


def describe_burn_up(t: Turn, c: BurnUp) -> str:
    runs = f"runs out on {format_date(c.runs_out_on)}" if c.runs_out_on else "the budget lasts to the end"
    forecast = f"run-rate forecast {t.money(c.forecast)} at the end on {c.end:%d %b %Y}" if c.run_rate else \
        f"ended {c.end:%d %b %Y}" if t.today >= c.end else f"starts {c.start:%d %b %Y}"
    scheduled = f", {t.money(c.scheduled[-1].amount)} on the approved allocations" if c.scheduled else ""
    return (f"Burn-up of {c.project_name} ({c.project_key}), {rag_word(c.rag)}: {t.money(c.burned)} burned of "
            f"{t.money(c.budget_now)} ({format_pct(c.pct_burned)}) with {format_pct(c.pct_elapsed)} of the time "
            f"elapsed on {c.today:%d %b %Y}; {forecast}{scheduled}; {runs}.")


def describe_client(c: ClientBars) -> str:
    rows = "; ".join(f"{b.key} {format_pct(b.pct_burned)} vs {format_pct(b.pct_elapsed)} ({rag_word(b.rag)})"
                     for b in c.bars)
    n = len(c.bars)
    return (f"{c.client_name}, {n} project{'s' if n != 1 else ''}, % of budget burned vs % of time elapsed on "
            f"{c.today:%d %b %Y}: {rows}.")

