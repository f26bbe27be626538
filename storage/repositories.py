"""SQLAlchemy implementations of the repository ports in ``domain.ports``.

Every repository works inside the unit of work's ``Session`` but uses Core-style statements on the
mapped tables and returns the domain's frozen dataclasses, never ORM objects. Keeping rows out of
the session's identity map means a read after a conditional UPDATE (``decide``) always sees the
database, not a stale cached object.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar, cast

from sqlalchemy import (
    BigInteger,
    CursorResult,
    Date,
    Executable,
    Row,
    Table,
    and_,
    case,
    delete,
    func,
    insert,
    literal_column,
    select,
    true,
    type_coerce,
    union_all,
    update,
)
from sqlalchemy import cast as sql_cast
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from domain.model import (
    Allocation,
    AllocationState,
    AuditEvent,
    Client,
    DigestSubscription,
    EscalationPolicy,
    Expense,
    Organisation,
    Person,
    Platform,
    Project,
    Rag,
    Role,
    ScopeChange,
    ScopeState,
    Source,
    StatusUpdate,
    TimeEntry,
)
from domain.ports import BurnTotals, ScopeTotals
from storage.orm import (
    AllocationRow,
    AuditEventRow,
    Base,
    BurnMonthRow,
    ClientRow,
    DigestSubscriptionRow,
    ExpenseRow,
    OrganisationRow,
    PersonRow,
    ProjectChannelRow,
    ProjectRow,
    ReceiptRow,
    ScopeChangeRow,
    StatusUpdateRow,
    TimeEntryRow,
    from_units,
)
from storage.sqltools import among, days_after, dialect_insert, month_start, units_to_decimal

T = TypeVar("T")

ORGANISATION_ID = 1  # the organisation settings are a single row
CHUNK = 2000  # rows per bulk statement: well under SQLite's 32766 bound-parameter limit


def _t(model: type[Base]) -> Table:
    """The ``Table`` behind a mapped class (typed as such, for Core statements)."""
    return cast(Table, model.__table__)


def _run(session: Session, statement: Executable) -> CursorResult[Any]:
    """Execute a DML statement; the cursor result gives ``inserted_primary_key`` and ``rowcount``."""
    return cast(CursorResult[Any], session.execute(statement))


def _new_id(result: CursorResult[Any]) -> int:
    """The id the database gave the row just inserted."""
    key = result.inserted_primary_key
    if key is None or key[0] is None:
        raise RuntimeError("The database returned no id for the inserted row")
    return int(key[0])


def _chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _aware(value: datetime | None, what: str) -> datetime | None:
    """Refuse naive datetimes up front, as a plain ValueError (inside SQLAlchemy it would be wrapped)."""
    if value is not None and (value.tzinfo is None or value.utcoffset() is None):
        raise ValueError(f"{what} must be timezone-aware, got {value!r}")
    return value


def _require_id(entity_id: int | None, what: str) -> int:
    if entity_id is None:
        raise ValueError(f"Cannot update a {what} without an id")
    return entity_id


def _hours(units: Any) -> Decimal:
    """A SUM of centihours as exact hours (no trailing zeros)."""
    return from_units(int(units or 0), 2)


def _cents(column: Any) -> ColumnElement[int]:
    """The raw integer behind a Cents/Centihours column, for arithmetic and sums in SQL.

    ``type_coerce`` renders no CAST: it only stops the TypeDecorator from converting the result.
    """
    return type_coerce(column, BigInteger)


# Rows become domain objects by position: a SELECT names its columns (the ``_*_COLUMNS`` below) and
# the converter unpacks them in that order. ``row.name`` goes through ``Row.__getattr__`` (about ten
# times the cost of unpacking), which made converting a digest's few thousand rows cost more than
# the database took to find them.


def _columns(model: type[Base], names: str) -> tuple[Any, ...]:
    """The named columns of a mapped table, in the order given (space-separated)."""
    table = _t(model)
    return tuple(table.c[name] for name in names.split())


def _lookup(enum: Any) -> Callable[[Any], Any]:
    """A fast ``enum(value)``: a dict lookup, falling back to the constructor (and its error) for strangers."""
    members = {m.value: m for m in enum}
    return lambda value: members.get(value) or enum(value)


_role, _platform, _rag, _scope_state, _allocation_state = (
    _lookup(Role), _lookup(Platform), _lookup(Rag), _lookup(ScopeState), _lookup(AllocationState)
)


# --- organisation ---------------------------------------------------------------------------


class SqlOrganisationRepository:
    """The organisation settings row (``id = 1``)."""

    def __init__(self, session: Session) -> None:
        self.s = session

    def get(self) -> Organisation:
        """The stored settings, or the defaults of ``Organisation()`` when none were saved."""
        row = self.s.execute(
            select(_t(OrganisationRow)).where(OrganisationRow.id == ORGANISATION_ID)
        ).first()
        if row is None:
            return Organisation()
        policy = EscalationPolicy(
            burn_thresholds=tuple(int(t) for t in row.burn_thresholds),
            forecast_over_budget=row.forecast_over_budget,
            scope_impact=row.scope_impact,
            stale_status_days=row.stale_status_days,
            approval_wait_days=row.approval_wait_days,
            reack_hours=row.reack_hours,
            wip_reminder_days_before_month_end=3 if row.wip_reminder_days is None else row.wip_reminder_days,
        )
        return Organisation(currency=row.currency, timezone=row.timezone, escalation=policy)

    def save(self, org: Organisation) -> None:
        """Insert or replace the settings row."""
        e = org.escalation
        values = {
            "currency": org.currency,
            "timezone": org.timezone,
            "burn_thresholds": [int(t) for t in e.burn_thresholds],
            "forecast_over_budget": e.forecast_over_budget,
            "scope_impact": e.scope_impact,
            "stale_status_days": e.stale_status_days,
            "approval_wait_days": e.approval_wait_days,
            "reack_hours": e.reack_hours,
            "wip_reminder_days": e.wip_reminder_days_before_month_end,
        }
        table = _t(OrganisationRow)
        ins = dialect_insert(self.s)
        if ins is not None:
            stmt = ins(table).values(id=ORGANISATION_ID, **values)
            self.s.execute(stmt.on_conflict_do_update(index_elements=["id"], set_=values))
            return
        done = _run(self.s, update(table).where(table.c.id == ORGANISATION_ID).values(**values))
        if done.rowcount == 0:
            self.s.execute(insert(table).values(id=ORGANISATION_ID, **values))


# --- people ---------------------------------------------------------------------------------


_PERSON_COLUMNS = _columns(
    PersonRow, "id name email role capacity_hours cost_rate bill_rate platform slack_id teams_id active last_platform "
    "teams_tenant"
)


def _person(row: Sequence[Any]) -> Person:
    (pid, name, email, role, capacity_hours, cost_rate, bill_rate, platform, slack_id, teams_id, active,
     last_platform, teams_tenant) = row
    return Person(
        id=pid,
        name=name,
        email=email,
        role=_role(role),
        capacity_hours=capacity_hours,
        cost_rate=cost_rate,
        bill_rate=bill_rate,
        platform=_platform(platform) if platform else None,
        slack_id=slack_id,
        teams_id=teams_id,
        active=active,
        last_platform=_platform(last_platform) if last_platform else None,
        teams_tenant=teams_tenant,
    )


def _person_values(p: Person) -> dict[str, Any]:
    return {
        "name": p.name,
        "email": p.email,
        "email_key": p.email.strip().lower(),
        "role": Role(p.role).value,
        "capacity_hours": p.capacity_hours,
        "cost_rate": p.cost_rate,
        "bill_rate": p.bill_rate,
        "platform": Platform(p.platform).value if p.platform else None,
        "slack_id": p.slack_id,
        "teams_id": p.teams_id,
        "active": p.active,
        "last_platform": Platform(p.last_platform).value if p.last_platform else None,
        "teams_tenant": p.teams_tenant,
    }


class SqlPersonRepository:
    """People, looked up by id, email (case-insensitively), Slack id or Teams id."""

    def __init__(self, session: Session) -> None:
        self.s = session

    def _one(self, *where: ColumnElement[bool]) -> Person | None:
        row = self.s.execute(select(*_PERSON_COLUMNS).where(*where)).first()
        return _person(row) if row else None

    def get(self, person_id: int) -> Person | None:
        """The person with this id, if any."""
        return self._one(PersonRow.id == person_id)

    def by_email(self, email: str) -> Person | None:
        """Case-insensitive match on email (through the lower-cased ``email_key`` column)."""
        return self._one(PersonRow.email_key == email.strip().lower())

    def by_slack_id(self, slack_id: str) -> Person | None:
        """The person with this Slack user id."""
        return self._one(PersonRow.slack_id == slack_id)

    def by_teams_id(self, teams_id: str) -> Person | None:
        """The person with this Teams (AAD) user id."""
        return self._one(PersonRow.teams_id == teams_id)

    def list(self) -> builtins.list[Person]:
        """Everyone, in id order."""
        rows = self.s.execute(select(*_PERSON_COLUMNS).order_by(PersonRow.id))
        return [_person(r) for r in rows]

    def many(self, ids: Iterable[int]) -> dict[int, Person]:
        """The people with these ids, in one query (unknown ids are absent)."""
        wanted = sorted(set(ids))
        if not wanted:
            return {}
        rows = self.s.execute(select(*_PERSON_COLUMNS).where(among(PersonRow.id, wanted)))
        return {person.id or 0: person for person in map(_person, rows)}

    def add(self, person: Person) -> Person:
        """Insert and return the person with its id."""
        values = _person_values(person)
        if person.id is not None:
            values["id"] = person.id
        result = _run(self.s, insert(_t(PersonRow)).values(**values))
        return _replace_id(person, _new_id(result))  # type: ignore[index]

    def update(self, person: Person) -> None:
        """Overwrite the stored person with these values."""
        pid = _require_id(person.id, "person")
        self.s.execute(update(_t(PersonRow)).where(PersonRow.id == pid).values(**_person_values(person)))


def _replace_id(entity: T, new_id: int) -> T:
    from dataclasses import replace

    return replace(entity, id=new_id)  # type: ignore[type-var]


# --- clients --------------------------------------------------------------------------------


_CLIENT_COLUMNS = _columns(ClientRow, "id key name director_id aliases")


def _client(row: Sequence[Any]) -> Client:
    cid, key, name, director_id, aliases = row
    return Client(id=cid, key=key, name=name, director_id=director_id, aliases=tuple(aliases or ()))


def _client_values(c: Client) -> dict[str, Any]:
    return {"key": c.key, "name": c.name, "director_id": c.director_id, "aliases": list(c.aliases)}


class SqlClientRepository:
    """Clients (aliases kept as a JSON list)."""

    def __init__(self, session: Session) -> None:
        self.s = session

    def get(self, client_id: int) -> Client | None:
        """The client with this id, if any."""
        row = self.s.execute(select(*_CLIENT_COLUMNS).where(ClientRow.id == client_id)).first()
        return _client(row) if row else None

    def by_key(self, key: str) -> Client | None:
        """The client with this key, case-insensitively."""
        row = self.s.execute(
            select(*_CLIENT_COLUMNS).where(func.lower(ClientRow.key) == key.strip().lower()).order_by(ClientRow.id)
        ).first()
        return _client(row) if row else None

    def list(self) -> builtins.list[Client]:
        """Every client, in id order."""
        return [_client(r) for r in self.s.execute(select(*_CLIENT_COLUMNS).order_by(ClientRow.id))]

    def add(self, client: Client) -> Client:
        """Insert and return the client with its id."""
        values = _client_values(client)
        if client.id is not None:
            values["id"] = client.id
        result = _run(self.s, insert(_t(ClientRow)).values(**values))
        return _replace_id(client, _new_id(result))  # type: ignore[index]

    def update(self, client: Client) -> None:
        """Overwrite the stored client with these values."""
        cid = _require_id(client.id, "client")
        self.s.execute(update(_t(ClientRow)).where(ClientRow.id == cid).values(**_client_values(client)))


# --- projects -------------------------------------------------------------------------------


_PROJECT_COLUMNS = _columns(
    ProjectRow, "id key name client_id budget start_day end_day manager_id budget_hours aliases"
)


def _project(row: Sequence[Any], channels: Mapping[int, Sequence[str]]) -> Project:
    pid, key, name, client_id, budget, start, end, manager_id, budget_hours, aliases = row
    return Project(
        id=pid,
        key=key,
        name=name,
        client_id=client_id,
        budget=budget,
        start=start,
        end=end,
        manager_id=manager_id,
        budget_hours=budget_hours,
        channels=tuple(channels.get(pid, ())),
        aliases=tuple(aliases or ()),
    )


def _project_values(p: Project) -> dict[str, Any]:
    return {
        "key": p.key,
        "name": p.name,
        "client_id": p.client_id,
        "budget": p.budget,
        "start_day": p.start,
        "end_day": p.end,
        "manager_id": p.manager_id,
        "budget_hours": p.budget_hours,
        "aliases": list(p.aliases),
    }


class SqlProjectRepository:
    """Projects with their channel bindings; any read is two statements, whatever the count."""

    def __init__(self, session: Session) -> None:
        self.s = session

    def _select(self, *where: ColumnElement[bool]) -> builtins.list[Project]:
        rows = self.s.execute(select(*_PROJECT_COLUMNS).where(*where).order_by(ProjectRow.id)).all()
        if not rows:
            return []
        # The channels of exactly these projects: the same filter as a subquery, so the statement
        # does not grow with the number of projects.
        ids = select(ProjectRow.id).where(*where)
        channels: dict[int, builtins.list[str]] = {}
        for project_id, channel in self.s.execute(
            select(ProjectChannelRow.project_id, ProjectChannelRow.channel)
            .where(ProjectChannelRow.project_id.in_(ids))
            .order_by(ProjectChannelRow.project_id, ProjectChannelRow.position)
        ):
            channels.setdefault(project_id, []).append(channel)
        return [_project(r, channels) for r in rows]

    def get(self, project_id: int) -> Project | None:
        """The project with this id, if any."""
        found = self._select(ProjectRow.id == project_id)
        return found[0] if found else None

    def by_key(self, key: str) -> Project | None:
        """The project with this key, case-insensitively (keys are unique whatever their case)."""
        found = self._select(func.lower(ProjectRow.key) == key.strip().lower())
        return found[0] if found else None

    def list(self, client_id: int | None = None) -> builtins.list[Project]:
        """Every project, or a client's, in id order."""
        return self._select(ProjectRow.client_id == client_id) if client_id is not None else self._select()

    def by_channel(self, channel: str) -> builtins.list[Project]:
        """Projects bound to a Slack channel id or Teams conversation id."""
        bound = select(ProjectChannelRow.project_id).where(ProjectChannelRow.channel == channel)
        return self._select(ProjectRow.id.in_(bound))

    def add(self, project: Project) -> Project:
        """Insert the project and its channel bindings; return it with its id."""
        values = _project_values(project)
        if project.id is not None:
            values["id"] = project.id
        result = _run(self.s, insert(_t(ProjectRow)).values(**values))
        pid = _new_id(result)
        self._bind(pid, project.channels)
        return _replace_id(project, pid)

    def update(self, project: Project) -> None:
        """Overwrite the project; its channel bindings become exactly ``project.channels``."""
        pid = _require_id(project.id, "project")
        self.s.execute(update(_t(ProjectRow)).where(ProjectRow.id == pid).values(**_project_values(project)))
        self.s.execute(delete(_t(ProjectChannelRow)).where(ProjectChannelRow.project_id == pid))
        self._bind(pid, project.channels)

    def _bind(self, project_id: int, channels: Iterable[str]) -> None:
        unique = list(dict.fromkeys(channels))  # a channel twice on one project would break the key
        if unique:
            self.s.execute(
                insert(_t(ProjectChannelRow)),
                [{"project_id": project_id, "channel": c, "position": n} for n, c in enumerate(unique)],
            )


