"""Indexes for reading the audit trail: by actor (a person's history) and by time (exports by date).

``history <person>`` asks for what a person did as well as what was changed about them, so the
trail is read by ``actor_id``; ``steward audit --since/--until`` filters on ``at``. Both indexes end
in ``id``, the order the readers page in.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACTOR_INDEX = "ix_audit_events_actor_id_id"
AT_INDEX = "ix_audit_events_at_id"


def upgrade() -> None:
    op.create_index(ACTOR_INDEX, "audit_events", ["actor_id", "id"])
    op.create_index(AT_INDEX, "audit_events", ["at", "id"])


def downgrade() -> None:
    op.drop_index(AT_INDEX, table_name="audit_events")
    op.drop_index(ACTOR_INDEX, table_name="audit_events")
