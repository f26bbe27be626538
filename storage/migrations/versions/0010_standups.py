"""Stand-ups and time off: per-channel stand-up settings, managers who joined, answers (one per person and
local day), blockers, time off, and the calendars (per person timezone / holiday country, the
organisation's holiday country and explicit holidays).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "standup_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=255), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=True),
        sa.Column("hour", sa.Integer(), nullable=False),
        sa.Column("minute", sa.Integer(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=True),
        sa.Column("weekdays_only", sa.Boolean(), nullable=False),
        sa.Column("report_hour", sa.Integer(), nullable=True),
        sa.Column("report_minute", sa.Integer(), nullable=True),
        sa.Column("reminder_minutes", sa.Integer(), nullable=True),
        sa.Column("quiet", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["created_by"], ["people.id"], name=op.f("fk_standup_settings_created_by_people")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_standup_settings")),
        sa.UniqueConstraint("channel", name=op.f("uq_standup_settings_channel")),
    )
    op.create_table(
        "standup_members",
        sa.Column("setting_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["setting_id"], ["standup_settings.id"],
                                name=op.f("fk_standup_members_setting_id_standup_settings")),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_standup_members_person_id_people")),
        sa.PrimaryKeyConstraint("setting_id", "person_id", name=op.f("pk_standup_members")),
    )
    op.create_table(
        "standup_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("did", sa.Text(), nullable=False),
        sa.Column("doing", sa.Text(), nullable=False),
        sa.Column("blocked", sa.Text(), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_standup_answers_person_id_people")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_standup_answers")),
        sa.UniqueConstraint("person_id", "local_date", name=op.f("uq_standup_answers_person_id_local_date")),
    )
    op.create_index("ix_standup_answers_local_date", "standup_answers", ["local_date"])
    op.create_table(
        "standup_blockers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("escalate_after", sa.DateTime(timezone=True), nullable=False),
        sa.Column("handled_by", sa.Integer(), nullable=True),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_standup_blockers_person_id_people")),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], name=op.f("fk_standup_blockers_project_id_projects")),
        sa.ForeignKeyConstraint(["handled_by"], ["people.id"], name=op.f("fk_standup_blockers_handled_by_people")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_standup_blockers")),
        sa.UniqueConstraint("person_id", "local_date", name=op.f("uq_standup_blockers_person_id_local_date")),
    )
    op.create_index("ix_standup_blockers_project_id_handled_at", "standup_blockers", ["project_id", "handled_at"])
    op.create_table(
        "time_off",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_time_off_person_id_people")),
        sa.ForeignKeyConstraint(["created_by"], ["people.id"], name=op.f("fk_time_off_created_by_people")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_time_off")),
    )
    op.create_index("ix_time_off_person_id_last_day", "time_off", ["person_id", "last_day"])
    op.create_table(
        "person_calendars",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=True),
        sa.Column("slack_timezone", sa.String(length=64), nullable=True),
        sa.Column("holiday_country", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_person_calendars_person_id_people")),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_person_calendars")),
    )
    op.create_table(
        "org_calendar",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("holiday_country", sa.String(length=16), nullable=True),
        sa.Column("holidays", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_org_calendar")),
    )


def downgrade() -> None:
    op.drop_table("org_calendar")
    op.drop_table("person_calendars")
    op.drop_index("ix_time_off_person_id_last_day", table_name="time_off")
    op.drop_table("time_off")
    op.drop_index("ix_standup_blockers_project_id_handled_at", table_name="standup_blockers")
    op.drop_table("standup_blockers")
    op.drop_index("ix_standup_answers_local_date", table_name="standup_answers")
    op.drop_table("standup_answers")
    op.drop_table("standup_members")
    op.drop_table("standup_settings")
