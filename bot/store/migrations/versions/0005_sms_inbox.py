"""Inbound texts written before Twilio is answered (crash-safe, deduplicated by MessageSid).

Revision ID: 0005_sms_inbox
Revises: 0004_family_consultation
Create Date: 2026-12-02
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_sms_inbox"
down_revision = "0004_family_consultation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sms_inbox",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("message_sid", sa.String(64), nullable=False, unique=True),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("phone_e164", sa.String(40), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("num_media", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("claimed_until", sa.DateTime(), nullable=True),
        sa.Column("claim_token", sa.String(32), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("done_at", sa.DateTime(), nullable=True),
    )
    op.create_index("ix_sms_inbox_unfinished", "sms_inbox", ["done_at", "claimed_until"])


def downgrade() -> None:
    op.drop_index("ix_sms_inbox_unfinished", table_name="sms_inbox")
    op.drop_table("sms_inbox")
