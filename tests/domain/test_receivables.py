"""Money owed, a worked example a reader can check by hand (SQLite, and PostgreSQL when configured).

Today is Sunday 15 Nov 2026 (America/New_York); days past due = today − due date. Acme's invoices (USD):

| invoice | due        | days | amount | paid  | owed  | bucket  | notes                     |
|---------|------------|------|--------|-------|-------|---------|---------------------------|
| A-1     | 2026-11-20 |  −5  | 1,000  |     0 | 1,000 | Current |                           |
| A-2     | 2026-11-15 |   0  |   500  |   200 |   300 | Current | due today is not late     |
| A-3     | 2026-11-01 |  14  | 2,000  |   500 | 1,500 | 1–30    | acme-web                  |
| A-4     | 2026-10-16 |  30  |   400  |     0 |   400 | 1–30    | acme-web                  |
| C-1     | 2026-11-10 |   5  |  −300  |     0 |  −300 | 1–30    | credit note, acme-web     |
| A-5     | 2026-10-15 |  31  | 3,000  |     0 | 3,000 | 31–60   |                           |
| A-6     | 2026-09-16 |  60  |   600  |     0 |   600 | 31–60   |                           |
| A-7     | 2026-09-15 |  61  | 4,000  |     0 | 4,000 | 61–90   | disputed                  |
| A-8     | 2026-08-17 |  90  | 1,000  |     0 | 1,000 | 61–90   |                           |
| A-9     | 2026-08-16 |  91  | 2,500  |   500 | 2,000 | 90+     | acme-app                  |
| A-10    | 2026-07-01 | 137  | 9,999  | 9,999 |   —   | paid    | acme-app                  |
| A-11    | 2026-07-01 | 137  | 7,777  |     0 |   —   | void    | acme-web                  |
| A-12    | 2026-12-15 | −30  |   250  |     0 |   —   | draft   | acme-web                  |
| E-1     | 2026-10-01 |  45  |   800 EUR |  0 | 800 EUR | apart | other currency, not converted |

Current 1,300 · 1–30 1,600 · 31–60 3,600 · 61–90 5,000 · 90+ 2,000 · outstanding 13,500 ·
over 60 days 7,000 = 51.9% · oldest overdue A-9, 91 days · disputed 4,000 (also in 61–90).

WIP: acme-web burned 5,000 (45 h × 100 + 500 expense, see tests/handlers/world.py); invoiced = A-3 + A-4
+ C-1 + A-12 (draft counts, void does not) = 2,000 + 400 − 300 + 250 = 2,350 → WIP 2,650.
acme-app burned 4,200; invoiced 2,500 + 9,999 = 12,499 → WIP max(0, −8,299) = 0.

Escalations on the 15th: A-5 (31 days) crosses 30; A-6 (60) crosses 30; A-8 (90) crosses 60; A-9 (91)
crosses 90 (only the 90: it is first seen past all three); E-1 (45, in euros) crosses 30; A-7 is
disputed: none; A-4 (30): not yet.
On the 16th: A-4 crosses 30, A-6 crosses 60 (closing its 30), A-8 crosses 90 (closing its 60).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from domain.receivables import Invoice, InvoiceState, age, bucket_of, wip_reminder_day
from domain.receivables_escalations import sweep_receivables
from domain.receivables_service import wip_rows
from handlers.ar_notices import invoice_notice_payload
from storage.uow import SqlUnitOfWorkFactory
from tests.handlers.world import NOW, TODAY, World, fact, seed

D = Decimal
OPEN, PAID, VOID, DRAFT = InvoiceState.OPEN, InvoiceState.PAID, InvoiceState.VOID, InvoiceState.DRAFT

ROWS = [  # number, due, amount, paid, state, project, disputed, currency
    ("A-1", date(2026, 11, 20), "1000", "0", OPEN, None, False, "USD"),
    ("A-2", date(2026, 11, 15), "500", "200", OPEN, None, False, "USD"),
    ("A-3", date(2026, 11, 1), "2000", "500", OPEN, "acme-web", False, "USD"),
    ("A-4", date(2026, 10, 16), "400", "0", OPEN, "acme-web", False, "USD"),
    ("C-1", date(2026, 11, 10), "-300", "0", OPEN, "acme-web", False, "USD"),
    ("A-5", date(2026, 10, 15), "3000", "0", OPEN, None, False, "USD"),
    ("A-6", date(2026, 9, 16), "600", "0", OPEN, None, False, "USD"),
    ("A-7", date(2026, 9, 15), "4000", "0", OPEN, None, True, "USD"),
    ("A-8", date(2026, 8, 17), "1000", "0", OPEN, None, False, "USD"),
    ("A-9", date(2026, 8, 16), "2500", "500", OPEN, "acme-app", False, "USD"),
    ("A-10", date(2026, 7, 1), "9999", "9999", PAID, "acme-app", False, "USD"),
    ("A-11", date(2026, 7, 1), "7777", "0", VOID, "acme-web", False, "USD"),
    ("A-12", date(2026, 12, 15), "250", "0", DRAFT, "acme-web", False, "USD"),
    ("E-1", date(2026, 10, 1), "800", "0", OPEN, None, False, "EUR"),
]


def invoices(w: World) -> list[Invoice]:
    return [Invoice(None, number, w.ids["acme"], due - timedelta(days=30), due, D(amount), currency, D(paid), state,
                    w.ids[project] if project else None, disputed=disputed,
                    dispute_reason="wrong PO" if disputed else "")
            for number, due, amount, paid, state, project, disputed, currency in ROWS]


def world(uow_factory: SqlUnitOfWorkFactory) -> World:
    w = seed(uow_factory)
    with uow_factory() as uow:
        uow.invoices.add_many(invoices(w))
        uow.commit()
    return w


def test_the_buckets_by_days_past_due_are_current_1_30_31_60_61_90_and_90_plus() -> None:
    assert [bucket_of(d) for d in (-5, 0, 1, 30, 31, 60, 61, 90, 91, 400)] == [0, 0, 1, 1, 2, 2, 3, 3, 4, 4]


def test_the_aging_summed_in_sql_is_the_worked_example(uow_factory: SqlUnitOfWorkFactory) -> None:
    w = world(uow_factory)
    with uow_factory() as uow:
        rows = {a.currency: a for a in uow.invoices.aging(TODAY, [w.ids["acme"]])}
    usd = rows["USD"]
    assert usd.buckets == (D("1300"), D("1600"), D("3600"), D("5000"), D("2000"))
    assert usd.outstanding == D("13500")
    assert usd.over_60 == D("7000") and usd.over_60_share == D("51.9")
    assert usd.oldest_due == date(2026, 8, 16) and usd.oldest_days(TODAY) == 91
    assert usd.disputed == D("4000")
    assert usd.open_count == 10 and usd.overdue_count == 7  # C-1 owes nothing: not an overdue invoice
    assert rows["EUR"].buckets == (0, 0, D("800"), 0, 0)  # apart, never added to the dollars
    # The Python definition agrees with the SQL aggregate.
    assert age(invoices(w), TODAY, w.ids["acme"], "USD") == usd


def test_wip_is_burned_less_invoiced_with_drafts_counted_voids_not_and_never_below_zero(
        uow_factory: SqlUnitOfWorkFactory) -> None:
    w = world(uow_factory)
    with uow_factory() as uow:
        projects = uow.projects.list(w.ids["acme"])
        rows = {r.project.key: r for r in wip_rows(uow, projects, TODAY, "USD")}
        ids = [p.id or 0 for p in projects]
        # WIP's own burn aggregate (rollup before this month, entries of this month up to today) is the
        # budget's burned: October's entry from the rollup, the 20 November one not yet counted.
        assert uow.invoices.burned(ids, TODAY) == {k: v.burned for k, v in uow.entries.totals(ids, TODAY).items()}
    assert (rows["acme-web"].burned, rows["acme-web"].invoiced, rows["acme-web"].wip) == (D("5000"), D("2350"),
                                                                                         D("2650"))
    assert (rows["acme-app"].burned, rows["acme-app"].invoiced, rows["acme-app"].wip) == (D("4200"), D("12499"), 0)


def test_ar_for_the_client_shows_every_bucket_the_over_60_share_and_the_oldest(
        uow_factory: SqlUnitOfWorkFactory) -> None:
    w = world(uow_factory)
    reply = w.say("ar acme")
    assert reply.ok, reply.summary
    assert [fact(reply, b) for b in ("Current", "1–30", "31–60", "61–90", "90+")] == [
        "$1,300", "$1,600", "$3,600", "$5,000", "$2,000"]
    assert fact(reply, "Outstanding") == "$13,500"
    assert fact(reply, "Over 60 days") == "51.9%"
    assert fact(reply, "Oldest overdue") == "A-9, 91 days"
    assert "oldest overdue 91 days" in reply.summary and "€800" in reply.summary
    titles = [s.title for s in reply.sections]
    assert titles[0].startswith("A-9 · 91 days overdue")  # oldest first
    assert any(t.startswith("A-7 · 61 days overdue · disputed") for t in titles)
    assert "Disputed (counted in the buckets too)" in titles
    assert "Also owed in EUR (not converted)" in titles
    assert [a.command for a in reply.sections[0].actions] == ["chase A-9", "promise A-9", "dispute A-9"]


def test_only_the_director_finance_and_admins_see_a_clients_receivables(uow_factory: SqlUnitOfWorkFactory) -> None:
    w = world(uow_factory)
    assert w.say("ar acme", who="fred@example.com").ok
    assert w.say("ar acme", who="ada@example.com").ok
    refused = w.say("ar acme", who="mark@example.com")
    assert not refused.ok and "Dana Director" in refused.summary
    assert w.say("ar all", who="drew@example.com").title == "Receivables — all clients"
    assert "Nothing is owed" in w.say("ar mine", who="drew@example.com").summary


def test_each_threshold_escalates_once_finance_copied_at_60_and_90_and_a_dispute_stops_them(
        uow_factory: SqlUnitOfWorkFactory) -> None:
    w = world(uow_factory)

    def run(now: datetime) -> list[str]:
        with uow_factory() as uow:
            org = uow.organisation.get()
            result = sweep_receivables(uow, now, org, payload=invoice_notice_payload)
            uow.commit()
        return sorted(e.message.split(":")[1].split("(")[0].strip() + "@" + e.rule.split(":")[0]
                      for e in result.opened)

    assert run(NOW) == ["invoice A-5@invoice_30", "invoice A-6@invoice_30", "invoice A-8@invoice_60",
                        "invoice A-9@invoice_90", "invoice E-1@invoice_30"]
    assert run(NOW + timedelta(hours=1)) == []  # once: nothing new an hour later
    assert run(NOW + timedelta(days=1)) == ["invoice A-4@invoice_30", "invoice A-6@invoice_60",
                                            "invoice A-8@invoice_90"]
    with uow_factory() as uow:
        open_rules = sorted(e.rule.split(":")[0] + ":" + e.subject.split(':')[1] for e in uow.escalations.list_open())
        keys = [m.key for m in uow.outbox.list(limit=500)]
        people = {p.email: p.id for p in uow.people.list()}
    # The lower escalation of an invoice closes when it crosses the next threshold.
    assert open_rules == ["invoice_30:A-4", "invoice_30:A-5", "invoice_30:E-1", "invoice_60:A-6", "invoice_90:A-8",
                          "invoice_90:A-9"]
    # Finance (Fred) is copied on the 60 and 90 ones only: A-8@60, A-9@90 on day one; A-6@60, A-8@90 on day two.
    assert sum(k.endswith(f":1:{people['fred@example.com']}") for k in keys) == 4
    assert sum(k.endswith(f":1:{people['dana@example.com']}") for k in keys) == 8
    assert not [k for k in keys if ":resolved:" in k]  # a threshold superseded by the next is not "resolved"
    # A dispute stops the day-based ones: disputing A-5 closes its escalation at the next sweep.
    assert w.say("dispute A-5 client says the work is unfinished", now=NOW + timedelta(days=1)).ok
    with uow_factory() as uow:
        result = sweep_receivables(uow, NOW + timedelta(days=1, minutes=5), uow.organisation.get(),
                                   payload=invoice_notice_payload)
        uow.commit()
    assert [e.subject.split(':')[1] for e in result.closed] == ["A-5"] and not result.opened


def test_a_promise_that_passes_unpaid_escalates_once_and_paying_closes_it(uow_factory: SqlUnitOfWorkFactory) -> None:
    w = world(uow_factory)
    assert w.say("promise A-3 2026-11-16").ok
    later = NOW + timedelta(days=2)  # the 17th: the 16th passed, A-3 still owed
    with uow_factory() as uow:
        result = sweep_receivables(uow, later, uow.organisation.get(), payload=invoice_notice_payload)
        uow.commit()
    assert [e.rule.split(":")[0] for e in result.opened if "A-3" in e.message] == ["invoice_promise"]
    assert w.say("paid A-3", now=later).ok
    with uow_factory() as uow:
        result = sweep_receivables(uow, later + timedelta(minutes=5), uow.organisation.get(),
                                   payload=invoice_notice_payload)
        uow.commit()
        assert any(e.rule.startswith("invoice_promise") for e in result.closed)
        assert uow.invoices.get("a-3") is not None and uow.invoices.get("A-3").state is InvoiceState.PAID  # type: ignore[union-attr]


def test_the_wip_reminder_is_three_working_days_before_the_months_end() -> None:
    # November 2026 ends on Monday the 30th: Wed 25 leaves Thu 26, Fri 27 and Mon 30.
    assert wip_reminder_day(2026, 11, 3) == date(2026, 11, 25)
    # December 2026 ends on Thursday the 31st: Mon 28 leaves Tue, Wed, Thu.
    assert wip_reminder_day(2026, 12, 3) == date(2026, 12, 28)
    assert wip_reminder_day(2026, 12, 0) is None


def test_the_wip_reminder_goes_once_to_the_director_and_finance(uow_factory: SqlUnitOfWorkFactory) -> None:
    from domain.receivables_escalations import queue_wip_reminders
    from handlers.ar_notices import wip_reminder_payload

    world(uow_factory)
    day = datetime(2026, 11, 25, 9, 30, tzinfo=ZoneInfo("America/New_York"))
    with uow_factory() as uow:
        org = uow.organisation.get()
        assert queue_wip_reminders(uow, day - timedelta(days=1), org, payload=wip_reminder_payload) == []
        first = queue_wip_reminders(uow, day, org, payload=wip_reminder_payload)
        again = queue_wip_reminders(uow, day + timedelta(hours=2), org, payload=wip_reminder_payload)
        people = {p.id: p.email for p in uow.people.list()}
        uow.commit()
    assert sorted(people[int(k.rsplit(":", 1)[1])] for k in first) == ["dana@example.com", "fred@example.com"]
    assert again == []
