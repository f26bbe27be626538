"""The outbox deliverer: claim due rows, send each through its platform's sender, record the result.

Claim -> commit -> send -> mark sent, each step its own short transaction, so no database lock is
held while a platform is slow. A claim is a lease (``claimed_until``): a worker killed mid-send leaves
the row claimed until the lease runs out, then another worker claims it again (``attempts`` > 1) and
the sender first checks whether the message actually went out (Slack: a message in the conversation
carrying this key in its metadata) before posting. The lease must outlast a send, so the Slack client's
timeout is kept well under it.

A failed send is retried with exponential backoff and given up after ``max_attempts``; a permanent
error (the channel does not exist, the person cannot be reached) gives up at once. Failures stay in
the table with their error, for ``steward outbox``.

A row of kind ``update`` (queued when a request is decided or an escalation acknowledged) edits an earlier
row's message in place: its payload is the new Reply, with ``extra["update"]`` naming the target row
(``{"outbox_id": …, "key": …}``), which is read afresh for its ``platform_ref`` (Slack ``channel:ts``,
Teams activity id); the platform's sender ``update_message`` replaces it (Slack ``chat.update``, Teams
``update_activity``), with the same retries and backoff as a send. A target never sent (superseded) has
nothing to update: after one lease (a worker may have been posting it as it was superseded) the update
row is done with an empty platform_ref.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol, runtime_checkable

from bot import metrics
from domain.model import DeliveryState, OutboxMessage, Platform
from domain.ports import UnitOfWorkFactory

log = logging.getLogger(__name__)

UPDATE_KIND = "update"  # a row that edits an earlier message in place (handlers.notify.update_copies)
LEASE_SECONDS = 60
MAX_ATTEMPTS = 6
BACKOFF_SECONDS = 30  # 30 s, 1 min, 2 min, 4 min, 8 min: about a quarter of an hour in all


class PermanentError(Exception):
    """A send that can never succeed as it stands (no such channel, nobody to send to): don't retry."""


class Sender(Protocol):
    async def send(self, message: OutboxMessage, reply: dict[str, Any], uow_factory: UnitOfWorkFactory) -> str:
        """Post ``reply`` where ``message`` says; return the platform's id of the posted message."""
        ...


@runtime_checkable
class Updater(Protocol):
    """A sender that can also edit what it sent (for ``update`` rows)."""

    async def update_message(self, original: OutboxMessage, reply: dict[str, Any],
                             uow_factory: UnitOfWorkFactory) -> None:
        """Replace the message ``original`` was delivered as (``original.platform_ref``) with ``reply``."""
        ...


class _Wait(Exception):  # noqa: N818 - not an error: "look again at ``until``"
    def __init__(self, until: datetime, why: str) -> None:
        super().__init__(why)
        self.until = until


@dataclass
class DeliveryReport:
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    updated: int = 0  # ``update`` rows done: a message edited in place (or nothing left to edit)


def guess_platform(channel: str) -> Platform:
    """A conversation id's platform when the row does not say: Teams ids contain a colon
    (``19:…@thread.tacv2``, ``a:1…``), Slack ids (``C0ACMEWEB``, ``D123``) never do."""
    return Platform.TEAMS if ":" in channel else Platform.SLACK


def backoff(attempts: int, base: int = BACKOFF_SECONDS) -> timedelta:
    return timedelta(seconds=base * 2 ** max(0, attempts - 1))


