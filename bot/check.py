"""``steward check``: is this deployment set up right? One line per item, ✓ or ✗ with what to do; exit 1
if any ✗.

Nothing is written: the database is opened read-only in effect (no migration, no file created), Slack
is asked ``auth.test`` only (its ``x-oauth-scopes`` response header lists the scopes the token was
granted, compared with the app manifest's), Teams settings are checked for consistency without
calling Microsoft.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from bot.settings import ConfigError, Settings

OK, BAD = "✓", "✗"
GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
MANIFEST = Path(__file__).resolve().parent / "slack" / "manifest.yml"
SLACK_TIMEOUT = 10  # seconds
NEXT_RUNS = 3


@dataclass(frozen=True)
class Line:
    ok: bool
    item: str
    text: str

    def __str__(self) -> str:
        return f"{OK if self.ok else BAD} {self.item}: {self.text}"


def config_error(exc: ConfigError) -> Line:
    return Line(False, "Settings", f"{exc}. Fix that variable and run `steward check` again.")


def check_settings(settings: Settings) -> Line:
    slack = "Slack over Socket Mode" if settings.slack_app_token else ("Slack over HTTP" if settings.slack_enabled
                                                                      else "no Slack")
    teams = "Teams" if settings.microsoft_app_id else "Teams in Emulator mode"
    return Line(True, "Settings", f"parsed: {_safe_url(settings.database_url)}, {slack}, {teams}, "
                                  f"{settings.work_processes} worker process(es), logs {settings.log_format}")


def _safe_url(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url


def check_database(settings: Settings) -> Line:
    """Reachable, and at the migrations' head (an SQLite file is never created here)."""
    from sqlalchemy.engine import make_url

    from storage.migrate import current_revision, head_revision
    from storage.uow import is_sqlite_memory, make_engine

    url = settings.database_url
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and not is_sqlite_memory(url) and parsed.database \
            and not Path(parsed.database).exists():
        return Line(False, "Database", f"no SQLite file at {parsed.database}: run `steward db upgrade` "
                                       "(or `steward demo` to try it), or point DATABASE_URL at your database")
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            current = current_revision(connection)
    except Exception as exc:
        first = str(exc).splitlines()[0][:200] if str(exc) else ""
        return Line(False, "Database", f"cannot connect ({type(exc).__name__}: {first}): check DATABASE_URL "
                                       "and that the server is up")
    finally:
        engine.dispose()
    head = head_revision()
    if current == head:
        return Line(True, "Database", f"reachable, migrated to head ({head})")
    if current is None:
        return Line(False, "Database", f"reachable but not migrated (code needs {head}): run `steward db upgrade`")
    return Line(False, "Database", f"at migration {current}, the code needs {head}: run `steward db upgrade` "
                                   "(or upgrade Steward if the database is newer)")


def manifest_scopes() -> set[str]:
    import yaml

    data = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    return set(data["oauth_config"]["scopes"]["bot"])


def _header(headers: Mapping[str, object], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name:
            return ", ".join(value) if isinstance(value, list) else str(value)
    return None


def check_slack(settings: Settings) -> Line:
    """``auth.test`` with the bot token; the granted scopes against the manifest's."""
    if not settings.slack_bot_token:
        return Line(True, "Slack", "not configured (SLACK_BOT_TOKEN unset): Steward runs without Slack")
    import logging

    from slack_sdk import WebClient
    from slack_sdk.errors import SlackApiError

    # slack_sdk logs each failed attempt itself; the line below says it once, with what to do.
    logging.getLogger("slack_sdk").setLevel(logging.CRITICAL)
    client = WebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url, timeout=SLACK_TIMEOUT)
    try:
        answer = client.auth_test()
    except SlackApiError as exc:
        code = exc.response.get("error", "error") if exc.response is not None else "error"
        return Line(False, "Slack", f"auth.test answered {code}: the token was not accepted; copy the Bot User "
                                    "OAuth Token (xoxb-…) from your app's OAuth & Permissions page into "
                                    "SLACK_BOT_TOKEN")
    except Exception as exc:
        return Line(False, "Slack", f"cannot reach {settings.slack_api_url} ({type(exc).__name__}): check "
                                    "SLACK_API_URL and the network")
    who = f"team {answer.get('team')}, bot user {answer.get('user')}"
    granted = _header(answer.headers, "x-oauth-scopes")
    if granted is None:
        return Line(True, "Slack", f"token accepted ({who}); Slack did not report its scopes")
    missing = sorted(manifest_scopes() - {s.strip() for s in granted.split(",") if s.strip()})
    if missing:
        return Line(False, "Slack", f"token accepted ({who}) but missing scopes: {', '.join(missing)}; add them "
                                    "under OAuth & Permissions (or re-create the app from bot/slack/manifest.yml) "
                                    "and reinstall the app")
    return Line(True, "Slack", f"token accepted ({who}), every scope of the manifest granted")


