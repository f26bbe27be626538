"""``chart <project|client> [burn|ar|pipeline]``: the picture of a budget answer.

The handler computes the chart's data with ``budget``'s reads (``domain.charts``) and asks the
context's drawer for the PNG; the Reply carries the picture and says in words what it shows, so it
reads whole where no picture is shown (and is the picture's alt text).

Chart kinds are a table (``KINDS``): burn (a project's burn-up, a client's projects), ar (receivables
aging: ``chart <client|mine|all> ar``) and pipeline (the quarter against quota: ``chart <me|client|person|all>
pipeline [next quarter|YYYY-Qn]``). Each builder resolves its own subject with the same words and permission
checks as the command whose numbers it draws (``budget``, ``ar``, ``pipeline``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal

from domain import services
from domain.charts import AgingBars, BurnUp, Chart, ClientBars, PipelineBar, client_bars, project_burn_up
from domain.errors import InvalidInput
from domain.model import Role
from domain.money_charts import client_aging, pipeline_bar, scope_aging
from handlers.base import Turn, format_date, format_pct, rag_tone, rag_word, turn
from handlers.context import Context
from handlers.parsing import fold, resolve_named
from handlers.pipeline import resolve_scope, take_period
from handlers.reply import Action, Attachment, Reply, Tone

log = logging.getLogger(__name__)

USAGE = "chart <project|client> [burn|ar|pipeline]"
EXAMPLE = "chart acme-web"
AR_EXAMPLE = "chart acme ar"
PIPELINE_EXAMPLE = "chart me pipeline"
OWN_SCOPES = ("", "me", "mine", "all")


@dataclass(frozen=True)
class ChartKind:
    """One kind of chart: what it shows and how its data is had from the words naming its subject."""

    word: str
    what: str
    build: Callable[[Turn, str], Chart]


def burn_chart(t: Turn, name: str) -> Chart:
    """A project's burn-up, or a client's projects as bars."""
    if not name:
        raise InvalidInput("Name a project or a client to chart.", example=EXAMPLE)
    named = resolve_named(t.uow, name, example=EXAMPLE)
    if named.project is not None:
        chart: Chart = project_burn_up(t.uow, t.actor, named.project, t.today)
    else:
        assert named.client is not None
        chart = client_bars(services.client_budget(t.uow, t.actor, named.client, t.today), t.today)
    return replace(chart, description=describe(t, chart))


def ar_chart(t: Turn, name: str) -> Chart:
    """Receivables aging of a client (or a project's client), or of ``mine`` / ``all`` as ``ar`` reads them
    (no word: all for finance and admins, mine for the others)."""
    word = fold(name)
    if word in OWN_SCOPES:
        scope = word if word in ("mine", "all") else (
            "all" if t.actor.role in (Role.ADMIN, Role.FINANCE) else "mine")
        chart: Chart = scope_aging(t.uow, t.actor, scope, t.today, t.org.currency)
    else:
        named = resolve_named(t.uow, name, example=AR_EXAMPLE)
        client = named.client
        if client is None:
            assert named.project is not None
            client = t.uow.clients.get(named.project.client_id)
            assert client is not None
        chart = client_aging(t.uow, t.actor, client, t.today, t.org.currency)
    return replace(chart, description=describe(t, chart))


def pipeline_chart(t: Turn, name: str) -> Chart:
    """The period's pipeline (default this quarter) of me, a client (or a project's client), a person or
    all, with ``pipeline``'s scopes and who-sees-what."""
    settings = t.uow.pipeline.settings()
    period, rest = take_period(name.split(), t, settings.fiscal_year_start_month)
    if len(rest) == 1 and (project := t.uow.projects.by_key(fold(rest[0]))) is not None:
        client = t.uow.clients.get(project.client_id)
        rest = [client.key] if client is not None else rest
    scope = resolve_scope(t, rest, PIPELINE_EXAMPLE)
    subject = "all" if scope.everyone else "me" if scope.label == "you" else fold(" ".join(rest)) or "me"
    chart = pipeline_bar(t.uow, scope, subject, period, t.today, t.org.currency)
    return replace(chart, description=describe(t, chart))


KINDS: dict[str, ChartKind] = {
    "burn": ChartKind("burn", "burn-up of a project, or a client's projects side by side", burn_chart),
    "ar": ChartKind("ar", "receivables aging by client", ar_chart),
    "pipeline": ChartKind("pipeline", "the quarter's pipeline against quota", pipeline_chart),
}


def parse(args: str) -> tuple[str, str]:
    """``"acme web ar"`` -> ``("acme web", "ar")``; ``"ar"`` -> ``("", "ar")``; a period may follow
    ``pipeline`` (``"me pipeline next quarter"`` -> ``("me next quarter", "pipeline")``); no kind word
    means ``burn``; a trailing ``share`` is Slack's word and is dropped."""
    words = args.split()
    if len(words) > 1 and words[-1].lower() == "share":  # Slack acts on it (bot/slack/runtime.py); elsewhere moot
        words = words[:-1]
    lowered = [w.lower() for w in words]
    if words and lowered[-1] in KINDS and (len(words) > 1 or lowered[-1] != "burn"):
        return " ".join(words[:-1]), lowered[-1]
    if "pipeline" in lowered[:-1]:
        i = len(lowered) - 1 - lowered[::-1].index("pipeline")
        return " ".join(words[:i] + words[i + 1:]), "pipeline"
    return " ".join(words), "burn"


