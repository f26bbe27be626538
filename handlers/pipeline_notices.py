"""What a pipeline or renewal alert looks like as a message (``domain.pipeline_alerts``), and the quarter
that opens a director's Monday digest."""

from __future__ import annotations

from typing import Any

from domain.pipeline import period_of
from domain.pipeline_alerts import Alert
from domain.pipeline_service import pipeline_report, renewal_lines_by_deadline, renewal_projects, scope_for_person
from handlers.base import Turn, format_date, format_money
from handlers.reply import Action, Reply, Section, Tone

DIGEST_RENEWAL_DAYS = 30


def alert_reply(alert: Alert) -> Reply:
    o, line, currency = alert.opportunity, alert.renewal, alert.currency
    if o is not None:
        owner = alert.owner.name if alert.owner else (o.owner_name or "no owner")
        what = f"{o.name} ({alert.client_name}): {o.stage} · {format_money(o.amount, currency)} · " \
               f"{o.probability:g}% · owner {owner}"
        if alert.kind == "commit_overdue":
            return Reply(title=f"Commit deal past its close date — {o.name}", tone=Tone.RED,
                         summary=f"{what}\nIt was due to close on {format_date(o.close_date)} and is still open: "
                                 "close it, or move the date in Salesforce.",
                         actions=(Action("Pipeline", "pipeline me"),), subject=f"opportunity:{o.id}",
                         footer=f"escalation · opportunity {o.external_id or o.id}")
        return Reply(title=f"Close date pushed {o.pushes} times — {o.name}", tone=Tone.AMBER,
                     summary=f"{what}\nNow closing {format_date(o.close_date)}.",
                     actions=(Action("Pipeline", "pipeline me"),), subject=f"opportunity:{o.id}",
                     footer=f"escalation · opportunity {o.external_id or o.id}")
    assert line is not None
    p = line.project
    follow = (f"Follow-on in pipeline: {line.follow_on.name}, {format_money(line.follow_on.amount, currency)}."
              if line.follow_on else "No follow-on in the pipeline.")
    actions = (Action("Renew", f"renewal {p.key} renew", "primary"), Action("Renegotiate", f"renewal {p.key} "
               "renegotiate"), Action("End", f"renewal {p.key} end", "danger", confirm=f"End {p.name}?"))
    body = (f"{alert.client_name} · {p.name} ends {format_date(p.end)}; notice by {format_date(line.deadline)} "
            f"({line.days_left} days left). {follow}")
    if alert.kind == "renewal_escalation":
        copy = " (copied to you as an admin)" if alert.copy else ""
        return Reply(title=f"Renewal undecided, {line.days_left} days to the notice deadline — {p.name}",
                     tone=Tone.RED, summary=f"{body}\nNo decision recorded and nothing in the pipeline{copy}.",
                     actions=actions, subject=f"renewal:{p.key}", footer=f"escalation · renewal {p.key}")
    return Reply(title=f"Renewal: {alert.days} days to the notice deadline — {p.name}", tone=Tone.AMBER,
                 summary=body, actions=actions, subject=f"renewal:{p.key}", footer=f"reminder · renewal {p.key}")


def alert_payload(alert: Alert) -> dict[str, Any]:
    return alert_reply(alert).to_dict()


def quarter_section(t: Turn) -> Section:
    """The quarter at a glance: closed won of quota, commit, coverage, at risk, renewals due in 30 days."""
    settings = t.uow.pipeline.settings()
    period = period_of(t.today, settings.fiscal_year_start_month)
    report = pipeline_report(t.uow, scope_for_person(t.uow, t.actor, "you"), period, t.today)
    f = report.figures
    won = t.money(f.closed_won) + (f" of {t.money(f.quota)} quota" if f.quota is not None else " (no quota set)")
    renewals = renewal_lines_by_deadline(t.uow, renewal_projects(t.uow, t.actor, False), t.today,
                                         DIGEST_RENEWAL_DAYS)
    lines = [
        f"Closed won {won} · commit {t.money(f.commit)} · coverage "
        f"{f'{f.coverage}×' if f.coverage is not None else '—'} · {report.at_risk_count} at risk",
        f"Renewals with a notice deadline in the next {DIGEST_RENEWAL_DAYS} days: " + (
            ", ".join(f"{r.project.key} ({format_date(r.deadline)})" for r in renewals[:5]) if renewals else "none"),
    ]
    return Section(title=f"This quarter · {period.describe()}", lines=tuple(lines),
                   tone=Tone.AMBER if report.at_risk_count or renewals else Tone.NONE,
                   actions=(Action("Pipeline", "pipeline me"), Action("Renewals", "renewals me")))
