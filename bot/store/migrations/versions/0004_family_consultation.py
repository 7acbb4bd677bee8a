"""A callback's topic (a family consultation) and who the loved one is to the person asking.

Revision ID: 0004_family_consultation
Revises: 0003_on_call_pages
Create Date: 2026-12-02
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_family_consultation"
down_revision = "0003_on_call_pages"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("callback_requests") as batch:
        batch.add_column(sa.Column("topic", sa.String(40), nullable=True))
        batch.add_column(sa.Column("loved_one_relation", sa.String(40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("callback_requests") as batch:
        batch.drop_column("loved_one_relation")
        batch.drop_column("topic")
