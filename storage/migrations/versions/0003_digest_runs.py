"""Digest runs (queued or skipped occurrences, with a budget RAG snapshot) and digest cursors.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "digest_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subscription_id", sa.Integer(), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["subscription_id"], ["digest_subscriptions.id"],
                                name=op.f("fk_digest_runs_subscription_id_digest_subscriptions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_digest_runs")),
        sa.UniqueConstraint("subscription_id", "local_date", name=op.f("uq_digest_runs_subscription_id_local_date")),
    )
    op.create_table(
        "digest_cursors",
        sa.Column("subscription_id", sa.Integer(), nullable=False),
        sa.Column("checked_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("signature", sa.String(length=128), nullable=False),
        sa.ForeignKeyConstraint(["subscription_id"], ["digest_subscriptions.id"],
                                name=op.f("fk_digest_cursors_subscription_id_digest_subscriptions")),
        sa.PrimaryKeyConstraint("subscription_id", name=op.f("pk_digest_cursors")),
    )


def downgrade() -> None:
    op.drop_table("digest_cursors")
    op.drop_table("digest_runs")
