"""Initial schema: callback requests, outbox, SMS opt-outs.

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-25
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None

OPEN_WHERE = "status IN ('new', 'claimed')"


def upgrade() -> None:
    op.create_table(
        "callback_requests",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("ref", sa.String(16), nullable=False),
        sa.Column("conversation_id", sa.String(255), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("first_name", sa.String(100), nullable=False),
        sa.Column("phone_e164", sa.String(20), nullable=False),
        sa.Column("best_time", sa.String(200), nullable=False),
        sa.Column("voicemail_ok", sa.Boolean(), nullable=False),
        sa.Column("voicemail_name_ok", sa.Boolean(), nullable=False),
        sa.Column("text_ok", sa.Boolean(), nullable=False),
        sa.Column("for_whom", sa.String(20), nullable=False),
        sa.Column("screening_outcome", sa.String(50), nullable=True),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("channel", sa.String(50), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("claimed_by", sa.String(100), nullable=True),
        sa.Column("claimed_at", sa.DateTime(), nullable=True),
        sa.Column("done_at", sa.DateTime(), nullable=True),
        sa.Column("outcome_note", sa.Text(), nullable=True),
        sa.Column("expected_window_text", sa.String(200), nullable=False),
        sa.UniqueConstraint("ref", name="uq_callback_requests_ref"),
    )
    op.create_index("ix_callback_requests_conversation_id", "callback_requests", ["conversation_id"])
    op.create_index(
        "ix_callback_requests_status_created", "callback_requests", ["status", "created_at"]
    )
    op.create_index(
        "uq_callback_requests_open_conversation",
        "callback_requests",
        ["conversation_id"],
        unique=True,
        sqlite_where=sa.text(OPEN_WHERE),
        postgresql_where=sa.text(OPEN_WHERE),
    )

    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("topic", sa.String(100), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=True),
        sa.Column("delivered_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
    )
    op.create_index("ix_outbox_next_attempt_at", "outbox", ["next_attempt_at"])

    op.create_table(
        "sms_opt_outs",
        sa.Column("phone_e164", sa.String(20), primary_key=True),
        sa.Column("opted_out", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("sms_opt_outs")
    op.drop_index("ix_outbox_next_attempt_at", table_name="outbox")
    op.drop_table("outbox")
    op.drop_index("uq_callback_requests_open_conversation", table_name="callback_requests")
    op.drop_index("ix_callback_requests_status_created", table_name="callback_requests")
    op.drop_index("ix_callback_requests_conversation_id", table_name="callback_requests")
    op.drop_table("callback_requests")
