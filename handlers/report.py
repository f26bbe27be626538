"""``report <project|client> [this week|last week] [pdf]``: a draft of the weekly status for the client.

Plain text the director copies, edits and sends: progress from the week's status updates, hours and
fees this week and to date against the budget, scope changes approved or awaiting sign-off, what comes
next and the risks. Client words only: no cost rate, cost, margin or internal note is ever in it (the
domain's ``WeeklyReport`` doesn't even carry them). ``pdf`` adds a one- or two-page PDF with the
burn-up. Steward sends nothing to the client: the draft comes back to whoever asked.
"""

from __future__ import annotations

from dataclasses import replace

from domain.accounts import ProjectWeek, WeeklyReport, report_week, weekly_report
from domain.budget import client_figures
from domain.charts import Chart, client_bars, project_burn_up
from domain.errors import InvalidInput
from domain.model import Rag
from domain.services import ClientBudget
from handlers.base import Turn, format_date, format_hours, format_pct, turn
from handlers.chart import describe
from handlers.context import Context
from handlers.parsing import resolve_named
from handlers.reply import Action, Attachment, Reply

USAGE = "report <project|client> [this week|last week] [pdf]"
EXAMPLE = "report acme-web last week"
WEEK_WORDS = ("this week", "last week")


def parse(args: str) -> tuple[str, str, bool]:
    """``"acme web last week pdf"`` -> ``("acme web", "last week", True)``."""
    words = args.split()
    pdf = bool(words) and words[-1].lower() == "pdf"
    if pdf:
        words = words[:-1]
    week = ""
    if len(words) >= 2 and " ".join(words[-2:]).lower() in WEEK_WORDS:
        week, words = " ".join(words[-2:]).lower(), words[:-2]
    return " ".join(words), week, pdf


def handle(ctx: Context, args: str) -> Reply:
    name, week_words, pdf = parse(args)
    if not name:
        raise InvalidInput("Name a project or a client to report on.", example=EXAMPLE)
    with turn(ctx) as t:
        named = resolve_named(t.uow, name, example=EXAMPLE)
        week = report_week(week_words, t.today)
        if named.project is not None:
            client = t.uow.clients.get(named.project.client_id)
            assert client is not None
            report = weekly_report(t.uow, t.actor, client, [named.project], week, t.today)
        else:
            assert named.client is not None
            client = named.client
            report = weekly_report(t.uow, t.actor, client, None, week, t.today)
        chart: Chart | None = None
        if pdf:
            if named.project is not None:
                chart = project_burn_up(t.uow, t.actor, named.project, t.today)
            else:
                rows = report.project_budgets
                total = client_figures([r.figures for r in rows])
                chart = client_bars(ClientBudget(client, None, rows, total, 0), t.today) if rows else None
            chart = replace(chart, description=describe(t, chart)) if chart is not None else None
        subject = named.project.name if named.project is not None else client.name
        text = report_text(t, report, subject)
        key = named.project.key if named.project is not None else client.key
    title = f"Weekly status draft — {subject}, {week.label}"
    reply = Reply(
        title=title,
        summary=text,
        footer="A draft for you to copy, edit and send: Steward never sends anything to the client.",
        actions=() if pdf else (Action("PDF", f"report {key} {week_words or 'this week'} pdf"),),
        subject=f"report:{key}",
    )
    if not pdf:
        return reply
    if ctx.drawer is None:
        return replace(reply, footer=reply.footer + " The PDF couldn't be made here.")
    document = ctx.drawer.pdf(title, text, chart)
    alt = f"{title}: the text above" + (f", and {chart.description}" if chart is not None else "")
    return replace(reply, attachment=Attachment(f"{key}-status-{week.first.isoformat()}.pdf", document, alt,
                                                "application/pdf"))


def report_text(t: Turn, report: WeeklyReport, subject: str) -> str:
    """The draft itself, in plain text; one block per project."""
    lines = [f"{subject} — status for the {report.week.label}", ""]
    for pw in report.projects:
        if len(report.projects) > 1:
            lines += [f"{pw.project.name}", ""]
        lines += _project_lines(t, pw, report)
        lines.append("")
    return "\n".join(lines).rstrip()


def _project_lines(t: Turn, pw: ProjectWeek, report: WeeklyReport) -> list[str]:
    out = ["Progress"]
    if pw.statuses:
        out += [f"- {s.note}" for s in pw.statuses]
    else:
        out.append("- No new update this week.")
    hours = format_hours(pw.hours) + (f" of {format_hours(pw.budget_hours)}" if pw.budget_hours else "")
    out += [
        "",
        "Hours and budget",
        f"- This week: {format_hours(pw.week_hours)}, {t.money(pw.week_spend)}",
        f"- To date: {hours}, {t.money(pw.burned)} of {t.money(pw.budget)} ({format_pct(pw.pct_burned)} of the "
        f"budget, {format_pct(pw.pct_elapsed)} of the time)",
    ]
    if pw.approved_this_week or pw.awaiting:
        out += ["", "Scope changes"]
        out += [f"- Approved: {c.description}" for c in pw.approved_this_week]
        out += [f"- Awaiting sign-off: {c.description}" for c in pw.awaiting]
    out += ["", "Next"]
    out.append(f"- {pw.latest.note}" if pw.latest is not None else "- To be confirmed.")
    risks = _risks(pw)
    if risks:
        out += ["", "Risks"] + [f"- {r}" for r in risks]
    return out


def _risks(pw: ProjectWeek) -> list[str]:
    """Amber and red, in words a client reads: the pace against the budget, and a status of concern."""
    risks = []
    if pw.rag is not Rag.GREEN:
        if "budget spent" in pw.reasons:
            risks.append("The budget is fully used; further work needs an agreed change.")
        elif pw.runs_out_on is not None:
            risks.append(f"At the current pace the budget runs out on {format_date(pw.runs_out_on)}, before the "
                         f"planned end ({pw.project.end:%d %b %Y}).")
        else:
            risks.append("Work is running ahead of the schedule against the budget; we are watching it closely.")
    if pw.latest is not None and pw.latest.rag is not Rag.GREEN and pw.latest.note not in [s for s in risks]:
        risks.append(f"{pw.latest.rag.value.capitalize()}: {pw.latest.note}")
    return risks