# --- time entries and expenses --------------------------------------------------------------


def _entry(row: Row[Any]) -> TimeEntry:
    return TimeEntry(
        id=row.id,
        person_id=row.person_id,
        project_id=row.project_id,
        day=row.day,
        hours=row.hours,
        bill_rate=row.bill_rate,
        cost_rate=row.cost_rate,
        note=row.note,
        source=Source(row.source),
        external_id=row.external_id,
    )


def _entry_values(e: TimeEntry) -> dict[str, Any]:
    return {
        "person_id": e.person_id,
        "project_id": e.project_id,
        "day": e.day,
        "hours": e.hours,
        "bill_rate": e.bill_rate,
        "cost_rate": e.cost_rate,
        "note": e.note,
        "source": Source(e.source).value,
        "external_id": e.external_id,
    }


_ROLLUP_COLUMNS = ["project_id", "month", "bill_units", "cost_units", "hours_units", "expense_units"]


def _next_month(month: date) -> date:
    return date(month.year + 1, 1, 1) if month.month == 12 else date(month.year, month.month + 1, 1)


def _rollup_select(entry_where: Sequence[ColumnElement[bool]], expense_where: Sequence[ColumnElement[bool]]) -> Any:
    """``burn_months`` rows recomputed from the base tables (rows matching the conditions): each table
    grouped by project and month on its own, the two results summed per project and month."""
    zero = literal_column("0", BigInteger)
    e, x = TimeEntryRow, ExpenseRow
    e_month, x_month = month_start(e.day), month_start(x.day)
    entries = (
        select(
            e.project_id.label("project_id"),
            e_month.label("month"),
            func.sum(_cents(e.hours) * _cents(e.bill_rate)).label("bill"),
            func.sum(_cents(e.hours) * _cents(e.cost_rate)).label("cost"),
            func.sum(_cents(e.hours)).label("hours"),
            zero.label("expense"),
        )
        .where(*entry_where)
        .group_by(e.project_id, e_month)
    )
    expenses = (
        select(
            x.project_id.label("project_id"),
            x_month.label("month"),
            zero.label("bill"),
            zero.label("cost"),
            zero.label("hours"),
            func.sum(_cents(x.amount) * 100).label("expense"),
        )
        .where(*expense_where)
        .group_by(x.project_id, x_month)
    )
    u = union_all(entries, expenses).subquery("burn")
    return (
        select(
            u.c.project_id,
            u.c.month,
            func.sum(u.c.bill),
            func.sum(u.c.cost),
            func.sum(u.c.hours),
            func.sum(u.c.expense),
        )
        # WHERE true: SQLite's upsert grammar needs a WHERE on INSERT ... SELECT ... ON CONFLICT.
        .where(true())
        .group_by(u.c.project_id, u.c.month)
    )


