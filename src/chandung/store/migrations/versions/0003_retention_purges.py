"""What each retention purge deleted: counts, never the data.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "retention_purges",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("purged_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("older_than", sa.String(20), nullable=False),
        sa.Column("cutoff", sa.DateTime(timezone=False), nullable=False),
        sa.Column("counts", sa.JSON, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("retention_purges")