class Deliverer:
    """Delivers due outbox rows. ``run_once(now)`` is the whole loop body, so tests drive it with a pinned clock."""

    def __init__(self, uow_factory: UnitOfWorkFactory, senders: Mapping[Platform, Sender], *,
                 lease_seconds: int = LEASE_SECONDS, max_attempts: int = MAX_ATTEMPTS, batch: int = 10,
                 backoff_seconds: int = BACKOFF_SECONDS) -> None:
        self.uow_factory = uow_factory
        self.senders = dict(senders)
        self.lease_seconds = lease_seconds
        self.max_attempts = max_attempts
        self.batch = batch
        self.backoff_seconds = backoff_seconds

    def claim(self, now: datetime) -> list[OutboxMessage]:
        with self.uow_factory() as uow:
            claimed = uow.outbox.claim(now, self.batch, self.lease_seconds)
            uow.commit()  # the lease must be visible to the other workers before we send
            return claimed

    def route(self, message: OutboxMessage) -> Platform:
        """Where the message goes: the row's platform, else the person's, else the channel's kind."""
        if message.platform is not None:
            return Platform(message.platform)
        if message.channel and not message.channel.startswith("dm:"):
            return guess_platform(message.channel)
        if message.person_id is not None:
            with self.uow_factory() as uow:
                person = uow.people.get(message.person_id)
            if person is not None:
                if person.reachable_on is not None:
                    return person.reachable_on
                if person.teams_id and not person.slack_id:
                    return Platform.TEAMS
                if Platform.SLACK not in self.senders and Platform.TEAMS in self.senders:
                    return Platform.TEAMS  # nothing known of them yet: the platform this deployment has
        return Platform.SLACK

    async def run_once(self, now: datetime) -> DeliveryReport:
        """Claim a batch due by ``now`` and deliver it; returns what happened (``claimed`` 0: nothing due)."""
        claimed = await asyncio.to_thread(self.claim, now)
        report = DeliveryReport(claimed=len(claimed))
        for message in claimed:
            outcome = await self.deliver(message, now)
            setattr(report, outcome, getattr(report, outcome) + 1)
            platform = message.platform or guess_platform(message.channel or "")
            metrics.delivered(platform.value, outcome)
        return report

    async def drain(self, now: datetime, rounds: int = 100) -> DeliveryReport:
        """Deliver until nothing due by ``now`` is left to claim (simulations and tests)."""
        total = DeliveryReport()
        for _ in range(rounds):
            r = await self.run_once(now)
            if not r.claimed:
                break
            for f in ("claimed", "sent", "retried", "failed", "updated"):
                setattr(total, f, getattr(total, f) + getattr(r, f))
        return total

    async def deliver(self, message: OutboxMessage, now: datetime) -> str:
        """Send one claimed message; returns ``sent`` (``updated`` for an update row), ``retried`` or ``failed``."""
        try:
            if message.kind == UPDATE_KIND:
                ref = await self.update(message, now)
            else:
                ref = await self.sender_for(await asyncio.to_thread(self.route, message)).send(
                    message, message.payload, self.uow_factory)
        except _Wait as wait:
            await asyncio.to_thread(self._wait, message, wait.until, str(wait))
            return "retried"
        except PermanentError as exc:
            await asyncio.to_thread(self._finish, message, None, f"{exc}", True, now)
            return "failed"
        except Exception as exc:  # any other failure is worth another try
            log.warning("delivery of %s failed (attempt %d): %s", message.key, message.attempts, exc)
            gave_up = message.attempts >= self.max_attempts
            error = str(exc) or type(exc).__name__
            await asyncio.to_thread(self._finish, message, None, error, gave_up, now)
            return "failed" if gave_up else "retried"
        await asyncio.to_thread(self._finish, message, ref, "", False, now)
        return "updated" if message.kind == UPDATE_KIND else "sent"

    def sender_for(self, platform: Platform) -> Sender:
        sender = self.senders.get(platform)
        if sender is None:
            # Not permanent: another replica may be configured for this platform; if none is, the
            # retries run out and the row shows as failed with this reason.
            raise LookupError(f"no {platform.value} sender configured in this process")
        return sender

    async def update(self, message: OutboxMessage, now: datetime) -> str:
        """Deliver an ``update`` row: edit the message its target row was delivered as; the platform_ref
        of the edited message, or "" when there was nothing to edit (the card was never sent)."""
        extra = dict(message.payload.get("extra") or {})
        target = extra.pop("update", None) or {}
        reply = {**message.payload, "extra": extra}
        original = await asyncio.to_thread(self._original, target)
        if original is None:
            raise PermanentError(f"{message.key}: the message to update ({target.get('key')}) is not in the outbox")
        if not original.platform_ref:
            if original.state is DeliveryState.PENDING:
                raise RuntimeError(f"{original.key} is not sent yet: it is updated once it is")
            # Superseded before it was sent, but a worker that claimed it just before may be posting it now:
            # give that send one lease to finish (and record its platform_ref) before concluding.
            settled = message.created_at + timedelta(seconds=self.lease_seconds)
            if now < settled:
                raise _Wait(settled, f"waiting until {settled:%H:%M:%S} for a send of {original.key} under way")
            log.info("%s: %s was never sent, nothing to update", message.key, original.key)
            return ""
        sender = self.sender_for(await asyncio.to_thread(self.route, original))
        if not isinstance(sender, Updater):
            raise PermanentError(f"the {type(sender).__name__} cannot update a message in place")
        await sender.update_message(original, reply, self.uow_factory)
        return original.platform_ref

    def _original(self, target: Mapping[str, Any]) -> OutboxMessage | None:
        with self.uow_factory() as uow:
            if isinstance(target.get("outbox_id"), int):
                found = uow.outbox.get(target["outbox_id"])
                if found is not None:
                    return found
            return uow.outbox.by_key(str(target["key"])) if target.get("key") else None

    def _wait(self, message: OutboxMessage, until: datetime, why: str) -> None:
        with self.uow_factory() as uow:
            uow.outbox.mark_retry(message.id or 0, why, until)
            uow.commit()

    def _finish(self, message: OutboxMessage, ref: str | None, error: str, give_up: bool, now: datetime) -> None:
        with self.uow_factory() as uow:
            if ref is not None:
                if not uow.outbox.mark_sent(message.id or 0, now, ref):
                    log.warning("%s was already marked sent by another worker", message.key)
            elif give_up:
                uow.outbox.mark_failed(message.id or 0, f"after {message.attempts} attempt(s): {error}")
            else:
                uow.outbox.mark_retry(message.id or 0, error, now + backoff(message.attempts, self.backoff_seconds))
            uow.commit()


