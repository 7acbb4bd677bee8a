"""On-call pages and the acknowledgement of a request.

Revision ID: 0003_on_call_pages
Revises: 0002_staff_accounts
Create Date: 2026-12-02
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_on_call_pages"
down_revision = "0002_staff_accounts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("callback_requests") as batch:
        batch.add_column(sa.Column("acknowledged_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("acknowledged_by", sa.String(100), nullable=True))

    op.create_table(
        "pages",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "callback_request_id",
            sa.Integer(),
            sa.ForeignKey("callback_requests.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("recipient_name", sa.String(100), nullable=False),
        sa.Column("recipient_phone", sa.String(20), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("not_sent", sa.String(200), nullable=True),
        sa.UniqueConstraint("callback_request_id", "level", name="uq_pages_request_level"),
    )
    op.create_index("ix_pages_level_created", "pages", ["level", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_pages_level_created", table_name="pages")
    op.drop_table("pages")
    with op.batch_alter_table("callback_requests") as batch:
        batch.drop_column("acknowledged_by")
        batch.drop_column("acknowledged_at")
