"""The App Home tab: the opener's portfolio (RAG, % burned vs % elapsed) and what waits for their decision.

It is composed from the same handlers as the commands (``approvals`` and ``projects``),
so the numbers and the buttons are the ones every other surface shows. Buttons on it replay their
command like any other Steward button (see ``actions``), and the tab is republished after a decision.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.blocks import MAX_VIEW_BLOCKS, render_blocks
from bot.slack.runtime import Deps, safely
from handlers.reply import Severity

log = logging.getLogger(__name__)


async def home_view(deps: Deps, client: AsyncWebClient, user: str) -> dict[str, Any]:
    """The home view for this user, within the 100 blocks a view may hold."""
    waiting = await deps.run(client, user, "approvals", channel=None, is_direct=True)
    if waiting.severity is Severity.ERROR:  # not registered, or Slack trouble: say only that
        blocks = [b.to_dict() for b in render_blocks(waiting, max_blocks=MAX_VIEW_BLOCKS)]
        return {"type": "home", "blocks": blocks}
    portfolio = await deps.run(client, user, "projects", channel=None, is_direct=True)
    first = render_blocks(waiting, max_blocks=MAX_VIEW_BLOCKS // 2)
    second = render_blocks(portfolio, max_blocks=MAX_VIEW_BLOCKS - len(first) - 1)
    # action ids must be unique within the view: renumber the second part's buttons
    blocks = [b.to_dict() for b in first] + [{"type": "divider"}]
    offset = 1000
    for b in second:
        d = b.to_dict()
        for e in d.get("elements", []):
            if e.get("type") == "button":
                e["action_id"] = f"{e['action_id']}{offset}"
                offset += 1
        blocks.append(d)
    return {"type": "home", "blocks": blocks}


async def publish(deps: Deps, client: AsyncWebClient, user: str) -> None:
    view = await home_view(deps, client, user)
    await safely("views.publish", lambda: client.views_publish(user_id=user, view=view), user=user)


def register(app: AsyncApp, deps: Deps) -> None:
    """App Home is driven by the ``app_home_opened`` event (see ``events``); nothing else to register."""
