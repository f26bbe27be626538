"""The capacity check kept with each allocation decision, and the changes ``undo`` may revert.

``allocation_decisions``: one row per decided allocation request with the weeks it put the person over
capacity at that moment, so a repeated ``approve A22`` answers with the check the decision was taken
on, never with one made later that contradicts it.

``undoable_changes``: each hours entry, status update, scope flag and allocation request made through
the bot, by whom and when; ``undo`` reverts the caller's latest one of the last 24 hours, once.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "allocation_decisions",
        sa.Column("allocation_id", sa.Integer(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("weeks_over", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["allocation_id"], ["allocations.id"],
                                name=op.f("fk_allocation_decisions_allocation_id_allocations")),
        sa.PrimaryKeyConstraint("allocation_id", name=op.f("pk_allocation_decisions")),
    )
    op.create_table(
        "undoable_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("undone_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_undoable_changes_person_id_people")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_undoable_changes")),
    )
    op.create_index("ix_undoable_changes_person_id_at", "undoable_changes", ["person_id", "at"])


def downgrade() -> None:
    op.drop_index("ix_undoable_changes_person_id_at", table_name="undoable_changes")
    op.drop_table("undoable_changes")
    op.drop_table("allocation_decisions")
