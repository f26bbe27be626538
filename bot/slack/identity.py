"""Who is this Slack user? A Slack user id becomes a ``Caller`` that ``domain.identity`` maps to a person.

A person whose Slack id is already stored needs no Web API call. Otherwise ``users.info`` gives the
email (scope ``users:read.email``) and ``domain.identity.identify`` stores the Slack id on the matching
person when the handler's unit of work commits, so the call is made once per person, not per message.
"""

from __future__ import annotations

import asyncio
import logging

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from domain.ports import UnitOfWorkFactory
from handlers.context import Caller

log = logging.getLogger(__name__)


def api_error(exc: SlackApiError) -> str:
    """Slack's error code from a failed call (``missing_scope``), or the HTTP status when the body is not JSON."""
    data = getattr(exc.response, "data", None)
    if isinstance(data, dict) and data.get("error"):
        return str(data["error"])
    status = getattr(exc.response, "status_code", None)
    return f"http_{status}" if status else "unknown_error"


class SlackTrouble(Exception):
    """A Web API call failed while a user waits: ``str()`` is what to tell them, plainly."""


class SlackIdentity:
    def __init__(self, uow_factory: UnitOfWorkFactory) -> None:
        self._uow_factory = uow_factory
        # In-process cache of users.info answers; emails rarely change and a miss only costs one call.
        self._emails: dict[str, str] = {}

    def linked(self, user_id: str) -> bool:
        """Whether a person already has this Slack id (sync; call in a thread)."""
        return self._linked(user_id)

    def _linked(self, user_id: str) -> bool:
        with self._uow_factory() as uow:
            return uow.people.by_slack_id(user_id) is not None

    def linked_email(self, user_id: str) -> str | None:
        """The email of the person already linked to this Slack id, if any (sync; call in a thread)."""
        with self._uow_factory() as uow:
            person = uow.people.by_slack_id(user_id)
            return person.email if person else None

    async def email_of(self, client: AsyncWebClient, user_id: str) -> str | None:
        """The user's email from ``users.info``; None when Slack has none to give (a bot, a guest without one)."""
        if user_id in self._emails:
            return self._emails[user_id]
        try:
            answer = await client.users_info(user=user_id)
        except SlackApiError as exc:
            error = api_error(exc)
            log.warning("users.info failed for %s: %s", user_id, error)
            if error in ("user_not_found", "account_inactive"):
                return None
            raise SlackTrouble(
                f"Slack would not tell me who you are (users.info answered “{error}”). "
                "Please try again in a minute; if it keeps happening, ask your Slack admin to reinstall Steward."
            ) from exc
        except Exception as exc:  # network trouble: the user is waiting, say so
            log.warning("users.info failed for %s: %r", user_id, exc)
            raise SlackTrouble("I couldn't reach Slack to look you up. Please try again in a minute.") from exc
        user = answer.get("user") or {}
        email = (user.get("profile") or {}).get("email")
        if email:
            self._emails[user_id] = email
            if user.get("tz"):  # the person's own clock, for stand-ups at their morning
                await asyncio.to_thread(self._remember_tz, user_id, email, str(user["tz"]))
        return email

    def _remember_tz(self, user_id: str, email: str, zone: str) -> None:
        try:
            with self._uow_factory() as uow:
                person = uow.people.by_slack_id(user_id) or uow.people.by_email(email)
                if person is not None and person.id is not None:
                    uow.calendars.set_slack_timezone(person.id, zone)
                    uow.commit()
        except Exception:  # a timezone is a nicety; the caller's command must not fail for it
            log.exception("could not store the Slack timezone of %s", user_id)

    async def caller(self, client: AsyncWebClient, user_id: str) -> Caller:
        """The Caller for a Slack user: the Slack id alone once linked, else with the email from users.info."""
        if await asyncio.to_thread(self._linked, user_id):
            return Caller(slack_id=user_id)
        return Caller(slack_id=user_id, email=await self.email_of(client, user_id))

    async def email_for_mention(self, client: AsyncWebClient, user_id: str) -> str | None:
        """An email to name another user in a command line (the user picker of the assign modal)."""
        linked = await asyncio.to_thread(self.linked_email, user_id)
        return linked or await self.email_of(client, user_id)
