"""The scheduler's sweep carries the money-owed escalations: queued once through the outbox, left alone by
the project rules' sweep, re-sent (admins copied) when nobody acknowledges them, and ``ack`` stops them."""

from __future__ import annotations

from datetime import timedelta

from bot.scheduler import Duties
from domain.model import Role
from handlers.reply import Reply
from storage.uow import SqlUnitOfWorkFactory
from tests.domain.test_receivables import world
from tests.handlers.world import NOW


def invoice_rows(uow_factory: SqlUnitOfWorkFactory) -> list[str]:
    with uow_factory() as uow:
        return sorted(m.key for m in uow.outbox.list(limit=1000) if m.kind == "escalation"
                      and "Invoice" in Reply.from_dict(m.payload).title)


def test_the_sweep_queues_each_invoice_escalation_once_and_the_project_sweep_leaves_them_open(
        uow_factory: SqlUnitOfWorkFactory) -> None:
    world(uow_factory)
    duties = Duties(uow_factory)
    first = duties.sweep_escalations(NOW)
    queued = invoice_rows(uow_factory)
    assert len([e for e in first.opened if e.rule.startswith("invoice_")]) == 5
    duties.sweep_escalations(NOW + timedelta(minutes=5))
    assert invoice_rows(uow_factory) == queued  # once
    with uow_factory() as uow:
        still = [e for e in uow.escalations.list_open() if e.rule.startswith("invoice_")]
    assert len(still) == 5  # the project rules' sweep did not close them


def test_an_unacknowledged_invoice_escalation_is_resent_with_admins_copied_and_ack_stops_it(
        uow_factory: SqlUnitOfWorkFactory) -> None:
    w = world(uow_factory)
    duties = Duties(uow_factory)
    duties.sweep_escalations(NOW)
    with uow_factory() as uow:
        a9 = next(e for e in uow.escalations.list_open() if e.subject == "invoice:A-9")
        admin = next(p for p in uow.people.list() if p.role is Role.ADMIN)
    assert w.say(f"ack E{a9.id}").ok
    later = duties.sweep_escalations(NOW + timedelta(hours=25))
    resent = {e.subject for e in later.resent}
    assert "invoice:A-9" not in resent and "invoice:A-5" in resent
    with uow_factory() as uow:
        a5 = next(e for e in uow.escalations.list_open() if e.subject == "invoice:A-5")
        assert uow.outbox.by_key(f"escalation:{a5.id}:2:{admin.id}") is not None  # the admin's copy