class SqlTimeEntryRepository:
    """Time entries and expenses, and the burn aggregates over them (full past months through the
    ``burn_months`` rollup, which every write here keeps in step)."""

    def __init__(self, session: Session) -> None:
        self.s = session

    def add(self, entry: TimeEntry) -> TimeEntry:
        """Insert one entry and return it with its id."""
        result = _run(self.s, insert(_t(TimeEntryRow)).values(**_entry_values(entry)))
        self._refresh_rollup([entry.project_id], [entry.day])
        return _replace_id(entry, _new_id(result))  # type: ignore[index]

    def add_many(self, entries: Sequence[TimeEntry]) -> int:
        """Bulk insert; entries whose ``external_id`` already exists (or repeats in the batch) are skipped.

        Per chunk: one query for the external ids already stored, one bulk INSERT. On SQLite and
        PostgreSQL the INSERT also says ``ON CONFLICT DO NOTHING``, so a concurrent import of the same
        file cannot fail on the unique key (the count returned then includes rows the other import
        won, the one inexactness accepted to keep 100k-row imports fast).

        The burn rollup is then recomputed from the stored entries for the projects and months the
        batch touched (not incremented by the batch), so rows skipped as known, or won by a concurrent
        import, are counted exactly once.
        """
        table = _t(TimeEntryRow)
        ins = dialect_insert(self.s)
        seen: set[str] = set()
        added = 0
        touched_projects: set[int] = set()
        touched_days: set[date] = set()
        for chunk in _chunks(list(entries)):
            external = [e.external_id for e in chunk if e.external_id is not None]
            known = (
                set(self.s.scalars(select(TimeEntryRow.external_id).where(TimeEntryRow.external_id.in_(external))))
                if external
                else set()
            )
            rows = []
            for e in chunk:
                if e.external_id is not None:
                    if e.external_id in known or e.external_id in seen:
                        continue
                    seen.add(e.external_id)
                rows.append(_entry_values(e))
            if not rows:
                continue
            touched_projects.update(r["project_id"] for r in rows)
            touched_days.update(r["day"] for r in rows)
            if ins is not None and external:
                # Not RETURNING: on psycopg it makes bulk inserts about three times slower.
                self.s.execute(ins(table).on_conflict_do_nothing(index_elements=["external_id"]), rows)
            else:
                self.s.execute(insert(table), rows)
            added += len(rows)
        self._refresh_rollup(touched_projects, touched_days)
        return added

    def add_expense(self, expense: Expense) -> Expense:
        """Insert an expense and return it with its id."""
        result = _run(self.s,
            insert(_t(ExpenseRow)).values(
                project_id=expense.project_id, day=expense.day, amount=expense.amount, description=expense.description
            )
        )
        self._refresh_rollup([expense.project_id], [expense.day])
        return _replace_id(expense, _new_id(result))  # type: ignore[index]

    def _refresh_rollup(self, project_ids: Iterable[int], days: Iterable[date]) -> None:
        """Recompute ``burn_months`` from the base tables for these projects over the months of ``days``.

        Every project x month in the span from the first to the last month is recomputed (a superset of
        the pairs written: recomputing an unchanged pair rewrites the same sums). Recomputing rather than
        adding a delta keeps the rollup right whatever the INSERT skipped. On PostgreSQL (READ COMMITTED)
        a concurrent writer of the same pairs could recompute from a snapshot without our rows, so the
        pairs' rows are first created if missing and locked (``FOR UPDATE``, in key order): any other
        writer of them has then committed, and the final recomputing statement, with a new snapshot,
        sees its rows and ours. SQLite writers are serialized (``BEGIN IMMEDIATE``): one statement.
        """
        projects = sorted(set(project_ids))
        months = {date(d.year, d.month, 1) for d in days}
        if not projects or not months:
            return
        first, after = min(months), _next_month(max(months))
        e, x, r = TimeEntryRow, ExpenseRow, _t(BurnMonthRow)
        sums = _rollup_select(
            (among(e.project_id, projects), e.day >= first, e.day < after),
            (among(x.project_id, projects), x.day >= first, x.day < after),
        )
        scope = (among(r.c.project_id, projects), r.c.month >= first, r.c.month < after)
        ins = dialect_insert(self.s)
        if ins is None:  # other databases: replace the span (no concurrent-writer guarantee)
            self.s.execute(delete(r).where(*scope))
            self.s.execute(insert(r).from_select(_ROLLUP_COLUMNS, sums))
            return
        key = ["project_id", "month"]
        if self.s.get_bind().dialect.name == "postgresql":
            self.s.execute(ins(r).from_select(_ROLLUP_COLUMNS, sums).on_conflict_do_nothing(index_elements=key))
            self.s.execute(
                select(r.c.project_id).where(*scope).order_by(r.c.project_id, r.c.month).with_for_update()
            )
        upsert = ins(r).from_select(_ROLLUP_COLUMNS, sums)
        self.s.execute(
            upsert.on_conflict_do_update(
                index_elements=key, set_={c: upsert.excluded[c] for c in _ROLLUP_COLUMNS[2:]}
            )
        )

    def rebuild_rollup(self) -> int:
        """Recompute the whole ``burn_months`` rollup from the entries and expenses (after a bulk load
        that bypassed the repository); returns the number of rollup rows."""
        r = _t(BurnMonthRow)
        self.s.execute(delete(r))
        self.s.execute(insert(r).from_select(_ROLLUP_COLUMNS, _rollup_select((), ())))
        return int(self.s.execute(select(func.count()).select_from(r)).scalar_one())

    def totals(self, project_ids: Sequence[int], today: date) -> Mapping[int, BurnTotals]:
        """Burn aggregates per project in ONE statement: rollup, entries and expenses each grouped, then combined.

        Full months before the month holding the first day of the 28-day window come from the
        ``burn_months`` rollup; from that month's first day up to today the entries and expenses are
        read from their tables (a range of one or two months on the (project_id, day) index). Each part
        is aggregated on its own (GROUP BY project) before the UNION ALL of the small per-project
        results is summed again. The sums are those of the base tables alone. Amounts are summed as
        integers in 1/10000 of the currency (centihours x cents; expense cents x 100), so every sum is
        exact; the Decimal conversion happens here, once per figure. Projects without entries or expenses are absent
        (callers default to ``BurnTotals()``).
        """
        ids = sorted(set(project_ids))
        if not ids:
            return {}
        zero = literal_column("0", BigInteger)
        e, x, r = TimeEntryRow, ExpenseRow, _t(BurnMonthRow)
        since = today - timedelta(days=27)
        # Months before ``cutoff`` (the first day of the month holding the window's first day) come from
        # the rollup: they end before the 28-day window and before today, so every row of them counts
        # in full and none in burned_28d. From ``cutoff`` to today (1-2 months) the base tables are read
        # through their (project_id, day) index; entries after today are in months >= cutoff, so the
        # ``day <= today`` below leaves them out.
        cutoff = date(since.year, since.month, 1)
        rolled = (
            select(
                r.c.project_id.label("project_id"),
                func.sum(r.c.bill_units + r.c.expense_units).label("burned"),
                zero.label("burned_28d"),
                func.sum(r.c.cost_units + r.c.expense_units).label("cost"),
                func.sum(r.c.hours_units).label("hours"),
                func.sum(r.c.expense_units).label("expenses"),
            )
            .where(among(r.c.project_id, ids), r.c.month < cutoff)
            .group_by(r.c.project_id)
        )
        bill = _cents(e.hours) * _cents(e.bill_rate)
        entries = (
            select(
                e.project_id.label("project_id"),
                func.sum(bill).label("burned"),
                func.sum(case((e.day >= since, bill), else_=0)).label("burned_28d"),
                func.sum(_cents(e.hours) * _cents(e.cost_rate)).label("cost"),
                func.sum(_cents(e.hours)).label("hours"),
                zero.label("expenses"),
            )
            .where(among(e.project_id, ids), e.day >= cutoff, e.day <= today)
            .group_by(e.project_id)
        )
        amount = _cents(x.amount) * 100
        expenses = (
            select(
                x.project_id.label("project_id"),
                func.sum(amount).label("burned"),
                func.sum(case((x.day >= since, amount), else_=0)).label("burned_28d"),
                func.sum(amount).label("cost"),
                zero.label("hours"),
                func.sum(amount).label("expenses"),
            )
            .where(among(x.project_id, ids), x.day >= cutoff, x.day <= today)
            .group_by(x.project_id)
        )
        u = union_all(rolled, entries, expenses).subquery("burn")
        # CAST: PostgreSQL sums BIGINTs as NUMERIC, which psycopg would parse into Decimals only for them
        # to be turned back into integers here (the sums are far inside BIGINT: 9.2e14 in currency).
        stmt = select(
            u.c.project_id,
            *(sql_cast(func.sum(u.c[name]), BigInteger) for name in ("burned", "burned_28d", "cost", "hours",
                                                                     "expenses")),
        ).group_by(u.c.project_id)
        totals: dict[int, BurnTotals] = {}
        for project_id, burned, burned_28d, cost, hours, expenses in self.s.execute(stmt):
            totals[project_id] = BurnTotals(
                burned=units_to_decimal(burned, 4),
                burned_28d=units_to_decimal(burned_28d, 4),
                cost=units_to_decimal(cost, 4),
                hours=units_to_decimal(hours, 2),
                expenses=units_to_decimal(expenses, 4),
            )
        return totals

    def hours_by_project(self, person_id: int, first: date, last: date) -> Mapping[int, Decimal]:
        t = TimeEntryRow
        # CAST: PostgreSQL sums a BIGINT as NUMERIC, which psycopg would turn into a Decimal per row.
        stmt = (select(t.project_id, sql_cast(func.sum(_cents(t.hours)), BigInteger))
                .where(t.person_id == person_id, t.day >= first, t.day <= last)
                .group_by(t.project_id))
        return {project_id: _hours(units) for project_id, units in self.s.execute(stmt)}

    def list(self, project_id: int, since: date | None = None) -> builtins.list[TimeEntry]:
        """A project's entries (from ``since`` on, if given), oldest first."""
        stmt = select(_t(TimeEntryRow)).where(TimeEntryRow.project_id == project_id)
        if since is not None:
            stmt = stmt.where(TimeEntryRow.day >= since)
        return [_entry(r) for r in self.s.execute(stmt.order_by(TimeEntryRow.day, TimeEntryRow.id))]


