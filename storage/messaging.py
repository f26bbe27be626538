"""Repositories for what Steward sends: the outbox, escalations and conversation references."""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, insert, select, update
from sqlalchemy.orm import Session

from domain.model import ConversationRef, DeliveryState, Escalation, OutboxMessage, Platform, Rag
from storage.orm import ConversationRow, EscalationRow, OutboxRow
from storage.repositories import _aware, _replace_id, _run, _t
from storage.sqltools import dialect_insert

# --- outbox ---------------------------------------------------------------------------------


def _message(row: Row[Any]) -> OutboxMessage:
    return OutboxMessage(
        id=row.id,
        key=row.key,
        kind=row.kind,
        payload=dict(row.payload or {}),
        created_at=row.created_at,
        due_at=row.due_at,
        person_id=row.person_id,
        channel=row.channel,
        platform=Platform(row.platform) if row.platform else None,
        state=DeliveryState(row.state),
        attempts=row.attempts,
        last_error=row.last_error,
        claimed_until=row.claimed_until,
        sent_at=row.sent_at,
        platform_ref=row.platform_ref,
    )


class SqlOutboxRepository:
    """The delivery outbox. The unique ``key`` makes queuing idempotent; ``claim`` hands each due
    row to one worker at a time (row locks with SKIP LOCKED on PostgreSQL; on SQLite the unit of
    work's BEGIN IMMEDIATE already lets one writer in at a time)."""

    def __init__(self, session: Session) -> None:
        self.s = session

    def add(self, message: OutboxMessage) -> bool:
        """Queue a message; False when its key exists already (queued or sent by anyone)."""
        values = {
            "key": message.key,
            "kind": message.kind,
            "payload": message.payload,
            "person_id": message.person_id,
            "channel": message.channel,
            "platform": Platform(message.platform).value if message.platform else None,
            "state": DeliveryState(message.state).value,
            "attempts": message.attempts,
            "last_error": message.last_error,
            "created_at": _aware(message.created_at, "OutboxMessage.created_at"),
            "due_at": _aware(message.due_at, "OutboxMessage.due_at"),
            "claimed_until": None,
            "sent_at": message.sent_at,
            "platform_ref": message.platform_ref,
        }
        table = _t(OutboxRow)
        ins = dialect_insert(self.s)
        if ins is None:  # pragma: no cover - SQLite and PostgreSQL are the supported databases
            if self.by_key(message.key) is not None:
                return False
            self.s.execute(insert(table).values(**values))
            return True
        stmt = ins(table).values(**values).on_conflict_do_nothing(index_elements=["key"]).returning(table.c.id)
        return self.s.execute(stmt).first() is not None

    def get(self, message_id: int) -> OutboxMessage | None:
        row = self.s.execute(select(_t(OutboxRow)).where(OutboxRow.id == message_id)).first()
        return _message(row) if row else None

    def by_key(self, key: str) -> OutboxMessage | None:
        row = self.s.execute(select(_t(OutboxRow)).where(OutboxRow.key == key)).first()
        return _message(row) if row else None

    def with_key_prefix(self, prefix: str) -> builtins.list[OutboxMessage]:
        pattern = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = (select(_t(OutboxRow)).where(OutboxRow.key.like(pattern, escape="\\"))
                .order_by(OutboxRow.id))
        # SQLite's LIKE ignores ASCII case: keep exact prefixes only.
        return [m for m in map(_message, self.s.execute(stmt)) if m.key.startswith(prefix)]

    def claim(self, now: datetime, limit: int, lease_seconds: int) -> builtins.list[OutboxMessage]:
        """Lease up to ``limit`` due pending rows to this worker (see the port's docstring)."""
        _aware(now, "claim time")
        due = (
            select(OutboxRow.id)
            .where(
                OutboxRow.state == DeliveryState.PENDING.value,
                OutboxRow.due_at <= now,
                (OutboxRow.claimed_until.is_(None)) | (OutboxRow.claimed_until < now),
            )
            .order_by(OutboxRow.due_at, OutboxRow.id)
            .limit(limit)
            # Rows another worker is claiming right now are skipped, not waited for (PostgreSQL).
            .with_for_update(skip_locked=True)
        )
        ids = [r[0] for r in self.s.execute(due)]
        if not ids:
            return []
        self.s.execute(
            update(_t(OutboxRow))
            .where(OutboxRow.id.in_(ids))
            .values(claimed_until=now + timedelta(seconds=lease_seconds), attempts=OutboxRow.attempts + 1)
        )
        rows = self.s.execute(select(_t(OutboxRow)).where(OutboxRow.id.in_(ids)).order_by(OutboxRow.due_at,
                                                                                           OutboxRow.id))
        return [_message(r) for r in rows]

    def mark_sent(self, message_id: int, at: datetime, platform_ref: str) -> bool:
        result = _run(self.s,
            update(_t(OutboxRow))
            .where(OutboxRow.id == message_id, OutboxRow.state != DeliveryState.SENT.value)
            .values(state=DeliveryState.SENT.value, sent_at=_aware(at, "sent time"), platform_ref=platform_ref,
                    claimed_until=None, last_error="")
        )
        return bool(result.rowcount == 1)

    def mark_retry(self, message_id: int, error: str, due_at: datetime) -> None:
        self.s.execute(
            update(_t(OutboxRow))
            .where(OutboxRow.id == message_id, OutboxRow.state == DeliveryState.PENDING.value)
            .values(last_error=error[:2000], due_at=_aware(due_at, "retry time"), claimed_until=None)
        )

    def mark_failed(self, message_id: int, error: str) -> None:
        self.s.execute(
            update(_t(OutboxRow))
            .where(OutboxRow.id == message_id, OutboxRow.state == DeliveryState.PENDING.value)
            .values(state=DeliveryState.FAILED.value, last_error=error[:2000], claimed_until=None)
        )

    def set_ref(self, message_id: int, platform_ref: str) -> None:
        self.s.execute(update(_t(OutboxRow)).where(OutboxRow.id == message_id).values(platform_ref=platform_ref))

    def list(self, states: Iterable[DeliveryState] | None = None, limit: int = 100) -> builtins.list[OutboxMessage]:
        stmt = select(_t(OutboxRow))
        if states is not None:
            stmt = stmt.where(OutboxRow.state.in_([DeliveryState(s).value for s in states]))
        stmt = stmt.order_by(OutboxRow.created_at.desc(), OutboxRow.id.desc()).limit(limit)
        return [_message(r) for r in self.s.execute(stmt)]


