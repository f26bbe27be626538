"""Initial schema: every table of storage/orm.py.

Money columns are integer cents and hours integer hundredths (BigInteger); instants are
DateTime(timezone=True), stored as UTC. Types are spelled as plain SQLAlchemy types, not
storage.orm's TypeDecorators, so this migration stays frozen whatever orm.py becomes.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "organisation",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("burn_thresholds", sa.JSON(), nullable=False),
        sa.Column("forecast_over_budget", sa.Integer(), nullable=False),
        sa.Column("scope_impact", sa.Integer(), nullable=False),
        sa.Column("stale_status_days", sa.Integer(), nullable=False),
        sa.Column("approval_wait_days", sa.Integer(), nullable=False),
        sa.Column("reack_hours", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation")),
    )
    op.create_table(
        "people",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("email_key", sa.String(length=320), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("capacity_hours", sa.BigInteger(), nullable=False),
        sa.Column("cost_rate", sa.BigInteger(), nullable=False),
        sa.Column("bill_rate", sa.BigInteger(), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=True),
        sa.Column("slack_id", sa.String(length=64), nullable=True),
        sa.Column("teams_id", sa.String(length=255), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people")),
        sa.UniqueConstraint("email_key", name=op.f("uq_people_email_key")),
        sa.UniqueConstraint("slack_id", name=op.f("uq_people_slack_id")),
        sa.UniqueConstraint("teams_id", name=op.f("uq_people_teams_id")),
    )
    op.create_table(
        "receipts",
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_receipts")),
    )
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["people.id"], name=op.f("fk_audit_events_actor_id_people")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    op.create_index("ix_audit_events_subject_id", "audit_events", ["subject", "id"])

    op.create_table(
        "clients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("director_id", sa.Integer(), nullable=True),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["director_id"], ["people.id"], name=op.f("fk_clients_director_id_people")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clients")),
        sa.UniqueConstraint("key", name=op.f("uq_clients_key")),
    )
    op.create_table(
        "digest_subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=255), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=True),
        sa.Column("hour", sa.Integer(), nullable=False),
        sa.Column("minute", sa.Integer(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("weekdays_only", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["created_by"], ["people.id"], name=op.f("fk_digest_subscriptions_created_by_people")),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_digest_subscriptions_person_id_people")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_digest_subscriptions")),
        sa.UniqueConstraint("channel", name=op.f("uq_digest_subscriptions_channel")),
    )
    op.create_table(
        "projects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("budget", sa.BigInteger(), nullable=False),
        sa.Column("start_day", sa.Date(), nullable=False),
        sa.Column("end_day", sa.Date(), nullable=False),
        sa.Column("manager_id", sa.Integer(), nullable=True),
        sa.Column("budget_hours", sa.BigInteger(), nullable=True),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["client_id"], ["clients.id"], name=op.f("fk_projects_client_id_clients")),
        sa.ForeignKeyConstraint(["manager_id"], ["people.id"], name=op.f("fk_projects_manager_id_people")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_projects")),
        sa.UniqueConstraint("key", name=op.f("uq_projects_key")),
    )
    op.create_index("ix_projects_client_id", "projects", ["client_id"])

    op.create_table(
        "allocations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("hours_per_week", sa.BigInteger(), nullable=False),
        sa.Column("start_day", sa.Date(), nullable=False),
        sa.Column("end_day", sa.Date(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("requested_by", sa.Integer(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["decided_by"], ["people.id"], name=op.f("fk_allocations_decided_by_people")),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_allocations_person_id_people")),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], name=op.f("fk_allocations_project_id_projects")),
        sa.ForeignKeyConstraint(["requested_by"], ["people.id"], name=op.f("fk_allocations_requested_by_people")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_allocations")),
    )
    op.create_index("ix_allocations_person_id_state", "allocations", ["person_id", "state"])
    op.create_index("ix_allocations_project_id_state", "allocations", ["project_id", "state"])

    op.create_table(
        "expenses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], name=op.f("fk_expenses_project_id_projects")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_expenses")),
    )
    op.create_index("ix_expenses_project_id_day", "expenses", ["project_id", "day"])

    op.create_table(
        "project_channels",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=255), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], name=op.f("fk_project_channels_project_id_projects")),
        sa.PrimaryKeyConstraint("project_id", "channel", name=op.f("pk_project_channels")),
        sa.UniqueConstraint("channel", "project_id", name=op.f("uq_project_channels_channel_project_id")),
    )
    op.create_table(
        "scope_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("impact_hours", sa.BigInteger(), nullable=True),
        sa.Column("impact_amount", sa.BigInteger(), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("flagged_by", sa.Integer(), nullable=False),
        sa.Column("flagged_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=False),
        sa.Column("link", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["decided_by"], ["people.id"], name=op.f("fk_scope_changes_decided_by_people")),
        sa.ForeignKeyConstraint(["flagged_by"], ["people.id"], name=op.f("fk_scope_changes_flagged_by_people")),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], name=op.f("fk_scope_changes_project_id_projects")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scope_changes")),
    )
    op.create_index("ix_scope_changes_project_id_state", "scope_changes", ["project_id", "state"])

    op.create_table(
        "status_updates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("rag", sa.String(length=8), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["people.id"], name=op.f("fk_status_updates_author_id_people")),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], name=op.f("fk_status_updates_project_id_projects")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_updates")),
    )
    op.create_index("ix_status_updates_project_id_at", "status_updates", ["project_id", "at"])

    op.create_table(
        "time_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("hours", sa.BigInteger(), nullable=False),
        sa.Column("bill_rate", sa.BigInteger(), nullable=False),
        sa.Column("cost_rate", sa.BigInteger(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("external_id", sa.String(length=255), nullable=True),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_time_entries_person_id_people")),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], name=op.f("fk_time_entries_project_id_projects")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_time_entries")),
        sa.UniqueConstraint("external_id", name=op.f("uq_time_entries_external_id")),
    )
    op.create_index("ix_time_entries_person_id", "time_entries", ["person_id"])
    op.create_index("ix_time_entries_project_id_day", "time_entries", ["project_id", "day"])


def downgrade() -> None:
    op.drop_index("ix_time_entries_project_id_day", table_name="time_entries")
    op.drop_index("ix_time_entries_person_id", table_name="time_entries")

    op.drop_table("time_entries")
    op.drop_index("ix_status_updates_project_id_at", table_name="status_updates")

    op.drop_table("status_updates")
    op.drop_index("ix_scope_changes_project_id_state", table_name="scope_changes")

    op.drop_table("scope_changes")
    op.drop_table("project_channels")
    op.drop_index("ix_expenses_project_id_day", table_name="expenses")

    op.drop_table("expenses")
    op.drop_index("ix_allocations_project_id_state", table_name="allocations")
    op.drop_index("ix_allocations_person_id_state", table_name="allocations")

    op.drop_table("allocations")
    op.drop_index("ix_projects_client_id", table_name="projects")

    op.drop_table("projects")
    op.drop_table("digest_subscriptions")
    op.drop_table("clients")
    op.drop_index("ix_audit_events_subject_id", table_name="audit_events")

    op.drop_table("audit_events")
    op.drop_table("receipts")
    op.drop_table("people")
    op.drop_table("organisation")