# --- statuses -------------------------------------------------------------------------------


_STATUS_COLUMNS = _columns(StatusUpdateRow, "id project_id rag note author_id at")


def _status(row: Sequence[Any]) -> StatusUpdate:
    sid, project_id, rag, note, author_id, at = row
    return StatusUpdate(id=sid, project_id=project_id, rag=_rag(rag), note=note, author_id=author_id, at=at)


class SqlStatusRepository:
    """RAG status updates."""

    def __init__(self, session: Session) -> None:
        self.s = session

    def add(self, update: StatusUpdate) -> StatusUpdate:
        """Insert a status update and return it with its id."""
        result = _run(self.s,
            insert(_t(StatusUpdateRow)).values(
                project_id=update.project_id,
                rag=Rag(update.rag).value,
                note=update.note,
                author_id=update.author_id,
                at=_aware(update.at, "StatusUpdate.at"),
            )
        )
        return _replace_id(update, _new_id(result))  # type: ignore[index]

    def _nth(self, project_ids: Sequence[int], n: int) -> Mapping[int, StatusUpdate]:
        """The n-th newest status per project, in one statement (ROW_NUMBER: SQLite >= 3.25, PostgreSQL)."""
        ids = sorted(set(project_ids))
        if not ids:
            return {}
        t = _t(StatusUpdateRow)
        rank = (
            func.row_number()
            .over(partition_by=t.c.project_id, order_by=(t.c.at.desc(), t.c.id.desc()))
            .label("rank")
        )
        ranked = select(t, rank).where(among(t.c.project_id, ids)).subquery("ranked")
        rows = self.s.execute(select(*(ranked.c[c.name] for c in _STATUS_COLUMNS)).where(ranked.c.rank == n))
        return {status.project_id: status for status in map(_status, rows)}

    def latest(self, project_ids: Sequence[int]) -> Mapping[int, StatusUpdate]:
        """The newest status of each project that has one, in one statement."""
        return self._nth(project_ids, 1)

    def previous(self, project_ids: Sequence[int]) -> Mapping[int, StatusUpdate]:
        """The second-newest status of each project that has two, in one statement."""
        return self._nth(project_ids, 2)

    def history(self, project_id: int, limit: int = 10) -> builtins.list[StatusUpdate]:
        """Newest first."""
        rows = self.s.execute(
            select(*_STATUS_COLUMNS)
            .where(StatusUpdateRow.project_id == project_id)
            .order_by(StatusUpdateRow.at.desc(), StatusUpdateRow.id.desc())
            .limit(limit)
        )
        return [_status(r) for r in rows]


