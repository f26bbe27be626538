"""The botbuilder ``CloudAdapter`` for one deployment, configured from ``MICROSOFT_APP_*``.

- ``MICROSOFT_APP_ID`` empty: Bot Framework Emulator mode. botbuilder then accepts requests with no
  ``Authorization`` header and sends without a token. Fine on a laptop, never on the internet, so it
  is logged as a warning at start-up.
- ``MICROSOFT_APP_TENANT_ID`` set: a single-tenant Azure Bot (the default for new registrations), which
  serves that tenant only; unset: multi-tenant, serving the tenants of ``STEWARD_TEAMS_TENANTS``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from botbuilder.schema import Activity

from bot.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BotConfig:
    """The attribute names ``ConfigurationBotFrameworkAuthentication`` reads (botbuilder's config.py shape)."""

    APP_ID: str
    APP_PASSWORD: str
    APP_TYPE: str
    APP_TENANTID: str


def bot_config(settings: Settings) -> BotConfig:
    tenant = settings.microsoft_app_tenant_id
    app_type = "SingleTenant" if settings.microsoft_app_id and tenant else "MultiTenant"
    return BotConfig(settings.microsoft_app_id, settings.microsoft_app_password, app_type, tenant)


def emulator_mode(settings: Settings) -> bool:
    return not settings.microsoft_app_id


def accepted_tenants(settings: Settings) -> frozenset[str] | None:
    """The Entra ID tenants whose activities this bot acts on; None: no check (Emulator mode with no tenant
    configured). A bot with auth on and no tenant configured accepts none (``Settings.from_env`` refuses to
    start like that; this is the fail-closed answer for settings built some other way)."""
    if settings.microsoft_app_tenant_id:
        return frozenset({settings.microsoft_app_tenant_id})
    if settings.teams_tenants:
        return frozenset(settings.teams_tenants)
    return None if emulator_mode(settings) else frozenset()


def activity_tenant(activity: Activity) -> str | None:
    """The tenant an activity comes from (``conversation.tenantId``, else ``channelData.tenant.id``);
    None when it names none or the two disagree."""
    conversation = getattr(activity.conversation, "tenant_id", None) if activity.conversation else None
    data: dict[str, Any] = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    tenant: dict[str, Any] = data["tenant"] if isinstance(data.get("tenant"), dict) else {}
    from_data = tenant["id"] if isinstance(tenant.get("id"), str) else None
    if conversation and from_data and conversation != from_data:
        return None
    return conversation or from_data or None


def build_adapter(settings: Settings) -> CloudAdapter:
    if emulator_mode(settings):
        log.warning("Teams: MICROSOFT_APP_ID is empty: Bot Framework Emulator mode, requests to /api/messages "
                    "are NOT authenticated. Set MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD before exposing "
                    "this server.")
    else:
        config = bot_config(settings)
        log.info("Teams: %s bot %s", "single-tenant" if config.APP_TYPE == "SingleTenant" else "multi-tenant",
                 settings.microsoft_app_id)
    return CloudAdapter(ConfigurationBotFrameworkAuthentication(bot_config(settings)))