# --- escalations ----------------------------------------------------------------------------


def _escalation(row: Row[Any]) -> Escalation:
    return Escalation(
        id=row.id,
        project_id=row.project_id,
        rule=row.rule,
        message=row.message,
        severity=Rag(row.severity),
        opened_at=row.opened_at,
        subject=row.subject,
        last_sent_at=row.last_sent_at,
        sends=row.sends,
        acknowledged_by=row.acknowledged_by,
        acknowledged_at=row.acknowledged_at,
        closed_at=row.closed_at,
    )


class SqlEscalationRepository:
    """Escalations; the unique ``open_key`` keeps one open per project and rule, across replicas."""

    def __init__(self, session: Session) -> None:
        self.s = session

    def add(self, escalation: Escalation) -> Escalation | None:
        table = _t(EscalationRow)
        values = {
            "project_id": escalation.project_id,
            "rule": escalation.rule,
            "open_key": f"{escalation.project_id}:{escalation.rule}" if escalation.closed_at is None else None,
            "message": escalation.message,
            "severity": Rag(escalation.severity).value,
            "subject": escalation.subject,
            "opened_at": _aware(escalation.opened_at, "Escalation.opened_at"),
            "last_sent_at": _aware(escalation.last_sent_at, "Escalation.last_sent_at"),
            "sends": escalation.sends,
            "acknowledged_by": escalation.acknowledged_by,
            "acknowledged_at": _aware(escalation.acknowledged_at, "Escalation.acknowledged_at"),
            "closed_at": _aware(escalation.closed_at, "Escalation.closed_at"),
        }
        ins = dialect_insert(self.s)
        assert ins is not None, "escalations need SQLite or PostgreSQL"
        stmt = ins(table).values(**values).on_conflict_do_nothing(index_elements=["open_key"]).returning(table.c.id)
        row = self.s.execute(stmt).first()
        return _replace_id(escalation, row[0]) if row else None

    def get(self, escalation_id: int) -> Escalation | None:
        row = self.s.execute(select(_t(EscalationRow)).where(EscalationRow.id == escalation_id)).first()
        return _escalation(row) if row else None

    def list_open(self, project_ids: Sequence[int] | None = None) -> builtins.list[Escalation]:
        stmt = select(_t(EscalationRow)).where(EscalationRow.closed_at.is_(None))
        if project_ids is not None:
            stmt = stmt.where(EscalationRow.project_id.in_(sorted(set(project_ids))))
        return [_escalation(r) for r in self.s.execute(stmt.order_by(EscalationRow.id))]

    def acknowledge(self, escalation_id: int, person_id: int, at: datetime) -> bool:
        result = _run(self.s,
            update(_t(EscalationRow))
            .where(EscalationRow.id == escalation_id, EscalationRow.acknowledged_at.is_(None),
                   EscalationRow.closed_at.is_(None))
            .values(acknowledged_by=person_id, acknowledged_at=_aware(at, "acknowledged time"))
        )
        return bool(result.rowcount == 1)

    def close(self, escalation_id: int, at: datetime) -> bool:
        result = _run(self.s,
            update(_t(EscalationRow))
            .where(EscalationRow.id == escalation_id, EscalationRow.closed_at.is_(None))
            .values(closed_at=_aware(at, "closed time"), open_key=None)
        )
        return bool(result.rowcount == 1)

    def mark_sent(self, escalation_id: int, at: datetime) -> None:
        self.s.execute(
            update(_t(EscalationRow))
            .where(EscalationRow.id == escalation_id)
            .values(last_sent_at=_aware(at, "sent time"), sends=EscalationRow.sends + 1)
        )