# --- scope changes --------------------------------------------------------------------------


_SCOPE_COLUMNS = _columns(
    ScopeChangeRow,
    "id project_id description impact_hours impact_amount state flagged_by flagged_at decided_by decided_at "
    "decision_note link",
)


def _scope(row: Sequence[Any]) -> ScopeChange:
    (cid, project_id, description, impact_hours, impact_amount, state, flagged_by, flagged_at, decided_by,
     decided_at, decision_note, link) = row
    return ScopeChange(
        id=cid,
        project_id=project_id,
        description=description,
        impact_hours=impact_hours,
        impact_amount=impact_amount,
        state=_scope_state(state),
        flagged_by=flagged_by,
        flagged_at=flagged_at,
        decided_by=decided_by,
        decided_at=decided_at,
        decision_note=decision_note,
        link=link,
    )


class SqlScopeRepository:
    """Scope changes, their sums, and the decide-once update."""

    def __init__(self, session: Session) -> None:
        self.s = session

    def add(self, change: ScopeChange) -> ScopeChange:
        """Insert a scope change and return it with its id."""
        result = _run(self.s,
            insert(_t(ScopeChangeRow)).values(
                project_id=change.project_id,
                description=change.description,
                impact_hours=change.impact_hours,
                impact_amount=change.impact_amount,
                state=ScopeState(change.state).value,
                flagged_by=change.flagged_by,
                flagged_at=_aware(change.flagged_at, "ScopeChange.flagged_at"),
                decided_by=change.decided_by,
                decided_at=_aware(change.decided_at, "ScopeChange.decided_at"),
                decision_note=change.decision_note,
                link=change.link,
            )
        )
        return _replace_id(change, _new_id(result))  # type: ignore[index]

    def get(self, change_id: int) -> ScopeChange | None:
        """The scope change with this id, if any (always read from the database)."""
        row = self.s.execute(select(*_SCOPE_COLUMNS).where(ScopeChangeRow.id == change_id)).first()
        return _scope(row) if row else None

    def list(
        self, project_ids: Sequence[int], states: Iterable[ScopeState] | None = None
    ) -> builtins.list[ScopeChange]:
        """The projects' scope changes (optionally only in ``states``), oldest first."""
        ids = sorted(set(project_ids))
        if not ids:
            return []
        stmt = select(*_SCOPE_COLUMNS).where(among(ScopeChangeRow.project_id, ids))
        if states is not None:
            stmt = stmt.where(ScopeChangeRow.state.in_([ScopeState(s).value for s in states]))
        rows = self.s.execute(stmt.order_by(ScopeChangeRow.flagged_at, ScopeChangeRow.id))
        return [_scope(r) for r in rows]

    def totals(self, project_ids: Sequence[int]) -> Mapping[int, ScopeTotals]:
        """Approved and pending sums per project, in one grouped statement."""
        ids = sorted(set(project_ids))
        if not ids:
            return {}
        c = ScopeChangeRow
        approved = c.state == ScopeState.APPROVED.value
        pending = c.state == ScopeState.FLAGGED.value

        def total(condition: ColumnElement[bool], column: Any) -> Any:
            return func.sum(case((condition, _cents(column)), else_=0))

        stmt = (
            select(
                c.project_id,
                total(approved, c.impact_amount).label("approved_amount"),
                total(approved, c.impact_hours).label("approved_hours"),
                func.sum(case((pending, 1), else_=0)).label("pending_count"),
                total(pending, c.impact_amount).label("pending_amount"),
                total(pending, c.impact_hours).label("pending_hours"),
            )
            .where(among(c.project_id, ids))
            .group_by(c.project_id)
        )
        return {
            r.project_id: ScopeTotals(
                approved_amount=units_to_decimal(r.approved_amount, 2),
                approved_hours=units_to_decimal(r.approved_hours, 2),
                pending_count=int(r.pending_count or 0),
                pending_amount=units_to_decimal(r.pending_amount, 2),
                pending_hours=units_to_decimal(r.pending_hours, 2),
            )
            for r in self.s.execute(stmt)
        }

    def decide(self, decided: ScopeChange) -> bool:
        """Store a decision only if the change is still flagged: one conditional UPDATE.

        The WHERE on the state makes the database arbitrate between two approvers (or replicas):
        exactly one UPDATE matches the row; the other sees ``rowcount == 0`` and returns False.
        """
        cid = _require_id(decided.id, "scope change")
        result = _run(self.s,
            update(_t(ScopeChangeRow))
            .where(ScopeChangeRow.id == cid, ScopeChangeRow.state == ScopeState.FLAGGED.value)
            .values(
                state=ScopeState(decided.state).value,
                decided_by=decided.decided_by,
                decided_at=_aware(decided.decided_at, "ScopeChange.decided_at"),
                decision_note=decided.decision_note,
            )
        )
        return bool(result.rowcount == 1)


