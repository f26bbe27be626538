"""Opportunities and their close-date history, quotas, CRM names, pipeline settings, renewals, sync state.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "opportunities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=True),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("name_key", sa.String(length=255), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("owner_name", sa.String(length=200), nullable=False),
        sa.Column("stage", sa.String(length=100), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("probability", sa.BigInteger(), nullable=False),
        sa.Column("close_date", sa.Date(), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("is_closed", sa.Boolean(), nullable=False),
        sa.Column("is_won", sa.Boolean(), nullable=False),
        sa.Column("type", sa.String(length=100), nullable=False),
        sa.Column("next_step", sa.Text(), nullable=False),
        sa.Column("last_activity", sa.Date(), nullable=True),
        sa.Column("created_day", sa.Date(), nullable=True),
        sa.Column("pushes", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["client_id"], ["clients.id"], name=op.f("fk_opportunities_client_id_clients")),
        sa.ForeignKeyConstraint(["owner_id"], ["people.id"], name=op.f("fk_opportunities_owner_id_people")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opportunities")),
        sa.UniqueConstraint("external_id", name=op.f("uq_opportunities_external_id")),
    )
    op.create_index("ix_opportunities_close_date", "opportunities", ["close_date"])
    op.create_index("ix_opportunities_client_id_close_date", "opportunities", ["client_id", "close_date"])
    op.create_index("ix_opportunities_owner_id_close_date", "opportunities", ["owner_id", "close_date"])
    op.create_table(
        "opportunity_close_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("opportunity_id", sa.Integer(), nullable=False),
        sa.Column("old_date", sa.Date(), nullable=False),
        sa.Column("new_date", sa.Date(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(["opportunity_id"], ["opportunities.id"],
                                name=op.f("fk_opportunity_close_changes_opportunity_id_opportunities")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opportunity_close_changes")),
        sa.UniqueConstraint("external_id", name=op.f("uq_opportunity_close_changes_external_id")),
    )
    op.create_index(op.f("ix_opportunity_close_changes_opportunity_id"), "opportunity_close_changes",
                    ["opportunity_id"])
    op.create_table(
        "quotas",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_quotas_person_id_people")),
        sa.PrimaryKeyConstraint("person_id", "period", name=op.f("pk_quotas")),
    )
    op.create_table(
        "client_crm_names",
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("name_key", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["client_id"], ["clients.id"], name=op.f("fk_client_crm_names_client_id_clients")),
        sa.PrimaryKeyConstraint("client_id", "name_key", name=op.f("pk_client_crm_names")),
    )
    op.create_table(
        "pipeline_settings",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("fiscal_year_start_month", sa.Integer(), nullable=False),
        sa.Column("delivery_months", sa.Integer(), nullable=False),
        sa.Column("stages", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pipeline_settings")),
    )
    op.create_table(
        "project_renewals",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("notice_days", sa.Integer(), nullable=True),
        sa.Column("decision", sa.String(length=16), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], name=op.f("fk_project_renewals_project_id_projects")),
        sa.ForeignKeyConstraint(["decided_by"], ["people.id"], name=op.f("fk_project_renewals_decided_by_people")),
        sa.PrimaryKeyConstraint("project_id", name=op.f("pk_project_renewals")),
    )
    op.create_table(
        "sync_state",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("last_sync", sa.DateTime(timezone=True), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_sync_state")),
    )


def downgrade() -> None:
    op.drop_table("sync_state")
    op.drop_table("project_renewals")
    op.drop_table("pipeline_settings")
    op.drop_table("client_crm_names")
    op.drop_table("quotas")
    op.drop_index(op.f("ix_opportunity_close_changes_opportunity_id"), table_name="opportunity_close_changes")
    op.drop_table("opportunity_close_changes")
    op.drop_index("ix_opportunities_owner_id_close_date", table_name="opportunities")
    op.drop_index("ix_opportunities_client_id_close_date", table_name="opportunities")
    op.drop_index("ix_opportunities_close_date", table_name="opportunities")
    op.drop_table("opportunities")
