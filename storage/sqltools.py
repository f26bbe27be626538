"""Small portable SQL helpers shared by the repositories."""

from __future__ import annotations

import json
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import Date, Dialect, String, bindparam, literal_column
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql._typing import _ColumnExpressionArgument
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ColumnElement, FunctionElement
from sqlalchemy.types import NullType, TypeDecorator, TypeEngine

CENT = Decimal("0.01")


def units_to_decimal(total: Any, scale: int, places: Decimal = CENT) -> Decimal:
    """An integer SUM (int on SQLite, int or Decimal on PostgreSQL) as an exact Decimal at ``places``."""
    if total is None:
        total = 0
    return (Decimal(int(total)).scaleb(-scale)).quantize(places, rounding=ROUND_HALF_UP)


class days_after(FunctionElement[Any]):  # noqa: N801 - reads like the SQL function it stands for
    """``date + n days`` for a constant ``n``, rendered for each dialect.

    SQLite keeps dates as ISO text (``date(x, '+7 days')``); PostgreSQL adds an integer to a date.
    Both give a value that compares correctly with a stored ``Date`` column.
    """

    type = Date()
    inherit_cache = True
    name = "days_after"

    def __init__(self, expr: ColumnElement[Any], days: int) -> None:
        # The day count travels as a literal clause (an int, never user text) so that it is part of
        # the statement's cache key: days_after(x, 6) and days_after(x, 7) must not share compiled SQL.
        super().__init__(expr, literal_column(str(int(days))))


def _parts(element: days_after, compiler: SQLCompiler, **kw: Any) -> tuple[str, int]:
    expr, days = list(element.clauses)
    return compiler.process(expr, **kw), int(days.name)  # type: ignore[attr-defined]


@compiles(days_after)
def _days_after_default(element: days_after, compiler: SQLCompiler, **kw: Any) -> str:
    expr, days = _parts(element, compiler, **kw)
    return f"({expr} + {days})"


@compiles(days_after, "sqlite")
def _days_after_sqlite(element: days_after, compiler: SQLCompiler, **kw: Any) -> str:
    expr, days = _parts(element, compiler, **kw)
    return f"date({expr}, '{days:+d} days')"


def dialect_insert(session: Session) -> Any:
    """The ``insert`` construct of the session's dialect, with ``on_conflict_do_*`` (SQLite, PostgreSQL).

    Returns None for other dialects; callers then fall back to portable but racier statements.
    """
    name = session.get_bind().dialect.name
    if name == "postgresql":
        return postgresql.insert
    if name == "sqlite":
        return sqlite.insert
    return None


class month_start(FunctionElement[Any]):  # noqa: N801 - reads like the SQL function it stands for
    """The first day of the month of a ``Date`` expression, rendered for each dialect.

    SQLite: ``strftime('%Y-%m-01', x)``, the ISO text SQLAlchemy stores a ``Date`` as; PostgreSQL:
    ``CAST(date_trunc('month', x) AS DATE)``. Both compare correctly with a stored ``Date`` column.
    """

    type = Date()
    inherit_cache = True
    name = "month_start"


@compiles(month_start)
def _month_start_default(element: month_start, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST(date_trunc('month', {compiler.process(element.clauses, **kw)}) AS DATE)"


@compiles(month_start, "sqlite")
def _month_start_sqlite(element: month_start, compiler: SQLCompiler, **kw: Any) -> str:
    return f"strftime('%Y-%m-01', {compiler.process(element.clauses, **kw)})"


class IdList(TypeDecorator[list[int]]):
    """A list of integer ids as ONE value: JSON text when bound (SQLite's ``json_each``), the text of an
    array (``{1,2,3}``) when rendered into a PostgreSQL statement."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value: Iterable[int] | None, dialect: Dialect) -> str:
        return json.dumps([int(v) for v in value or ()])

    def process_literal_param(self, value: Iterable[int] | None, dialect: Dialect) -> str:
        ids = [int(v) for v in value or ()]  # integers only: nothing else can reach the SQL text
        if dialect.name == "postgresql":
            return "{" + ",".join(map(str, ids)) + "}"
        return json.dumps(ids)


class among(FunctionElement[Any]):  # noqa: N801 - reads like the SQL operator it stands for
    """``column IN ids`` as one value, whatever the number of ids.

    ``column.in_(ids)`` binds one parameter per id: with a thousand projects that is a thousand
    parameters per IN, which SQLAlchemy expands into the SQL text on every execution and psycopg
    parses back (statements that long miss its cache); that took more time than the database took to
    run a digest's statements. Here the ids are one value. On PostgreSQL it is rendered into the
    statement as an array constant, ``column = ANY ('{1,2,3}'::INTEGER[])`` (at execution, so the
    compiled statement is still cached): a bound array would be planned blind once psycopg prepares
    the statement (after 5 runs) and PostgreSQL switches to a generic plan (estimating a handful of
    ids, it sorted 60,000 entries on disk instead of hashing them). On SQLite it is bound as JSON
    text, ``column IN (SELECT value FROM json_each(?))``.
    """

    type: TypeEngine[Any] = NullType()  # not Boolean: SQLite would get ``... = 1`` appended in a WHERE
    inherit_cache = True
    name = "among"

    def __init__(self, column: _ColumnExpressionArgument[Any], ids: Iterable[int]) -> None:
        super().__init__(column, bindparam(None, [int(i) for i in ids], type_=IdList()))


@compiles(among)
def _among_default(element: among, compiler: SQLCompiler, **kw: Any) -> str:
    column, ids = list(element.clauses)
    values = compiler.process(ids, **{**kw, "literal_execute": True})
    return f"{compiler.process(column, **kw)} = ANY (CAST({values} AS INTEGER[]))"


@compiles(among, "sqlite")
def _among_sqlite(element: among, compiler: SQLCompiler, **kw: Any) -> str:
    column, ids = list(element.clauses)
    return f"{compiler.process(column, **kw)} IN (SELECT value FROM json_each({compiler.process(ids, **kw)}))"
