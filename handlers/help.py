"""``help [<command>]``: usage with examples."""

from __future__ import annotations

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
    "chart": ("chart <project|client> [burn|ar|pipeline] [share]",
              "A picture: a project's burn-up (burned, budget, forecasts, today, run-out) or a client's projects "
              "side by side. In a Slack channel it goes to your DM unless you say share.",
              ("chart acme-web", "chart acme", "chart acme share")),
    "account": ("account <client>", "The account on one screen: every project's RAG, burn vs time and run-out, "
                "budget totals and margin, waiting decisions, latest statuses, with the client chart.",
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
    prefix = f"I don't know “{word}”. " if word else ""
    return Reply(
        title="Steward commands",
        summary=f"{prefix}Projects and clients are named by key, name or alias. Try `help budget`.",
        sections=(Section(lines=lines),),
    )
