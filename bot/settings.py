"""Settings read once from the environment into a frozen object that fails loudly."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

MAX_WORK_PROCESSES = 64


class ConfigError(Exception):
    """A missing or malformed setting; the message names it in one line."""


@dataclass(frozen=True)
class Settings:
    database_url: str = "sqlite:///steward.db"
    timezone: str | None = None
    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    slack_api_url: str = "https://slack.com/api/"
    microsoft_app_id: str = ""
    microsoft_app_password: str = ""
    microsoft_app_tenant_id: str = ""
    admins: tuple[str, ...] = ()
    # ``steward serve``: processes that run the work after an ack (0: threads in the server's process).
    work_processes: int = 1
    # Entra ID tenants a multi-tenant Teams bot serves (a single-tenant bot serves its own only).
    teams_tenants: tuple[str, ...] = ()
    # Salesforce (issue 14): a username login or an instance URL + session id; the worker syncs every N minutes.
    salesforce_username: str | None = None
    salesforce_password: str | None = None
    salesforce_security_token: str | None = None
    salesforce_domain: str = "login"
    salesforce_instance_url: str | None = None
    salesforce_session_id: str | None = None
    salesforce_sync_minutes: int = 15

    @property
    def salesforce_enabled(self) -> bool:
        return bool(self.salesforce_username or self.salesforce_instance_url)
    # Operations (bot/metrics.py, bot/logs.py): the bearer token /metrics wants from off the machine,
    # the log format (text | json) and level.
    metrics_token: str | None = None
    log_format: str = "text"
    log_level: str | None = None  # None: WARNING for one-shot commands, INFO for serve and worker

    @property
    def slack_enabled(self) -> bool:
        return bool(self.slack_bot_token)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        url = get("DATABASE_URL") or "sqlite:///steward.db"
        if "://" not in url:
            raise ConfigError(f"DATABASE_URL is malformed: {url!r} (example: postgresql+psycopg://user@host/steward)")
        if url.startswith("postgres://") or url.startswith("postgresql://"):
            # psycopg 3 is the driver we ship; the bare scheme would ask SQLAlchemy for psycopg2.
            url = "postgresql+psycopg://" + url.split("://", 1)[1]
        tz = get("STEWARD_TIMEZONE")
        if tz:
            try:
                ZoneInfo(tz)
            except (ZoneInfoNotFoundError, ValueError):
                raise ConfigError(f"STEWARD_TIMEZONE is not an IANA timezone: {tz!r} (example: Europe/London)") \
                    from None
        token, secret = get("SLACK_BOT_TOKEN"), get("SLACK_SIGNING_SECRET")
        if token and not token.startswith("xoxb-"):
            raise ConfigError("SLACK_BOT_TOKEN must be a bot token starting with xoxb-")
        app_token = get("SLACK_APP_TOKEN")
        if app_token and not app_token.startswith("xapp-"):
            raise ConfigError("SLACK_APP_TOKEN must be an app-level token starting with xapp-")
        if token and not secret and not app_token:
            raise ConfigError("SLACK_SIGNING_SECRET is required when SLACK_BOT_TOKEN is set")
        api_url = get("SLACK_API_URL") or "https://slack.com/api/"
        if not api_url.startswith(("http://", "https://")):
            raise ConfigError(f"SLACK_API_URL must be an http(s) URL: {api_url!r}")
        if not api_url.endswith("/"):
            api_url += "/"
        app_id = get("MICROSOFT_APP_ID") or ""
        password = get("MICROSOFT_APP_PASSWORD") or ""
        if app_id and not password:
            raise ConfigError("MICROSOFT_APP_PASSWORD is required when MICROSOFT_APP_ID is set")
        tenant_id = get("MICROSOFT_APP_TENANT_ID") or ""
        tenants = tuple(t.strip() for t in (get("STEWARD_TEAMS_TENANTS") or "").split(",") if t.strip())
        if app_id and not tenant_id and not tenants:
            raise ConfigError("MICROSOFT_APP_TENANT_ID (single-tenant bot) or STEWARD_TEAMS_TENANTS (multi-tenant: "
                              "comma-separated tenant ids) is required when MICROSOFT_APP_ID is set")
        admins = tuple(a.strip().lower() for a in (get("STEWARD_ADMINS") or "").split(",") if a.strip())
        for admin in admins:
            if "@" not in admin:
                raise ConfigError(f"STEWARD_ADMINS must be comma-separated emails: {admin!r} is not one")
        processes = get("STEWARD_WORK_PROCESSES") or "1"
        if not processes.isdigit() or int(processes) > MAX_WORK_PROCESSES:
            raise ConfigError(f"STEWARD_WORK_PROCESSES must be a whole number from 0 (work in threads of the "
                              f"server's process) to {MAX_WORK_PROCESSES}: {processes!r} (example: 2)")
        salesforce = _salesforce(get)
        log_format, log_level = _log_settings(get)
        return cls(
            **salesforce,
            database_url=url,
            timezone=tz,
            slack_bot_token=token,
            slack_signing_secret=secret,
            slack_app_token=app_token,
            slack_api_url=api_url,
            microsoft_app_id=app_id,
            microsoft_app_password=password,
            microsoft_app_tenant_id=tenant_id,
            admins=admins,
            work_processes=int(processes),
            teams_tenants=tenants,
            metrics_token=get("STEWARD_METRICS_TOKEN"),
            log_format=log_format,
            log_level=log_level,
        )


_SF_DOMAIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.-]*$")
MAX_SYNC_MINUTES = 1440


def _salesforce(get: Callable[[str], str | None]) -> dict[str, Any]:
    """The SALESFORCE_* settings, checked: either a username login (with password) or an instance URL with
    a session id; a sync interval of whole minutes."""
    username, password = get("SALESFORCE_USERNAME"), get("SALESFORCE_PASSWORD")
    instance, session = get("SALESFORCE_INSTANCE_URL"), get("SALESFORCE_SESSION_ID")
    domain = get("SALESFORCE_DOMAIN") or "login"
    if username and not password:
        raise ConfigError("SALESFORCE_PASSWORD is required when SALESFORCE_USERNAME is set")
    if password and not username:
        raise ConfigError("SALESFORCE_USERNAME is required when SALESFORCE_PASSWORD is set")
    if not _SF_DOMAIN.match(domain):
        raise ConfigError(f"SALESFORCE_DOMAIN must be login, test or your My Domain (e.g. acme.my): {domain!r}")
    if instance and not instance.startswith(("https://", "http://")):
        raise ConfigError(f"SALESFORCE_INSTANCE_URL must be an https URL like https://acme.my.salesforce.com: "
                          f"{instance!r}")
    if bool(instance) != bool(session):
        missing = "SALESFORCE_SESSION_ID" if instance else "SALESFORCE_INSTANCE_URL"
        raise ConfigError(f"{missing} is required with "
                          f"{'SALESFORCE_INSTANCE_URL' if instance else 'SALESFORCE_SESSION_ID'}")
    if username and instance:
        raise ConfigError("Set SALESFORCE_USERNAME (login) or SALESFORCE_INSTANCE_URL + SALESFORCE_SESSION_ID, "
                          "not both")
    minutes = get("SALESFORCE_SYNC_MINUTES") or "15"
    if not minutes.isdigit() or not 1 <= int(minutes) <= MAX_SYNC_MINUTES:
        raise ConfigError(f"SALESFORCE_SYNC_MINUTES must be a whole number of minutes from 1 to {MAX_SYNC_MINUTES}: "
                          f"{minutes!r} (example: 15)")
    return dict(salesforce_username=username, salesforce_password=password,
                salesforce_security_token=get("SALESFORCE_SECURITY_TOKEN"), salesforce_domain=domain,
                salesforce_instance_url=instance, salesforce_session_id=session,
                salesforce_sync_minutes=int(minutes))


LOG_FORMATS = ("text", "json")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def _log_settings(get: Callable[[str], str | None]) -> tuple[str, str | None]:
    log_format = (get("STEWARD_LOG_FORMAT") or "text").lower()
    if log_format not in LOG_FORMATS:
        raise ConfigError(f"STEWARD_LOG_FORMAT must be text or json: {log_format!r} (example: json)")
    level = (get("STEWARD_LOG_LEVEL") or "").upper() or None
    if level is not None and level not in LOG_LEVELS:
        raise ConfigError(f"STEWARD_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}: {level!r} (example: INFO)")
    return log_format, level
