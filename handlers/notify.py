"""Telling people about what happened, on the platform where they are reachable.

A notification is an outbox row written in the same unit of work as the change it reports, so it
is sent if and only if the change commits; its key makes it once-only (issue "delivered exactly
once"). The deliverer in bot/ renders the Reply for the person's platform.

When a request is decided (or an escalation acknowledged), ``update_copies`` queues, in the same unit of
work, one ``update`` row per card already queued about it, and the deliverer edits each sent card in place
(Slack ``chat.update``, Teams ``update_activity``) to show the decision without its buttons.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from domain.identity import reachable_platform
from domain.model import DeliveryState, OutboxMessage, Person, Platform
from handlers.base import Turn
from handlers.reply import Action, Reply, command_subject, is_decision


def notify(t: Turn, person: Person | None, key: str, reply: Reply) -> bool:
    """Queue ``reply`` for ``person`` unless they caused it themselves or are switched off. True when queued.
    Someone Steward has not seen on any platform yet is still queued (platform None): the deliverer looks
    them up (Slack by email, the Teams roster), or the row fails in ``steward outbox`` saying why."""
    if person is None or person.id is None or person.id == t.actor.id or not person.active:
        return False  # nobody, themselves, or switched off in the organisation file
    platform = reachable_platform(t.uow, person)
    return t.uow.outbox.add(OutboxMessage(
        id=None, key=key, kind="notification", payload=reply.to_dict(), created_at=t.now, due_at=t.now,
        person_id=person.id, platform=platform,
    ))


UPDATE = "update"  # OutboxMessage.kind of a row that updates an earlier message in place
SUPERSEDED = "superseded: decided before delivery"


def without_actions(original: OutboxMessage, commands: Callable[[str], bool]) -> tuple[Action, ...]:
    """The buttons of a queued card, less those whose command line ``commands`` matches (the decided ones)."""
    try:
        actions = Reply.from_dict(original.payload).actions
    except (KeyError, TypeError, ValueError):
        return ()
    return tuple(a for a in actions if not commands(a.command))


def update_copies(t: Turn, prefix: str, decision: str, decided: Callable[[OutboxMessage], Reply | None]) -> int:
    """After a decision: every card queued with a key starting ``prefix`` (to anyone, on any platform) gets
    an ``update`` row that replaces it in place with ``decided(card)`` (None: leave that card alone), so no
    copy keeps live buttons for what is decided. In the decision's own unit of work: the updates commit
    with the decision or not at all. Key ``update:<card key>:<decision>``: once per card and decision.
    The row's payload is the new Reply like any other row's, the card to edit in its ``extra["update"]``
    (``outbox_id``, ``key``, ``platform``, ``channel``, ``platform_ref`` as known when queued).

    A card not sent yet is superseded (marked failed, never sent with its buttons). Its update row is still
    queued: a worker that claimed the card just before may be posting it right now; the deliverer waits one
    lease and updates it if it did go out, else does nothing. Returns the number of update rows queued."""
    queued = 0
    for card in t.uow.outbox.with_key_prefix(prefix):
        if card.kind == UPDATE or card.id is None:
            continue
        reply = decided(card)
        if reply is None:
            continue
        if card.state is DeliveryState.PENDING:
            t.uow.outbox.mark_failed(card.id, SUPERSEDED)
        target = {"outbox_id": card.id, "key": card.key,
                  "platform": Platform(card.platform).value if card.platform else None,
                  "channel": card.channel, "platform_ref": card.platform_ref}
        queued += t.uow.outbox.add(OutboxMessage(
            id=None, key=f"update:{card.key}:{decision}", kind=UPDATE,
            payload=replace(reply, extra={**reply.extra, "update": target}).to_dict(), created_at=t.now, due_at=t.now,
            person_id=card.person_id, channel=card.channel, platform=card.platform,
        ))
    return queued


def about(*ids: str) -> Callable[[str], bool]:
    """Matches the command lines that decide one of ``ids`` (``A7``, ``S3``, ``E12``)."""
    wanted = {i.upper() for i in ids}

    def matches(command: str) -> bool:
        return is_decision(command) and command_subject(command) in wanted

    return matches


def decided_card(reply: Reply, decides: Callable[[str], bool]) -> Callable[[OutboxMessage], Reply | None]:
    """What a queued card becomes after the decision: ``reply`` plus the card's other buttons (an
    acknowledged escalation keeps its Approve / Reject, as the clicked card does); None for a card with
    no button for what was decided (a "resolved" notice), which is left alone."""

    def update(card: OutboxMessage) -> Reply | None:
        kept = without_actions(card, decides)
        try:
            had = len(Reply.from_dict(card.payload).actions)
        except (KeyError, TypeError, ValueError):
            return None
        if had == len(kept):
            return None
        return replace(reply, actions=tuple(reply.actions) + kept)

    return update
