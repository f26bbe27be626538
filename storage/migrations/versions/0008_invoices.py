"""Invoices and credit notes, the names clients go by in invoice exports, and the WIP reminder setting.

``invoices.number_key`` (the number upper-cased) is unique: an invoice number identifies one invoice in
the organisation, which is what makes the invoice import idempotent. Two covering indexes serve the
aggregates without reading the table: ``ix_invoices_aging`` (open invoices by client and currency, with
due date and amounts) and ``ix_invoices_invoiced`` (amounts by project and currency).
``organisation.wip_reminder_days`` is NULL for the default (3 working days before month end).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "invoices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("number_key", sa.String(length=64), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("issued", sa.Date(), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("paid", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column("promised_on", sa.Date(), nullable=True),
        sa.Column("disputed", sa.Boolean(), nullable=False),
        sa.Column("dispute_reason", sa.Text(), nullable=False),
        sa.Column("last_chased_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("contact", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["client_id"], ["clients.id"], name=op.f("fk_invoices_client_id_clients")),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], name=op.f("fk_invoices_project_id_projects")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoices")),
        sa.UniqueConstraint("number_key", name=op.f("uq_invoices_number_key")),
    )
    op.create_index("ix_invoices_aging", "invoices",
                    ["state", "client_id", "currency", "due", "amount", "paid", "disputed"], unique=False)
    op.create_index("ix_invoices_invoiced", "invoices", ["project_id", "currency", "state", "amount"], unique=False)
    op.create_table(
        "client_billing_names",
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["client_id"], ["clients.id"],
                                name=op.f("fk_client_billing_names_client_id_clients")),
        sa.PrimaryKeyConstraint("client_id", "name", name=op.f("pk_client_billing_names")),
    )
    with op.batch_alter_table("organisation") as batch:
        batch.add_column(sa.Column("wip_reminder_days", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("organisation") as batch:
        batch.drop_column("wip_reminder_days")
    op.drop_table("client_billing_names")
    op.drop_index("ix_invoices_invoiced", table_name="invoices")
    op.drop_index("ix_invoices_aging", table_name="invoices")
    op.drop_table("invoices")
