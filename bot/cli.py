"""``steward``: the console, one-shot commands, imports, migrations and the server.

Exit codes: 0 success, 1 a user error (the message on stdout), 2 a usage or configuration error.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.settings import ConfigError, Settings
from bot.text import render
from domain.model import Role, Source
from handlers.context import Caller, Context
from handlers.reply import Reply

if TYPE_CHECKING:  # the composition root is imported lazily: `steward --help` needs no database code
    from bot.app import Steward

EXIT_OK, EXIT_USER, EXIT_USAGE = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="steward", description="Steward: budgets, scope and people in chat.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def clock_opts(p: argparse.ArgumentParser) -> None:
        p.add_argument("--now", metavar="ISO", help="pin the clock, e.g. 2026-11-23T09:00 (organisation timezone)")

    shell = sub.add_parser("shell", help="interactive console taking the same lines as Slack and Teams")
    shell.add_argument("--as", dest="as_email", metavar="EMAIL", help="who you are (default: the first admin)")
    shell.add_argument("--channel", metavar="ID", help="the conversation the lines are said in")
    clock_opts(shell)

    say = sub.add_parser("say", help="run one command line and print the reply")
    say.add_argument("line", help='the command line, e.g. "budget acme"')
    say.add_argument("--as", dest="as_email", metavar="EMAIL", required=True)
    say.add_argument("--channel", metavar="ID")
    say.add_argument("--json", action="store_true", help="print the Reply as JSON")
    say.add_argument("--out", type=Path, metavar="PATH",
                     help="where to write a chart or PDF the reply carries (default: its name, here)")
    clock_opts(say)

    demo = sub.add_parser("demo", help="create the database if needed and load a demo organisation")
    clock_opts(demo)

    imp = sub.add_parser("import", help="import the organisation file or hours")
    imp_sub = imp.add_subparsers(dest="what", required=True, metavar="WHAT")
    org = imp_sub.add_parser("org", help="people, clients and projects from a YAML file (idempotent)")
    org.add_argument("file", type=Path)
    org.add_argument("--dry-run", action="store_true", help="print what would change and write nothing")
    org.add_argument("--deactivate-missing", action="store_true",
                     help="switch off people in the database who are not in the file")
    clock_opts(org)
    hours = imp_sub.add_parser("hours", help="time entries from a CSV file; a bad row imports nothing")
    hours.add_argument("file", type=Path)
    hours.add_argument("--format", choices=["generic", "harvest", "toggl"], default=None,
                       help="file format (default: detected from the header)")
    clock_opts(hours)
    invoices = imp_sub.add_parser("invoices", help="invoices from a CSV file (generic, Xero or QuickBooks); "
                                  "a bad row imports nothing; a newer export updates what changed")
    invoices.add_argument("file", type=Path)
    invoices.add_argument("--format", choices=["generic", "xero", "quickbooks"], default=None,
                          help="file format (default: detected from the header)")
    clock_opts(invoices)

    opps = imp_sub.add_parser("opportunities", help="opportunities from a Salesforce report or generic CSV")
    opps.add_argument("file", type=Path)
    opps.add_argument("--format", choices=["salesforce", "generic"], default=None,
                      help="file format (default: detected from the header)")
    clock_opts(opps)

    sync = sub.add_parser("sync", help="pull data from a system of record")
    sync_sub = sync.add_subparsers(dest="what", required=True, metavar="WHAT")
    clock_opts(sync_sub.add_parser("salesforce", help="opportunities changed since the last sync (SALESFORCE_*)"))

    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="what", required=True, metavar="WHAT")
    db_sub.add_parser("upgrade", help="apply migrations to DATABASE_URL")

    serve = sub.add_parser("serve", help="HTTP server for Slack and Teams, with the scheduler")
    serve.add_argument("--host", default="0.0.0.0")
    serve.add_argument("--port", type=int, default=3000)
    serve.add_argument("--no-scheduler", action="store_true", help="do not run the scheduler in this process")

    worker = sub.add_parser("worker", help="the scheduler alone: digests, escalation sweeps, outbox delivery")
    worker.add_argument("--now", metavar="ISO", help="simulate from this instant (with --until) instead of real time")
    worker.add_argument("--until", metavar="ISO", help="end of the simulated run")
    worker.add_argument("--step", type=float, default=300, metavar="SECONDS", help="simulated seconds per step")
    worker.add_argument("--pace", type=float, default=0.0, metavar="SECONDS", help="real seconds between steps")
    worker.add_argument("--lease", type=int, default=None, metavar="SECONDS",
                        help="outbox claim lease (default 60; a simulated run: the whole window)")
    worker.add_argument("--poll", type=float, default=2.0, metavar="SECONDS", help="outbox delivery interval")
    worker.add_argument("--sweep", type=float, default=300, metavar="SECONDS", help="escalation sweep interval")
    worker.add_argument("--metrics-port", type=int, default=None, metavar="PORT",
                        help="serve GET /metrics on this port (default: no metrics server)")
    worker.add_argument("--metrics-host", default="0.0.0.0", metavar="HOST")

    audit = sub.add_parser("audit", help="export the audit trail (CSV or JSON lines) to stdout")
    audit.add_argument("--since", metavar="DATE", help="from this date or instant (organisation timezone)")
    audit.add_argument("--until", metavar="DATE", help="up to this date (inclusive) or instant (exclusive)")
    audit.add_argument("--subject", metavar="KEY", help="one subject, e.g. project:acme-web (or project for all)")
    audit.add_argument("--format", choices=["csv", "jsonl"], default="csv")

    sub.add_parser("check", help="check the settings, database, Slack, Teams and scheduler; exit 1 on a problem")

    outbox = sub.add_parser("outbox", help="list pending and failed outbox messages")
    outbox.add_argument("--all", action="store_true", help="include sent messages")
    outbox.add_argument("--limit", type=int, default=100)

    people = sub.add_parser("people", help="people's platform accounts")
    people_sub = people.add_subparsers(dest="people_command", required=True)
    unlink = people_sub.add_parser("unlink", help="forget the Slack or Teams account linked to a person (audited)")
    unlink.add_argument("email")
    unlink.add_argument("--platform", required=True, choices=["slack", "teams"])
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = _parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except ConfigError as exc:
        if args.command == "check":
            from bot.check import run_check

            return run_check(None, exc)
        print(f"steward: configuration error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    from bot import logs

    logs.configure(settings)  # STEWARD_LOG_FORMAT / STEWARD_LOG_LEVEL; secrets scrubbed from every line
    try:
        return _run(args, settings)
    except ConfigError as exc:
        print(f"steward: configuration error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ValueError as exc:  # a malformed --now
        print(f"steward: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except RuntimeError as exc:
        from storage.migrate import SchemaOutOfDate

        if not isinstance(exc, SchemaOutOfDate):
            raise
        print(f"steward: {exc}", file=sys.stderr)  # it says what to run
        return EXIT_USER


def _run(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "db":
        from storage.migrate import upgrade

        upgrade(settings.database_url)
        print(f"Database is up to date: {_safe_url(settings.database_url)}")
        return EXIT_OK
    if args.command == "serve":
        from bot.server import serve

        return serve(settings, host=args.host, port=args.port, scheduler=not args.no_scheduler)

    if args.command == "check":  # before build(): a check creates and migrates nothing
        from bot.check import run_check

        return run_check(settings)
    if args.command == "worker":
        from bot.worker import run_worker

        return run_worker(settings, args)

    from bot.app import build

    steward = build(settings, now=getattr(args, "now", None))
    if args.command == "outbox":
        from bot.delivery import outbox_table
        from domain.model import DeliveryState

        with steward.uow_factory() as uow:
            states = None if args.all else [DeliveryState.PENDING, DeliveryState.FAILED]
            messages = uow.outbox.list(states, limit=args.limit)
            tz = ZoneInfo(uow.organisation.get().timezone)
            people = {p.id: p.name for p in uow.people.list() if p.id is not None}
        print(outbox_table(messages, tz, people))
        return EXIT_OK
    if args.command == "people":
        return _unlink(steward, args.email, args.platform)
    if args.command == "audit":
        from bot.audit_export import parse_bound, write

        with steward.uow_factory() as uow:
            tz = ZoneInfo(uow.organisation.get().timezone)
        since = parse_bound(args.since, tz, end=False) if args.since else None
        until = parse_bound(args.until, tz, end=True) if args.until else None
        write(steward.uow_factory, sys.stdout, fmt=args.format, since=since, until=until, subject=args.subject)
        return EXIT_OK
    if args.command == "demo":
        from handlers.demo import load_demo

        return _print(load_demo(steward.uow_factory, steward.clock))
    if args.command == "import":
        from handlers import imports

        if not args.file.exists():
            print(f"steward: no such file: {args.file}", file=sys.stderr)
            return EXIT_USAGE
        if args.what == "org":
            return _print(imports.import_org_file(steward.uow_factory, steward.clock, args.file, dry_run=args.dry_run,
                                                  deactivate_missing=args.deactivate_missing))
        if args.what == "invoices":
            from handlers.invoice_imports import import_invoices_file

            return _print(import_invoices_file(steward.uow_factory, steward.clock, args.file, args.format))
        if args.what == "opportunities":
            from handlers.opportunity_imports import import_opportunities_file

            return _print(import_opportunities_file(steward.uow_factory, steward.clock, args.file, args.format))
        return _print(imports.import_hours_file(steward.uow_factory, steward.clock, args.file, args.format))
    if args.command == "sync":
        from bot.salesforce import sync_command

        return _print(sync_command(steward.uow_factory, settings, steward.clock.now()))
    if args.command == "say":
        from handlers.dispatch import handle

        reply = handle(_context(steward, args.as_email, args.channel), args.line)
        if args.json:
            print(json.dumps(reply.to_dict(), indent=2, default=str, ensure_ascii=False))
            return EXIT_OK if reply.ok else EXIT_USER
        code = _print(reply)
        _save(reply, args.out)
        return code
    if args.command == "shell":
        return _shell(steward, args.as_email, args.channel)
    raise AssertionError(args.command)


def _print(reply: Reply) -> int:
    print(render(reply))
    return EXIT_OK if reply.ok else EXIT_USER


def _save(reply: Reply, out: Path | None) -> None:
    """Write the chart or PDF a reply carries (to ``out``, else under its own name in the working
    directory) and say where, with what it shows."""
    if reply.attachment is None:
        return
    path = out or Path(reply.attachment.filename)
    if path.parent != Path():
        path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(reply.attachment.content)
    print(f"  Wrote {path} ({len(reply.attachment.content) // 1024 + 1} KB): {reply.attachment.alt}")


def _safe_url(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url


def _context(steward: Steward, email: str | None, channel: str | None) -> Context:
    return steward.context(Caller(email=email), Source.SHELL, channel=channel, is_direct=channel is None)


def _default_person(steward: Steward) -> str | None:
    with steward.uow_factory() as uow:
        people = [p for p in uow.people.list() if p.active]
    for role in (Role.ADMIN, Role.DIRECTOR):
        for person in people:
            if person.role is role:
                return person.email
    return people[0].email if people else None


def _shell(steward: Steward, email: str | None, channel: str | None) -> int:
    from handlers.dispatch import handle

    with contextlib.suppress(ImportError):  # line editing and history for input(), where the platform has it
        import readline  # noqa: F401
    email = email or _default_person(steward)
    if email is None:
        print("The database has no people yet. Run `steward demo` or `steward import org FILE.yaml` first.")
        return EXIT_USER
    print(f"Steward console. You are {email}" + (f" in {channel}" if channel else "") + ".")
    print("Type `help` for commands, `:as EMAIL` to be someone else, `:channel ID` to change channel, `quit` to leave.")
    while True:
        try:
            line = input("steward> ").strip()
        except (EOFError, KeyboardInterrupt):
            print()
            return EXIT_OK
        if not line:
            continue
        if line in ("quit", "exit", ":q"):
            return EXIT_OK
        if line.startswith(":as "):
            email = line[4:].strip()
            print(f"You are now {email}.")
            continue
        if line.startswith(":channel"):
            channel = line[8:].strip() or None
            print(f"Channel: {channel or '(direct message)'}.")
            continue
        reply = handle(_context(steward, email, channel), line)
        print(render(reply))
        _save(reply, None)
        print()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())


def _unlink(steward: Steward, email: str, platform: str) -> int:
    """``steward people unlink EMAIL --platform slack|teams``: the next account of that platform with the
    person's email is linked to them again (recorded in the audit trail)."""
    from domain.errors import StewardError
    from domain.identity import unlink
    from domain.model import Platform

    try:
        with steward.uow_factory() as uow:
            done = unlink(uow, email, Platform(platform), steward.clock.now())
            uow.commit()
    except StewardError as exc:
        print(str(exc))
        return EXIT_USER
    print(done)
    return EXIT_OK
