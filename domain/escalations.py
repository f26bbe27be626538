"""Escalations: open one when a rule starts to hold, close it when it clears, re-send it when nobody
acknowledged it in time (copying the admins). Each send is an outbox row in the same transaction.

The rules themselves are ``domain.portfolio.conditions`` (at most one per project and rule); this
module turns "what holds now" into persisted escalations. It runs in two places: right after a change
that can trigger a rule (``check_project``, from the handlers, in the change's own unit of work) and
in the scheduler's periodic sweep (``sweep``), which also catches what time alone triggers (a stale
status, a request waiting too long) and the re-sends.

Concurrency: the database decides. ``uow.escalations.add`` returns None when that project and rule
is already open (a replica got there first), and every send is ``uow.outbox.add`` with a unique key
(``escalation:<id>:<send>``), so two sweeps racing on PostgreSQL queue each send once; the second
blocks on the unique index until the first commits and then writes nothing.

Burn thresholds ("each crossing once per project"): ``burn_75``, ``burn_90`` and ``burn_100`` are
separate rules. Crossing a threshold is remembered for good (a receipt ``escalation-crossed:<project>:
burn_<N>``), so a project that drops back below 75% (an approved change order raised its budget) and
climbs again is not escalated a second time for the same threshold. A higher crossing supersedes
(closes) a lower one still open, so the director has one burn escalation to deal with; a lower
threshold's escalation is not closed merely because a higher one holds.

The statement count does not grow with the number of projects: the portfolio and conditions are a
fixed number of aggregates, plus one read of the open escalations, the people and the clients; only
what actually changes (an opening, a closing, a send) costs statements of its own.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from domain.identity import reachable_platform
from domain.model import Client, Escalation, Organisation, OutboxMessage, Person, Project, Role
from domain.portfolio import Condition, conditions, load_portfolio
from domain.ports import UnitOfWork

_BURN = re.compile(r"^burn_(\d+)$")
# Rules another sweep owns (it runs right after this one): this one neither closes nor re-sends them.
SWEPT_ELSEWHERE: tuple[str, ...] = ("invoice_",)


@dataclass(frozen=True)
class Notice:
    """One escalation message to queue: to the director (or an admin copy, or the resolution)."""

    escalation: Escalation
    project: Project
    client: Client
    recipient: Person
    send: int  # 1 the first time, 2... the re-sends
    copy: bool = False  # a copy to an admin of an unacknowledged escalation
    resolved: bool = False  # the condition cleared and the escalation closed itself


Payload = Callable[[Notice], dict[str, Any]]  # a Notice as a Reply dict (handlers render it)


@dataclass
class SweepResult:
    opened: list[Escalation] = field(default_factory=list)
    closed: list[Escalation] = field(default_factory=list)
    resent: list[Escalation] = field(default_factory=list)
    queued: list[str] = field(default_factory=list)  # outbox keys written


def burn_threshold(rule: str) -> int | None:
    m = _BURN.match(rule)
    return int(m.group(1)) if m else None


def _holds(esc: Escalation, held: set[tuple[int, str]], burn_top: dict[int, int],
           held_items: Collection[tuple[int, str, str]] = ()) -> bool:
    """Whether an open escalation's condition still holds (a lower burn holds while a higher one does).

    An escalation about one request or scope change (its subject) holds only while that item does: once
    it is decided or cancelled the escalation closes, even if another request on the project now meets
    the same rule (that one gets an escalation of its own)."""
    threshold = burn_threshold(esc.rule)
    if threshold is not None:
        return burn_top.get(esc.project_id, -1) >= threshold
    if esc.subject.partition(":")[0] in ("allocation", "scope"):
        return (esc.project_id, esc.rule, esc.subject) in held_items
    return (esc.project_id, esc.rule) in held


def admins(people: Iterable[Person], admin_emails: Sequence[str] = ()) -> list[Person]:
    """Who is copied on re-sends: people with the admin role, and ``STEWARD_ADMINS``."""
    emails = {e.lower() for e in admin_emails}
    return [p for p in people if p.active and p.id is not None and (p.is_admin or p.email.lower() in emails)]


def sweep(uow: UnitOfWork, now: datetime, org: Organisation, *, payload: Payload,
          admin_emails: Sequence[str] = (), projects: list[Project] | None = None,
          resend: bool = True, only: Collection[str] | None = None, away: Collection[int] = ()) -> SweepResult:
    """Bring the persisted escalations in line with the rules for ``projects`` (default: all).

    The caller commits. ``resend`` is off when checking right after a change: re-sends are the sweep's.
    ``only`` limits the rules looked at (``"burn"`` stands for every burn threshold), so a change checks
    what it can trigger or clear and leaves time-driven rules to the sweep. ``away``: people off today (time
    off, a holiday): re-sends skip them, and go out once they are back.
    """
    result = SweepResult()
    if projects is None:
        projects = uow.projects.list()
    ids = [p.id for p in projects if p.id is not None]
    if not ids:
        return result
    today = now.astimezone(ZoneInfo(org.timezone)).date()
    portfolio = load_portfolio(uow, projects, org, today)
    found = [c for c in conditions(uow, portfolio, org, now) if _selected(c.rule, only)]
    people = {p.id: p for p in uow.people.list() if p.id is not None}
    clients = {c.id: c for c in uow.clients.list()}
    by_id = {p.id: p for p in projects}
    copied = admins(people.values(), admin_emails)
    open_now = [e for e in uow.escalations.list_open(ids)
                if _selected(e.rule, only) and not e.rule.startswith(SWEPT_ELSEWHERE)]

    held = {(c.project.id or 0, c.rule) for c in found}
    held_items = {(c.project.id or 0, c.rule, c.subject) for c in found if c.subject}
    burn_top: dict[int, int] = {}
    for c in found:
        t = burn_threshold(c.rule)
        if t is not None:
            burn_top[c.project.id or 0] = max(t, burn_top.get(c.project.id or 0, -1))

    def director(project: Project) -> list[Person]:
        client = clients.get(project.client_id)
        d = people.get(client.director_id) if client and client.director_id else None
        if d is not None and d.active:
            return [d]
        return copied  # no director to ask: the admins get it

    def queue(notice: Notice, key: str) -> bool:
        if notice.send == 1 and not notice.resolved and _card_already_queued(uow, notice):
            return False
        added = uow.outbox.add(OutboxMessage(
            id=None, key=key, kind="escalation", payload=payload(notice), created_at=now, due_at=now,
            person_id=notice.recipient.id, platform=reachable_platform(uow, notice.recipient),
        ))
        if added:
            result.queued.append(key)
        return added

    # 1. Close what cleared (and say so), before opening, so a superseded burn makes room.
    still_open: dict[tuple[int, str], Escalation] = {}
    for esc in open_now:
        project = by_id.get(esc.project_id)
        if project is None:
            continue
        if _holds(esc, held, burn_top, held_items):
            still_open[(esc.project_id, esc.rule)] = esc
            continue
        if uow.escalations.close(esc.id or 0, now):
            closed = replace(esc, closed_at=now)
            result.closed.append(closed)
            for person in director(project):
                queue(Notice(closed, project, clients[project.client_id], person, esc.sends, resolved=True),
                      f"escalation:{esc.id}:resolved:{person.id}")

    # 2. Open what newly holds.
    for c in _one_per_rule(found):
        key = (c.project.id or 0, c.rule)
        if key in still_open:
            continue
        threshold = burn_threshold(c.rule)
        if threshold is not None and not _first_crossing(
                uow, c.project.id or 0, threshold, now, org.escalation.burn_thresholds):
            continue
        new = uow.escalations.add(Escalation(None, c.project.id or 0, c.rule, c.message, c.severity, now,
                                             subject=c.subject))
        if new is None:  # another process opened it first
            continue
        esc = new
        if threshold is not None:  # a higher crossing supersedes the lower burn escalations still open
            for (pid, rule), lower in list(still_open.items()):
                low = burn_threshold(rule)
                if pid == esc.project_id and low is not None and low < threshold and \
                        uow.escalations.close(lower.id or 0, now):
                    result.closed.append(lower)
                    del still_open[(pid, rule)]
        uow.escalations.mark_sent(esc.id or 0, now)
        sent = replace(esc, sends=1, last_sent_at=now)
        result.opened.append(sent)
        for person in director(c.project):
            queue(Notice(sent, c.project, c.client, person, 1), f"escalation:{esc.id}:1:{person.id}")

    # 3. Re-send what nobody acknowledged in time, copying the admins.
    if resend:
        wait = timedelta(hours=org.escalation.reack_hours)
        for esc in still_open.values():
            if esc.acknowledged_at is not None or esc.last_sent_at is None or now - esc.last_sent_at < wait:
                continue
            project = by_id[esc.project_id]
            client = clients[project.client_id]
            send = esc.sends + 1
            again = replace(esc, sends=send, last_sent_at=now)
            targets = [p for p in director(project) if p.id not in away]
            # The first queued key decides: a racing replica finds it written and leaves the rest alone.
            if not targets or not queue(Notice(again, project, client, targets[0], send),
                                        f"escalation:{esc.id}:{send}:{targets[0].id}"):
                continue
            for person in targets[1:]:
                queue(Notice(again, project, client, person, send), f"escalation:{esc.id}:{send}:{person.id}")
            for admin in copied:
                if admin.id not in {p.id for p in targets} and admin.id not in away:
                    queue(Notice(again, project, client, admin, send, copy=True),
                          f"escalation:{esc.id}:{send}:{admin.id}")
            uow.escalations.mark_sent(esc.id or 0, now)
            result.resent.append(again)
    return result


def check_project(uow: UnitOfWork, project_id: int, now: datetime, org: Organisation, *, payload: Payload,
                  admin_emails: Sequence[str] = (), only: Collection[str] | None = None) -> SweepResult:
    """Right after a change to one project: open or close its escalations (no re-sends), in the
    change's own unit of work so the escalation commits with it or not at all."""
    project = uow.projects.get(project_id)
    if project is None:
        return SweepResult()
    return sweep(uow, now, org, payload=payload, admin_emails=admin_emails, projects=[project], resend=False,
                 only=only)