# --- conversation references ----------------------------------------------------------------


def _conversation(row: Row[Any]) -> ConversationRef:
    return ConversationRef(
        id=row.id,
        platform=Platform(row.platform),
        conversation_id=row.conversation_id,
        reference=dict(row.reference or {}),
        updated_at=row.updated_at,
        person_id=row.person_id,
        is_personal=row.is_personal,
        tenant_id=row.tenant_id,
    )


class SqlConversationRepository:
    """Conversation references for proactive messages, one per (platform, conversation id)."""

    def __init__(self, session: Session) -> None:
        self.s = session

    def save(self, ref: ConversationRef) -> ConversationRef:
        table = _t(ConversationRow)
        values = {
            "reference": ref.reference,
            "person_id": ref.person_id,
            "is_personal": ref.is_personal,
            "updated_at": _aware(ref.updated_at, "ConversationRef.updated_at"),
            "tenant_id": ref.tenant_id,
        }
        ins = dialect_insert(self.s)
        assert ins is not None, "conversation references need SQLite or PostgreSQL"
        stmt = (
            ins(table)
            .values(platform=Platform(ref.platform).value, conversation_id=ref.conversation_id, **values)
            .on_conflict_do_update(index_elements=["platform", "conversation_id"], set_=values)
            .returning(table.c.id)
        )
        return _replace_id(ref, self.s.execute(stmt).scalar_one())

    def get(self, platform: Platform, conversation_id: str) -> ConversationRef | None:
        row = self.s.execute(
            select(_t(ConversationRow)).where(ConversationRow.platform == Platform(platform).value,
                                              ConversationRow.conversation_id == conversation_id)
        ).first()
        return _conversation(row) if row else None

    def personal(self, person_id: int, platform: Platform) -> ConversationRef | None:
        row = self.s.execute(
            select(_t(ConversationRow))
            .where(ConversationRow.person_id == person_id, ConversationRow.platform == Platform(platform).value,
                   ConversationRow.is_personal.is_(True))
            .order_by(ConversationRow.updated_at.desc(), ConversationRow.id.desc())
            .limit(1)
        ).first()
        return _conversation(row) if row else None

    def detach_person(self, person_id: int, platform: Platform) -> int:
        result = _run(self.s, update(_t(ConversationRow))
                      .where(ConversationRow.person_id == person_id,
                             ConversationRow.platform == Platform(platform).value)
                      .values(person_id=None))
        return int(result.rowcount or 0)
