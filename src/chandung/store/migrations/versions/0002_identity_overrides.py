"""Manual merges and splits of customer records.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "identity_overrides",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("customer_id", sa.String(64), nullable=False),
        sa.Column("other_customer_id", sa.String(64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
    )
    op.create_index("ix_identity_overrides_customer", "identity_overrides", ["customer_id"])


def downgrade() -> None:
    op.drop_index("ix_identity_overrides_customer", "identity_overrides")
    op.drop_table("identity_overrides")
