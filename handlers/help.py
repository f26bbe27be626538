"""``help [<command>]``: usage with examples."""

from __future__ import annotations

import difflib

from handlers.context import Context
from handlers.reply import Reply, Section

COMMANDS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "budget": ("budget <client-or-project>", "Budget health: burn, forecast at completion, run-out date, RAG.",
               ("budget acme", "budget acme-web")),
    "status": ("status <project> [green|amber|red <note>]", "Latest status and history, or log a status.",
               ("status acme-web", "status acme-web amber waiting on assets")),
    "hours": ("hours <project> <hours> [for <person>] [on <date>] [<note>]", "Log time.",
              ("hours acme-web 3.5 design review", "hours acme-web 2 for jane@example.com on last friday")),
    "scope": ("scope <project> [<description> [+<N>h | +<amount>]]", "Open scope changes, or flag scope creep.",
              ("scope acme-web", "scope acme-web extra landing page +40h", "scope acme-web new CMS plugin +$4,500")),
    "assign": ("assign <person> <project> <N>h/week|<N>% [from <date>] [until <date>]",
               "Request an allocation; capacity is checked and an approver decides.",
               ("assign jane@example.com acme-web 20h/week from next monday until 2027-01-31",
                "assign jane acme-web 50%")),
    "projects": ("projects", "My projects at a glance (RAG, % burned vs % elapsed) and my allocations: this "
                 "week's load and the hours I logged.", ("projects",)),
    "approvals": ("approvals", "What waits for my decision.", ("approvals",)),
    "approve": ("approve <id> [<comment>]", "Approve an allocation request (A12) or a scope change (S7).",
                ("approve A12", "approve S7 client signed the change order")),
    "reject": ("reject <id> [<reason>]", "Reject an allocation request or a scope change.",
               ("reject A12 Jane is on leave that week",)),
    "absorb": ("absorb <id> [<comment>]", "Accept a scope change at no charge.", ("absorb S7 goodwill",)),
    "digest": ("digest | digest now | digest at <time> [<timezone>] [weekdays|daily] | digest off",
               "This channel's stand-up digest: settings, post now, schedule, stop.",
               ("digest now", "digest at 09:15 Europe/London weekdays", "digest off")),
    "escalations": ("escalations", "Projects that need a decision now.", ("escalations",)),
    "ack": ("ack <id>", "Acknowledge an escalation (once; the director is not pinged again).", ("ack E12",)),
    "help": ("help [<command>]", "Usage with examples.", ("help", "help scope")),
    "standup": ("standup | standup at <time> [weekdays|daily] [<timezone>] | standup off | "
                "standup did …; doing …; blocked …|nothing",
                "A real stand-up: each participant asked at their own morning, answers in one report, blockers to "
                "the manager; also `standup report at <time>`, `standup reminder <minutes>|off`, `standup quiet`, "
                "`standup join|leave`.",
                ("standup at 9:30 weekdays",
                 "standup did homepage review +3h acme-web; doing checkout; blocked nothing",
                 "standup report at 11:30", "standup join")),
    "ooo": ("ooo [for <person>] <from> [until <date>] [<note>] | ooo off | ooo",
            "Time off: no stand-up, reminders, personal digests or re-sends on those days; capacity counts the rest.",
            ("ooo 2026-12-24 until 2027-01-01 family", "ooo for jane 2026-11-26", "ooo off")),
    "ar": ("ar [<client>|mine|all]", "Receivables: outstanding by aging bucket (Current, 1–30, 31–60, 61–90, 90+), "
           "the share over 60 days and each overdue invoice.", ("ar acme", "ar mine", "ar all")),
    "wip": ("wip [<client>|mine|all]", "Work burned but not yet invoiced, per project, largest first.",
            ("wip acme", "wip mine", "wip all")),
    "chase": ("chase <invoice>", "Draft a polite payment reminder for you to copy (Steward sends it to nobody); "
              "records that it was chased.", ("chase INV-1042",)),
    "promise": ("promise <invoice> <date>", "Record the client's promise to pay by a date.",
                ("promise INV-1042 next friday", "promise INV-1042 2026-12-18")),
    "dispute": ("dispute <invoice> <reason>", "Flag an invoice as disputed (stops its overdue escalations).",
                ("dispute INV-1042 wrong PO number",)),
    "paid": ("paid <invoice> [<amount>]", "Record a payment (all that is left when no amount) until the next "
             "invoice import says otherwise.", ("paid INV-1042", "paid INV-1042 1200")),
    "undo": ("undo", "Revert my last change of the last 24 hours: an hours entry, a status, a scope flag or an "
             "allocation request not yet decided.", ("undo",)),
    "timesheet": ("timesheet [me|team|<person>] [this week|last week|<date>]",
                  "Hours per day and project with the week's total against capacity; `team` lists your people "
                  "and who logged nothing on a working day.",
                  ("timesheet", "timesheet me last week", "timesheet team", "timesheet jane 2026-11-10")),
    "pipeline": ("pipeline [me|<client>|<person>|all] [this quarter|next quarter|YYYY-Qn]",
                 "Closed won, commit, best case, pipeline, weighted, quota, gap, coverage and deals at risk.",
                 ("pipeline me", "pipeline acme next quarter", "pipeline all 2026-Q4")),
    "forecast": ("forecast [me|<client>|all] [<N> months]",
                 "Revenue by month: recognised + scheduled + weighted pipeline, against target.",
                 ("forecast me", "forecast all 6 months", "forecast acme 4 months")),
    "renewals": ("renewals [me|all] [within <N> days]",
                 "Contracts ending: notice deadlines, decisions, follow-ons in the pipeline.",
                 ("renewals", "renewals all within 90 days")),
    "renewal": ("renewal <project> renew|renegotiate|end [<note>]", "Record a renewal decision (once).",
                ("renewal acme-web renew client wants phase two", "renewal acme-app end")),
    "history": ("history <project|client|person> [<N>]",
                "The audit trail: who changed what, when and from where (old → new for imports and edits).",
                ("history acme-web", "history acme 20", "history jane@example.com")),
    "chart": ("chart <project|client> [burn|ar|pipeline] [share]",
              "A picture: a project's burn-up (burned, budget, forecasts, today, run-out) or a client's projects "
              "side by side; ar: receivables aging by client; pipeline: the quarter against quota. In a Slack "
              "channel it goes to your DM unless you say share.",
              ("chart acme-web", "chart acme", "chart acme share", "chart all ar", "chart me pipeline")),
    "account": ("account <client>", "The account on one screen: every project's RAG, burn vs time and run-out, "
                "budget totals and margin, waiting decisions, latest statuses, receivables, this quarter's "
                "pipeline and the next renewal, with the client chart.",
                ("account acme",)),
    "report": ("report <project|client> [this week|last week] [pdf]",
               "A draft of the weekly status for the client, in client words (no rates, costs or margins), to "
               "copy and send yourself; pdf adds the burn-up. Steward sends nothing to the client.",
               ("report acme-web", "report acme last week", "report acme-web pdf")),
}


def handle(ctx: Context, args: str) -> Reply:
    word = args.strip().lower()
    if word in COMMANDS:
        usage, what, examples = COMMANDS[word]
        return Reply(title=usage, summary=what, sections=(Section(title="Examples", lines=examples),))
    lines = tuple(f"{usage} — {what}" for usage, what, _ in COMMANDS.values())
    close = difflib.get_close_matches(word, list(COMMANDS), n=1, cutoff=0.6) if word else []
    prefix = (f"I don't know “{word}”" + (f" — did you mean `{close[0]}`? " if close else ". ")) if word else ""
    return Reply(
        title="Steward commands",
        summary=f"{prefix}Projects and clients are named by key, name or alias. Try `help budget`.",
        sections=(Section(lines=lines),),
    )