def check_teams(settings: Settings, env: Mapping[str, str]) -> Line:
    """App id, password and tenants consistent with each other (nothing is asked of Microsoft)."""
    app_id, tenant = settings.microsoft_app_id, settings.microsoft_app_tenant_id
    tenants = [t.strip() for t in env.get("STEWARD_TEAMS_TENANTS", "").split(",") if t.strip()]
    if not app_id:
        if tenant or tenants:
            return Line(False, "Teams", "MICROSOFT_APP_TENANT_ID / STEWARD_TEAMS_TENANTS are set but "
                                        "MICROSOFT_APP_ID is empty: set the Azure Bot's app id and password")
        return Line(True, "Teams", "not configured (MICROSOFT_APP_ID empty): Bot Framework Emulator mode, "
                                   "loopback only")
    if not GUID.match(app_id):
        return Line(False, "Teams", f"MICROSOFT_APP_ID is not a GUID ({app_id[:12]}…): copy the Microsoft App ID "
                                    "of the Azure Bot")
    bad = [t for t in ([tenant] if tenant else []) + tenants if not GUID.match(t)]
    if bad:
        return Line(False, "Teams", f"not a tenant id (a GUID): {', '.join(bad)}; fix MICROSOFT_APP_TENANT_ID "
                                    "or STEWARD_TEAMS_TENANTS")
    if tenant and tenants and tenant.lower() not in {t.lower() for t in tenants}:
        return Line(False, "Teams", f"the single-tenant bot's tenant {tenant} is not among STEWARD_TEAMS_TENANTS: "
                                    "add it, or unset STEWARD_TEAMS_TENANTS")
    where = f"single tenant {tenant}" if tenant else (f"tenants {', '.join(tenants)}" if tenants
                                                       else "multi-tenant, no tenant list")
    return Line(True, "Teams", f"app id {app_id}, password set, {where}")


def check_scheduler(settings: Settings, now: datetime) -> Line:
    """The digests' next runs (each in its subscription's timezone) and the sweeps' intervals."""
    from apscheduler.triggers.cron import CronTrigger

    from bot.scheduler import DELIVER_SECONDS, SWEEP_SECONDS
    from domain.digests import cron_fields
    from storage.uow import build_uow_factory

    factory = build_uow_factory(settings.database_url)
    try:
        with factory() as uow:
            subs = uow.subscriptions.list_active()
    except Exception as exc:
        return Line(False, "Scheduler", f"cannot read the digest schedules ({type(exc).__name__}): fix the "
                                        "database first")
    finally:
        factory.dispose()
    every = f"escalation sweep every {SWEEP_SECONDS / 60:g} min, outbox delivery every {DELIVER_SECONDS:g} s"
    if not subs:
        return Line(True, "Scheduler", f"no digests scheduled; {every}")
    runs = sorted((CronTrigger(timezone=ZoneInfo(s.timezone), **cron_fields(s)).get_next_fire_time(None, now), s)
                  for s in subs)
    soon = "; ".join(f"{s.channel} at {at:%Y-%m-%d %H:%M} {s.timezone}" for at, s in runs[:NEXT_RUNS] if at)
    return Line(True, "Scheduler", f"{len(subs)} digest(s), next: {soon}; {every}")


def lines(settings: Settings, env: Mapping[str, str], now: datetime) -> Iterator[Line]:
    yield check_settings(settings)
    database = check_database(settings)
    yield database
    yield check_slack(settings)
    yield check_teams(settings, env)
    if database.ok:
        yield check_scheduler(settings, now)
    else:
        yield Line(False, "Scheduler", "not checked: the database is not ready (see above)")


def run_check(settings: Settings | None, error: ConfigError | None = None, out: TextIO | None = None,
              env: Mapping[str, str] | None = None, now: Callable[[], datetime] | None = None) -> int:
    """Print the report; 0 when every line is ✓, else 1."""
    import sys

    out = out or sys.stdout
    if settings is None:
        assert error is not None
        print(config_error(error), file=out)
        return 1
    all_ok = True
    for line in lines(settings, os.environ if env is None else env, (now or (lambda: datetime.now(UTC)))()):
        print(line, file=out, flush=True)
        all_ok = all_ok and line.ok
    return 0 if all_ok else 1