# --- allocations ----------------------------------------------------------------------------


_ALLOCATION_COLUMNS = _columns(
    AllocationRow,
    "id person_id project_id hours_per_week start_day end_day state requested_by requested_at decided_by "
    "decided_at decision_note",
)


def _allocation(row: Sequence[Any]) -> Allocation:
    (aid, person_id, project_id, hours_per_week, start, end, state, requested_by, requested_at, decided_by,
     decided_at, decision_note) = row
    return Allocation(
        id=aid,
        person_id=person_id,
        project_id=project_id,
        hours_per_week=hours_per_week,
        start=start,
        end=end,
        state=_allocation_state(state),
        requested_by=requested_by,
        requested_at=requested_at,
        decided_by=decided_by,
        decided_at=decided_at,
        decision_note=decision_note,
    )


class SqlAllocationRepository:
    """Allocation requests, the decide-once update, and weekly load per person."""

    def __init__(self, session: Session) -> None:
        self.s = session

    def add(self, allocation: Allocation) -> Allocation:
        """Insert an allocation and return it with its id."""
        a = allocation
        result = _run(self.s,
            insert(_t(AllocationRow)).values(
                person_id=a.person_id,
                project_id=a.project_id,
                hours_per_week=a.hours_per_week,
                start_day=a.start,
                end_day=a.end,
                state=AllocationState(a.state).value,
                requested_by=a.requested_by,
                requested_at=_aware(a.requested_at, "Allocation.requested_at"),
                decided_by=a.decided_by,
                decided_at=_aware(a.decided_at, "Allocation.decided_at"),
                decision_note=a.decision_note,
            )
        )
        return _replace_id(allocation, _new_id(result))  # type: ignore[index]

    def get(self, allocation_id: int) -> Allocation | None:
        """The allocation with this id, if any (always read from the database)."""
        row = self.s.execute(select(*_ALLOCATION_COLUMNS).where(AllocationRow.id == allocation_id)).first()
        return _allocation(row) if row else None

    def list(
        self,
        *,
        person_id: int | None = None,
        project_ids: Sequence[int] | None = None,
        states: Iterable[AllocationState] | None = None,
    ) -> builtins.list[Allocation]:
        """Allocations matching every filter given, oldest first."""
        stmt = select(*_ALLOCATION_COLUMNS)
        if person_id is not None:
            stmt = stmt.where(AllocationRow.person_id == person_id)
        if project_ids is not None:
            ids = sorted(set(project_ids))
            if not ids:
                return []
            stmt = stmt.where(among(AllocationRow.project_id, ids))
        if states is not None:
            stmt = stmt.where(AllocationRow.state.in_([AllocationState(s).value for s in states]))
        rows = self.s.execute(stmt.order_by(AllocationRow.requested_at, AllocationRow.id))
        return [_allocation(r) for r in rows]

    def weekly_load(
        self, person_ids: Sequence[int], first_week: date, last_week: date
    ) -> Mapping[tuple[int, date], Decimal]:
        """Approved hours per (person, ISO-week Monday) for Mondays in [first_week, last_week], in SQL.

        A recursive CTE lists the Mondays; an approved allocation counts its full ``hours_per_week``
        in every week whose Monday..Sunday overlaps its [start, end]. Weeks with no load are absent.
        """
        ids = sorted(set(person_ids))
        if not ids or last_week < first_week:
            return {}
        # Guard against callers passing a mid-week day: the CTE walks Mondays.
        first = first_week - timedelta(days=first_week.weekday())
        # Each week carries its Sunday, computed once per week rather than once per (week, allocation) pair
        # in the join below (SQLite's date() is slow).
        weeks = select(
            type_coerce(first, Date).label("monday"), type_coerce(first + timedelta(days=6), Date).label("sunday")
        ).cte("weeks", recursive=True)
        weeks = weeks.union_all(
            select(days_after(weeks.c.monday, 7), days_after(weeks.c.sunday, 7))
            .where(weeks.c.monday < last_week - timedelta(days=6))
        )
        a = AllocationRow
        monday = type_coerce(weeks.c.monday, Date)
        stmt = (
            # CAST: PostgreSQL sums a BIGINT as NUMERIC, which psycopg would turn into a Decimal per row.
            select(a.person_id, monday.label("monday"),
                   sql_cast(func.sum(_cents(a.hours_per_week)), BigInteger).label("load"))
            .select_from(weeks)
            .join(
                a,
                and_(a.start_day <= weeks.c.sunday, a.end_day >= weeks.c.monday),
            )
            .where(among(a.person_id, ids), a.state == AllocationState.APPROVED.value)
            .group_by(a.person_id, weeks.c.monday)
            .having(func.sum(_cents(a.hours_per_week)) > 0)
        )
        result: dict[tuple[int, date], Decimal] = {}
        # Thousands of rows share a few dozen distinct loads and weeks: convert each distinct one once.
        hours: dict[int, Decimal] = {}
        days: dict[Any, date] = {}
        for person_id, week, load in self.s.execute(stmt):
            day = days.get(week)
            if day is None:
                day = days[week] = date.fromisoformat(week) if isinstance(week, str) else week
            value = hours.get(load)
            if value is None:
                value = hours[load] = _hours(load)
            result[(person_id, day)] = value
        return result

    def decide(self, decided: Allocation) -> bool:
        """Store a decision only if the request is still requested: one conditional UPDATE."""
        aid = _require_id(decided.id, "allocation")
        result = _run(self.s,
            update(_t(AllocationRow))
            .where(AllocationRow.id == aid, AllocationRow.state == AllocationState.REQUESTED.value)
            .values(
                state=AllocationState(decided.state).value,
                decided_by=decided.decided_by,
                decided_at=_aware(decided.decided_at, "Allocation.decided_at"),
                decision_note=decided.decision_note,
            )
        )
        return bool(result.rowcount == 1)

    def supersede(self, allocation_id: int, end: date | None) -> None:
        """End an approved allocation on ``end`` or, with None, cancel it (an approved change replaced it)."""
        values: dict[str, Any] = (
            {"end_day": end} if end is not None else {"state": AllocationState.CANCELLED.value}
        )
        _run(self.s, update(_t(AllocationRow)).where(AllocationRow.id == allocation_id).values(**values))


