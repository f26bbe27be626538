"""Issue 14's worked example (tests/pipeline/example.py has every figure worked out by hand): each pipeline
figure, each month of a forecast, and each renewal reminder and escalation firing once."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from bot.scheduler import Duties
from domain.model import Role
from handlers.reply import Reply
from storage.uow import SqlUnitOfWorkFactory
from tests.pipeline.example import NOW, TZ, build


def fact(reply: Reply, label: str) -> str:
    for f in reply.facts:
        if f.label == label:
            return f.value
    raise AssertionError(f"no fact {label!r} in {[f.label for f in reply.facts]}: {reply.summary}")


def section(reply: Reply, starts: str) -> list[str]:
    for s in reply.sections:
        if s.title.startswith(starts):
            return list(s.lines)
    raise AssertionError(f"no section {starts!r} in {[s.title for s in reply.sections]}")


def month(reply: Reply, title: str) -> dict[str, str]:
    for s in reply.sections:
        if s.title == title:
            return {f.label: f.value for f in s.facts}
    raise AssertionError(f"no month {title!r} in {[s.title for s in reply.sections]}")


def test_every_pipeline_figure_of_the_quarter(uow_factory: SqlUnitOfWorkFactory) -> None:
    ex = build(uow_factory)
    r = ex.say("pipeline me this quarter")
    assert r.ok, r.summary
    assert "2026-Q4" in r.title
    assert fact(r, "Closed won") == "$50,000 of $100,000 quota"
    assert fact(r, "Commit") == "$40,000"
    assert fact(r, "Best Case") == "$20,000"
    assert fact(r, "Pipeline") == "$10,000"
    assert fact(r, "Open pipeline") == "$70,000 (3 open)"
    assert fact(r, "Weighted") == "$44,000"
    assert fact(r, "Quota") == "$100,000"
    assert fact(r, "Gap") == "$50,000"
    assert fact(r, "Coverage") == "1.4×"
    assert fact(r, "At risk") == "2"
    risky = section(r, "At risk")
    assert risky[0].startswith("Acme retainer (Acme Corp): Negotiation · $40,000 · 80% · closes Tue 10 Nov 2026 · "
                               "Sam Seller — past its close date by 5 days")
    assert risky[1].startswith("Acme mobile") and "close date pushed 2 times" in risky[1]
    assert [line.split(" (")[0] for line in section(r, "Largest open deals")] == \
        ["Acme retainer", "Acme mobile", "Acme SEO"]
    omitted = section(r, "Omitted (1, $5,000; counted nowhere)")
    assert omitted[0].startswith("Acme side project")
    assert "1 won, 1 lost, 3 open" in r.summary


def test_next_quarter_and_a_named_quarter(uow_factory: SqlUnitOfWorkFactory) -> None:
    ex = build(uow_factory)
    nxt = ex.say("pipeline acme next quarter")
    assert "2027-Q1" in nxt.title
    assert fact(nxt, "Pipeline") == "$60,000"
    assert fact(nxt, "Weighted") == "$15,000"
    assert fact(nxt, "Quota") == "none set"  # a client has no quota
    assert fact(nxt, "Coverage") == "—"
    same = ex.say("pipeline dana 2027-Q1")
    assert fact(same, "Quota") == "$90,000" and fact(same, "Gap") == "$90,000"
    assert fact(same, "Coverage") == "0.7×"  # 60,000 / 90,000


def test_who_sees_what(uow_factory: SqlUnitOfWorkFactory) -> None:
    ex = build(uow_factory)
    assert not ex.say("pipeline all").ok  # a director sees their own and their clients'
    assert "finance or an admin" in ex.say("pipeline all").summary
    everyone = ex.say("pipeline all", who="fred@example.com")  # finance: everyone's, against every quota
    assert fact(everyone, "Closed won") == "$50,000 of $100,000 quota"
    assert "everyone" in everyone.title
    drew = ex.say("pipeline me", who="drew@example.com")
    assert fact(drew, "Open pipeline") == "$0 (0 open)"
    assert not ex.say("pipeline acme", who="drew@example.com").ok
    bad = ex.say("pipeline me 2026-Q7")
    assert not bad.ok and "2026-Q4" in bad.summary


def test_each_month_of_the_forecast(uow_factory: SqlUnitOfWorkFactory) -> None:
    ex = build(uow_factory)
    r = ex.say("forecast me 3 months")
    assert r.ok, r.summary
    nov, dec, jan = month(r, "November 2026"), month(r, "December 2026"), month(r, "January 2027")
    assert nov == {"Recognised": "$1,200", "Scheduled": "$4,400", "Weighted pipeline": "$0", "Total": "$5,600",
                   "Target": "$33,333.33 (-$27,733.33)"}
    assert dec["Recognised"] == "$0"
    assert dec["Scheduled"] == "$5,400 (budget cap)"  # 23 working days x 400 = 9,200, capped
    assert dec["Weighted pipeline"] == "$10,666.67"
    assert dec["Total"] == "$16,066.67"
    assert jan["Scheduled"] == "$0 (budget cap)"
    assert jan["Weighted pipeline"] == "$14,666.67"
    assert jan["Target"].startswith("$30,000")
    assert len(r.sections) == 3


def test_forecast_figures_are_exact_decimals(uow_factory: SqlUnitOfWorkFactory) -> None:
    from decimal import Decimal

    from domain.pipeline_service import forecast_report, scope_for_person

    ex = build(uow_factory)
    with uow_factory() as uow:
        dana = uow.people.get(ex.ids["dana"])
        assert dana is not None
        rows = forecast_report(uow, scope_for_person(uow, dana), 3, NOW.date()).months
    assert [(m.recognised, m.scheduled, m.weighted) for m in rows] == [
        (Decimal("1200.00"), Decimal("4400.00"), Decimal("0.00")),
        (Decimal("0"), Decimal("5400.00"), Decimal("10666.67")),
        (Decimal("0"), Decimal("0.00"), Decimal("14666.67")),
    ]
    assert [m.target for m in rows] == [Decimal("33333.33"), Decimal("33333.33"), Decimal("30000.00")]
    assert [m.capped for m in rows] == [False, True, True]


def test_renewals_list_deadlines_decisions_and_follow_ons(uow_factory: SqlUnitOfWorkFactory) -> None:
    ex = build(uow_factory)
    r = ex.say("renewals me")
    assert r.ok, r.summary
    web, beta = (s.lines[0] for s in r.sections)
    assert web == ("ends Sun 28 Feb 2027 · notice by Mon 30 Nov 2026 · 15 days left · no decision yet · "
                   "follow-on in pipeline: Acme 2027, $60,000")
    assert beta == ("ends Thu 31 Dec 2026 · notice by Thu 31 Dec 2026 · 46 days left · no decision yet · "
                    "no follow-on in pipeline")
    assert len(ex.say("renewals me within 30 days").sections) == 0  # both end later than 30 days from now
    decided = ex.say("renewal beta-app renegotiate wants a smaller retainer")
    assert decided.ok, decided.summary
    assert "decided: renegotiate (wants a smaller retainer)" in ex.say("renewals").sections[1].lines[0]
    again = ex.say("renewal beta-app end")
    assert not again.ok and "already decided" in again.summary
    assert not ex.say("renewal beta-app maybe").ok
    assert not ex.say("renewal acme-web renew", who="drew@example.com").ok
    with uow_factory() as uow:
        assert [e.action for e in uow.audit.list("project:beta-app")][0] == "renewal.decided"


def _keys(uow_factory: SqlUnitOfWorkFactory, prefix: str) -> list[str]:
    with uow_factory() as uow:
        return [m.key for m in uow.outbox.with_key_prefix(prefix)]


def test_each_reminder_and_escalation_fires_once(uow_factory: SqlUnitOfWorkFactory) -> None:
    ex = build(uow_factory)
    duties = Duties(uow_factory)
    day = NOW
    while day <= datetime(2027, 1, 2, 12, tzinfo=TZ):
        duties.sweep_escalations(day)
        duties.sweep_escalations(day + timedelta(hours=6))  # a second sweep the same day changes nothing
        day += timedelta(days=1)
    ids = ex.ids
    web, beta = ids["acme-web"], ids["beta-app"]
    dana, sam, ada = ids["dana"], ids["sam"], ids["ada"]
    assert sorted(_keys(uow_factory, f"renewal:{beta}:")) == sorted([
        f"renewal:{beta}:2026-12-31:60:{dana}", f"renewal:{beta}:2026-12-31:30:{dana}",
        f"renewal:{beta}:2026-12-31:14:{dana}", f"renewal:{beta}:2026-12-31:7:{dana}",
        f"renewal:{beta}:2026-12-31:escalation:{dana}", f"renewal:{beta}:2026-12-31:escalation:{ada}",
    ])
    # acme-web: 15 days left on the first day (the 30-day reminder), then 14 and 7; a follow-on: no escalation.
    assert sorted(_keys(uow_factory, f"renewal:{web}:")) == sorted([
        f"renewal:{web}:2026-11-30:30:{dana}", f"renewal:{web}:2026-11-30:14:{dana}",
        f"renewal:{web}:2026-11-30:7:{dana}",
    ])
    with uow_factory() as uow:
        escalation = uow.outbox.by_key(f"renewal:{beta}:2026-12-31:escalation:{dana}")
        assert escalation is not None
        assert escalation.created_at.astimezone(TZ).date() == date(2026, 12, 17)  # 14 days before the deadline
        assert "Renewal undecided, 14 days" in escalation.payload["title"]
        retainer = next(o for o in uow.pipeline.overdue_commits(date(2026, 11, 15)) if o.name == "Acme retainer")
        mobile = next(o for o in uow.pipeline.pushed_twice() if o.name == "Acme mobile")
    assert sorted(_keys(uow_factory, "pipeline:commit-overdue:")) == sorted([
        f"pipeline:commit-overdue:{retainer.id}:2026-11-10:{sam}",
        f"pipeline:commit-overdue:{retainer.id}:2026-11-10:{dana}",
    ])
    assert _keys(uow_factory, "pipeline:pushed-twice:") == [f"pipeline:pushed-twice:{mobile.id}:{dana}"]


def test_no_reminder_after_a_decision(uow_factory: SqlUnitOfWorkFactory) -> None:
    ex = build(uow_factory)
    assert ex.say("renewal beta-app renew").ok
    Duties(uow_factory).sweep_escalations(NOW)
    assert _keys(uow_factory, f"renewal:{ex.ids['beta-app']}:") == []


def test_the_directors_monday_digest_opens_with_the_quarter(uow_factory: SqlUnitOfWorkFactory) -> None:
    ex = build(uow_factory)
    monday = NOW + timedelta(days=1)
    r = ex.say("digest now", now=monday)
    assert r.ok, r.summary
    first = r.sections[0]
    assert first.title.startswith("This quarter · 2026-Q4")
    assert first.lines[0] == "Closed won $50,000 of $100,000 quota · commit $40,000 · coverage 1.4× · 2 at risk"
    assert first.lines[1] == "Renewals with a notice deadline in the next 30 days: acme-web (Mon 30 Nov 2026)"
    sunday = ex.say("digest now")
    assert not sunday.sections or not sunday.sections[0].title.startswith("This quarter")
    with uow_factory() as uow:
        assert uow.people.by_email("fred@example.com").role is Role.FINANCE  # type: ignore[union-attr]
    fred = ex.say("digest now", who="fred@example.com", now=monday)
    assert not fred.sections or not fred.sections[0].title.startswith("This quarter")  # directors only


def test_the_demo_has_a_half_met_quota_a_slipped_commit_deal_and_a_renewal_with_no_follow_on(
        uow_factory: SqlUnitOfWorkFactory) -> None:
    from bot.clock import FixedClock
    from handlers.demo import load_demo
    from tests.pipeline.example import Example

    now = datetime(2026, 11, 18, 9, 0, tzinfo=TZ)
    assert load_demo(uow_factory, FixedClock(now)).ok
    ex = Example(uow_factory, {})
    p = ex.say("pipeline me", now=now)
    assert fact(p, "Closed won") == "$100,000 of $200,000 quota"
    assert fact(p, "Gap") == "$100,000"
    risky = " ".join(section(p, "At risk"))
    assert "Acme app support retainer" in risky and "past its close date by 5 days" in risky
    assert "close date pushed 2 times" in risky
    training = next(s for s in ex.say("renewals me", now=now).sections if "initech-training" in s.title)
    assert "no follow-on in pipeline" in training.lines[0]
    assert ex.say("forecast me 6 months", now=now).ok