def thread_parent(message: OutboxMessage, reply: Mapping[str, Any], uow_factory: UnitOfWorkFactory) -> str | None:
    """The platform_ref of the message this one answers in its thread (a late stand-up answer goes under
    the report: ``extra["thread"]["key"]``), or None when it is a message of its own. Raises (to retry
    later) while that message is not sent yet."""
    key = ((reply.get("extra") or {}).get("thread") or {}).get("key")
    if not key:
        return None
    with uow_factory() as uow:
        parent = uow.outbox.by_key(str(key))
    if parent is None:
        raise PermanentError(f"{message.key}: the message to reply under ({key}) is not in the outbox")
    if not parent.platform_ref:
        raise RuntimeError(f"{key} is not sent yet: {message.key} goes into its thread once it is")
    return parent.platform_ref


def outbox_table(messages: list[OutboxMessage], tz: Any = None, people: Mapping[int, str] | None = None) -> str:
    """``steward outbox``: pending and failed messages as a text table, people by name.

    A card superseded before delivery (its request was decided first) is not a failure: those rows are
    listed apart, after the ones that need attention."""
    if not messages:
        return "The outbox is empty: nothing pending, nothing failed."
    names = people or {}

    def superseded(m: OutboxMessage) -> bool:
        return DeliveryState(m.state) is DeliveryState.FAILED and (m.last_error or "").startswith("superseded")

    rows = [("STATE", "KEY", "TO", "DUE", "TRIES", "LAST ERROR")]
    for m in sorted(messages, key=superseded):
        to = m.channel or (names.get(m.person_id, f"person {m.person_id}") if m.person_id else "?")
        if m.platform:
            to += f" ({Platform(m.platform).value})"
        due = m.due_at.astimezone(tz) if tz else m.due_at
        state = "superseded" if superseded(m) else DeliveryState(m.state).value
        error = "" if superseded(m) else (m.last_error or "").replace("\n", " ")[:160]
        rows.append((state, m.key, to, f"{due:%Y-%m-%d %H:%M}", str(m.attempts),
                     error or ("decided before delivery: nothing to send" if superseded(m) else "")))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r[:-1], widths, strict=True)) + "  " + r[-1]
                     for r in rows)
