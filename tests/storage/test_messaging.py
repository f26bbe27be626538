"""The outbox, escalations and conversation references on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from domain.model import (
    Client,
    ConversationRef,
    DeliveryState,
    Escalation,
    OutboxMessage,
    Person,
    Platform,
    Project,
    Rag,
    Role,
)

T0 = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)


def message(key: str, due: datetime = T0, **kw) -> OutboxMessage:  # type: ignore[no-untyped-def]
    return OutboxMessage(None, key, "notification", {"title": key}, T0, due, channel="C1", **kw)


def test_queuing_the_same_occurrence_twice_writes_it_once(uow_factory) -> None:  # type: ignore[no-untyped-def]
    with uow_factory() as uow:
        assert uow.outbox.add(message("digest:1:2026-11-23")) is True
        assert uow.outbox.add(message("digest:1:2026-11-23")) is False
        uow.commit()
    with uow_factory() as uow:
        assert [m.key for m in uow.outbox.list()] == ["digest:1:2026-11-23"]
        assert uow.outbox.by_key("digest:1:2026-11-23").payload == {"title": "digest:1:2026-11-23"}  # type: ignore[union-attr]


def test_a_claimed_message_is_not_claimed_again_until_its_lease_expires(uow_factory) -> None:  # type: ignore[no-untyped-def]
    with uow_factory() as uow:
        uow.outbox.add(message("a"))
        uow.outbox.add(message("later", due=T0 + timedelta(hours=1)))
        uow.commit()
    with uow_factory() as uow:
        first = uow.outbox.claim(T0, 10, lease_seconds=60)
        uow.commit()
    assert [(m.key, m.attempts) for m in first] == [("a", 1)]
    with uow_factory() as uow:
        assert uow.outbox.claim(T0 + timedelta(seconds=30), 10, 60) == []
        again = uow.outbox.claim(T0 + timedelta(seconds=61), 10, 60)  # the first worker died
        uow.commit()
    assert [(m.key, m.attempts) for m in again] == [("a", 2)]


def test_a_message_is_marked_sent_once(uow_factory) -> None:  # type: ignore[no-untyped-def]
    with uow_factory() as uow:
        uow.outbox.add(message("a"))
        [m] = uow.outbox.claim(T0, 10, 60)
        uow.outbox.set_ref(m.id, "C1:1.0")
        assert uow.outbox.mark_sent(m.id, T0, "C1:1.0") is True
        assert uow.outbox.mark_sent(m.id, T0, "C1:2.0") is False
        uow.commit()
    with uow_factory() as uow:
        sent = uow.outbox.get(m.id)
        assert sent is not None and sent.state is DeliveryState.SENT and sent.platform_ref == "C1:1.0"
        assert uow.outbox.claim(T0 + timedelta(days=1), 10, 60) == []


def test_a_failed_send_is_retried_later_then_given_up_visibly(uow_factory) -> None:  # type: ignore[no-untyped-def]
    with uow_factory() as uow:
        uow.outbox.add(message("a"))
        [m] = uow.outbox.claim(T0, 10, 60)
        uow.outbox.mark_retry(m.id, "ratelimited", T0 + timedelta(minutes=5))
        assert uow.outbox.claim(T0 + timedelta(minutes=4), 10, 60) == []
        [m] = uow.outbox.claim(T0 + timedelta(minutes=5), 10, 60)
        uow.outbox.mark_failed(m.id, "channel_not_found")
        uow.commit()
    with uow_factory() as uow:
        [failed] = uow.outbox.list([DeliveryState.FAILED])
    assert failed.attempts == 2 and failed.last_error == "channel_not_found"


def _project(uow) -> int:  # type: ignore[no-untyped-def]
    dana = uow.people.add(Person(None, "Dana", "dana@example.com", Role.DIRECTOR))
    client = uow.clients.add(Client(None, "acme", "Acme", dana.id))
    return uow.projects.add(Project(None, "acme-web", "Web", client.id, Decimal("1"), date(2026, 1, 1),
                                    date(2026, 12, 31))).id, dana.id


def test_one_escalation_is_open_per_project_and_rule_and_reopens_after_closing(uow_factory) -> None:  # type: ignore[no-untyped-def]
    with uow_factory() as uow:
        pid, dana = _project(uow)
        first = uow.escalations.add(Escalation(None, pid, "status_red", "red", Rag.RED, T0))
        assert first is not None
        assert uow.escalations.add(Escalation(None, pid, "status_red", "red again", Rag.RED, T0)) is None
        assert uow.escalations.add(Escalation(None, pid, "forecast", "over", Rag.RED, T0)) is not None
        assert uow.escalations.acknowledge(first.id, dana, T0) is True
        assert uow.escalations.acknowledge(first.id, dana, T0) is False
        uow.escalations.mark_sent(first.id, T0)
        assert uow.escalations.close(first.id, T0 + timedelta(hours=1)) is True
        assert uow.escalations.close(first.id, T0 + timedelta(hours=2)) is False
        assert uow.escalations.add(Escalation(None, pid, "status_red", "red once more", Rag.RED, T0)) is not None
        uow.commit()
    with uow_factory() as uow:
        closed = uow.escalations.get(first.id)
        assert closed is not None and not closed.is_open and closed.sends == 1 and closed.acknowledged_by == dana
        assert sorted(e.rule for e in uow.escalations.list_open([pid])) == ["forecast", "status_red"]


def test_a_conversation_reference_is_refreshed_in_place(uow_factory) -> None:  # type: ignore[no-untyped-def]
    with uow_factory() as uow:
        dana = uow.people.add(Person(None, "Dana", "dana@example.com", Role.DIRECTOR))
        uow.conversations.save(ConversationRef(None, Platform.TEAMS, "a:1", {"v": 1}, T0, dana.id, True))
        saved = uow.conversations.save(ConversationRef(None, Platform.TEAMS, "a:1", {"v": 2},
                                                       T0 + timedelta(minutes=1), dana.id, True))
        uow.commit()
    with uow_factory() as uow:
        ref = uow.conversations.get(Platform.TEAMS, "a:1")
        assert ref is not None and ref.id == saved.id and ref.reference == {"v": 2}
        assert uow.conversations.personal(dana.id, Platform.TEAMS) == ref
        assert uow.conversations.personal(dana.id, Platform.SLACK) is None
