"""Teams tenants and roster: the tenant of every linked Teams account and conversation reference, and the
members of the teams where the app is installed (to reach people who never wrote to the bot).

- ``people.teams_tenant``: the Entra ID tenant the linked Teams account (``teams_id``) belongs to;
- ``conversations.tenant_id``: the tenant of a stored Teams conversation reference;
- ``teams_roster``: one row per (tenant, AAD object id), with the Teams user id and the service URL that
  ``create_conversation`` needs, and the lower-cased email (or UPN) to find a person's row by.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("people") as batch:
        batch.add_column(sa.Column("teams_tenant", sa.String(length=64), nullable=True))
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(sa.Column("tenant_id", sa.String(length=64), nullable=True))
    op.create_table(
        "teams_roster",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("aad_object_id", sa.String(length=255), nullable=False),
        sa.Column("user_id", sa.String(length=255), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email_key", sa.String(length=320), nullable=True),
        sa.Column("service_url", sa.String(length=512), nullable=False),
        sa.Column("team_id", sa.String(length=512), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_teams_roster")),
        sa.UniqueConstraint("tenant_id", "aad_object_id", name=op.f("uq_teams_roster_tenant_id_aad_object_id")),
    )
    op.create_index(op.f("ix_teams_roster_email_key"), "teams_roster", ["email_key"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_teams_roster_email_key"), table_name="teams_roster")
    op.drop_table("teams_roster")
    with op.batch_alter_table("conversations") as batch:
        batch.drop_column("tenant_id")
    with op.batch_alter_table("people") as batch:
        batch.drop_column("teams_tenant")