def handle(ctx: Context, args: str) -> Reply:
    name, word = parse(args)
    if not name and word == "burn":
        raise InvalidInput("Name a project or a client to chart.", example=EXAMPLE)
    with turn(ctx) as t:
        chart = KINDS[word].build(t, name)
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
    title, action, tone = heading(chart)
    return Reply(title=title, summary=chart.description, tone=tone, attachment=attachment,
                 footer=missing or f"as of {chart.today:%d %b %Y}", actions=(action,),
                 subject=f"chart:{chart.filename}")


def heading(chart: Chart) -> tuple[str, Action, Tone]:
    """The answer's title, a button to the command whose numbers the chart draws, and its tone."""
    if isinstance(chart, BurnUp):
        return (f"Burn-up · {chart.project_name} ({chart.project_key})",
                Action("Budget", f"budget {chart.project_key}"), rag_tone(chart.rag))
    if isinstance(chart, ClientBars):
        return (f"{chart.client_name} · % burned vs % elapsed", Action("Budget", f"budget {chart.client_key}"),
                rag_tone(chart.rag))
    if isinstance(chart, AgingBars):
        over_60 = any(r.buckets[3] + r.buckets[4] > 0 for r in chart.rows)
        overdue = any(sum(r.buckets[1:]) > 0 for r in chart.rows)
        return (f"Receivables aging · {chart.label}", Action("Receivables", f"ar {chart.subject}"),
                Tone.RED if over_60 else Tone.AMBER if overdue else Tone.NONE)
    return (f"Pipeline · {chart.label} · {chart.period_label}",
            Action("Pipeline", f"pipeline {chart.subject} {chart.period_label}"),
            Tone.RED if chart.coverage is not None and chart.coverage < 1 else Tone.NONE)


def describe(t: Turn, chart: Chart) -> str:
    """The chart in one line of words: its alt text and the answer's summary."""
    if isinstance(chart, BurnUp):
        return describe_burn_up(t, chart)
    if isinstance(chart, AgingBars):
        return describe_aging(t, chart)
    if isinstance(chart, PipelineBar):
        return describe_pipeline(t, chart)
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


AGING_NAMED = 5  # clients named in the alt text of a many-client aging chart


def describe_aging(t: Turn, c: AgingBars) -> str:
    others = f" (also owed in {', '.join(c.other_currencies)}, not converted nor drawn)" if c.other_currencies else ""
    if c.hidden:
        others += f"; {c.hidden} client(s) you can't see left out"
    if not c.rows:
        return f"Receivables aging of {c.label} on {c.today:%d %b %Y}: nothing owed{others}."
    buckets = [sum((r.buckets[i] for r in c.rows), Decimal(0)) for i in range(len(c.bucket_names))]
    total = sum(buckets, Decimal(0))
    share = (sum(buckets[3:], Decimal(0)) * 100 / total).quantize(Decimal("0.1")) if total > 0 else None
    split = ", ".join(f"{name} {t.money(v)}" for name, v in zip(c.bucket_names, buckets, strict=True))
    if len(c.rows) == 1 and c.rows[0].key == c.subject:
        return (f"Receivables aging of {c.label} on {c.today:%d %b %Y}: {t.money(total)} outstanding ({split}); "
                f"{format_pct(share)} over 60 days{others}.")
    named = "; ".join(f"{r.key} {t.money(r.outstanding)} ({format_pct(r.over_60_share)} over 60 days)"
                      for r in c.rows[:AGING_NAMED])
    more = f"; and {len(c.rows) - AGING_NAMED} more" if len(c.rows) > AGING_NAMED else ""
    return (f"Receivables aging of {c.label} on {c.today:%d %b %Y}, {len(c.rows)} client(s) worst first: "
            f"{t.money(total)} outstanding ({split}); {format_pct(share)} over 60 days; {named}{more}{others}.")


def describe_pipeline(t: Turn, c: PipelineBar) -> str:
    parts = ", ".join(f"{name.lower()} {t.money(v)}" for name, v in c.segments)
    if c.quota is None:
        against = "no quota set"
    else:
        coverage = f", coverage {c.coverage}×" if c.coverage is not None else ""
        against = f"against a quota of {t.money(c.quota)} (gap {t.money(c.gap or Decimal(0))}{coverage})"
    whose = "Your pipeline" if c.label == "you" else f"Pipeline of {c.label}"
    return f"{whose} for {c.period_text} on {c.today:%d %b %Y}: {parts}, {against}."
