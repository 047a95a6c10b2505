"""Persona sets (versions), their personas, and the manual edits that outlive versions.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "persona_sets",
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.JSON, nullable=False),
        sa.Column("settings", sa.JSON, nullable=False),
        sa.Column("quality", sa.JSON, nullable=False),
        sa.Column("matches", sa.JSON, nullable=False),
    )
    op.create_table(
        "personas",
        sa.Column("version", sa.Integer, sa.ForeignKey("persona_sets.version"), primary_key=True),
        sa.Column("persona_id", sa.String(32), primary_key=True),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
    )
    op.create_table(
        "persona_edits",
        sa.Column("persona_id", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(200), nullable=True),
        sa.Column("nickname", sa.String(200), nullable=True),
        sa.Column("notes", sa.JSON, nullable=False),
        sa.Column("hidden_sections", sa.JSON, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("persona_edits")
    op.drop_table("personas")
    op.drop_table("persona_sets")