# --- audit, subscriptions, receipts ---------------------------------------------------------


def _audit(row: Row[Any]) -> AuditEvent:
    return AuditEvent(
        id=row.id,
        at=row.at,
        actor_id=row.actor_id,
        source=Source(row.source),
        action=row.action,
        subject=row.subject,
        detail=row.detail,
    )


class SqlAuditRepository:
    """The audit trail (append-only)."""

    def __init__(self, session: Session) -> None:
        self.s = session

    def add(self, event: AuditEvent) -> None:
        """Append an event."""
        self.s.execute(
            insert(_t(AuditEventRow)).values(
                at=_aware(event.at, "AuditEvent.at"),
                actor_id=event.actor_id,
                source=Source(event.source).value,
                action=event.action,
                subject=event.subject,
                detail=event.detail,
            )
        )

    def list(self, subject: str | None = None, limit: int = 50) -> builtins.list[AuditEvent]:
        """Newest first (by time, then by insertion), optionally only about ``subject``."""
        stmt = select(_t(AuditEventRow))
        if subject is not None:
            stmt = stmt.where(AuditEventRow.subject == subject)
        stmt = stmt.order_by(AuditEventRow.at.desc(), AuditEventRow.id.desc()).limit(limit)
        return [_audit(r) for r in self.s.execute(stmt)]


