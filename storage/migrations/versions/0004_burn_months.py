"""Burn rollup: ``burn_months``, one row per project and calendar month, backfilled from the entries.

The burn totals read full past months from here and only the current month or two from
``time_entries`` and ``expenses``. Units as the totals sum them: ``bill_units`` and ``cost_units`` are
centihours x cents (1/10000 of the currency), ``hours_units`` centihours, ``expense_units`` expense
cents x 100. The backfill is one INSERT ... SELECT ... GROUP BY per database (the month's first day by
``strftime`` on SQLite, ``date_trunc`` on PostgreSQL), so it matches what the repositories maintain.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _month(column: str, dialect: str) -> str:
    if dialect == "sqlite":
        return f"strftime('%Y-%m-01', {column})"
    return f"CAST(date_trunc('month', {column}) AS DATE)"


def upgrade() -> None:
    op.create_table(
        "burn_months",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("bill_units", sa.BigInteger(), nullable=False),
        sa.Column("cost_units", sa.BigInteger(), nullable=False),
        sa.Column("hours_units", sa.BigInteger(), nullable=False),
        sa.Column("expense_units", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], name=op.f("fk_burn_months_project_id_projects")),
        sa.PrimaryKeyConstraint("project_id", "month", name=op.f("pk_burn_months")),
    )
    dialect = op.get_bind().dialect.name
    e_month, x_month = _month("day", dialect), _month("day", dialect)
    op.execute(
        "INSERT INTO burn_months (project_id, month, bill_units, cost_units, hours_units, expense_units) "
        "SELECT project_id, month, SUM(bill), SUM(cost), SUM(hours), SUM(expense) FROM ("
        f"SELECT project_id, {e_month} AS month, SUM(hours * bill_rate) AS bill, SUM(hours * cost_rate) AS cost, "
        f"SUM(hours) AS hours, 0 AS expense FROM time_entries GROUP BY project_id, {e_month} "
        "UNION ALL "
        f"SELECT project_id, {x_month} AS month, 0 AS bill, 0 AS cost, 0 AS hours, SUM(amount * 100) AS expense "
        f"FROM expenses GROUP BY project_id, {x_month}"
        ") AS burn GROUP BY project_id, month"
    )


def downgrade() -> None:
    op.drop_table("burn_months")