def _card_already_queued(uow: UnitOfWork, notice: Notice) -> bool:
    """Whether the recipient was just sent the approval card for what this escalation is about (the
    handlers queue ``notify:scope:<id>:flagged:<person>`` / ``notify:allocation:<id>:requested:<person>``
    with Approve/Reject buttons). Then that card is the first send: a second message about the same
    request at the same moment is noise. Re-sends after ``reack_hours`` still go out (with the admins)."""
    kind, _, rid = notice.escalation.subject.partition(":")
    verb = {"scope": "flagged", "allocation": "requested"}.get(kind)
    if verb is None or not rid:
        return False
    return uow.outbox.by_key(f"notify:{kind}:{rid}:{verb}:{notice.recipient.id}") is not None


def _selected(rule: str, only: Collection[str] | None) -> bool:
    return only is None or rule in only or (burn_threshold(rule) is not None and "burn" in only)


def _one_per_rule(found: list[Condition]) -> list[Condition]:
    """The first condition of each (project, rule): two waiting requests on one project are one escalation."""
    seen: set[tuple[int, str]] = set()
    out = []
    for c in found:
        key = (c.project.id or 0, c.rule)
        if key not in seen:
            seen.add(key)
            out.append(c)
    return out


def _first_crossing(uow: UnitOfWork, project_id: int, threshold: int, now: datetime,
                    thresholds: Iterable[int]) -> bool:
    """Remember that the project crossed ``threshold`` (and every lower one); True the first time only."""
    first = uow.receipts.record(f"escalation-crossed:{project_id}:burn_{threshold}", now)
    for lower in thresholds:
        if lower < threshold:
            uow.receipts.record(f"escalation-crossed:{project_id}:burn_{lower}", now)
    return first


def role_can_acknowledge(person: Person, client: Client, project: Project, subject: str = "") -> bool:
    """Who may acknowledge: the client's director and admins always; the project's manager too, unless the
    escalation is about a request or scope change that only the director (or an admin) may decide:
    acknowledging it would silence the reminders to the one person who can act."""
    if person.role is Role.ADMIN or person.id == client.director_id:
        return True
    if subject.partition(":")[0] in ("allocation", "scope"):
        return False
    return person.id == project.manager_id