def _subscription(row: Row[Any]) -> DigestSubscription:
    return DigestSubscription(
        id=row.id,
        channel=row.channel,
        platform=Platform(row.platform) if row.platform else None,
        hour=row.hour,
        minute=row.minute,
        timezone=row.timezone,
        weekdays_only=row.weekdays_only,
        created_by=row.created_by,
        person_id=row.person_id,
        active=row.active,
    )


class SqlSubscriptionRepository:
    """Digest subscriptions, one per channel."""

    def __init__(self, session: Session) -> None:
        self.s = session

    def for_channel(self, channel: str) -> DigestSubscription | None:
        """The channel's subscription, active or not."""
        row = self.s.execute(
            select(_t(DigestSubscriptionRow)).where(DigestSubscriptionRow.channel == channel)
        ).first()
        return _subscription(row) if row else None

    def save(self, sub: DigestSubscription) -> DigestSubscription:
        """Insert or replace the channel's subscription (keyed by channel); return it with its id."""
        values = {
            "platform": Platform(sub.platform).value if sub.platform else None,
            "hour": sub.hour,
            "minute": sub.minute,
            "timezone": sub.timezone,
            "weekdays_only": sub.weekdays_only,
            "created_by": sub.created_by,
            "person_id": sub.person_id,
            "active": sub.active,
        }
        table = _t(DigestSubscriptionRow)
        ins = dialect_insert(self.s)
        if ins is not None:
            stmt = ins(table).values(channel=sub.channel, **values)
            stmt = stmt.on_conflict_do_update(index_elements=["channel"], set_=values).returning(table.c.id)
            return _replace_id(sub, self.s.execute(stmt).scalar_one())
        found = _run(self.s, update(table).where(table.c.channel == sub.channel).values(**values))
        if found.rowcount == 0:
            self.s.execute(insert(table).values(channel=sub.channel, **values))
        return _replace_id(sub, self.s.execute(select(table.c.id).where(table.c.channel == sub.channel)).scalar_one())

    def list_active(self) -> builtins.list[DigestSubscription]:
        """Every active subscription, in id order."""
        rows = self.s.execute(
            select(_t(DigestSubscriptionRow))
            .where(DigestSubscriptionRow.active.is_(True))
            .order_by(DigestSubscriptionRow.id)
        )
        return [_subscription(r) for r in rows]


class SqlReceiptRepository:
    """Idempotency keys, stored in the unit of work's transaction."""

    def __init__(self, session: Session) -> None:
        self.s = session

    def record(self, key: str, at: datetime) -> bool:
        """True when ``key`` is new; False when it was recorded before.

        ``INSERT ... ON CONFLICT DO NOTHING RETURNING key`` never raises on a duplicate, so the surrounding
        transaction stays usable. On PostgreSQL a concurrent insert of the same key waits for the
        other transaction: if it commits we get rowcount 0, if it rolls back ours goes in.
        """
        _aware(at, "receipt time")
        table = _t(ReceiptRow)
        ins = dialect_insert(self.s)
        if ins is not None:
            stmt = ins(table).values(key=key, at=at).on_conflict_do_nothing(index_elements=["key"])
            # RETURNING rather than rowcount: psycopg reports -1 for this statement under SQLAlchemy 2.1.
            return self.s.execute(stmt.returning(table.c.key)).first() is not None
        # Other databases: a savepoint confines the duplicate-key error to this one statement.
        try:
            with self.s.begin_nested():
                self.s.execute(insert(table).values(key=key, at=at))
        except IntegrityError:
            return False
        return True
